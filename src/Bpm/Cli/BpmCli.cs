using System.CommandLine;
using System.CommandLine.Help;
using Bpm.Host;

namespace Bpm.Cli;

// The command tree and the rules every command shares: root only, "Error: ..." on stderr, exit 1.
public static class BpmCli
{
    public const string RootRequired = "bpm must be run as root. Please run 'sudo -i' to become the root user.";

    public static int Run(string[] args)
    {
        // Before anything else, even a bad flag or no command. validate only reads files.
        if (!Users.IsRoot && args is not ["validate", ..]) return Fail(new BpmException(RootRequired));
        // Accepted on every command, as the original's: answered before the tree is built.
        if (args.Contains("--version"))
        {
            Console.Out.Write(VersionCommand.Version + "\n");
            return 0;
        }

        bool help = args.Any(HelpAliases.Contains);
        // A call names one command: only that one is built (each costs its options and their
        // defaults at every call, and monit calls bpm all the time). Usage lists them all.
        var named = args.Length > 0 && !help ? Commands.Concat(Internal).FirstOrDefault(c => c.Name == args[0]) : default;
        var root = named.Create is { } one ? Root(help, one) : Root(help);
        if (args.Length == 0) return Usage(root);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // With no command, the usage says what is missing; only stray words need naming.
            var messages = parsed.CommandResult.Command == root
                ? parsed.UnmatchedTokens.Select(t => $"unknown command or flag '{t}'")
                : parsed.Errors.Select(e => OneLine(e.Message));
            foreach (var m in messages) Console.Error.WriteLine("Error: " + m);
            return Usage(named.Create is null ? root : Root(help));
        }
        try
        {
            return parsed.Invoke();
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    // In the order usage lists them.
    private static readonly (string Name, Func<Command> Create)[] Commands =
    [
        ("start", StartCommand.Create), ("stop", StopCommand.Create), ("run", RunCommand.Create),
        ("list", ListCommand.Create), ("pid", PidCommand.Create), ("logs", LogsCommand.Create),
        ("shell", ShellCommand.Create), ("trace", TraceCommand.Create), ("version", VersionCommand.Create),
        ("monit", MonitCommand.Create), ("status", StatusCommand.Create), ("validate", ValidateCommand.Create),
    ];

    // Run by bpm's own processes, never listed.
    private static readonly (string Name, Func<Command> Create)[] Internal = [("exited", ExitedCommand.Create)];

    // Not a RootCommand: that builds --help and --version up front, and their descriptions come
    // from resources, looked up by reflection at every call. Monit calls bpm all the time and
    // neither is asked for then, so help is added only when named.
    private static Command Root(bool help, params Func<Command>[] only)
    {
        var root = new Command("bpm", "A bosh process manager: starts, stops and inspects BOSH job processes in runc containers.");
        if (help) root.Options.Add(new HelpOption());
        foreach (var create in only.Length > 0 ? only : Commands.Select(c => c.Create)) root.Subcommands.Add(create());
        return root;
    }

    // Every command, as --help shows them: the one source of the man page and the shell completion.
    public static Command Tree() => Root(help: false);

    // No command, or arguments a command does not take: the commands, on stderr, exit 1.
    // Written here rather than by the help builder, which would load its resources.
    public static int Usage(Command root)
    {
        var text = new System.Text.StringBuilder();
        text.Append("Usage:\n  bpm <command> [job] [options]\n\nCommands:\n");
        int width = root.Subcommands.Max(c => c.Name.Length) + 2;
        foreach (var c in root.Subcommands)
            text.Append("  ").Append(c.Name.PadRight(width)).Append(c.Description).Append('\n');
        text.Append("\nRun 'bpm <command> --help' for a command's options.\n");
        Console.Out.Flush();
        Console.Error.Write(text.ToString());
        return 1;
    }

    private static readonly string[] HelpAliases = ["--help", "-h", "-?", "/h", "/?"];

    public static int Fail(Exception e)
    {
        Console.Out.Flush();
        if (Defect.Is(e))
        {
            Console.Error.WriteLine("Error: " + Defect.OneLine(e));
            return Defect.ExitStatus;
        }
        Console.Error.WriteLine("Error: " + OneLine(e.Message));
        return 1;
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();

    // Wraps a command body: root check, then errors as one line.
    public static int Guard(Func<int> body)
    {
        if (!Users.IsRoot) return Fail(new BpmException(RootRequired));
        try
        {
            return body();
        }
        catch (Exception e)
        {
            return Fail(e);
        }
    }

    public static Argument<string?> JobArgument() => new("job")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "the job's name",
    };

    public static Option<string?> ProcessOption() => new("--process", "-p")
    {
        Description = "the process's name (default: the job's name)",
    };

    public static string RequireJob(string? job) =>
        string.IsNullOrEmpty(job) ? throw new BpmException("must specify a job") : job;
}
