using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Bpm.Lifecycle;
using Bpm.Output;

namespace Bpm.Cli;

public static class ListCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "print a JSON array, one object per process" };
        var cmd = new Command("list", "Lists the state of the BOSH processes") { json };
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            var rows = HostWiring.FromEnvironment().List((job, reason) =>
                Console.Error.WriteLine($"invalid config for {job}: {reason.ReplaceLineEndings(" ").Trim()}"));
            if (r.GetValue(json))
            {
                var entries = rows.Select(row => new ListEntry(row.Job, row.Process, row.Name, row.ContainerId, row.Pid, row.Status, row.End?.ExitCode, row.End?.ExitSignal)).ToList();
                Console.Out.Write(JsonSerializer.Serialize(entries, OutputJson.Default.ListListEntry) + "\n");
                return 0;
            }
            var table = new List<string[]> { new[] { "Name", "Pid", "Status" } };
            foreach (var row in rows)
                table.Add([row.Name, row.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-", row.Status]);
            Console.Out.Write(TableWriter.Format(table));
            return 0;
        }));
        return cmd;
    }
}
