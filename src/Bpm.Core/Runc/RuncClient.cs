using System.Text.Json;
using Bpm.Bosh;
using Bpm.Host;

namespace Bpm.Runc;

// Drives the runc binary. Every container bpm owns lives under its own state root
// (sys/run/bpm-runc), so it never sees or touches anyone else's containers.
public sealed class RuncClient(string runcPath, string stateRoot, bool systemdCgroup)
{
    public string StateRoot => stateRoot;

    public static RuncClient For(BoshRoot root, bool systemdCgroup) => new(FindRunc(root), root.RuncRoot, systemdCgroup);

    // runc ships as a package of the bpm release; a host install (Debian's runc) also works.
    private static string FindRunc(BoshRoot root) =>
        File.Exists(root.RuncPath) ? root.RuncPath : Tools.TryFind("runc") ?? root.RuncPath;

    private List<string> Global(params string[] args)
    {
        var list = new List<string> { "--root", stateRoot };
        if (systemdCgroup) list.Add("--systemd-cgroup");
        list.AddRange(args);
        return list;
    }

    private int Spawn(List<string> args, int stdin, int stdout, int stderr, int extra = ChildProcess.Inherit)
    {
        if (!File.Exists(runcPath)) throw new BpmException($"runc not found at {runcPath}");
        return ChildProcess.Spawn(runcPath, args, stdin, stdout, stderr, extra);
    }

    private (int ExitCode, string Stdout, string Stderr) Capture(List<string> args)
    {
        if (!File.Exists(runcPath)) throw new BpmException($"runc not found at {runcPath}");
        return ChildProcess.Capture(runcPath, args);
    }

    private void Check(string what, List<string> args)
    {
        var (code, _, err) = Capture(args);
        if (code != 0) throw new BpmException($"{what}: {Trim(err)} (exit status {code})");
    }

    private static string Trim(string s) => s.Trim().Replace('\n', ' ');

    public bool Exists(string id) => Directory.Exists(Path.Join(stateRoot, id));

    // Starts the container in the background; its stdio are the log files, so runc's own
    // complaints land in the stderr log too.
    // runc also gets the job lock (as its fd 3, which the container does not inherit): if bpm
    // is killed meanwhile, the lock stays held until runc is done, so a retried start cannot
    // race the half-made container.
    public int RunDetached(string bundle, string id, string pidFile, Fd stdout, Fd stderr, FileLock held)
    {
        using var devnull = Fd.Open("/dev/null", Interop.Libc.O_RDONLY);
        return ChildProcess.Wait(Spawn(Global("run", "--bundle", bundle, "--pid-file", pidFile, "--detach", id),
            devnull.Value, stdout.Value, stderr.Value, held.Descriptor));
    }

    // Runs the container in the foreground and returns its exit status.
    public int RunForeground(string bundle, string id, int stdin, int stdout, int stderr) =>
        ChildProcess.Wait(StartForeground(bundle, id, stdin, stdout, stderr));

    // Starts a foreground run and returns runc's pid; the container's exit status is runc's.
    // With `keep`, the exited container (and its cgroup) stays until deleted, to be inspected.
    // runc's pidfile goes into the bundle, for RuncStart.Wait to see when the process runs.
    public int StartForeground(string bundle, string id, int stdin, int stdout, int stderr, bool keep = false)
    {
        var args = Global("run");
        if (keep) args.Add("--keep");
        args.AddRange(["--pid-file", RuncStart.PidFile(bundle), "--bundle", bundle, id]);
        return Spawn(args, stdin, stdout, stderr);
    }

    // Returns once a foreground run (StartForeground) has started the container's process, or
    // runc has exited.
    public void WaitStarted(string bundle, int runcPid) => RuncStart.Wait(bundle, runcPid);

    public int Exec(string id, IReadOnlyList<string> args) =>
        ChildProcess.Wait(Spawn(Global(["exec", .. args]), ChildProcess.Inherit, ChildProcess.Inherit, ChildProcess.Inherit));

    // Null when runc has no such container.
    public RuncState? State(string id)
    {
        var dir = Path.Join(stateRoot, id);
        if (!Directory.Exists(dir)) return null;
        if (StateFile.Read(dir, ProcStat.Read) is { } known) return known;
        return StateFromRunc(id);
    }

    private RuncState? StateFromRunc(string id)
    {
        var (code, stdout, stderr) = Capture(Global("state", id));
        if (code != 0)
        {
            if (!Exists(id)) return null;
            throw new RuncStateException($"failed to get state of {id}: {Trim(stderr)}");
        }
        try
        {
            return JsonSerializer.Deserialize(stdout, RuncJson.Default.RuncState);
        }
        catch (JsonException e)
        {
            throw new RuncStateException($"failed to parse state of {id}: {e.Message}");
        }
    }

    // Every container under the state root; one whose state cannot be read is listed as
    // "unknown" rather than failing the whole list.
    public List<RuncState> List()
    {
        if (!Directory.Exists(stateRoot)) return [];
        var result = new List<RuncState>();
        foreach (var dir in Directory.EnumerateDirectories(stateRoot))
        {
            var id = Path.GetFileName(dir);
            try
            {
                if (State(id) is { } state) result.Add(state);
            }
            catch (RuncStateException)
            {
                result.Add(new RuncState { Id = id, Status = "unknown" });
            }
        }
        return result;
    }

    public void Kill(string id, string signal) => Check("failed to send signal to container", Global("kill", id, signal));

    public void Delete(string id, bool force)
    {
        var args = force ? Global("delete", "--force", id) : Global("delete", id);
        var (code, _, err) = Capture(args);
        if (code != 0 && Exists(id)) throw new BpmException($"failed to delete container {id}: {Trim(err)}");
    }
}

public sealed class RuncStateException(string message) : BpmException(message);
