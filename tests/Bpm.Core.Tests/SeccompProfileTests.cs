using Bpm.Oci;
using Bpm.Spec;
using Xunit;

namespace Bpm.Tests;

public class SeccompProfileTests
{
    private const string Allow = "SCMP_ACT_ALLOW";
    private const string Errno = "SCMP_ACT_ERRNO";

    private static readonly Seccomp Profile = SeccompProfile.Default;

    private static IEnumerable<SyscallRule> AllowRules => Profile.Syscalls.Where(r => r.Action == Allow);

    // The rule holding the plain, unconditional list.
    private static SyscallRule MainRule =>
        Assert.Single(Profile.Syscalls, r => r.Action == Allow && r.Args is null && r.Names.Count > 1);

    public static TheoryData<string> Forbidden =>
    [
        "acct", "add_key", "adjtimex", "bpf", "chroot", "clock_adjtime", "clock_adjtime64",
        "clock_settime", "clock_settime64", "create_module", "delete_module", "finit_module",
        "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module", "io_uring_enter",
        "io_uring_register", "io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_file_load",
        "kexec_load", "keyctl", "landlock_add_rule", "landlock_create_ruleset",
        "landlock_restrict_self", "lookup_dcookie", "mount", "mount_setattr", "move_mount",
        "name_to_handle_at", "nfsservctl", "open_by_handle_at", "open_tree", "perf_event_open",
        "pidfd_getfd", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace",
        "query_module", "quotactl", "reboot", "request_key", "setdomainname", "sethostname", "setns",
        "settimeofday", "stime", "swapoff", "swapon", "syslog", "umount", "umount2", "unshare",
        "uselib", "userfaultfd", "vhangup",
    ];

    public static TheoryData<string> Common =>
    [
        "read", "write", "openat", "close", "execve", "execveat", "exit", "exit_group", "futex",
        "epoll_wait", "epoll_pwait", "epoll_create1", "mmap", "mprotect", "brk", "rt_sigaction",
        "rt_sigprocmask", "rt_sigreturn", "wait4", "waitid", "kill", "tgkill", "tkill", "newfstatat",
        "statx", "faccessat2", "close_range", "rseq", "set_robust_list", "set_tid_address",
        "arch_prctl", "prctl", "getrandom", "pidfd_open", "pidfd_send_signal", "socket", "connect",
        "sendmmsg", "recvmsg", "sched_getaffinity", "sched_yield", "membarrier", "vfork", "pipe2",
        "dup3", "getdents64", "clock_gettime", "clock_nanosleep", "nanosleep",
    ];

    [Fact]
    public void DefaultActionRefuses() => Assert.Equal(Errno, Profile.DefaultAction);

    [Fact]
    public void CoversAllX86Abis() =>
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], Profile.Architectures);

    [Fact]
    public void IsBuiltOnce() => Assert.Same(SeccompProfile.Default, SeccompProfile.Default);

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void ForbiddenSyscallIsNeverAllowed(string name) =>
        Assert.DoesNotContain(AllowRules, r => r.Names.Contains(name));

    [Theory]
    [MemberData(nameof(Common))]
    public void CommonSyscallIsAllowedUnconditionally(string name) =>
        Assert.Contains(name, MainRule.Names);

    [Fact]
    public void MainListIsSortedAndHasNoDuplicates()
    {
        var names = MainRule.Names;
        Assert.Equal(names.Distinct(StringComparer.Ordinal).Count(), names.Count);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.InRange(names.Count, 250, 400);
    }

    [Fact]
    public void ConditionalNamesDoNotAlsoAppearInTheMainList()
    {
        var main = MainRule.Names.ToHashSet(StringComparer.Ordinal);
        foreach (var rule in Profile.Syscalls.Where(r => !ReferenceEquals(r, MainRule)))
        {
            foreach (var name in rule.Names)
            {
                Assert.DoesNotContain(name, main);
            }
        }
    }

    [Fact]
    public void EveryRuleHasNames() =>
        Assert.All(Profile.Syscalls, r => Assert.NotEmpty(r.Names));

    [Fact]
    public void CloneIsAllowedOnlyWithoutNamespaceFlags()
    {
        var rule = Assert.Single(Profile.Syscalls, r => r.Names.Contains("clone"));
        Assert.Equal(["clone"], rule.Names);
        Assert.Equal(Allow, rule.Action);
        var arg = Assert.Single(rule.Args!);
        Assert.Equal(0u, arg.Index);
        Assert.Equal("SCMP_CMP_MASKED_EQ", arg.Op);
        // NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET as the mask, and the masked flags must be 0.
        Assert.Equal(0x7C020000UL, arg.Value);
        Assert.Equal(2080505856UL, SeccompProfile.CloneNamespaceMask);
        Assert.Equal(0UL, arg.ValueTwo);
    }

    [Fact]
    public void Clone3ReportsEnosys()
    {
        var rule = Assert.Single(Profile.Syscalls, r => r.Names.Contains("clone3"));
        Assert.Equal(["clone3"], rule.Names);
        Assert.Equal(Errno, rule.Action);
        Assert.Equal(38u, rule.ErrnoRet);
        Assert.Null(rule.Args);
    }

    [Fact]
    public void PersonalityIsAllowedOnlyForCommonPersonas()
    {
        var rules = Profile.Syscalls.Where(r => r.Names.Contains("personality")).ToList();
        Assert.All(rules, r =>
        {
            Assert.Equal(["personality"], r.Names);
            Assert.Equal(Allow, r.Action);
            var arg = Assert.Single(r.Args!);
            Assert.Equal(0u, arg.Index);
            Assert.Equal("SCMP_CMP_EQ", arg.Op);
        });
        Assert.Equal(
            new ulong[] { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff },
            rules.Select(r => r.Args![0].Value).Order());
    }

    [Fact]
    public void SerializesWithOciFieldNames()
    {
        var spec = new Bpm.Oci.RuntimeSpec
        {
            Process = new Process { User = new User(), Args = ["true"], Cwd = "/" },
            Root = new Root { Path = "rootfs" },
            Linux = new Linux { Seccomp = Profile },
        };
        var json = System.Text.Json.JsonSerializer.Serialize(spec, OciJson.Default.RuntimeSpec);
        Assert.Contains("\"defaultAction\": \"SCMP_ACT_ERRNO\"", json);
        Assert.Contains("\"errnoRet\": 38", json);
        Assert.Contains("\"value\": 2080505856", json);
        Assert.Contains("\"op\": \"SCMP_CMP_MASKED_EQ\"", json);
    }
}
