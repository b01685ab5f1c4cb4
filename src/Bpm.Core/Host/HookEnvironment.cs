using Bpm.Config;
using Bpm.Identity;
using Bpm.Spec;

namespace Bpm.Host;

// The pre-start hook's environment. The hook runs on the host, as root, so the process's own
// defaults would hand root's programs to the job: a PATH ending in "." (with the job's log dir as
// bpm's working directory, a tool the hook lacks becomes one the job planted), and TMPDIR and HOME
// in the job's data dir. The hook keeps the configured env but for these three: TMPDIR is a
// private directory of root's (HookTmpDir), HOME is root's home, and PATH is the process's (the
// configured one, or the default with the job's bin dir as the host sees it) with only the
// directories in it that root alone can change (SearchPath).
public static class HookEnvironment
{
    public static List<string> For(ProcessConfig proc, ProcessRef p, string home, string tmpDir, Func<string, bool> rootOwnedDir)
    {
        var env = proc.Env.Where(kv => kv.Key is not ("PATH" or "TMPDIR" or "HOME")).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        env.Add("TMPDIR=" + tmpDir);
        if (!proc.Env.Any(kv => kv.Key == "LANG")) env.Add("LANG=" + SpecBuilder.DefaultLang);
        var path = proc.Env.LastOrDefault(kv => kv.Key == "PATH").Value ?? string.Join(':', [p.JobDir + "/bin", .. SpecBuilder.SystemPath]);
        env.Add("PATH=" + SearchPath(path, rootOwnedDir));
        env.Add("HOME=" + home);
        return env;
    }

    // Keeps of a PATH only what a root program may search: absolute entries, without "." or ".."
    // (which the shell resolves through links, not as written), that are directories only root
    // can change; each once. Empty, relative and "." entries name the working directory, and go.
    // When nothing is left, the system directories of the default PATH that pass: no PATH at all
    // would leave the shell to its own default, which for bash ends in ".".
    public static string SearchPath(string path, Func<string, bool> rootOwnedDir)
    {
        var kept = Keep(path.Split(':'), rootOwnedDir);
        if (kept.Count == 0) kept = Keep(SpecBuilder.SystemPath, rootOwnedDir);
        return string.Join(':', kept);
    }

    private static List<string> Keep(IEnumerable<string> entries, Func<string, bool> rootOwnedDir)
    {
        var kept = new List<string>();
        foreach (var entry in entries)
        {
            if (!entry.StartsWith('/') || entry.Split('/').Any(c => c is "." or "..")) continue;
            if (kept.Contains(entry, StringComparer.Ordinal) || !rootOwnedDir(entry)) continue;
            kept.Add(entry);
        }
        return kept;
    }
}
