namespace Bpm.IntegrationTests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task ConcurrentStartsMakeOneContainer()
    {
        using var root = new BoshRoot();
        root.WriteSleepJob("racy");

        var starts = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => root.BpmAsync("start", "racy")));
        foreach (var r in starts)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        Assert.Equal(["bpm-racy"], root.RuncList());
        BoshRoot.WaitFor(() => root.RuncStatus("bpm-racy") == "running", "bpm-racy running");
        var pid = root.ReadPidFile("racy");
        Assert.Equal(new ListRow("racy", pid.ToString(), "running"), root.ListRowFor("racy"));

        var stops = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => root.BpmAsync("stop", "racy")));
        foreach (var r in stops)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        Assert.Empty(root.RuncList());
        Assert.False(File.Exists(root.PidFile("racy")));
    }

    [Fact]
    public async Task ConcurrentStartsOfDifferentProcessesAllSucceed()
    {
        using var root = new BoshRoot();
        root.WriteJob("multi", """
            processes:
            - name: a
              executable: /bin/sleep
              args: ["1000"]
            - name: b
              executable: /bin/sleep
              args: ["1000"]
            - name: c
              executable: /bin/sleep
              args: ["1000"]
            """);
        var starts = await Task.WhenAll(new[] { "a", "b", "c" }.Select(p => root.BpmAsync("start", "multi", "-p", p)));
        foreach (var r in starts)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
        }
        Assert.Equal(["bpm-multi.2ea", "bpm-multi.2eb", "bpm-multi.2ec"], root.RuncList().Order(StringComparer.Ordinal));
    }
}
