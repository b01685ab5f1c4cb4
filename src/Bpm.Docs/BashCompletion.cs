using System.CommandLine;
using System.Text;

namespace Bpm.Docs;

// The bash completion of bpm: commands, each command's flags (from the command tree), job names
// from the jobs that have a bpm.yml, and process names from that job's bpm.yml. It reads the files
// itself rather than asking bpm, which needs root and would cost every tab a process.
public static class BashCompletion
{
    public static string Render(Command root)
    {
        var commands = CommandLineFacts.Commands(root).ToList();
        var sh = new StringBuilder();
        sh.Append("# bash completion for bpm, written from bpm's own command tree (bpm-docs completion)\n");
        sh.Append("_bpm_jobs() {\n");
        sh.Append("  local f root=\"${BPM_BOSH_ROOT:-/var/vcap}\"\n");
        sh.Append("  for f in \"$root\"/jobs/*/config/bpm.yml; do [[ -f $f ]] && f=${f%/config/bpm.yml} && printf '%s\\n' \"${f##*/}\"; done\n");
        sh.Append("}\n");
        sh.Append("_bpm_processes() {\n");
        sh.Append("  local file=\"${BPM_BOSH_ROOT:-/var/vcap}/jobs/$1/config/bpm.yml\"\n");
        sh.Append("  [[ -f $file ]] && sed -n \"s/^-[[:space:]]*name:[[:space:]]*[\\\"']\\{0,1\\}\\([^\\\"' #]*\\).*/\\1/p\" \"$file\"\n");
        sh.Append("}\n");
        sh.Append("_bpm() {\n");
        sh.Append("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i job=\"\"\n");
        sh.Append("  if ((COMP_CWORD == 1)); then\n");
        sh.Append("    COMPREPLY=($(compgen -W \"").Append(string.Join(' ', commands.Select(c => c.Name))).Append(" --version\" -- \"$cur\"))\n");
        sh.Append("    return\n  fi\n");
        sh.Append("  local cmd=${COMP_WORDS[1]} flags=\"\" valued=\"\" takes_job=0\n");
        sh.Append("  case $cmd in\n");
        foreach (var c in commands)
        {
            var options = CommandLineFacts.Options(c).ToList();
            var flags = options.SelectMany(CommandLineFacts.Spellings);
            var valued = options.Where(CommandLineFacts.TakesValue).SelectMany(CommandLineFacts.Spellings);
            sh.Append($"    {c.Name}) flags=\"{string.Join(' ', flags)}\" valued=\"{string.Join(' ', valued)}\" takes_job={(CommandLineFacts.TakesJob(c) ? 1 : 0)} ;;\n");
        }
        sh.Append("    *) return ;;\n  esac\n");
        // The job is the first word after the command that is neither a flag nor a flag's value.
        sh.Append("  for ((i = 2; i < COMP_CWORD; i++)); do\n");
        sh.Append("    local w=${COMP_WORDS[i]}\n");
        sh.Append("    if [[ \" $valued \" == *\" $w \"* ]]; then ((i++)); continue; fi\n");
        sh.Append("    [[ $w == -* ]] || { job=$w; break; }\n");
        sh.Append("  done\n");
        sh.Append("  if [[ \" $valued \" == *\" $prev \"* ]]; then\n");
        sh.Append("    case $prev in\n");
        sh.Append("      -p|--process) [[ -n $job ]] && COMPREPLY=($(compgen -W \"$(_bpm_processes \"$job\")\" -- \"$cur\")) ;;\n");
        sh.Append("      *) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n");
        sh.Append("    esac\n");
        sh.Append("    return\n  fi\n");
        sh.Append("  if [[ $cur == -* || $takes_job == 0 || -n $job ]]; then\n");
        sh.Append("    COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n");
        sh.Append("  else\n");
        sh.Append("    COMPREPLY=($(compgen -W \"$(_bpm_jobs)\" -- \"$cur\"))\n");
        sh.Append("  fi\n");
        sh.Append("}\n");
        sh.Append("complete -F _bpm bpm\n");
        return sh.ToString();
    }
}
