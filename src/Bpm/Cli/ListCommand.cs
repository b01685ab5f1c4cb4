using System.CommandLine;
using Bpm.Lifecycle;
using Bpm.Output;

namespace Bpm.Cli;

public static class ListCommand
{
    public static Command Create()
    {
        var cmd = new Command("list", "Lists the state of the BOSH processes");
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            var rows = Lister.List(BpmContext.FromEnvironment(), msg => Console.Error.WriteLine("Error: " + msg));
            var table = new List<string[]> { new[] { "Name", "Pid", "Status" } };
            foreach (var row in rows)
                table.Add([row.Name, row.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", row.Status]);
            Console.Out.Write(TableWriter.Format(table));
            return 0;
        }));
        return cmd;
    }
}
