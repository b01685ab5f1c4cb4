using Xunit;

namespace Bpm.Tests.Lifecycle;

// Every call any fake saw, in order ("runc.delete bpm-web", "host.reap /cg/x", "log.info starting"),
// with whether the job lock was held at the time. A call can be scripted to throw, by its whole
// entry ("runc.kill bpm-web TERM") or by its name alone ("runc.kill").
public sealed class Journal
{
    private readonly List<(string Call, bool Locked)> _entries = [];
    private readonly Dictionary<string, Exception> _throws = new(StringComparer.Ordinal);

    // Set by the world: whether a job lock handed out by the fake host is still open.
    internal Func<bool> LockHeld { get; set; } = () => false;

    public IReadOnlyList<string> Calls => _entries.Select(e => e.Call).ToList();

    public void Throw(string call, Exception e) => _throws[call] = e;

    public void Stop(string call) => _throws.Remove(call);

    // Records the call, then throws what was scripted for it.
    public void Note(string call)
    {
        _entries.Add((call, LockHeld()));
        var name = call.Split(' ')[0];
        if (_throws.TryGetValue(call, out var e) || _throws.TryGetValue(name, out e)) throw e;
    }

    public bool Saw(string call) => _entries.Any(e => e.Call == call);

    public int Count(string call) => _entries.Count(e => e.Call == call);

    public int CountStarting(string prefix) => _entries.Count(e => e.Call.StartsWith(prefix, StringComparison.Ordinal));

    public bool WasLocked(string call)
    {
        var found = _entries.Where(e => e.Call == call).ToList();
        Assert.True(found.Count > 0, $"no call {call} in:\n{this}");
        return found.All(e => e.Locked);
    }

    // The calls appear in this order (others may come between them).
    public void InOrder(params string[] expected)
    {
        int at = 0;
        foreach (var want in expected)
        {
            int found = -1;
            for (int i = at; i < _entries.Count; i++)
            {
                if (_entries[i].Call != want) continue;
                found = i;
                break;
            }
            Assert.True(found >= 0, $"expected \"{want}\" (in order) among:\n{this}");
            at = found + 1;
        }
    }

    public void Never(params string[] calls)
    {
        foreach (var call in calls)
            Assert.False(Saw(call), $"unexpected \"{call}\" among:\n{this}");
    }

    public void NeverStarting(params string[] prefixes)
    {
        foreach (var prefix in prefixes)
            Assert.True(CountStarting(prefix) == 0, $"unexpected \"{prefix}...\" among:\n{this}");
    }

    public override string ToString() => string.Join("\n", _entries.Select(e => (e.Locked ? "  [locked] " : "  ") + e.Call));
}
