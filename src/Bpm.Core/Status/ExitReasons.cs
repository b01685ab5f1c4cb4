namespace Bpm.Status;

// Why a process's last container went away, in the words `bpm status` shows.
public static class ExitReasons
{
    public const string Oom = "killed by the memory limit";

    // A detached process's end as its waiter recorded it (`end`); without one (a container
    // started by an older bpm, or whose waiter was killed) only what the cgroup records is known:
    // whether the memory limit killed something.
    public static string OfDetached(CgroupStats? stats, ProcessEnd? end = null) => end switch
    {
        _ when stats?.OomKills > 0 || end?.OomKilled == true => Oom,
        { ExitSignal: { } signal } => $"exited on its own: killed by {signal}",
        { ExitCode: { } code } => $"exited on its own: exit code {code}",
        _ => "exited on its own (exit status not known to bpm)",
    };

    // A foreground run's exit status, which bpm knows.
    public static string OfExitStatus(int code, bool oomKilled) => code switch
    {
        _ when oomKilled && code > 128 => Oom,
        > 128 => $"killed by signal {code - 128}",
        _ => $"exit status {code}",
    };
}
