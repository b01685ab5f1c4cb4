using System.CommandLine;

namespace Bpm.Cli;

public static class VersionCommand
{
    public const string Version = BuildVersion.Value;

    public static Command Create()
    {
        var cmd = new Command("version", "Prints the version");
        cmd.SetAction(r => BpmCli.Guard(() =>
        {
            Console.Out.Write(Version + "\n");
            return 0;
        }));
        return cmd;
    }
}
