using Bpm.Identity;
using Bpm.Lifecycle;

namespace Bpm.Tests.Lifecycle;

// One line bpm.log would hold.
public sealed record LogEntry(string Command, string Level, string Event, string? Error, IReadOnlyDictionary<string, string> Data);

// bpm.log: each command's log, its lines kept in one list. Lines written while it is not open
// are dropped, as the real log drops them.
public sealed class FakeBpmLogs(Journal journal) : IBpmLogs
{
    public List<LogEntry> Entries { get; } = [];
    public List<FakeBpmLog> Made { get; } = [];

    // Whether the log can be opened (the real one may not: a broken log dir, no vcap).
    public bool Opens { get; set; } = true;

    public IBpmLog For(string command, ProcessRef p)
    {
        journal.Note($"logs.for {command} {p.Name}");
        var log = new FakeBpmLog(this, journal, command);
        Made.Add(log);
        return log;
    }

    public LogEntry? Find(string eventName) => Entries.FirstOrDefault(e => e.Event == eventName);

    public IEnumerable<string> Events => Entries.Select(e => e.Event);
}

public sealed class FakeBpmLog(FakeBpmLogs logs, Journal journal, string command) : IBpmLog
{
    public bool IsOpen { get; private set; }
    public bool Disposed { get; private set; }

    public bool Open(bool required, bool create = true)
    {
        journal.Note($"log.open required={required} create={create}");
        if (!logs.Opens)
        {
            if (required) throw new BpmException("failed to open bpm.log: fake refuses");
            return false;
        }
        IsOpen = true;
        return true;
    }

    public void Info(string eventName, params (string Key, string Value)[] data) => Write("info", eventName, null, data);

    public void Error(string eventName, string error, params (string Key, string Value)[] data) => Write("error", eventName, error, data);

    private void Write(string level, string eventName, string? error, (string Key, string Value)[] data)
    {
        journal.Note($"log.{level} {eventName}");
        if (!IsOpen || Disposed) return;
        logs.Entries.Add(new LogEntry(command, level, eventName, error, data.ToDictionary(d => d.Key, d => d.Value)));
    }

    public void Dispose()
    {
        Disposed = true;
        IsOpen = false;
    }
}
