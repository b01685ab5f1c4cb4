using Bpm.IntegrationTests.Hardening;
using Xunit.Abstractions;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// Real releases' bpm.yml shapes (Fixtures/, one per release and job): each validates strictly,
/// each process starts into the container its file asks for (mounts, user, capabilities, limits,
/// environment, hook), seen from the host and from inside, and stops leaving nothing behind.
/// </summary>
public sealed class RealReleaseTests(ITestOutputHelper output)
{
    public static TheoryData<string> Fixtures() => new(Fixture.Names());

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void StartsAsAskedAndStopsClean(string name)
    {
        using var root = new BoshRoot();
        var fixture = Fixture.Load(name);
        var processes = fixture.Lay(root);
        var config = root.ConfigPath(fixture.Job);
        fixture.Notes.ForEach(output.WriteLine);

        var validate = root.Bpm("validate", "--strict", "--file", config);
        Assert.True(validate.ExitCode == 0 && validate.Stdout == $"{config}: ok\n", "bpm validate --strict: " + validate);

        var started = new List<(FixtureProcess P, IReadOnlyList<string> Cgroups)>();
        foreach (var p in processes)
        {
            if (!p.Privileged && (CapabilityBits.Mask(p.Capabilities) & ~CapabilityBits.HostBound) != 0)
            {
                // runc cannot grant what bpm itself lacks: on this host the start must fail cleanly.
                Hx.AssertCleanError(root.Bpm(p.StartArgs("start")));
                Assert.Null(root.RuncStatus(BoshRoot.ContainerId(p.Job, p.Name)));
                Assert.False(Directory.Exists(root.BundleDir(p.Job, p.Name)), $"{p}: the refused start left its bundle");
                output.WriteLine($"{p}: asks for capabilities outside this host's bounding set " +
                    $"({CapabilityBits.Hex(CapabilityBits.HostBound)}); its start failed cleanly and it is not inspected");
                continue;
            }
            var pid = root.StartRunning(p.Job, p.Name);
            var view = ContainerView.Of(pid);
            foreach (var line in Inspect(root, fixture, p, view))
            {
                output.WriteLine($"{p}: {line}");
            }
            started.Add((p, view.CgroupDirs()));
        }

        foreach (var (p, cgroups) in started)
        {
            var id = BoshRoot.ContainerId(p.Job, p.Name);
            var stop = root.Bpm(p.StartArgs("stop"));
            Assert.True(stop.ExitCode == 0, $"{p}: bpm stop: {stop}");
            if (p.ExecutesStandIn)
            {
                // tini signals its child only: a stand-in run by `sh -c` goes with the container.
                Assert.Contains($"stopping on {p.ShutdownSignal}\n", File.ReadAllText(root.StdoutLog(p.Job, p.Name)));
            }
            Assert.Null(root.RuncStatus(id));
            Assert.False(File.Exists(root.PidFile(p.Job, p.Name)), $"{p}: pidfile left");
            Assert.False(Directory.Exists(root.BundleDir(p.Job, p.Name)), $"{p}: bundle left");
            Assert.False(Directory.Exists(root.P("data", "bpm", "mounts", id)), $"{p}: staging dir left");
            Assert.All(cgroups, dir => Assert.False(Directory.Exists(dir), $"{p}: cgroup {dir} left"));
        }
        Assert.Empty(root.RuncList());

        // A shared volume stays bound onto itself on the host, as the original leaves it.
        var shared = processes.SelectMany(p => p.Volumes).Where(v => v.Shared).Select(v => v.Path).ToHashSet();
        var left = BoshRoot.MountsUnder(root.Root).Where(m => !shared.Contains(m)).ToList();
        Assert.True(left.Count == 0, "mounts left under the root: " + string.Join(", ", left));
    }

    // Returns what the checks from inside printed.
    private static IReadOnlyList<string> Inspect(BoshRoot root, Fixture fixture, FixtureProcess p, ContainerView view)
    {
        var job = p.Job;
        var stdout = root.StdoutLog(job, p.Name);
        var uid = p.Privileged ? 0 : BoshRoot.VcapUid;
        var cwd = p.WorkDir ?? $"/var/vcap/jobs/{job}";
        BoshRoot.WaitFor(() => File.ReadAllText(stdout).Contains("started "), $"{p} to report");
        Assert.Contains($"started uid={uid} cwd={cwd}\n", File.ReadAllText(stdout));

        if (p.Hook is not null)
        {
            Assert.Contains(StandIn.HookLine + "0", File.ReadAllText(stdout));
        }
        Assert.All(fixture.Gone(root), path => Assert.False(Path.Exists(path), $"{p}: the hook left {path}"));
        Assert.All(fixture.VcapOwned(root), path => Assert.Equal(BoshRoot.VcapUid, BoshRoot.Stat(path).Uid));

        // User and capabilities of the job's own process.
        Assert.Equal(uid, view.Uid);
        var status = view.Status;
        if (p.Privileged)
        {
            var all = CapabilityBits.Privileged & CapabilityBits.HostBound;
            Assert.Equal(CapabilityBits.Hex(all), CapabilityBits.Hex(CapabilityBits.Read(status, "CapBnd")));
            Assert.Equal(CapabilityBits.Hex(all), CapabilityBits.Hex(CapabilityBits.Read(status, "CapEff")));
        }
        else
        {
            var caps = CapabilityBits.Hex(CapabilityBits.Mask(p.Capabilities));
            Assert.Equal(caps, CapabilityBits.Hex(CapabilityBits.Read(status, "CapBnd")));
            Assert.Equal(caps, CapabilityBits.Hex(CapabilityBits.Read(status, "CapAmb")));
            Assert.Equal(caps, CapabilityBits.Hex(CapabilityBits.Read(status, "CapEff")));
        }
        Assert.Equal(p.HostPidNamespace, view.SharesHostPidNamespace);

        // Limits: rlimits of the process, cgroup limits of its container.
        if (p.OpenFiles is { } nofile)
        {
            Assert.Equal((nofile, nofile), view.Limit("Max open files"));
        }
        if (p.Memory is { } memory)
        {
            Assert.Equal(memory.ToString(), view.CgroupValue("memory.limit_in_bytes", "memory.max"));
        }
        if (p.Processes is { } pids)
        {
            Assert.Equal(pids.ToString(), view.CgroupValue("pids.max"));
        }

        // Environment: what the file sets, and bpm's defaults for the rest.
        var env = view.Environment;
        foreach (var (key, value) in p.Env)
        {
            Assert.Contains($"{key}={value}", env);
        }
        foreach (var (key, value) in new[]
        {
            ("HOME", $"/var/vcap/data/{job}"),
            ("TMPDIR", $"/var/vcap/data/{job}/tmp"),
            ("LANG", "en_US.UTF-8"),
            ("PATH", $"/var/vcap/jobs/{job}/bin:/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:."),
        })
        {
            if (p.Env.All(kv => kv.Key != key))
            {
                Assert.Contains($"{key}={value}", env);
            }
        }

        // Mounts, from the host (the container's mountinfo) and from inside.
        var expected = ExpectedMount.For(p, root);
        var mounts = view.Mounts();
        foreach (var m in expected)
        {
            Assert.True(mounts.TryGetValue(m.Point, out var entry), $"{p}: no mount at {m.Point} ({m.Why})");
            Assert.True(entry.Has(m.Writable ? "rw" : "ro"), $"{p}: {m.Point} should be {(m.Writable ? "rw" : "ro")}: {entry}");
            Assert.True(entry.Has("noexec") != m.Exec, $"{p}: {m.Point} should be {(m.Exec ? "exec" : "noexec")}: {entry}");
            Assert.True(entry.Has("nosuid") != p.Privileged, $"{p}: {m.Point} nosuid should be {!p.Privileged}: {entry}");
        }
        foreach (var v in p.Volumes.Where(v => v.Shared))
        {
            var host = File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Split(' ')[4] == v.Path).ToList();
            Assert.True(host.Count == 1 && host[0].Contains(" shared:"), $"{p}: {v.Path} is not shared on the host: {string.Join('\n', host)}");
        }
        return InsideCheck.Assert(root, BoshRoot.ContainerId(job, p.Name), p, expected);
    }
}
