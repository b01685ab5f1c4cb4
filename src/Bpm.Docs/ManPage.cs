using System.CommandLine;
using System.Text;

namespace Bpm.Docs;

// bpm(1) in troff (man(7) macros). The commands, their arguments, options and descriptions come
// from the command tree that --help shows, so the two cannot drift apart; the rest is written here.
public static class ManPage
{
    public static string Render(Command root, string version)
    {
        var man = new StringBuilder();
        man.Append($".TH BPM 1 \"\" \"bpm {Text(version)}\" \"User Commands\"\n");
        man.Append(".SH NAME\nbpm \\- ").Append(Text(Lower(root.Description ?? ""))).Append('\n');
        man.Append(".SH SYNOPSIS\n.B bpm\n\\fIcommand\\fR [\\fIjob\\fR] [\\fIoptions\\fR]\n");
        man.Append(".SH DESCRIPTION\n");
        Paragraph(man, "bpm, the BOSH process manager, runs each process of a BOSH job in its own runc " +
            "container, with tini as its pid 1: its own pid, mount, IPC and UTS namespaces (the network is " +
            "shared), only the system directories and the job's own BOSH directories mounted, the vcap " +
            "user, a seccomp filter and the limits its bpm.yml asks for. monit calls bpm start and " +
            "bpm stop; operators use the other commands.");
        Paragraph(man, "Each job describes its processes in jobs/JOB/config/bpm.yml under the BOSH root. " +
            "-p/--process names a process of the job (default: the process named like the job). Errors go " +
            "to stderr as one line, Error: MESSAGE. Every command but validate must run as root.");
        man.Append(".SH COMMANDS\n");
        foreach (var c in CommandLineFacts.Commands(root))
        {
            man.Append(".TP\n.B ").Append(Text(c.Name));
            foreach (var a in c.Arguments.Where(a => !a.Hidden))
                man.Append(CommandLineFacts.Required(c, a) ? $" \\fI{Text(a.Name)}\\fR" : $" [\\fI{Text(a.Name)}\\fR]");
            man.Append('\n').Append(Text(c.Description ?? "")).Append(".\n");
            var options = CommandLineFacts.Options(c).ToList();
            if (options.Count == 0) continue;
            man.Append(".RS\n");
            foreach (var o in options)
            {
                man.Append(".TP\n").Append(string.Join(", ", CommandLineFacts.Spellings(o).Select(s => $"\\fB{Text(s)}\\fR")));
                if (CommandLineFacts.TakesValue(o)) man.Append(" \\fI").Append(Text(CommandLineFacts.ValueName(o))).Append("\\fR");
                man.Append('\n').Append(Text(o.Description ?? "")).Append('\n');
            }
            man.Append(".RE\n");
        }
        man.Append(".SH ENVIRONMENT\n.TP\n.B BPM_BOSH_ROOT\n");
        man.Append(Text("The BOSH root on the host (default /var/vcap). Inside a container the job's paths are always under /var/vcap.")).Append('\n');
        man.Append(".SH FILES\n");
        foreach (var (path, what) in Files)
            man.Append(".TP\n.I ").Append(Text(path)).Append('\n').Append(Text(what)).Append('\n');
        man.Append(".SH EXIT STATUS\n");
        Paragraph(man, "0 on success; 1 when bpm refuses or fails, with the reason on stderr; 70 for a bug in " +
            "bpm itself, whose stack trace goes to the job's bpm.log. bpm run exits with the process's own " +
            "exit status.");
        man.Append(".SH SEE ALSO\n.BR runc (8),\n.BR tini (1),\n.BR monit (1)\n");
        return man.ToString();
    }

    private static readonly (string Path, string What)[] Files =
    [
        ("/var/vcap/jobs/JOB/config/bpm.yml", "the job's processes"),
        ("/var/vcap/sys/log/JOB/", "PROC.stdout.log, PROC.stderr.log and bpm.log (JSON lines of what bpm did)"),
        ("/var/vcap/sys/run/bpm/JOB/PROC.pid", "the pid of the running process, for monit"),
        ("/var/vcap/data/bpm/", "bpm's bundles, locks and pinned mount sources"),
        ("/var/vcap/sys/run/bpm-runc/", "runc's state"),
        ("/var/vcap/packages/bpm/bin/", "runc and tini, beside bpm"),
    ];

    private static void Paragraph(StringBuilder man, string text) => man.Append(".PP\n").Append(Text(text)).Append('\n');

    private static string Lower(string s) => s.Length > 0 ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    // troff: a backslash is written \e, a hyphen \- (so that it can be searched and copied as one),
    // and a line may not start with a control character.
    public static string Text(string s)
    {
        var t = s.Replace("\\", "\\e").Replace("-", "\\-").Replace("\n", " ");
        return t.StartsWith('.') || t.StartsWith('\'') ? "\\&" + t : t;
    }
}
