using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Spec;

namespace Bpm.Config;

// Values the original accepted and the runtime then turns into a different container than the
// one asked for, or into a container that never runs.
public static partial class ConfigValidator
{
    // What bpm accepts but probably does not do what was meant; `validate` shows these, and
    // start and run go ahead. Unknown keys are the parser's warnings.
    public static List<ConfigError> Warnings(string file, JobConfig config)
    {
        var warnings = new List<ConfigError>();
        foreach (var p in config.Processes)
            if (p.Limits.Processes == 0)
                warnings.Add(new ConfigError(file, p.PositionOf("limits").Line, p.PositionOf("limits").Column,
                    "limits.processes: 0 sets no limit at all (the runtime treats 0 as unlimited)") { Warning = true });
        return warnings;
    }

    // runc drops a name it does not know with a warning in a log nobody reads, and the job runs
    // without the capability it asked for.
    private static IEnumerable<(SourcePosition, string)> CapabilityErrors(ProcessConfig p)
    {
        foreach (var name in p.Capabilities)
        {
            if (CapabilityNames.IsKnown("CAP_" + name)) continue;
            string why = name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) && CapabilityNames.IsKnown("CAP_" + name[4..])
                ? $"write {name[4..]}: bpm adds the CAP_ prefix itself"
                : NearestName.Of(name, CapabilityNames.ConfigNames) is { } near ? $"did you mean {near}?"
                : "not a Linux capability; name each one, without CAP_, e.g. NET_BIND_SERVICE";
            yield return (p.PositionOf("capabilities"), $"invalid capability: {Quote(Truncated(name))} ({why})");
        }
    }

    private static IEnumerable<(SourcePosition, string)> LimitErrors(ProcessConfig p)
    {
        if (p.Limits.OpenFiles == 0)
            yield return (p.PositionOf("limits"), "limits.open_files: 0 leaves the process no file descriptors, so it could not even be started");
    }

    // runc refuses a NUL in any of these only when it starts the container, with a message
    // that does not say where it came from.
    private static IEnumerable<(SourcePosition, string)> NulErrors(ProcessConfig p)
    {
        if (p.Executable.Contains('\0')) yield return (p.PositionOf("executable"), "executable contains a NUL byte");
        for (int i = 0; i < p.Args.Count; i++)
            if (p.Args[i].Contains('\0')) yield return (p.PositionOf("args"), $"args[{i}] contains a NUL byte");
        foreach (var (key, value) in p.Env)
            if (value.Contains('\0')) yield return (p.PositionOf("env"), $"environment variable {Quote(Truncated(key))}: the value contains a NUL byte");
        if (p.PreStart?.Contains('\0') == true) yield return (p.PositionOf("hooks"), "hooks.pre_start contains a NUL byte");
    }

    // The container's first program is tini with the process's command line and environment;
    // the kernel must accept them (ExecSpace), or the job "starts" and never runs.
    private static IEnumerable<(SourcePosition, string)> ExecErrors(string job, ProcessConfig p, long execTotal)
    {
        var strings = new List<(SourcePosition At, string What, string Text)> { (p.PositionOf("executable"), "executable", p.Executable) };
        for (int i = 0; i < p.Args.Count; i++) strings.Add((p.PositionOf("args"), $"args[{i}]", p.Args[i]));
        foreach (var (key, value) in p.Env)
            strings.Add((p.PositionOf("env"), $"environment variable {Quote(Truncated(key))} (as {Truncated(key)}=VALUE)", $"{key}={value}"));
        if (p.PreStart is { } hook) strings.Add((p.PositionOf("hooks"), "hooks.pre_start", hook));
        bool fits = true;
        foreach (var (at, what, text) in strings)
        {
            if (ExecSpace.Size(text) <= ExecSpace.MaxString) continue;
            fits = false;
            yield return (at, $"{what} is {ExecSpace.Size(text) - 1} bytes, more than the {ExecSpace.MaxString - 1} the kernel accepts in one argument or environment string");
        }
        if (!fits) yield break;

        var root = new BoshRoot(BoshRoot.Internal);
        // A name no process can have is reported on its own (ConfigValidator).
        if (ProcessRef.Problem(job, p.Name) is not null) yield break;
        var envp = SpecBuilder.Environment(p, ProcessRef.Of(root, job, p.Name));
        var commands = new List<(string What, string Key, string Executable, IReadOnlyList<string> Args)> { ("the process", "executable", p.Executable, p.Args) };
        if (!string.IsNullOrEmpty(p.PreStart)) commands.Add(("the pre-start hook", "hooks", p.PreStart, []));
        foreach (var (what, key, executable, args) in commands)
        {
            var total = ExecSpace.Total(root.TiniInternal, [root.TiniInternal, "-w", "-s", "--", executable, .. args], envp);
            if (total > execTotal)
            {
                yield return (p.PositionOf(key), $"the command line and environment of {what} come to {total} bytes, " +
                    $"more than the {execTotal} the kernel accepts for a new program (set by the stack size limit)");
                yield break;
            }
        }
    }

    private static string Truncated(string s) => s.Length > 64 ? s[..64] + "..." : s;
}
