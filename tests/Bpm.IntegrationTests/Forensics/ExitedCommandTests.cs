using System.Text.RegularExpressions;

namespace Bpm.IntegrationTests.Forensics;

/// <summary>`bpm exited` is the waiter's, not the operator's: it is not offered anywhere.</summary>
public sealed class ExitedCommandTests
{
    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void UsageAndHelpDoNotListIt(string args)
    {
        using var root = new BoshRoot();
        var r = root.Bpm(args.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var text = r.Stdout + r.Stderr;
        // The listing is there, with the commands beside exited...
        Assert.Matches(@"(?m)^\s+start\b", text);
        Assert.Matches(@"(?m)^\s+status\b", text);
        // ...and exited is not among them.
        Assert.DoesNotMatch(@"(?m)^\s+exited\b", text);
        Assert.False(Regex.IsMatch(text, @"\bexited\b"), "usage mentions exited: " + r);
    }
}
