namespace Bpm.Host;

// Finds helper programs (tail, strace) on PATH.
public static class Tools
{
    public static string Find(string name) => TryFind(name) ?? throw new BpmException($"{name} not found on PATH");

    public static string? TryFind(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            if (dir == "") continue;
            var candidate = Path.Join(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
