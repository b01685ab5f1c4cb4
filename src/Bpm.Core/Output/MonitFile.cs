using System.Text;
using Bpm.Bosh;
using Bpm.Identity;
using Bpm.Config;

namespace Bpm.Output;

// A monit control file for every process of a job, in the form BOSH releases use with bpm:
// monit watches the pidfile and calls bpm to start and stop.
public static class MonitFile
{
    public static string Render(BoshRoot root, string job, JobConfig config, string bpmPath)
    {
        // Monit runs programs with a bare environment; a non-default root has to be passed on.
        // Monit splits a program line on spaces and has no quoting to rely on.
        foreach (var path in new[] { root.Path, bpmPath })
            if (path.Any(c => char.IsWhiteSpace(c) || c is '"' or '\''))
                throw new BpmException($"cannot write a monit file for a path containing spaces or quotes: {path}");
        var prefix = root.Path == BoshRoot.Internal ? "" : $"/usr/bin/env BPM_BOSH_ROOT={root.Path} ";
        var sb = new StringBuilder();
        foreach (var p in config.Processes)
        {
            var paths = ProcessRef.Of(root, job, p.Name);
            var selector = p.Name == job ? job : $"{job} -p {p.Name}";
            sb.Append($"check process {paths.MonitCheck}\n");
            sb.Append($"  with pidfile {paths.PidFile}\n");
            sb.Append($"  start program \"{prefix}{bpmPath} start {selector}\"\n");
            sb.Append($"  stop program \"{prefix}{bpmPath} stop {selector}\"\n");
            sb.Append("  group vcap\n");
        }
        return sb.ToString();
    }

    public static string DefaultBpmPath(BoshRoot root) => root.External("jobs", "bpm", "bin", "bpm");
}
