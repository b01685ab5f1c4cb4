using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Bpm.Host;

namespace Bpm.Logging;

// bpm.log in the job's log dir: JSON lines, "bpm.<command>.<event>" messages.
// Logging must never be the reason a command fails, so write errors are swallowed.
public sealed class BpmLog(string command, string job, string process) : IDisposable
{
    private Fd? _file;

    // A job can replace its bpm.log (a directory, a symlink, a FIFO...). What it planted is
    // moved aside (SafeFiles.OpenAppend) and recorded in the new log. When the log still cannot
    // be opened, start and run fail (`required`); that must not keep bpm from stopping or
    // inspecting the job, so otherwise the log is not written and the command goes on.
    public void Open(string path, UserIds owner, bool required = false)
    {
        if (_file is not null) return;
        var moved = new List<(string Old, string New)>();
        try { _file = SafeFiles.OpenAppend(path, owner.Uid, owner.Gid, (o, n) => moved.Add((o, n))); }
        catch (BpmException) when (!required) { }
        foreach (var (o, n) in moved) MovedAside(o, n);
    }

    // Something a job planted where bpm writes was renamed, from OLD to NEW.
    public void MovedAside(string old, string @new) => Info("moved-aside", ("old", old), ("new", @new));

    public void Info(string eventName, params (string Key, string Value)[] data) => Write("info", eventName, null, data);

    public void Error(string eventName, string error, params (string Key, string Value)[] data) => Write("error", eventName, error, data);

    // Runs a command's body, recording a failure in bpm.log before it reaches the operator; a
    // defect (a bug in bpm) with its stack trace.
    public void Failing(Action body) => Failing(() => { body(); return 0; });

    public T Failing<T>(Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Defect.Is(e))
        {
            Error("failed", Defect.OneLine(e), ("stack_trace", e.ToString()));
            throw;
        }
        catch (Exception e)
        {
            Error("failed", e.Message);
            throw;
        }
    }

    // Written with the JSON writer rather than the serializer, whose first use in a process builds
    // type metadata: a noticeable share of every short-lived bpm call.
    private void Write(string level, string eventName, string? error, (string Key, string Value)[] extra)
    {
        if (_file is null) return;
        var data = new Dictionary<string, string> { ["job"] = job, ["process"] = process, ["session"] = "1" };
        foreach (var (k, v) in extra) data[k] = v;
        if (error is not null) data["error"] = error;
        var line = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(line))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", Timestamp(DateTime.UtcNow));
            json.WriteString("level", level);
            json.WriteString("source", "bpm");
            json.WriteString("message", $"bpm.{command}.{eventName}");
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
