namespace Bpm.Status;

// Linux signal numbers as names without SIG, the same on x86_64 and aarch64.
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    // glibc keeps 32 and 33 for itself; real-time signals are named from SIGRTMIN (34) as kill -l does.
    public const int Max = 64;

    public static string Of(int signal) => signal switch
    {
        > 0 and < 32 => Names[signal],
        34 => "RTMIN",
        > 34 and < 49 => $"RTMIN+{signal - 34}",
        >= 49 and < Max => $"RTMAX-{Max - signal}",
        Max => "RTMAX",
        _ => signal.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
