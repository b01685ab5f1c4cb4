using System.CommandLine;

namespace Bpm.Docs;

// What the man page and the completion both read off a command: its visible options, whether it
// takes a job, how an option is spelt and whether it takes a value.
public static class CommandLineFacts
{
    public static IEnumerable<Command> Commands(Command root) => root.Subcommands.Where(c => !c.Hidden);

    public static IEnumerable<Option> Options(Command c) => c.Options.Where(o => !o.Hidden);

    public static bool TakesJob(Command c) => c.Arguments.Any(a => a.Name == "job" && !a.Hidden);

    // The parser takes every job argument as optional, so that a command without one can say
    // "must specify a job" itself; only validate works without one (it checks every job).
    public static bool Required(Command c, Argument a) => a.Arity.MinimumNumberOfValues > 0 || (a.Name == "job" && c.Name != "validate");

    // Short aliases first, then the long name: "-p, --process".
    public static IReadOnlyList<string> Spellings(Option o) =>
        o.Aliases.Append(o.Name).Distinct().OrderBy(s => s.StartsWith("--", StringComparison.Ordinal) ? 1 : 0).ThenBy(s => s, StringComparer.Ordinal).ToList();

    public static bool TakesValue(Option o) => o.ValueType != typeof(bool);

    // PROCESS for --process; a value list (string[]) reads the same.
    public static string ValueName(Option o) => o.HelpName ?? o.Name.TrimStart('-').ToUpperInvariant();
}
