namespace Bpm.Status;

// Why a process's last container went away, in the words `bpm status` shows.
public static class ExitReasons
{
    public const string Oom = "killed by the memory limit";

    // A detached process's exit status goes to the host's init, not to bpm (learning it would
    // take a supervising process per container); what the cgroup records is whether the memory
    // limit killed something.
    public static string OfDetached(CgroupStats? stats) =>
        stats?.OomKills > 0 ? Oom : "exited on its own (exit status not known to bpm)";

    // A foreground run's exit status, which bpm knows.
    public static string OfExitStatus(int code, bool oomKilled) => code switch
    {
        _ when oomKilled && code > 128 => Oom,
        > 128 => $"killed by signal {code - 128}",
        _ => $"exit status {code}",
    };
}
