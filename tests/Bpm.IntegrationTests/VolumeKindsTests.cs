using System.Net.Sockets;

namespace Bpm.IntegrationTests;

/// <summary>
/// Every kind of volume source the original mounts, mounted again by bpm, each pinned (see
/// Hardening/VolumeSwapTests for the swaps): an existing file, writable or not, a socket, a
/// missing path (made a directory), `mount_only` paths, and unrestricted globs that match files.
/// </summary>
public sealed class VolumeKindsTests
{
    private static string StagingDir(BoshRoot root, string job, string? proc = null) =>
        root.P("data", "bpm", "mounts", BoshRoot.ContainerId(job, proc));

    [Fact]
    public void AWritableFileIsMountedAsItselfAndHandedToTheJob()
    {
        using var root = new BoshRoot();
        var file = root.P("data", "fv", "settings.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "from the host\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        root.WriteShellJob("fv", $"""
            cat {file}
            echo from the job >> {file}
            stat -c 'type %F' {file}
            """, $"additional_volumes: [{{path: {file}, writable: true}}]");

        var r = root.Bpm("run", "fv");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from the host\ntype regular file\n", r.Stdout);
        Assert.Equal("from the host\nfrom the job\n", File.ReadAllText(file));
        // Its owner is the job's, as the original makes it; its mode stays.
        Assert.Equal((BoshRoot.VcapUid, BoshRoot.VcapGid, "644"), BoshRoot.Stat(file));
        Assert.False(Directory.Exists(StagingDir(root, "fv")));
    }

    [Fact]
    public void AReadOnlyFileIsMountedReadOnlyAndKeepsItsOwner()
    {
        using var root = new BoshRoot();
        var file = root.P("data", "ro", "ca.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, "certificate\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var before = BoshRoot.Stat(file);
        root.WriteShellJob("ro", $"""
            cat {file}
            if echo changed 2>/dev/null > {file}; then echo wrote; else echo refused; fi
            """, $"additional_volumes: [{{path: {file}}}]");

        var r = root.Bpm("run", "ro");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("certificate\nrefused\n", r.Stdout);
        Assert.Equal("certificate\n", File.ReadAllText(file));
        Assert.Equal(before, BoshRoot.Stat(file));
    }

    [Fact]
    public async Task ASocketIsMountedAndTheJobReachesItsServer()
    {
        using var root = new BoshRoot();
        var dir = root.P("sys", "run", "server");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "api.sock");
        using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        server.Bind(new UnixDomainSocketEndPoint(path));
        server.Listen(1);
        var answered = Task.Run(() =>
        {
            using var conn = server.Accept();
            var buf = new byte[64];
            int n = conn.Receive(buf);
            conn.Send(System.Text.Encoding.ASCII.GetBytes("pong to " + System.Text.Encoding.ASCII.GetString(buf, 0, n)));
        });
        root.WriteShellJob("client", $$"""
            stat -c 'type %F' {{path}}
            /usr/bin/python3 -c '
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(b"ping")
            print(s.recv(64).decode())
            ' {{path}}
            """, $"additional_volumes: [{{path: {path}, writable: true}}]");

        var r = await root.BpmAsync("run", "client");

        Assert.True(r.ExitCode == 0, r.ToString());
        await answered.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("type socket\npong to ping\n", r.Stdout);
        Assert.Equal(BoshRoot.VcapUid, BoshRoot.Stat(path).Uid);
    }

    [Fact]
    public void AMissingPathBecomesADirectoryOfTheJobs()
    {
        using var root = new BoshRoot();
        var dir = root.P("data", "mk", "cache", "blobs");
        root.WriteShellJob("mk", $"touch {dir}/made && ls {dir}", $"additional_volumes: [{{path: {dir}, writable: true}}]");

        var r = root.Bpm("run", "mk");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("made\n", r.Stdout);
        Assert.Equal((BoshRoot.VcapUid, BoshRoot.VcapGid, "700"), BoshRoot.Stat(dir));
    }

    [Fact]
    public void MountOnlyPathsAreMountedAsTheyAre()
    {
        using var root = new BoshRoot();
        var dir = root.P("data", "shared-certs");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, BoshRoot.Mode755);
        File.WriteAllText(Path.Combine(dir, "bundle.pem"), "bundle\n");
        var file = root.P("data", "shared-config.yml");
        File.WriteAllText(file, "key: value\n");
        var before = (BoshRoot.Stat(dir), BoshRoot.Stat(file));
        root.WriteShellJob("mo", $"cat {dir}/bundle.pem {file}", $"""
            additional_volumes:
            - {"{"}path: {dir}, mount_only: true{"}"}
            - {"{"}path: {file}, mount_only: true, writable: true{"}"}
            """);

        var r = root.Bpm("run", "mo");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("bundle\nkey: value\n", r.Stdout);
        // mount_only: bpm neither makes nor changes them.
        Assert.Equal(before, (BoshRoot.Stat(dir), BoshRoot.Stat(file)));
    }

    [Fact]
    public void AMissingMountOnlyPathIsAOneLineError()
    {
        using var root = new BoshRoot();
        var missing = root.P("data", "made-by-another-job");
        root.WriteShellJob("mo", "echo should-not-run", $"additional_volumes: [{{path: {missing}, mount_only: true}}]");

        var r = root.Bpm("start", "mo");

        Assert.Equal(1, r.ExitCode);
        Assert.Matches($"^Error: .*{System.Text.RegularExpressions.Regex.Escape(missing)}.*No such file or directory\n$", r.Stderr);
        Assert.False(Directory.Exists(missing));
        Assert.Empty(root.RuncList());
    }

    [Fact]
    public void UnrestrictedGlobsMountTheFilesTheyMatchPinned()
    {
        using var root = new BoshRoot();
        foreach (var other in new[] { "alpha", "beta" })
        {
            Directory.CreateDirectory(root.P("jobs", other, "config"));
            File.WriteAllText(root.P("jobs", other, "config", "indicators.yml"), $"{other} indicators\n");
        }
        var pattern = root.P("jobs", "*", "config", "indicators.yml");
        root.WriteJob("scraper", $$"""
            processes:
            - name: scraper
              executable: /bin/sh
              args: [-c, "cat {{root.P("jobs", "alpha", "config", "indicators.yml")}} {{root.P("jobs", "beta", "config", "indicators.yml")}}; exec sleep 1000"]
              unsafe:
                unrestricted_volumes: [{path: "{{pattern}}"}]
            """);

        root.StartRunning("scraper");

        BoshRoot.WaitFor(() => File.Exists(root.StdoutLog("scraper")) && File.ReadAllText(root.StdoutLog("scraper")).Contains("beta"), "the scraper's output");
        Assert.Equal("alpha indicators\nbeta indicators\n", File.ReadAllText(root.StdoutLog("scraper")));
        // Each match is a pin of its own; they go with the stop.
        Assert.Equal(2, BoshRoot.MountsUnder(StagingDir(root, "scraper")).Count(m => File.Exists(m)));
        Assert.Equal(0, root.Bpm("stop", "scraper").ExitCode);
        Assert.Empty(BoshRoot.MountsUnder(StagingDir(root, "scraper")));
        Assert.False(Directory.Exists(StagingDir(root, "scraper")));
    }
}
