#!/usr/bin/env python3
"""bpm against the floor (raw runc on the same bundle), interleaved, in one run.

Driven by scripts/bench, which owns the work dir and cleans up every container and cgroup on exit.

The floor for each operation:
  start       runc run --detach --pid-file P --bundle COPY ID, stdout/stderr appended to log files;
              COPY is bpm's config.json (captured after one bpm start) with its own rootfs dir and
              cgroup name. After every floor stop or run, untimed, the copy's rootfs is made empty
              again, as bpm's stop and run remove their bundle: runc makes its mount points afresh
              at every start, and the inodes freed then are as old as bpm's when the next start
              comes (a filesystem may treat inodes freed within the same second differently).
  stop        runc kill ID TERM, `runc state` polled without sleeping until stopped, runc delete --force
  start+stop  the two above back to back (minus the untimed readiness wait, see wait_ready)
  run         runc run --bundle COPY ID in the foreground (runc deletes the container itself)
  list        one `runc list` of the state root bpm uses (50 jobs configured, 25 running)
  pid         runc state ID
  parallel    20 of the start/stop floors at once, from 20 threads (bpm likewise)
  throughput  runc run of a job writing 200 MB to stdout into a new log file: the sink bpm run
              must write too (its caller's stdout, here /dev/null, gets a copy). For reference: raw
              runc to /dev/null (no log at all), and `runc run | tee -a LOG >/dev/null`.
Every sample is one wall-clock interval around the command(s), taken from this process.

bpm runs with its bpm-waiter beside it, as it ships: every detached start leaves one waiting on
the job's process. What that costs is reported apart, without a target:
  start (no waiter)  the same start of the same job by a copy of bpm in a directory without
                     bpm-waiter (bpm then runs runc itself), interleaved with the others; beside
                     it the floor's start once more
  waiter memory      VmRSS and RssAnon (/proc/PID/status), PSS and USS (Private_Clean +
                     Private_Dirty, /proc/PID/smaps_rollup) of the waiters of the 25 running jobs
                     of the list root, each asleep in wait4, as medians

With --ref PATH a third contender, another bpm binary (the original, built by the user), does
start, pid, stop, start+stop, run and list in BOSH roots of its own, interleaved with the other two.
"""
import argparse
import concurrent.futures
import contextlib
import ctypes
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

DEVNULL = subprocess.DEVNULL
WAITER = "bpm-waiter"
TP_BYTES = 200_000_000
JS, JT, JZ = "bench-s", "bench-t", "bench-z"  # sleep (exits at once on TERM), /bin/true, 200 MB to stdout
PARALLEL = 20
NO_WAITER = "start (no waiter)"
LIST_JOBS, LIST_RUNNING = 50, 25
SETTLE, SETTLE_PARALLEL = 0.02, 0.2  # s of quiet after each sample


class BenchError(Exception):
    pass


def now():
    return time.perf_counter_ns()


def ms(ns):
    return ns / 1e6


class Host:
    """Paths, binaries and the two contenders' primitive operations."""

    def __init__(self, work, bpm, runc, ref=None):
        self.work = work
        self.bpm_bin = os.path.join(work, "bpm")
        shutil.copy2(bpm, self.bpm_bin)  # a rebuild during the run must not change what we time
        # bpm start looks for bpm-waiter in the directory of the bpm that runs (symlinks resolved).
        waiter = os.path.join(os.path.dirname(os.path.realpath(bpm)), WAITER)
        self.waiter_bin = self.nowaiter_bin = None
        if os.path.isfile(waiter) and os.access(waiter, os.X_OK):
            self.waiter_bin = os.path.join(work, WAITER)
            shutil.copy2(waiter, self.waiter_bin)
            self.nowaiter_bin = os.path.join(work, "no-waiter", "bpm")
            os.makedirs(os.path.dirname(self.nowaiter_bin))
            shutil.copy2(bpm, self.nowaiter_bin)
        self.ref_bin = None
        if ref:
            self.ref_bin = os.path.join(work, "ref-bpm")
            shutil.copy2(ref, self.ref_bin)
            self.refmain = os.path.join(work, "ref")
            self.reflist = os.path.join(work, "ref-list")
            for r in (self.refmain, self.reflist):
                make_bosh_root(r)
        self.runc = runc
        self.main = os.path.join(work, "main")        # BOSH root for start/stop/run/parallel jobs
        self.listroot = os.path.join(work, "list")    # BOSH root holding exactly 50 jobs
        self.floor = os.path.join(work, "floor")      # bundle copies, logs, pidfiles
        self.floor_state = os.path.join(work, "floor-runc")  # the floor's runc --root
        self.errfile = open(os.path.join(work, "stderr.txt"), "w+b")
        for r in (self.main, self.listroot):
            make_bosh_root(r)
        os.makedirs(os.path.join(self.floor, "logs"))
        os.makedirs(os.path.join(self.floor, "run"))
        os.makedirs(self.floor_state, mode=0o700)

    # ------------------------------------------------------------ plumbing

    def _exec(self, argv, env=None, stdout=DEVNULL, what=None):
        """Runs argv to completion; returns elapsed ns; raises with its stderr on failure."""
        self.errfile.seek(0)
        self.errfile.truncate()
        t0 = now()
        rc = subprocess.call(argv, stdin=DEVNULL, stdout=stdout, stderr=self.errfile, env=env)
        dt = now() - t0
        if rc != 0:
            self.errfile.seek(0)
            err = self.errfile.read().decode(errors="replace").strip()
            raise BenchError(f"{what or ' '.join(argv)}: exit {rc}: {err}")
        return dt

    @staticmethod
    def _call(argv, env=None, stdout=DEVNULL, stderr=DEVNULL):
        """Like _exec for concurrent use: no shared stderr file."""
        p = subprocess.run(argv, stdin=DEVNULL, stdout=stdout, stderr=subprocess.PIPE if stderr is None else stderr,
                           env=env)
        if p.returncode != 0:
            err = (p.stderr or b"").decode(errors="replace").strip()
            raise BenchError(f"{' '.join(argv)}: exit {p.returncode}: {err}")

    def env(self, root):
        e = dict(os.environ)
        e["BPM_BOSH_ROOT"] = root
        return e

    # ------------------------------------------------------------ bpm

    def bpm_argv(self, *args):
        return [self.bpm_bin, *args]

    def bpm(self, root, *args, stdout=DEVNULL):
        return self._exec(self.bpm_argv(*args), env=self.env(root), stdout=stdout, what="bpm " + " ".join(args))

    def bpm_par(self, root, *args):
        self._call(self.bpm_argv(*args), env=self.env(root), stderr=None)

    def nowaiter(self, root, *args):
        return self._exec([self.nowaiter_bin, *args], env=self.env(root), what="bpm (no waiter) " + " ".join(args))

    # ------------------------------------------------------------ the reference bpm (--ref)

    def ref(self, root, *args):
        return self._exec([self.ref_bin, *args], env=self.env(root), what="ref bpm " + " ".join(args))

    def ref_par(self, root, *args):
        self._call([self.ref_bin, *args], env=self.env(root), stderr=None)

    # ------------------------------------------------------------ raw runc (the floor)

    def rc(self, *args):
        return [self.runc, "--root", self.floor_state, *args]

    def floor_bundle(self, name):
        return os.path.join(self.floor, "bundles", name)

    def floor_start_argv(self, fid, name):
        return self.rc("run", "--detach", "--pid-file", os.path.join(self.floor, "run", fid + ".pid"),
                       "--bundle", self.floor_bundle(name), fid)

    def empty_rootfs(self, name):
        rootfs = os.path.join(self.floor_bundle(name), "rootfs")
        shutil.rmtree(rootfs)
        os.mkdir(rootfs, 0o755)

    def floor_start(self, fid, name, concurrent=False):
        """runc run --detach, stdout/stderr appended to log files (opened inside the timing, as bpm does)."""
        t0 = now()
        with open(os.path.join(self.floor, "logs", fid + ".out"), "ab") as out, \
                open(os.path.join(self.floor, "logs", fid + ".err"), "ab") as err:
            if concurrent:
                p = subprocess.run(self.floor_start_argv(fid, name), stdin=DEVNULL, stdout=out, stderr=err)
                if p.returncode != 0:
                    raise BenchError(f"runc run {fid}: exit {p.returncode} (see {err.name})")
            else:
                rc = subprocess.call(self.floor_start_argv(fid, name), stdin=DEVNULL, stdout=out, stderr=err)
                if rc != 0:
                    with open(err.name, "rb") as f:
                        raise BenchError(f"runc run {fid}: exit {rc}: {f.read()[-2000:].decode(errors='replace')}")
        return now() - t0

    def floor_status(self, fid):
        p = subprocess.run(self.rc("state", fid), stdin=DEVNULL, stdout=subprocess.PIPE, stderr=DEVNULL)
        if p.returncode != 0:
            return None
        return json.loads(p.stdout)["status"]

    def floor_stop(self, fid, name):
        """runc kill TERM, poll `runc state` (no sleep) until stopped, runc delete --force; then, untimed,
        the rootfs emptied."""
        t0 = now()
        self._call(self.rc("kill", fid, "TERM"), stderr=None)
        deadline = time.monotonic() + 20
        while True:
            st = self.floor_status(fid)
            if st == "stopped":
                break
            if time.monotonic() > deadline:
                raise BenchError(f"floor container {fid} still {st} 20 s after TERM")
        self._call(self.rc("delete", "--force", fid), stderr=None)
        dt = now() - t0
        self.empty_rootfs(name)
        return dt

    def floor_pid(self, fid):
        return self._exec(self.rc("state", fid), what=f"runc state {fid}")

    def floor_run(self, fid, name, log=None):
        """runc run in the foreground, stdout to /dev/null or appended to LOG (opened inside the timing,
        as bpm opens its log)."""
        t0 = now()
        with open(log, "ab") if log else contextlib.nullcontext(DEVNULL) as out:
            self._exec(self.rc("run", "--bundle", self.floor_bundle(name), fid), stdout=out,
                       what=f"runc run {fid}")
        dt = now() - t0
        self.empty_rootfs(name)
        return dt

    def floor_run_tee(self, fid, name, log):
        """runc run | tee LOG >/dev/null: what bpm run does (output to the caller and a log file) with
        coreutils tee; for information only."""
        t0 = now()
        tee = subprocess.Popen(["tee", "-a", log], stdin=subprocess.PIPE, stdout=DEVNULL)
        rc = subprocess.call(self.rc("run", "--bundle", self.floor_bundle(name), fid), stdin=DEVNULL,
                             stdout=tee.stdin, stderr=DEVNULL)
        tee.stdin.close()
        trc = tee.wait()
        dt = now() - t0
        if rc != 0 or trc != 0:
            raise BenchError(f"runc run {fid} | tee: exit {rc}/{trc}")
        self.empty_rootfs(name)
        return dt

    def floor_list(self, state_root):
        return self._exec([self.runc, "--root", state_root, "list"], what="runc list")

    def capture_bundle(self, root, job, fid):
        """Copies bpm's bundle of JOB (written by a bpm start) for the floor: same config.json except the
        rootfs path (the copy's own empty rootfs), the cgroup's last component (the floor's id), and
        mount sources: bpm pins what it checked under data/bpm/mounts/ID/ for the life of its
        container, so the floor mounts the host directories those pins stood for."""
        src = os.path.join(root, "data", "bpm", "bundles", job, job, "config.json")
        with open(src) as f:
            spec = json.load(f)
        dst = self.floor_bundle(job)
        os.makedirs(os.path.join(dst, "rootfs"), mode=0o755)
        spec["root"]["path"] = os.path.join(dst, "rootfs")
        pins = os.path.join(root, "data", "bpm", "mounts") + "/"
        for m in spec.get("mounts", []):
            if m.get("source", "").startswith(pins):
                d = m["destination"]
                if d in ("/tmp", "/var/tmp"):
                    m["source"] = os.path.join(root, "data", job, "tmp")
                elif d.startswith("/var/vcap/"):
                    m["source"] = root + d[len("/var/vcap"):]
                else:
                    m["source"] = d
        cg = spec.get("linux", {}).get("cgroupsPath")
        if cg:
            spec["linux"]["cgroupsPath"] = cg.rsplit("/", 1)[0] + "/" + fid if "/" in cg else fid
        with open(os.path.join(dst, "config.json"), "w") as f:
            json.dump(spec, f)


def make_bosh_root(root):
    os.makedirs(os.path.join(root, "packages", "bpm", "bin"))
    os.chmod(root, 0o755)
    runc = shutil.which("runc") or "/usr/sbin/runc"
    os.symlink(runc, os.path.join(root, "packages", "bpm", "bin", "runc"))
    tini = os.path.join(root, "packages", "bpm", "bin", "tini")
    shutil.copy("/usr/bin/tini-static", tini)
    os.chmod(tini, 0o755)
    # data/packages too: bpm makes it when missing, the original bpm (a --ref) does not.
    for d in ("jobs", "data", "sys", os.path.join("data", "packages")):
        os.makedirs(os.path.join(root, d), exist_ok=True)


def write_job(root, job, executable, args):
    os.makedirs(os.path.join(root, "jobs", job, "bin"), exist_ok=True)
    os.makedirs(os.path.join(root, "jobs", job, "config"), exist_ok=True)
    with open(os.path.join(root, "jobs", job, "config", "bpm.yml"), "w") as f:
        f.write(f"processes:\n- name: {job}\n  executable: {executable}\n  args: {json.dumps(args)}\n")


def wait_ready(pidfile, timeout=10.0):
    """Waits (untimed: returns 0 ns) until the container's tini has set up its signal handling.

    `runc run --detach` (and so `bpm start`) returns once tini is exec'd, not once it has blocked its
    signals; a TERM in between hits pid 1 of a pid namespace with the default action, and the kernel
    drops it (the container then only stops on the 15 s QUIT escalation). tini ignores SIGTTIN and
    SIGTTOU right after blocking its signals: both bits in SigIgn mean it is ready."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(pidfile) as f:
                pid = f.read().strip()
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("SigIgn:"):
                        if int(line.split()[1], 16) & TINI_READY_SIGIGN == TINI_READY_SIGIGN:
                            return 0
                        break
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"container of {pidfile}: tini not ready after {timeout:.0f} s")
        time.sleep(0.0005)


TINI_READY_SIGIGN = (1 << (signal.SIGTTIN - 1)) | (1 << (signal.SIGTTOU - 1))


# ---------------------------------------------------------------- peak RSS

PTRACE_TRACEME, PTRACE_CONT, PTRACE_SETOPTIONS = 0, 7, 0x4200
PTRACE_O_TRACEEXIT, PTRACE_O_EXITKILL, PTRACE_EVENT_EXIT = 0x40, 0x100000, 6
_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.ptrace.restype = ctypes.c_long


def own_peak_rss_kb(argv, env, stdout_path="/dev/null"):
    """bpm's own VmHWM (KiB), read from /proc at its exit (ptrace exit stop; children are not traced,
    so runc's memory does not count). Returns (kb, exit code)."""
    out = os.open(stdout_path, os.O_WRONLY)
    null = os.open("/dev/null", os.O_RDWR)
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(null, 2)
            _libc.ptrace(PTRACE_TRACEME, 0, None, None)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    os.close(out)
    os.close(null)
    hwm = None
    _, st = os.waitpid(pid, 0)  # the SIGTRAP stop after execve
    if not os.WIFSTOPPED(st):
        raise BenchError(f"ptrace: {argv[0]} did not stop at exec")
    _libc.ptrace(PTRACE_SETOPTIONS, pid, None, ctypes.c_void_p(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL))
    _libc.ptrace(PTRACE_CONT, pid, None, None)
    while True:
        _, st = os.waitpid(pid, 0)
        if os.WIFEXITED(st):
            return hwm, os.WEXITSTATUS(st)
        if os.WIFSIGNALED(st):
            return hwm, 128 + os.WTERMSIG(st)
        sig = os.WSTOPSIG(st)
        if sig == signal.SIGTRAP and (st >> 16) == PTRACE_EVENT_EXIT:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
            sig = 0
        _libc.ptrace(PTRACE_CONT, pid, None, ctypes.c_void_p(sig))


def time_maxrss_kb(argv, env, stdout_path="/dev/null"):
    """/usr/bin/time -f %M: the peak RSS of bpm or of any child it waited for (runc), KiB."""
    with open(stdout_path, "wb") as out:
        p = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=env, stdin=DEVNULL, stdout=out,
                           stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise BenchError(f"{' '.join(argv)}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return int(p.stderr.decode().strip().splitlines()[-1])


# ---------------------------------------------------------------- the waiters' memory

WAIT4 = {"x86_64": 61, "aarch64": 260}.get(os.uname().machine)


def waiter_pid(root, job):
    """The pid of JOB's waiter from sys/run/bpm/JOB/JOB.waiter ("PID STARTTIME"), checked against the
    process's own start time; None when there is none."""
    try:
        with open(os.path.join(root, "sys", "run", "bpm", job, job + ".waiter")) as f:
            pid, started = f.read().split()
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (OSError, ValueError):
        return None
    return int(pid) if stat[stat.rindex(")") + 2:].split()[19] == started else None


def waiter_memory_kb(pid, timeout=10.0):
    """VmRSS, RssAnon, Pss and USS (Private_Clean + Private_Dirty) of a waiter, KiB, once it sleeps in
    wait4: before that it may still hold the pages it needed to start runc."""
    deadline = time.monotonic() + timeout
    while WAIT4 is not None:
        with open(f"/proc/{pid}/syscall") as f:
            if f.read().split()[0] == str(WAIT4):
                break
        if time.monotonic() > deadline:
            raise BenchError(f"waiter {pid} not asleep in wait4 after {timeout:.0f} s")
        time.sleep(0.01)

    def fields(path):
        out = {}
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                if v.strip().endswith(" kB"):
                    out[k] = int(v.split()[0])
        return out
    st, sm = fields(f"/proc/{pid}/status"), fields(f"/proc/{pid}/smaps_rollup")
    return {"VmRSS": st["VmRSS"], "RssAnon": st["RssAnon"], "Pss": sm["Pss"],
            "USS": sm["Private_Clean"] + sm["Private_Dirty"]}


# ---------------------------------------------------------------- the benchmark

def filesystem_of(path):
    """The type and source of the mount holding PATH, and for ext4 whether it keeps a journal:
    without one, the kernel passes over inodes freed in the last minute when it allocates, so
    creating bundle directories slows down as the run deletes them by the hundred."""
    best = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            point = left.split()[4]
            if (path == point or path.startswith(point.rstrip("/") + "/")) and (best is None or len(point) > len(best[0])):
                fstype, source = right.split()[:2]
                best = (point, fstype, source)
    if best is None:
        return "an unknown filesystem"
    point, fstype, source = best
    text = f"{fstype} ({source} at {point})"
    if fstype == "ext4":
        dev = os.path.basename(source)
        journal = any(d.startswith(dev + "-") for d in os.listdir("/proc/fs/jbd2")) if os.path.isdir("/proc/fs/jbd2") else False
        text += ", with a journal" if journal else ", without a journal"
    return text


def progress(text, last):
    """A progress line on a terminal (rewritten in place); only the final state otherwise."""
    if sys.stderr.isatty():
        print(f"\rbench: {text}", end="\n" if last else "", file=sys.stderr, flush=True)
    elif last:
        print(f"bench: {text} done", file=sys.stderr, flush=True)


def busy_cpus(seconds=1.0):
    """CPUs kept busy by other processes while this one sleeps (from /proc/stat)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]  # idle + iowait
        return sum(v[:8]) - idle, sum(v[:8])
    b0, t0 = sample()
    time.sleep(seconds)
    b1, t1 = sample()
    return os.cpu_count() * (b1 - b0) / max(t1 - t0, 1)


class Results:
    def __init__(self):
        self.samples = {}  # (op, contender) -> [ns]

    def add(self, op, who, ns):
        self.samples.setdefault((op, who), []).append(ns)

    def stats(self, op, who):
        s = self.samples.get((op, who), [])
        return (ms(min(s)), ms(statistics.median(s))) if s else (float("nan"), float("nan"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--bpm", required=True)
    ap.add_argument("--runc", required=True)
    ap.add_argument("--iterations", type=int, default=15)
    ap.add_argument("--tp-iterations", type=int, default=5)
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--samples", action="store_true", help="also print every sample (ms)")
    ap.add_argument("--ref", help="another bpm binary (the original) to time beside bpm and the floor")
    a = ap.parse_args()
    if a.iterations < 1 or a.tp_iterations < 1:
        ap.error("iterations must be >= 1")
    try:
        return bench(a)
    except BenchError as e:
        print(f"\nbench: FAILED: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130


def bench(a):
    t_begin = time.monotonic()
    h = Host(a.work, a.bpm, a.runc, a.ref)
    M, L = h.main, h.listroot
    ver = subprocess.run([h.bpm_bin, "version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    rver = subprocess.run([h.runc, "--version"], stdout=subprocess.PIPE, text=True).stdout.splitlines()[0]
    load0 = busy_cpus()
    print(f"bench: bpm {ver} ({a.bpm}), {rver}, {os.cpu_count()} cpus ({load0:.2f} busy with other work), "
          f"{a.iterations} iterations ({a.tp_iterations} for throughput), contenders alternate order each iteration")
    if h.waiter_bin:
        print(f"bench: bpm runs with its {WAITER} ({os.path.join(os.path.dirname(os.path.realpath(a.bpm)), WAITER)});"
              f" 'start (no waiter)' is a copy of bpm without one beside it")
    else:
        print(f"bench: no {WAITER} beside {a.bpm}: bpm starts without one, and what the waiter costs is not measured")
    if h.ref_bin:
        rv = subprocess.run([h.ref_bin, "version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
        print(f"bench: reference bpm {rv} ({a.ref}), in BOSH roots of its own")
    fs = filesystem_of(a.work)
    print(f"bench: work dir {a.work} on {fs}")
    if fs.endswith("without a journal"):
        print("bench: note: on ext4 without a journal every inode allocation passes over the inodes freed in the"
              " last minute, and this run frees hundreds a second: both contenders slow down as it goes on;"
              " --ext4 (with a journal, as on a BOSH VM's ephemeral disk) or --tmpfs measure without that")

    # ---- jobs: s (sleep, exits at once on TERM), t (/bin/true), z (200 MB to stdout), p00..p19 (parallel)
    write_job(M, JS, "/bin/sleep", ["100000"])
    write_job(M, JT, "/bin/true", [])
    write_job(M, JZ, "/usr/bin/head", ["-c", str(TP_BYTES), "/dev/zero"])
    pjobs = [f"bench-p{i:02d}" for i in range(PARALLEL)]
    for j in pjobs:
        write_job(M, j, "/bin/sleep", ["100000"])
    ljobs = [f"bench-l{i:02d}" for i in range(LIST_JOBS)]
    for j in ljobs:
        write_job(L, j, "/bin/sleep", ["100000"])
    if h.ref_bin:
        RM, RL = h.refmain, h.reflist
        write_job(RM, JS, "/bin/sleep", ["100000"])
        write_job(RM, JT, "/bin/true", [])
        for j in ljobs:
            write_job(RL, j, "/bin/sleep", ["100000"])

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=PARALLEL)
    fid = lambda job: "bpm-floor-" + job  # noqa: E731  (bpm-* so the cgroup leftover check sees them)
    # every container id of the run, for scripts/bench's cleanup (it touches no other cgroup)
    with open(os.path.join(a.work, "ids"), "w") as f:
        for j in [JS, JT, JZ] + pjobs + ljobs:
            f.write(f"bpm-{j}\n{fid(j)}\n")

    def par(fn, items):
        t0 = now()
        for f in [pool.submit(fn, x) for x in items]:
            f.result()
        return now() - t0

    # ---- capture bpm's bundles for the floor (one bpm start each), warming both contenders up
    bpm_pidfile = lambda job: os.path.join(M, "sys", "run", "bpm", job, job + ".pid")  # noqa: E731
    floor_pidfile = lambda job: os.path.join(h.floor, "run", fid(job) + ".pid")  # noqa: E731
    for j in (JS, JT, JZ):
        h.bpm(M, "start", j)
        h.capture_bundle(M, j, fid(j))
        if j == JS:
            wait_ready(bpm_pidfile(j))
        h.bpm(M, "stop", j)
    par(lambda j: h.bpm_par(M, "start", j), pjobs)
    for j in pjobs:
        h.capture_bundle(M, j, fid(j))
        wait_ready(bpm_pidfile(j))
    par(lambda j: h.bpm_par(M, "stop", j), pjobs)
    zlog = os.path.join(M, "sys", "log", JZ, JZ + ".stdout.log")
    # Both contenders write a new log file each time: truncating one instead (ext4 then flushes
    # it when it is closed, a heuristic for files rewritten in place) would time the disk.
    os.unlink(zlog)
    # the list root: 50 jobs, 25 running
    par(lambda j: h.bpm_par(L, "start", j), ljobs[:LIST_RUNNING])
    bpm_state = os.path.join(L, "sys", "run", "bpm-runc")
    out = subprocess.run([h.bpm_bin, "list"], env=h.env(L), stdout=subprocess.PIPE, text=True).stdout
    running = sum(1 for line in out.splitlines()[1:] if line.split()[-1:] == ["running"])
    rows = len(out.splitlines()) - 1
    if (rows, running) != (LIST_JOBS, LIST_RUNNING):
        raise BenchError(f"bpm list shows {rows} jobs, {running} running; expected {LIST_JOBS}, {LIST_RUNNING}:\n{out}")
    # warm-up round of the floor
    h.floor_start(fid(JS), JS)
    wait_ready(floor_pidfile(JS))
    h.floor_pid(fid(JS))
    h.floor_stop(fid(JS), JS)
    h.floor_run(fid(JT), JT)
    h.floor_list(bpm_state)
    h.bpm(M, "run", JT)
    h.bpm(L, "list")
    if h.nowaiter_bin:
        h.nowaiter(M, "start", JS)
        wait_ready(bpm_pidfile(JS))
        h.nowaiter(M, "stop", JS)
    ref_pidfile = lambda job: os.path.join(h.refmain, "sys", "run", "bpm", job, job + ".pid")  # noqa: E731
    if h.ref_bin:
        par(lambda j: h.ref_par(RL, "start", j), ljobs[:LIST_RUNNING])
        h.ref(RM, "start", JS)
        wait_ready(ref_pidfile(JS))
        h.ref(RM, "stop", JS)
        h.ref(RM, "run", JT)
        h.ref(RL, "list")

    R = Results()
    pidfile = bpm_pidfile(JS)

    # ---- the timed loop: every operation, both contenders, alternating who goes first
    ops = {
        "start": {
            "bpm": lambda: h.bpm(M, "start", JS),
            "floor": lambda: h.floor_start(fid(JS), JS),
            "after": lambda who: wait_ready(bpm_pidfile(JS) if who == "bpm" else floor_pidfile(JS)),
        },
        "pid": {
            "bpm": lambda: h.bpm(M, "pid", JS),
            "floor": lambda: h.floor_pid(fid(JS)),
        },
        "stop": {
            "bpm": lambda: h.bpm(M, "stop", JS),
            "floor": lambda: h.floor_stop(fid(JS), JS),
        },
        NO_WAITER: {
            "bpm": lambda: h.nowaiter(M, "start", JS),
            "floor": lambda: h.floor_start(fid(JS), JS),
            "after": lambda who: wait_ready(bpm_pidfile(JS)) + h.nowaiter(M, "stop", JS) if who == "bpm"
            else wait_ready(floor_pidfile(JS)) + h.floor_stop(fid(JS), JS),
        },
        "start+stop": {
            "bpm": lambda: h.bpm(M, "start", JS) + wait_ready(bpm_pidfile(JS)) + h.bpm(M, "stop", JS),
            "floor": lambda: h.floor_start(fid(JS), JS) + wait_ready(floor_pidfile(JS)) + h.floor_stop(fid(JS), JS),
        },
        "run /bin/true": {
            "bpm": lambda: h.bpm(M, "run", JT),
            "floor": lambda: h.floor_run(fid(JT), JT),
        },
        f"list ({LIST_JOBS} jobs, {LIST_RUNNING} up)": {
            "bpm": lambda: h.bpm(L, "list"),
            "floor": lambda: h.floor_list(bpm_state),
        },
        f"{PARALLEL} starts in parallel": {
            "bpm": lambda: par(lambda j: h.bpm_par(M, "start", j), pjobs),
            "floor": lambda: par(lambda j: h.floor_start(fid(j), j, concurrent=True), pjobs),
            "after": lambda who: [wait_ready(bpm_pidfile(j) if who == "bpm" else floor_pidfile(j)) for j in pjobs],
        },
        f"{PARALLEL} stops in parallel": {
            "bpm": lambda: par(lambda j: h.bpm_par(M, "stop", j), pjobs),
            "floor": lambda: par(lambda j: h.floor_stop(fid(j), j), pjobs),
        },
    }
    if not h.nowaiter_bin:
        del ops[NO_WAITER]
    if h.ref_bin:
        ops["start"]["ref"] = lambda: h.ref(RM, "start", JS)
        ops["pid"]["ref"] = lambda: h.ref(RM, "pid", JS)
        ops["stop"]["ref"] = lambda: h.ref(RM, "stop", JS)
        ops["start+stop"]["ref"] = lambda: h.ref(RM, "start", JS) + wait_ready(ref_pidfile(JS)) + h.ref(RM, "stop", JS)
        ops["run /bin/true"]["ref"] = lambda: h.ref(RM, "run", JT)
        ops[f"list ({LIST_JOBS} jobs, {LIST_RUNNING} up)"]["ref"] = lambda: h.ref(RL, "list")
        ops["start"]["after"] = lambda who: wait_ready(
            {"bpm": bpm_pidfile(JS), "floor": floor_pidfile(JS), "ref": ref_pidfile(JS)}[who])
    contenders = ["bpm", "floor"] + (["ref"] if h.ref_bin else [])
    for i in range(a.iterations):
        # Every contender goes first, second, ... in turn.
        order = contenders[i % len(contenders):] + contenders[:i % len(contenders)]
        for op, fns in ops.items():
            for who in order:
                if who not in fns:
                    continue
                R.add(op, who, fns[who]())
                if "after" in fns:
                    fns["after"](who)
                # let the kernel finish tearing down cgroups and namespaces of the last operation, so
                # that its deferred work does not land on the next sample
                time.sleep(SETTLE_PARALLEL if "parallel" in op else SETTLE)
            if op == "start" and i == 0:  # sanity: both really run
                if not os.path.exists(pidfile) or h.floor_status(fid(JS)) != "running":
                    raise BenchError("after start: bpm pidfile or floor container missing")
                if h.waiter_bin and waiter_pid(M, JS) is None:
                    raise BenchError(f"after start: no live {WAITER} for {JS}: bpm did not start one")
            if op == NO_WAITER and i == 0:
                with open(os.path.join(M, "sys", "log", JS, "bpm.log")) as f:
                    if "no-waiter" not in f.read():
                        raise BenchError(f"{NO_WAITER}: bpm.log does not say no-waiter: the copy found a waiter")
        progress(f"iteration {i + 1}/{a.iterations}", i + 1 == a.iterations)

    floorlog = os.path.join(h.floor, "logs", "z.stdout.log")
    teelog = os.path.join(h.floor, "logs", "tee.log")
    # ---- run throughput: 200 MB to stdout; the job's log file is the sink of both contenders
    for i in range(a.tp_iterations):
        order = ("bpm", "floor") if i % 2 == 0 else ("floor", "bpm")
        for who in order:
            if who == "bpm":
                R.add("run throughput", "bpm", h.bpm(M, "run", JZ))
                size = os.path.getsize(zlog)
                if size != TP_BYTES:
                    raise BenchError(f"bpm run z logged {size} bytes, expected {TP_BYTES}")
                os.unlink(zlog)
            else:
                R.add("run throughput", "floor", h.floor_run(fid(JZ), JZ, floorlog))
                size = os.path.getsize(floorlog)
                if size != TP_BYTES:
                    raise BenchError(f"runc run z logged {size} bytes, expected {TP_BYTES}")
                os.unlink(floorlog)
                R.add("run throughput", "null", h.floor_run(fid(JZ), JZ))
                R.add("run throughput", "tee", h.floor_run_tee(fid(JZ), JZ, teelog))
                os.unlink(teelog)
        progress(f"throughput {i + 1}/{a.tp_iterations}", i + 1 == a.tp_iterations)

    # ---- bpm's peak RSS (own VmHWM at exit via ptrace; and /usr/bin/time %M, which includes runc)
    rss = {}
    env_m, env_l = h.env(M), h.env(L)
    for label, argv, env, after in (
        ("start", [h.bpm_bin, "start", JS], env_m, lambda: wait_ready(bpm_pidfile(JS)) + h.bpm(M, "stop", JS)),
        ("list", [h.bpm_bin, "list"], env_l, None),
        ("run /bin/true", [h.bpm_bin, "run", JT], env_m, None),
        ("run 200 MB", [h.bpm_bin, "run", JZ], env_m, lambda: os.unlink(zlog)),
    ):
        own, tm = [], []
        for _ in range(3):
            kb, code = own_peak_rss_kb(argv, env)
            if code != 0:
                raise BenchError(f"{' '.join(argv[1:])} under ptrace: exit {code}")
            own.append(kb or 0)
            if after:
                after()
            tm.append(time_maxrss_kb(argv, env))
            if after:
                after()
        rss[label] = (max(own), max(tm))

    # ---- the waiters of the list root's running jobs
    waiters = []
    if h.waiter_bin:
        for j in ljobs[:LIST_RUNNING]:
            pid = waiter_pid(L, j)
            if pid is None:
                raise BenchError(f"running job {j} has no live {WAITER}")
            waiters.append(waiter_memory_kb(pid))

    # ---- stop what is still running (the list root), the floor's leftovers
    par(lambda j: h.bpm_par(L, "stop", j), ljobs[:LIST_RUNNING])
    if h.ref_bin:
        par(lambda j: h.ref_par(RL, "stop", j), ljobs[:LIST_RUNNING])
    pool.shutdown()

    # ---- report
    print()
    name_w = max(len(op) for op in list(ops) + ["run throughput"])
    hdr = f"{'operation':<{name_w}}  {'bpm min':>8} {'bpm med':>8}  {'runc min':>8} {'runc med':>8}  {'bpm/runc':>8}"
    if h.ref_bin:
        hdr += f"  {'ref min':>8} {'ref med':>8}  {'ref/runc':>8} {'bpm/ref':>8}"
    print(hdr + "   (ms; floor = raw runc on the same bundle" + ("; ref = " + a.ref if h.ref_bin else "") + ")")
    print("-" * len(hdr))
    med, ref_med = {}, {}
    for op in list(ops) + ["run throughput"]:
        bmin, bmed = R.stats(op, "bpm")
        fmin, fmed = R.stats(op, "floor")
        med[op] = (bmed, fmed)
        line = f"{op:<{name_w}}  {bmin:8.1f} {bmed:8.1f}  {fmin:8.1f} {fmed:8.1f}  {bmed / fmed:7.2f}x"
        if h.ref_bin and (op, "ref") in R.samples:
            rmin, rmed = R.stats(op, "ref")
            ref_med[op] = rmed
            line += f"  {rmin:8.1f} {rmed:8.1f}  {rmed / fmed:7.2f}x {bmed / rmed:7.2f}x"
        print(line)
    if a.samples:
        print("\nsamples (ms, in iteration order):")
        for op in list(ops) + ["run throughput"]:
            for who in contenders:
                if (op, who) not in R.samples:
                    continue
                print(f"  {op:<{name_w}} {who:<5} " + " ".join(f"{ms(x):.1f}" for x in R.samples[(op, who)]))
    mb = TP_BYTES / 1e6
    b_tp, f_tp = mb / (med["run throughput"][0] / 1e3), mb / (med["run throughput"][1] / 1e3)
    t_tp = mb / (statistics.median(R.samples[("run throughput", "tee")]) / 1e9)
    n_tp = mb / (statistics.median(R.samples[("run throughput", "null")]) / 1e9)
    b_net = mb / max((med["run throughput"][0] - med["run /bin/true"][0]) / 1e3, 1e-9)
    f_net = mb / max((med["run throughput"][1] - med["run /bin/true"][1]) / 1e3, 1e-9)
    print(f"\nrun throughput ({mb:.0f} MB to stdout, into the job's log file; bpm's stdout -> /dev/null):"
          f" bpm {b_tp:.0f} MB/s, runc {f_tp:.0f} MB/s ({b_tp / f_tp:.0%});"
          f" net of container start-up (run /bin/true median subtracted): bpm {b_net:.0f} MB/s, runc {f_net:.0f} MB/s;"
          f" for reference, runc run -> /dev/null (no log): {n_tp:.0f} MB/s,"
          f" `runc run | tee -a LOG >/dev/null`: {t_tp:.0f} MB/s")
    print("\nbpm peak RSS (MiB)      own (VmHWM at exit)   with children (/usr/bin/time %M, includes runc)")
    for label, (own, tm) in rss.items():
        print(f"  {label:<20}  {own / 1024:18.1f}   {tm / 1024:10.1f}")
    if h.waiter_bin:
        print(f"  (start: runc is the {WAITER}'s child, not bpm's: %M counts bpm alone)")
    peak_own = max(v[0] for v in rss.values())

    if h.waiter_bin:
        m = {k: statistics.median(w[k] for w in waiters) for k in ("VmRSS", "Pss", "USS", "RssAnon")}
        print(f"\n{WAITER} memory per running job (KiB, median of {len(waiters)}, each asleep in wait4):"
              f" VmRSS {m['VmRSS']:.0f}, PSS {m['Pss']:.0f}, USS {m['USS']:.0f} (Private_Clean+Private_Dirty),"
              f" RssAnon {m['RssAnon']:.0f}; all {len(waiters)}: PSS {sum(w['Pss'] for w in waiters) / 1024:.1f} MiB")
        w_b, n_b, f_s = med["start"][0], med[NO_WAITER][0], med["start"][1]
        print(f"start with the waiter vs without (medians): {w_b:.1f} ms vs {n_b:.1f} ms ({w_b - n_b:+.1f} ms,"
              f" {w_b / n_b:.2f}x); raw runc start {f_s:.1f} ms: with {w_b / f_s:.2f}x, without {n_b / f_s:.2f}x")

    # ---- targets (issue 4)
    s_b, s_f = med["start"]
    r_b, r_f = med["run /bin/true"]
    st_b, st_f = med["stop"]
    l_b, l_f = med[f"list ({LIST_JOBS} jobs, {LIST_RUNNING} up)"]
    targets = [
        ("start <= 1.15x raw runc", s_b <= 1.15 * s_f, f"{s_b:.1f} ms vs {s_f:.1f} ms = {s_b / s_f:.2f}x"),
        ("run <= 1.15x raw runc", r_b <= 1.15 * r_f, f"{r_b:.1f} ms vs {r_f:.1f} ms = {r_b / r_f:.2f}x"),
        ("stop <= raw kill+delete + 30 ms", st_b <= st_f + 30, f"{st_b:.1f} ms vs {st_f:.1f} ms ({st_b - st_f:+.1f} ms)"),
        (f"list of {LIST_JOBS} jobs < 2x one runc list", l_b < 2 * l_f, f"{l_b:.1f} ms vs {l_f:.1f} ms = {l_b / l_f:.2f}x"),
        ("bpm peak RSS < 30 MiB", peak_own < 30 * 1024, f"{peak_own / 1024:.1f} MiB (start, list, run)"),
        ("run throughput >= 80% of runc run to the log", b_tp >= 0.8 * f_tp, f"{b_tp:.0f} vs {f_tp:.0f} MB/s = {b_tp / f_tp:.0%}"),
    ]
    for op in ("start", "run /bin/true"):
        if op in ref_med:
            b, r = med[op][0], ref_med[op]
            targets.append((f"{op} below the reference's median", b < r, f"{b:.1f} ms vs {r:.1f} ms ({b - r:+.1f} ms)"))
    print("\ntargets:")
    tw = max(len(t[0]) for t in targets)
    for name, ok, detail in targets:
        print(f"  {'PASS' if ok else 'FAIL'}  {name:<{tw}}  {detail}")
    load1 = busy_cpus()
    if max(load0, load1) > 0.25 * os.cpu_count():
        print(f"\nbench: WARNING: the machine was busy with other work ({load0:.1f} cpus busy before the run,"
              f" {load1:.1f} after, of {os.cpu_count()}): the figures are noisy, and bpm, which does more CPU work"
              f" per operation than raw runc, suffers more from contention")
    missed = sum(1 for t in targets if not t[1])
    print(f"\nbench: {len(targets) - missed}/{len(targets)} targets met, {time.monotonic() - t_begin:.0f} s")
    return 1 if (missed and a.strict) else 0


if __name__ == "__main__":
    sys.exit(main())
