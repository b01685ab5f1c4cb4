namespace Bpm.Lifecycle;

// The signals a job may rely on when it is stopped (contract §7).
public static class StopSequence
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan QuitGrace = TimeSpan.FromSeconds(2);

    public static string ShutdownSignal(Config.ProcessConfig cfg) => cfg.ShutdownSignal is "INT" ? "INT" : "TERM";
}
