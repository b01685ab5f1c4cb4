namespace Bpm.IntegrationTests.Hardening;

/// <summary>
/// A job named after a directory bpm or BOSH keeps beside the jobs' own (data/bpm and sys/run/bpm,
/// sys/run/bpm-runc, data/packages, data/jobs) would get that directory as its data or run dir:
/// made vcap's, and with ephemeral_disk mounted writable into its container, where the job's code
/// plants a file in it. Every command refuses the name before touching a file.
/// </summary>
public sealed class OwnNamesTests
{
    private static readonly string[] Kept = ["data/bpm", "sys/run/bpm", "sys/run/bpm-runc", "data/packages", "data/jobs"];

    public static TheoryData<string, string> Names => new()
    {
        { "bpm", "bpm's own (data/bpm, sys/run/bpm)" },
        { "bpm-runc", "bpm's own (sys/run/bpm-runc)" },
        { "packages", "BOSH's (data/packages)" },
        { "jobs", "BOSH's (data/jobs)" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void AJobNamedLikeBpmsOrBoshsOwnDirectoriesIsRefused(string job, string owner)
    {
        using var root = new BoshRoot();
        foreach (var dir in Kept)
        {
            Directory.CreateDirectory(root.P(dir));
            File.SetUnixFileMode(root.P(dir), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var before = Kept.ToDictionary(d => d, d => BoshRoot.Stat(root.P(d)));
        var planted = root.P("data", job, "planted-by-job");
        // What the job's own code does with the directory once it is its data dir.
        root.WriteShellJob(job, $"""
            if touch /var/vcap/data/{job}/planted-by-job; then echo planted; else echo not-planted; fi
            exec sleep 1000
            """, "ephemeral_disk: true");
        var message = $"invalid job name \"{job}\": it is {owner}";

        var start = root.Bpm("start", job);
        if (start.ExitCode == 0)
        {
            // A bpm that takes the name: what the job's code then made of bpm's or BOSH's dirs.
            BoshRoot.WaitFor(() => File.Exists(root.StdoutLog(job)) && File.ReadAllText(root.StdoutLog(job)).Contains("planted\n"),
                "the job's code to try its data dir");
            var taken = Kept.Where(d => BoshRoot.Stat(root.P(d)) != before[d]).Select(d => $"{d} (now uid {BoshRoot.Stat(root.P(d)).Uid})");
            Assert.Fail($"started; the job's code {(File.Exists(planted) ? "wrote" : "could not write")} {planted}; changed: {string.Join(", ", taken)}");
        }
        Hx.AssertCleanError(start, message);
        Assert.Equal($"Error: {message}\n", start.Stderr);

        var validate = root.Bpm("validate", job);
        Assert.True(validate.ExitCode == 1, validate.ToString());
        Assert.Contains(message, validate.Stderr);
        Assert.DoesNotContain(": ok", validate.Stdout);

        foreach (var command in new[] { "run", "stop", "pid", "status" })
        {
            var r = root.Bpm(command, job);
            Hx.AssertCleanError(r, message);
            Assert.Equal($"Error: {message}\n", r.Stderr);
        }

        Assert.False(File.Exists(planted), "the job's code ran with the directory as its data dir");
        Assert.Empty(root.RuncList());
        foreach (var dir in Kept) Assert.Equal(before[dir], BoshRoot.Stat(root.P(dir)));
        Assert.False(Directory.Exists(root.LogDir(job)), "the refused job got a log dir");
    }
}
