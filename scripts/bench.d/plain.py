#!/usr/bin/env python3
"""bpm start/stop/run against raw runc on the same bundle, in the plainest form: interleaved, medians.

Unlike bench.py, the floor does no more than an operator timing runc by hand would: output to
/dev/null, no log files, and (by default) the bundle's rootfs is left as runc leaves it, so runc
finds the mount points it made on the first run and does not make them again; bpm removes its
bundle at every stop and run (the contract says so) and its runc makes them every time.
--fresh-rootfs empties the floor's rootfs before every sample (untimed), as bench.py does.

Usage: plain.py --work DIR --bpm BPM --runc RUNC [--iterations N] [--fresh-rootfs] [--samples]
(scripts/bench --plain drives it and cleans up.)
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

DEVNULL = subprocess.DEVNULL


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--bpm", required=True)
    ap.add_argument("--runc", required=True)
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--fresh-rootfs", action="store_true")
    ap.add_argument("--samples", action="store_true")
    a = ap.parse_args()
    h = bench.Host(a.work, a.bpm, a.runc)
    M = h.main
    JS, JT = bench.JS, bench.JT
    bench.write_job(M, JS, "/bin/sleep", ["100000"])
    bench.write_job(M, JT, "/bin/true", [])
    fid = lambda job: "bpm-floor-" + job  # noqa: E731
    with open(os.path.join(a.work, "ids"), "w") as f:
        for j in (JS, JT):
            f.write(f"bpm-{j}\n{fid(j)}\n")
    env = h.env(M)
    timed = h._exec  # stderr to a file: a detached container keeps a pipe open
    for j in (JS, JT):
        h.bpm(M, "start", j)
        h.capture_bundle(M, j, fid(j))
        if j == JS:
            bench.wait_ready(os.path.join(M, "sys", "run", "bpm", j, j + ".pid"))
        h.bpm(M, "stop", j)
    bpm_pid = os.path.join(M, "sys", "run", "bpm", JS, JS + ".pid")
    floor_pid = os.path.join(h.floor, "run", fid(JS) + ".pid")

    def fresh(job):
        if a.fresh_rootfs:
            h.empty_rootfs(job)

    def floor_stop():
        t0 = time.perf_counter_ns()
        subprocess.run(h.rc("kill", fid(JS), "TERM"), stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, check=True)
        while h.floor_status(fid(JS)) != "stopped":
            pass
        subprocess.run(h.rc("delete", "--force", fid(JS)), stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL, check=True)
        return time.perf_counter_ns() - t0

    ops = {
        "start": (lambda: timed(h.bpm_argv("start", JS), env),
                  lambda: timed(h.rc("run", "--detach", "--pid-file", floor_pid, "--bundle", h.floor_bundle(JS), fid(JS)))),
        "stop": (lambda: timed(h.bpm_argv("stop", JS), env), floor_stop),
        "run /bin/true": (lambda: timed(h.bpm_argv("run", JT), env),
                          lambda: timed(h.rc("run", "--bundle", h.floor_bundle(JT), fid(JT)))),
    }
    after = {"start": lambda who: bench.wait_ready(bpm_pid if who == "bpm" else floor_pid),
             "stop": lambda who: fresh(JS) if who == "floor" else None,
             "run /bin/true": lambda who: fresh(JT) if who == "floor" else None}
    for _ in range(2):  # warm-up
        for op, (b, f) in ops.items():
            b(); after[op]("bpm"); f(); after[op]("floor")
    samples = {(op, w): [] for op in ops for w in ("bpm", "floor")}
    for i in range(a.iterations):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for op, fns in ops.items():
            for k in order:
                who = ("bpm", "floor")[k]
                samples[(op, who)].append(fns[k]())
                after[op](who)
                time.sleep(bench.SETTLE)
    print(f"plain: {a.iterations} iterations, interleaved; floor rootfs "
          f"{'emptied before every sample (untimed)' if a.fresh_rootfs else 'kept between samples'}; medians in ms")
    print(f"{'operation':<14} {'bpm':>7} {'runc':>7} {'bpm/runc':>9} {'diff':>7}")
    for op in ops:
        b = statistics.median(samples[(op, 'bpm')]) / 1e6
        f = statistics.median(samples[(op, 'floor')]) / 1e6
        print(f"{op:<14} {b:7.1f} {f:7.1f} {b / f:8.2f}x {b - f:+7.1f}")
    if a.samples:
        for k, v in samples.items():
            print(f"  {k[0]:<14} {k[1]:<5} " + " ".join(f"{x / 1e6:.1f}" for x in v))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except bench.BenchError as e:
        print(f"plain: FAILED: {e}", file=sys.stderr)
        sys.exit(2)
