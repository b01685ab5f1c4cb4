using System.Text;

namespace Bpm.IntegrationTests.RealReleases;

/// <summary>
/// Checks a running container from inside: a shell run by `runc exec` (with the container's own
/// user, capabilities, rlimits and seccomp filter) reads its own capabilities, no_new_privs,
/// seccomp mode and open-files limit, tries each expected mount, and prints `ok` or `FAIL` per
/// check. The executable probe is written into each directory volume from the host just before.
/// </summary>
public static class InsideCheck
{
    public const string Probe = ".bpm-fixture-probe";

    /// <summary>Runs the checks; returns their lines for the test's output.</summary>
    public static IReadOnlyList<string> Assert(BoshRoot root, string containerId, FixtureProcess p, IReadOnlyList<ExpectedMount> mounts)
    {
        var script = new StringBuilder("id -u\n");
        var probes = new List<string>();
        var checks = 0;
        void Check(string what, string condition)
        {
            script.Append($"if {condition}; then echo 'ok {what}'; else echo 'FAIL {what}'; fi\n");
            checks++;
        }
        var caps = p.Privileged ? CapabilityBits.Privileged & CapabilityBits.HostBound : CapabilityBits.Mask(p.Capabilities);
        Check($"CapEff is {CapabilityBits.Hex(caps)}", $"grep -qx 'CapEff:[[:space:]]*{CapabilityBits.Hex(caps)}' /proc/self/status");
        // A privileged process gets neither no_new_privs nor the seccomp filter (container.md).
        Check($"NoNewPrivs is {(p.Privileged ? 0 : 1)}", $"grep -qx 'NoNewPrivs:[[:space:]]*{(p.Privileged ? 0 : 1)}' /proc/self/status");
        Check($"Seccomp is {(p.Privileged ? 0 : 2)}", $"grep -qx 'Seccomp:[[:space:]]*{(p.Privileged ? 0 : 2)}' /proc/self/status");
        if (p.OpenFiles is { } nofile)
        {
            Check($"open files limited to {nofile}", $"[ \"$(ulimit -Sn)\" = {nofile} ] && [ \"$(ulimit -Hn)\" = {nofile} ]");
        }
        foreach (var m in mounts)
        {
            var q = Quote(m.Point);
            switch (m.Kind)
            {
                case MountKind.Directory:
                    Check($"{m.Point} is a directory", $"[ -d {q} ]");
                    var w = Quote(m.Point + "/.bpm-fixture-w");
                    if (!m.Writable)
                    {
                        Check($"{m.Point} refuses writes", $"! touch {w} 2>/dev/null");
                    }
                    else if (p.Privileged || OwnedByVcap(root, m.Point))
                    {
                        Check($"{m.Point} takes writes", $"touch {w} && rm -f {w}");
                    }
                    var probe = Path.Combine(HostPath(root, m.Point), Probe);
                    File.WriteAllText(probe, "#!/bin/sh\nexit 0\n");
                    File.SetUnixFileMode(probe, BoshRoot.Mode755);
                    probes.Add(probe);
                    var run = Quote(m.Point + "/" + Probe);
                    Check(m.Exec ? $"{m.Point} runs programs" : $"{m.Point} runs no programs",
                        m.Exec ? run : $"! {run} 2>/dev/null");
                    break;
                case MountKind.File:
                    Check($"{m.Point} is a file", $"[ -f {q} ]");
                    Check(m.Writable ? $"{m.Point} opens for writing" : $"{m.Point} refuses writes",
                        m.Writable ? $"( : >> {q} ) 2>/dev/null" : $"! ( : >> {q} ) 2>/dev/null");
                    break;
                case MountKind.Socket:
                    Check($"{m.Point} is a socket", $"[ -S {q} ]");
                    break;
            }
        }
        try
        {
            var r = BoshRoot.Run(BoshRoot.RuncPath, "--root", root.RuncRoot, "exec", containerId, "/bin/sh", "-c", script.ToString());
            var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Xunit.Assert.True(lines.Length > 0 && lines[0] == (p.Privileged ? "0" : BoshRoot.VcapUid.ToString()),
                $"{p}: runc exec did not run as the process's user: {r}");
            var failed = lines.Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).ToList();
            Xunit.Assert.True(failed.Count == 0 && lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal)) == checks,
                $"{p}: inside the container:\n{string.Join('\n', failed)}\n{r}");
            return lines;
        }
        finally
        {
            foreach (var probe in probes)
            {
                File.Delete(probe);
            }
        }
    }

    private static bool OwnedByVcap(BoshRoot root, string point) => BoshRoot.Stat(HostPath(root, point)).Uid == BoshRoot.VcapUid;

    // Where the host holds what is mounted at POINT: volumes are mounted at their host paths, the
    // job's own directories at their /var/vcap paths.
    private static string HostPath(BoshRoot root, string point) =>
        point.StartsWith(root.Root + "/", StringComparison.Ordinal) ? point : root.Root + point["/var/vcap".Length..];

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
