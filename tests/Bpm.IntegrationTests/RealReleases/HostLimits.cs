namespace Bpm.IntegrationTests.RealReleases;

/// <summary>What this host lets bpm (a child of the tests, with their limits and capabilities) grant a job.</summary>
public static class HostLimits
{
    private const int CapSysResource = 24;

    public static long OpenFilesHard
    {
        get
        {
            var line = File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var hard = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return hard == "unlimited" ? long.MaxValue : long.Parse(hard);
        }
    }

    public static bool CanRaiseOpenFiles =>
        (CapabilityBits.Read(File.ReadAllText("/proc/self/status"), "CapEff") & 1UL << CapSysResource) != 0;
}
