namespace Bpm.Config;

// Every key bpm.yml has, by the mapping it belongs to. Anything else is read past (as the
// original does), and `bpm validate` warns about it, naming the nearest known key.
public static class KnownKeys
{
    public static readonly IReadOnlyList<string> Top = ["processes"];

    public static readonly IReadOnlyList<string> Process =
    [
        "name", "executable", "args", "env", "workdir", "hooks", "capabilities", "limits", "ephemeral_disk",
        "persistent_disk", "additional_volumes", "unsafe", "shutdown_signal",
    ];

    public static readonly IReadOnlyList<string> Hooks = ["pre_start"];
    public static readonly IReadOnlyList<string> Limits = ["memory", "open_files", "processes", "core_file_size"];
    public static readonly IReadOnlyList<string> Unsafe = ["privileged", "host_pid_namespace", "unrestricted_volumes"];
    public static readonly IReadOnlyList<string> Volume = ["path", "writable", "allow_executions", "mount_only", "shared"];
}
