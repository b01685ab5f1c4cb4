using System.Diagnostics;
using Bpm.Cli;
using Bpm.Docs;
using Xunit;

namespace Bpm.Tests;

// bpm(1) and the bash completion are written from the command tree: every command and option
// --help knows is in both, and the completion works in a real bash over a real BOSH root.
public class DocsTests
{
    private static readonly string[] Commands = ["start", "stop", "run", "list", "pid", "logs", "shell", "trace", "version", "monit", "status", "validate"];

    [Fact]
    public void TheManPageNamesEveryCommandAndEveryOption()
    {
        var tree = BpmCli.Tree();
        var man = ManPage.Render(tree, "1.4.0");
        Assert.StartsWith(".TH BPM 1 \"\" \"bpm 1.4.0\"", man);
        foreach (var c in CommandLineFacts.Commands(tree))
        {
            Assert.Contains($".B {c.Name}", man);
            foreach (var o in CommandLineFacts.Options(c))
                foreach (var s in CommandLineFacts.Spellings(o))
                    Assert.Contains($"\\fB{ManPage.Text(s)}\\fR", man);
        }
        Assert.Equal(Commands, CommandLineFacts.Commands(tree).Select(c => c.Name));
        Assert.Contains(".B start \\fIjob\\fR", man);
        Assert.Contains(".B validate [\\fIjob\\fR]", man);
        Assert.Contains(".B BPM_BOSH_ROOT", man);
    }

    [Theory]
    [InlineData("--process", "\\-\\-process")]
    [InlineData("a\\b", "a\\eb")]
    [InlineData(".hidden", "\\&.hidden")]
    [InlineData("'quoted", "\\&'quoted")]
    public void TroffTextIsEscaped(string text, string troff) => Assert.Equal(troff, ManPage.Text(text));

    [Fact]
    public void TheCompletionOffersCommandsJobsProcessesAndFlags()
    {
        var root = Directory.CreateTempSubdirectory("bpm-completion-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Join(root, "jobs", "web", "config"));
            File.WriteAllText(Path.Join(root, "jobs", "web", "config", "bpm.yml"), "processes:\n- name: web\n  executable: /x\n- name: \"side\"\n  executable: /y\n");
            Directory.CreateDirectory(Path.Join(root, "jobs", "worker", "config"));
            File.WriteAllText(Path.Join(root, "jobs", "worker", "config", "bpm.yml"), "processes:\n- name: worker\n  executable: /x\n");
            Directory.CreateDirectory(Path.Join(root, "jobs", "nobpm"));
            var script = Path.Join(root, "bpm.bash");
            File.WriteAllText(script, BashCompletion.Render(BpmCli.Tree()));

            Assert.Equal("start stop status", Complete(root, script, "bpm", "st"));
            Assert.Equal("web worker", Complete(root, script, "bpm", "start", ""));
            Assert.Equal("web side", Complete(root, script, "bpm", "stop", "web", "-p", ""));
            Assert.Equal("side", Complete(root, script, "bpm", "logs", "web", "--process", "s"));
            Assert.Equal("-p --process -a --all -e --err -f --follow -n --lines -q --quiet", Complete(root, script, "bpm", "logs", "web", "-"));
            Assert.Equal("--json", Complete(root, script, "bpm", "list", ""));
            // After a flag's value comes the job, then the flags.
            Assert.Equal("-p --process -v --volume -e --env", Complete(root, script, "bpm", "run", "-p", "side", "web", ""));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // What the completion offers for the last word of `words`, as bash would call it.
    private static string Complete(string root, string script, params string[] words)
    {
        var quoted = string.Join(' ', words.Select(w => "'" + w.Replace("'", "'\\''") + "'"));
        var psi = new ProcessStartInfo("bash", ["-c", $"source '{script}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length - 1}; _bpm; printf '%s' \"${{COMPREPLY[*]}}\""])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["BPM_BOSH_ROOT"] = root;
        using var bash = Process.Start(psi)!;
        var output = bash.StandardOutput.ReadToEnd();
        var errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0 && errors == "", $"bash: exit {bash.ExitCode}: {errors}");
        return output;
    }
}
