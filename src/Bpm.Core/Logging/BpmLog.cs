using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Bpm.Host;
using Bpm.Identity;
using Bpm.Lifecycle;

namespace Bpm.Logging;

// bpm.log in the job's log dir: JSON lines, "bpm.<command>.<event>" messages ("bpm.<command>"
// for an event without a name: bpm.exited).
// Logging must never be the reason a command fails, so write errors are swallowed.
// `owner`: the job's user, who owns the log dir the first start creates.
public sealed class BpmLog(string command, ProcessRef p, Func<UserIds> owner) : IBpmLog
{
    private Fd? _file;

    // A job can replace its bpm.log (a directory, a symlink, a FIFO...). What it planted is
    // moved aside (SafeFiles.OpenAppend) and recorded in the new log. When the log still cannot
    // be opened, start and run fail (`required`); that must not keep bpm from stopping or
    // inspecting the job, so otherwise the log is not written and the command goes on.
    public bool Open(bool required, bool create = true)
    {
        if (_file is not null) return true;
        var moved = new List<(string Old, string New)>();
        try
        {
            if (!create && !Directory.Exists(p.LogDir)) return false;
            var user = owner();
            if (create) Directories.Create(p.LogDir, user.Uid, user.Gid);
            _file = SafeFiles.OpenAppend(p.BpmLog, user.Uid, user.Gid, (o, n) => moved.Add((o, n)));
        }
        catch (BpmException) when (!required) { }
        foreach (var (o, n) in moved) Info("moved-aside", ("old", o), ("new", n));
        return _file is not null;
    }

    public void Info(string eventName, params (string Key, string Value)[] data) => Write("info", eventName, null, data);

    public void Error(string eventName, string error, params (string Key, string Value)[] data) => Write("error", eventName, error, data);

    // Written with the JSON writer rather than the serializer, whose first use in a process builds
    // type metadata: a noticeable share of every short-lived bpm call.
    private void Write(string level, string eventName, string? error, (string Key, string Value)[] extra)
    {
        if (_file is null) return;
        var data = new Dictionary<string, string> { ["job"] = p.Job, ["process"] = p.Process, ["session"] = "1" };
        foreach (var (k, v) in extra) data[k] = v;
        if (error is not null) data["error"] = error;
        var line = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(line))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", Timestamp(DateTime.UtcNow));
            json.WriteString("level", level);
            json.WriteString("source", "bpm");
            json.WriteString("message", eventName.Length == 0 ? $"bpm.{command}" : $"bpm.{command}.{eventName}");
            json.WriteStartObject("data");
            foreach (var (k, v) in data) json.WriteString(k, v);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        line.Write("\n"u8);
        try { _file.WriteAll(line.WrittenSpan); }
        catch (BpmException) { }
    }

    // RFC 3339 with nanoseconds and trailing zeros trimmed, as Go writes it.
    public static string Timestamp(DateTime utc)
    {
        var frac = utc.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + (frac == "" ? "" : "." + frac) + "Z";
    }

    public void Dispose() => _file?.Dispose();
}

public sealed class BpmLogs(Func<UserIds> owner) : IBpmLogs
{
    public IBpmLog For(string command, ProcessRef p) => new BpmLog(command, p, owner);
}
