using System.CommandLine;
using Bpm.Bosh;
using Bpm.Config;
using Bpm.Output;

namespace Bpm.Cli;

// bpm monit JOB: prints the job's monit control file.
public static class MonitCommand
{
    public static Command Create()
    {
        var job = BpmCli.JobArgument();
        var bpm = new Option<string?>("--bpm") { Description = "the bpm executable monit should call (default: the bpm job's, under the BOSH root)" };
        var cmd = new Command("monit", "Prints a monit control file for every process of a job") { job, bpm };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            var root = BoshRoot.FromEnvironment();
            var name = BpmCli.RequireJob(r.GetValue(job));
            var config = new JobConfigs(root).Load(name);
            Console.Out.Write(MonitFile.Render(root, name, config, r.GetValue(bpm) ?? MonitFile.DefaultBpmPath(root)));
            return 0;
        }));
        return cmd;
    }
}
