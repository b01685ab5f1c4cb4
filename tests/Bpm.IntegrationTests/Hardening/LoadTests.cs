using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// Many jobs started and stopped at once while list and pid run alongside: every operation
/// succeeds or fails cleanly, every start brings its job up and every stop brings it down, and
/// nothing is left behind. The long version is scripts/soak.
/// </summary>
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Jobs = 10;
    private const int Rounds = 2;

    [Fact]
    public async Task ConcurrentStartsAndStopsWithListAndPidLeaveNothingBehind()
    {
        using var root = new BoshRoot();
        var jobs = Enumerable.Range(0, Jobs).Select(i => $"load{i:D2}").ToList();
        foreach (var job in jobs)
        {
            root.WriteSleepJob(job);
        }
        // One job with two processes, started and stopped together.
        root.WriteJob("loadmulti", """
            processes:
            - name: a
              executable: /bin/sleep
              args: ["1000"]
            - name: b
              executable: /bin/sleep
              args: ["1000"]
            """);
        var targets = jobs.Select(j => (Job: j, Proc: (string?)null)).ToList();
        targets.Add(("loadmulti", "a"));
        targets.Add(("loadmulti", "b"));
        var ids = targets.Select(t => BoshRoot.ContainerId(t.Job, t.Proc)).ToList();
        var before = Hx.Count(root, ids);
        output.WriteLine("before: " + before);
        Assert.True(before.None, "leftovers before the test: " + before);

        var results = new ConcurrentBag<(string Op, CommandResult Result)>();
        var sw = Stopwatch.StartNew();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var command in new[] { "start", "stop" })
            {
                using var cts = new CancellationTokenSource();
                var observers = Enumerable.Range(0, 2).Select(o => Task.Run(async () =>
                {
                    var random = new Random(round * 10 + o);
                    while (!cts.IsCancellationRequested)
                    {
                        results.Add(("list", await root.BpmAsync("list")));
                        var t = targets[random.Next(targets.Count)];
                        results.Add(("pid", await root.BpmAsync(t.Proc is null ? ["pid", t.Job] : ["pid", t.Job, "-p", t.Proc])));
                    }
                })).ToList();
                var ops = await Task.WhenAll(targets.Select(async t =>
                    (Op: command, Result: await root.BpmAsync(t.Proc is null ? [command, t.Job] : [command, t.Job, "-p", t.Proc]))));
                cts.Cancel();
                await Task.WhenAll(observers);
                foreach (var op in ops)
                {
                    results.Add(op);
                    Assert.True(op.Result.ExitCode == 0, $"round {round}: {command} failed: {op.Result}");
                }
                var rows = root.List();
                var want = command == "start" ? "running" : "stopped";
                if (command == "start")
                {
                    BoshRoot.WaitFor(() => root.List().Count(r => r.Status == "running") == targets.Count, $"round {round}: all running");
                    rows = root.List();
                }
                Assert.True(rows.Count == targets.Count && rows.All(r => r.Status == want),
                    $"round {round} after {command}: " + string.Join(", ", rows.Select(r => $"{r.Name}={r.Status}")));
                Assert.Equal(command == "start" ? targets.Count : 0, root.RuncList().Length);
            }
        }

        var after = Hx.Count(root, ids);
        output.WriteLine($"{results.Count} operations in {sw.Elapsed.TotalSeconds:0.0} s; after: {after}");
        foreach (var group in results.GroupBy(r => r.Op))
        {
            output.WriteLine($"{group.Key}: {group.Count(r => r.Result.ExitCode == 0)} ok, {group.Count(r => r.Result.ExitCode != 0)} failed cleanly");
        }
        foreach (var (op, r) in results)
        {
            Assert.False(r.TimedOut, $"{op} timed out: {r}");
            if (op == "list")
            {
                Assert.True(r.ExitCode == 0, "list: " + r);
                Hx.AssertNoStackTrace(r);
            }
            else
            {
                Hx.AssertSuccessOrCleanError(r);
            }
            if (op == "pid" && r.ExitCode != 0)
            {
                Assert.Contains("process is not running or could not be found", r.Stderr);
            }
        }
        Assert.True(after.None, "left behind: " + after);
    }
}
