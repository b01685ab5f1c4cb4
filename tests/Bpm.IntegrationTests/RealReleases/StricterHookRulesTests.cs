namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// The fixtures' hooks pass StricterHookRules; that says something only if it refuses what the
/// rules refuse. Each layout here is one way a hook's place lets someone other than root change
/// what root will run.
/// </summary>
public sealed class StricterHookRulesTests
{
    public static TheoryData<string, string, bool> Layouts() => new()
    {
        { "as BOSH lays it", "", true },
        { "a bin dir the group may write", "chmod 0775 BIN", false },
        { "a bin dir others may write", "chmod 0757 BIN", false },
        { "a hook vcap owns", "chown vcap HOOK", false },
        { "a hook the group may write", "chmod 0775 HOOK", false },
        { "a hook no one may run", "chmod 0644 HOOK", false },
        { "a job link vcap made", "chown -h vcap LINK", false },
        { "a job version dir vcap owns", "chown vcap TARGET", false },
        { "a sticky dir with root's entry below", "mkdir -m 1777 ROOT/sticky && mv TARGET ROOT/sticky/ && ln -sfn ROOT/sticky/VERSION LINK", true },
        { "a sticky dir with vcap's entry below", "mkdir -m 1777 ROOT/sticky && mv TARGET ROOT/sticky/ && chown vcap ROOT/sticky/VERSION && ln -sfn ROOT/sticky/VERSION LINK", false },
        { "a dir others may write, not sticky", "mkdir -m 0777 ROOT/open && mv TARGET ROOT/open/ && ln -sfn ROOT/open/VERSION LINK", false },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void RefusesWhatTheRulesRefuse(string layout, string damage, bool passes)
    {
        using var root = new BoshRoot();
        const string job = "hooked";
        var target = BoshJobDir.Lay(root, job);
        var bin = Directory.CreateDirectory(Path.Combine(target, "bin")).FullName;
        File.SetUnixFileMode(bin, BoshRoot.Mode755);
        var hook = root.P("jobs", job, "bin", "pre-start");
        File.WriteAllText(hook, StandIn.Hook);
        File.SetUnixFileMode(hook, BoshRoot.Mode755);
        if (damage.Length > 0)
        {
            var script = damage.Replace("HOOK", hook).Replace("BIN", bin).Replace("LINK", root.P("jobs", job))
                .Replace("TARGET", target).Replace("VERSION", Path.GetFileName(target)).Replace("ROOT", root.Root);
            var r = BoshRoot.Run("/bin/sh", "-c", script);
            Assert.True(r.ExitCode == 0, $"{layout}: {script}: {r}");
        }

        var problems = StricterHookRules.LayoutProblems(hook);

        Assert.True(passes == (problems.Count == 0), $"{layout}: expected it to {(passes ? "pass" : "be refused")}; problems: {string.Join("; ", problems)}");
    }
}
