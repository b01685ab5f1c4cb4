#!/bin/bash
# bpm's guest tests: run as root in the VM scripts/vm-test boots (systemd as pid 1), with the
# NativeAOT binary at $BPM, against Debian's runc, in a throwaway BOSH root under /tmp laid out
# like tests/Bpm.IntegrationTests/BoshRoot.cs. Prints `ok NAME` or `FAIL NAME: why` per test and
# `N passed, N failed` last; exits 1 when a test failed.
# Every container operation costs tens of seconds under TCG: the tests share containers where
# they can, and wait on conditions with generous deadlines.
set -u

BPM="${BPM:-/usr/local/bin/bpm}"
LOGS="${BPM_VM_LOGS:-}"
RUNC=/usr/sbin/runc
TINI=/usr/bin/tini-static
DEADLINE=180 # seconds for one bpm command
WAIT=120     # seconds for one awaited condition

root="$(mktemp -d /tmp/bpm-vm.XXXXXX)"
chmod 755 "$root"
mkdir -p "$root/packages/bpm/bin" "$root/jobs" "$root/data" "$root/sys"
ln -s "$RUNC" "$root/packages/bpm/bin/runc"
install -m 0755 "$TINI" "$root/packages/bpm/bin/tini"
export BPM_BOSH_ROOT="$root"
runc_root="$root/sys/run/bpm-runc"

passed=0 failed=0

# ---------------------------------------------------------------- helpers

bpm() { timeout -k 10 "$DEADLINE" "$BPM" "$@"; }

# bpm with its stdout, stderr and status in $out, $err, $rc.
bpmx() {
  local ef
  ef="$(mktemp)"
  out="$(bpm "$@" 2>"$ef")"
  rc=$?
  err="$(cat "$ef")"
  rm -f "$ef"
}

write_job() { # JOB YAML
  mkdir -p "$root/jobs/$1/bin" "$root/jobs/$1/config"
  printf '%s\n' "$2" >"$root/jobs/$1/config/bpm.yml"
}

# A job of one process running `/bin/sh -c SCRIPT`, with EXTRA yaml lines for the process.
write_sh_job() { # JOB SCRIPT [EXTRA]
  local extra=""
  [[ -n ${3:-} ]] && extra="$(sed 's/^/  /' <<<"$3")"$'\n'
  write_job "$1" "processes:
- name: $1
  executable: /bin/sh
${extra}  args:
  - -c
  - |
$(sed 's/^/    /' <<<"$2")"
}

# Polls CMD... every 0.2 s until it succeeds; fails after $WAIT seconds.
wait_for() {
  local end=$((SECONDS + WAIT))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || return 1
    sleep 0.2
  done
}

runc_status() { "$RUNC" --root "$runc_root" state "bpm-$1" 2>/dev/null | jq -r .status; }
runc_is() { [[ $(runc_status "$1") == "$2" ]]; }
list_row() { bpm list | awk -v n="$1" '$1 == n'; }
bpm_log() { cat "$root/sys/log/$1/bpm.log" 2>/dev/null; }
recorded() { [[ $(bpm status "$1" --json | jq -r .exited_at) != null ]]; } # JOB: its waiter wrote the end
alive() { [[ -d /proc/$1 ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

start_running() { # JOB: starts it and waits for runc to call it running; the pid in $pid
  bpmx start "$1"
  [[ $rc == 0 ]] || { echo "bpm start $1: exit $rc: $err"; return 1; }
  wait_for runc_is "$1" running || { echo "container of $1 not running (runc: $(runc_status "$1"))"; return 1; }
  pid="$(cat "$root/sys/run/bpm/$1/$1.pid" 2>/dev/null)"
  [[ $pid =~ ^[0-9]+$ ]] || { echo "no pidfile for $1"; return 1; }
}

# The cgroup directory (v2) or the CONTROLLER's directory (v1) PID is in.
cgroup_dir() { # PID [CONTROLLER]
  if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
    echo "/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' "/proc/$1/cgroup")"
  else
    echo "/sys/fs/cgroup/$2$(awk -F: -v c="$2" '{n = split($2, cs, ","); for (i = 1; i <= n; i++) if (cs[i] == c) print $3}' "/proc/$1/cgroup")"
  fi
}
cgroup_v2() { [[ -f /sys/fs/cgroup/cgroup.controllers ]]; }

# Runs test NAME (a function); its last output line says why when it fails.
t() {
  local name="$1" output status tmp
  # BPM_VM_ONLY="NAME..." runs just those (while working on them).
  if [[ -n ${BPM_VM_ONLY:-} && " $BPM_VM_ONLY " != *" $name "* ]]; then return; fi
  tmp="$(mktemp)"
  echo "# $name ($(cut -d' ' -f1 /proc/uptime) s after boot)"
  # Not in a subshell: a test may leave state (a started job) for the next.
  "$@" >"$tmp" 2>&1
  status=$?
  output="$(cat "$tmp")"
  rm -f "$tmp"
  if ((status == 0)); then
    echo "ok $name${output:+ ($(tail -n1 <<<"$output"))}"
    passed=$((passed + 1))
  else
    echo "FAIL $name: $(tail -n1 <<<"$output" | tr -s ' ')"
    if [[ $(wc -l <<<"$output") -gt 1 ]]; then
      head -n -1 <<<"$output" | sed 's/^/    /'
    fi
    failed=$((failed + 1))
  fi
}

cleanup() {
  local job
  for job in $(ls "$root/jobs" 2>/dev/null); do
    bpm stop "$job" >/dev/null 2>&1 || true
  done
  if [[ -d $runc_root ]]; then
    for id in $("$RUNC" --root "$runc_root" list -q 2>/dev/null); do
      "$RUNC" --root "$runc_root" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  if [[ -n $LOGS && -d $root/sys/log ]]; then
    cp -r "$root/sys/log/." "$LOGS/" 2>/dev/null || true
  fi
  local m
  for m in $(awk -v r="$root" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

# ---------------------------------------------------------------- tests

start_pid_list_stop() {
  write_job sleeper 'processes:
- name: sleeper
  executable: /bin/sleep
  args: ["1000"]'
  start_running sleeper || return 1
  bpmx pid sleeper
  [[ $rc == 0 && $out == "$pid" ]] || { echo "bpm pid: exit $rc, '$out', pidfile $pid"; return 1; }
  alive "$pid" || { echo "pid $pid is not a live process"; return 1; }
  [[ $(cat "/proc/$pid/comm") == tini* ]] || { echo "pid $pid is $(cat "/proc/$pid/comm"), not tini"; return 1; }
  local row
  row="$(list_row sleeper)"
  [[ $(awk '{print $2, $3}' <<<"$row") == "$pid running" ]] || { echo "bpm list row: '$row'"; return 1; }
  local t0=$SECONDS
  bpmx stop sleeper
  local took=$((SECONDS - t0))
  [[ $rc == 0 ]] || { echo "bpm stop: exit $rc: $err"; return 1; }
  ! alive "$pid" || { echo "pid $pid still alive after stop"; return 1; }
  bpm_log sleeper | grep -q '"bpm.stop.process-exited"' || { echo "bpm.log has no bpm.stop.process-exited (the pidfd wait did not see the exit)"; return 1; }
  ! bpm_log sleeper | grep -q 'sending-sigquit' || { echo "stop escalated to QUIT: TERM went unnoticed for 15 s"; return 1; }
  row="$(list_row sleeper)"
  [[ $(awk '{print $2, $3}' <<<"$row") == "- stopped" ]] || { echo "bpm list after stop: '$row'"; return 1; }
  [[ -z $("$RUNC" --root "$runc_root" list -q 2>/dev/null) ]] || { echo "runc still lists $("$RUNC" --root "$runc_root" list -q)"; return 1; }
  echo "stop took ${took} s"
}

# runc returns before tini handles signals; a TERM sent then would be dropped and stop would wait
# out the 15 s and escalate. Under emulation that window is wide.
stop_right_after_start() {
  write_job quick 'processes:
- name: quick
  executable: /bin/sleep
  args: ["1000"]'
  bpmx start quick
  [[ $rc == 0 ]] || { echo "bpm start quick: exit $rc: $err"; return 1; }
  bpmx stop quick
  [[ $rc == 0 ]] || { echo "bpm stop quick: exit $rc: $err"; return 1; }
  bpm_log quick | grep -q '"bpm.stop.process-exited"' || { echo "bpm.log has no bpm.stop.process-exited: $(bpm_log quick | grep -o '"message":"[^"]*"' | tr '\n' ' ')"; return 1; }
  ! bpm_log quick | grep -q 'sending-sigquit' || { echo "stop escalated to QUIT: the TERM was lost"; return 1; }
}

run_exit_status() {
  write_sh_job runner 'echo run-out; echo run-err >&2; exit 3'
  bpmx run runner
  [[ $rc == 3 ]] || { echo "bpm run: exit $rc, want 3: $err"; return 1; }
  [[ $out == *run-out* ]] || { echo "run's stdout lacks the process's output: '$out'"; return 1; }
  [[ $err == *"exit status 3"* ]] || { echo "run's stderr lacks 'exit status 3': '$err'"; return 1; }
  grep -q run-out "$root/sys/log/runner/runner.stdout.log" || { echo "stdout log lacks the output"; return 1; }
  grep -q run-err "$root/sys/log/runner/runner.stderr.log" || { echo "stderr log lacks the output"; return 1; }
}

# One container for status, logs and limits: each start costs tens of seconds under TCG.
limited_yaml='limits: {memory: 64M, processes: 50, open_files: 4321}'
limited_started=""
ensure_limited() {
  if [[ -z $limited_started ]]; then
    write_sh_job limited 'echo hello-stdout; echo hello-stderr >&2; exec sleep 1000' "$limited_yaml"
    start_running limited >/dev/null || { echo "could not start job limited"; return 1; }
    limited_started=1
  fi
  pid="$(cat "$root/sys/run/bpm/limited/limited.pid")"
}

status_figures() {
  ensure_limited || return 1
  bpmx status limited --json
  [[ $rc == 0 ]] || { echo "bpm status --json: exit $rc: $err"; return 1; }
  local s="$out" missing=() f
  [[ $(jq -r .state <<<"$s") == running ]] || { echo "state $(jq -r .state <<<"$s"): $s"; return 1; }
  [[ $(jq -r .pid <<<"$s") == "$pid" ]] || { echo "pid $(jq -r .pid <<<"$s"), want $pid"; return 1; }
  for f in memory_bytes memory_peak_bytes memory_limit_bytes pids pids_limit cpu_seconds; do
    [[ $(jq -r ".$f" <<<"$s") != null ]] || missing+=("$f")
  done
  ((${#missing[@]} == 0)) || { echo "status lacks ${missing[*]}: $(jq -c . <<<"$s")"; return 1; }
  [[ $(jq -r .memory_limit_bytes <<<"$s") == 67108864 ]] || { echo "memory_limit_bytes $(jq -r .memory_limit_bytes <<<"$s"), want 67108864"; return 1; }
  [[ $(jq -r .pids_limit <<<"$s") == 50 ]] || { echo "pids_limit $(jq -r .pids_limit <<<"$s"), want 50"; return 1; }
  (($(jq -r .memory_bytes <<<"$s") > 0 && $(jq -r .pids <<<"$s") >= 2)) || { echo "implausible figures: $(jq -c . <<<"$s")"; return 1; }
  bpmx status limited
  [[ $rc == 0 && $out == *running* ]] || { echo "bpm status: exit $rc: $out $err"; return 1; }
  echo "$(jq -c '{memory_bytes, memory_peak_bytes, pids, cpu_seconds}' <<<"$s")"
}

logs() {
  ensure_limited || return 1
  wait_for grep -q hello-stdout "$root/sys/log/limited/limited.stdout.log" || { echo "stdout log never got the output"; return 1; }
  bpmx logs limited
  [[ $rc == 0 && $out == *hello-stdout* ]] || { echo "bpm logs: exit $rc: '$out' $err"; return 1; }
  wait_for grep -q hello-stderr "$root/sys/log/limited/limited.stderr.log" || { echo "stderr log never got the output"; return 1; }
  bpmx logs limited -e
  [[ $rc == 0 && $out == *hello-stderr* ]] || { echo "bpm logs -e: exit $rc: '$out' $err"; return 1; }
}

limit_memory() {
  ensure_limited || return 1
  local dir v
  if cgroup_v2; then
    dir="$(cgroup_dir "$pid")"
    v="$(cat "$dir/memory.max" 2>/dev/null)"
    [[ $v == 67108864 ]] || { echo "$dir/memory.max is '$v', want 67108864"; return 1; }
    if [[ -f $dir/memory.swap.max ]]; then
      echo "memory.swap.max $(cat "$dir/memory.swap.max") in $dir"
    else
      echo "no memory.swap.max in $dir"
    fi
  else
    dir="$(cgroup_dir "$pid" memory)"
    v="$(cat "$dir/memory.limit_in_bytes" 2>/dev/null)"
    [[ $v == 67108864 ]] || { echo "$dir/memory.limit_in_bytes is '$v', want 67108864"; return 1; }
    if [[ -f $dir/memory.memsw.limit_in_bytes ]]; then
      v="$(cat "$dir/memory.memsw.limit_in_bytes")"
      [[ $v == 67108864 ]] || { echo "$dir/memory.memsw.limit_in_bytes is '$v', want 67108864"; return 1; }
      echo "memsw 67108864 in $dir"
    else
      echo "no memory.memsw.limit_in_bytes in $dir"
    fi
  fi
}

limit_pids() {
  ensure_limited || return 1
  local dir v
  dir="$(cgroup_dir "$pid" pids)"
  v="$(cat "$dir/pids.max" 2>/dev/null)"
  [[ $v == 50 ]] || { echo "$dir/pids.max is '$v', want 50"; return 1; }
  echo "$dir"
}

limit_open_files() {
  ensure_limited || return 1
  local child line
  # The job's own process (sleep), the child of tini.
  child="$(cat "/proc/$pid/task/$pid/children" | awk '{print $1}')"
  line="$(grep '^Max open files' "/proc/${child:-$pid}/limits")"
  [[ $(awk '{print $4, $5}' <<<"$line") == "4321 4321" ]] || { echo "pid ${child:-$pid}: '$line', want 4321 4321"; return 1; }
}

# Under systemd, runc gets --systemd-cgroup and the contract's cgroupsPath SLICE:UNIQUEbpm:ID,
# derived from the caller's own v2 cgroup (the `0::PATH` line): bpm runs in this test's cgroup.
cgroups_path() {
  ensure_limited || return 1
  local got want own slice unique
  got="$(jq -r .linux.cgroupsPath "$root/data/bpm/bundles/limited/limited/config.json")"
  own="$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)"
  if [[ ! -d /run/systemd/system ]]; then
    [[ $got == /*/bpm-limited || $got == /bpm-limited ]] || { echo "cgroupsPath '$got', want PARENT/bpm-limited"; return 1; }
    want="$got"
  else
    slice="$(tr '/' '\n' <<<"$own" | grep -m1 '\.slice$')"
    unique="$(tr '/' '\n' <<<"$own" | grep -A1 -m1 -x -F "${slice:-none}" | sed -n 2p | sed 's/[^A-Za-z0-9_-]/-/g')"
    # A BOSH root other than /var/vcap names its containers' cgroups apart: ID.r and 12 hex digits
    # of a hash of the root's path (the integration tests check the hash itself).
    local name=bpm-limited
    [[ $root == /var/vcap ]] || name+='.r[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]'
    want="${slice:-system.slice}:${unique:+$unique-}bpm:$name"
  fi
  # shellcheck disable=SC2053 # want is a pattern
  [[ $got == $want ]] || { echo "cgroupsPath '$got', want '$want' (own cgroup '$own'; cgroup of the process: $(cut -d: -f3 "/proc/$pid/cgroup" | sort -u | tr '\n' ' '))"; return 1; }
  echo "$got"
}

oom_kill() {
  # bash grows a buffer for the command substitution until the 32M limit kills it.
  write_sh_job hog 'exec /bin/bash -c '\''x=$(head -c 300000000 /dev/zero | tr "\0" a); echo survived'\''' 'limits: {memory: 32M}'
  bpmx start hog
  [[ $rc == 0 ]] || { echo "bpm start hog: exit $rc: $err"; return 1; }
  wait_for runc_is hog stopped || { echo "hog never stopped (runc: $(runc_status hog))"; return 1; }
  wait_for recorded hog || { echo "the end of hog was never recorded: $(bpm_log hog | tail -n2 | tr '\n' ' ')"; return 1; }
  bpmx status hog --json
  [[ $rc == 0 ]] || { echo "bpm status --json: exit $rc: $err"; return 1; }
  local s="$out"
  [[ $(jq -r .state <<<"$s") == failed ]] || { echo "state $(jq -r .state <<<"$s"), want failed: $(jq -c . <<<"$s")"; return 1; }
  [[ $(jq -r '.oom_kills // 0' <<<"$s") -ge 1 ]] || { echo "oom_kills $(jq -r .oom_kills <<<"$s"): $(jq -c . <<<"$s"); kernel: $(dmesg | grep -i 'killed process' | tail -n1)"; return 1; }
  [[ $(jq -r .exit_reason <<<"$s") == "killed by the memory limit" ]] || { echo "exit_reason '$(jq -r .exit_reason <<<"$s")'"; return 1; }
  # The waiter's record: tini ended as its child did, killed by the kernel (128 + KILL); under
  # systemd the container's cgroup may be gone by then, and the kill is found in the kernel's log.
  [[ $(jq -c '[.oom_killed, .exit_signal, .stopped_by_bpm]' <<<"$s") == '[true,"KILL",false]' ]] ||
    { echo "recorded end: $(jq -c '{oom_killed, exit_code, exit_signal, stopped_by_bpm}' <<<"$s")"; return 1; }
  bpm_log hog | grep -q '"bpm.status.oom-killed"' || { echo "bpm.log has no bpm.status.oom-killed: $(bpm_log hog | tail -n3 | tr '\n' ' ')"; return 1; }
  bpmx stop hog
  [[ $rc == 0 ]] || { echo "bpm stop hog: exit $rc: $err"; return 1; }
}

recover_lost_state() {
  write_job lost 'processes:
- name: lost
  executable: /bin/sleep
  args: ["1000"]'
  start_running lost || return 1
  local old="$pid"
  rm -rf "${runc_root:?}/bpm-lost"
  bpmx start lost
  [[ $rc == 0 ]] || { echo "bpm start after runc's state went: exit $rc: $err"; return 1; }
  wait_for runc_is lost running || { echo "no running container after the second start (runc: $(runc_status lost))"; return 1; }
  local new
  new="$(cat "$root/sys/run/bpm/lost/lost.pid")"
  [[ $new != "$old" ]] || { echo "pidfile still names the old pid $old"; return 1; }
  wait_for eval '! alive '"$old" || { echo "the old process $old was not reaped: $(grep State "/proc/$old/status")"; return 1; }
  bpmx stop lost
  [[ $rc == 0 ]] || { echo "bpm stop lost: exit $rc: $err"; return 1; }
  ! alive "$new" || { echo "new pid $new alive after stop"; return 1; }
}

# A host that lost power can leave runc's state.json truncated: runc can load nothing, and bpm
# must kill the old processes through the container's cgroup before it starts anew.
recover_truncated_state() {
  write_job torn 'processes:
- name: torn
  executable: /bin/sleep
  args: ["1000"]'
  start_running torn || return 1
  local old="$pid" new
  : >"$runc_root/bpm-torn/state.json"
  bpmx start torn
  [[ $rc == 0 ]] || { echo "bpm start after state.json was truncated: exit $rc: $err"; return 1; }
  wait_for runc_is torn running || { echo "no running container after the second start (runc: $(runc_status torn))"; return 1; }
  new="$(cat "$root/sys/run/bpm/torn/torn.pid")"
  [[ $new != "$old" ]] || { echo "pidfile still names the old pid $old"; return 1; }
  wait_for eval '! alive '"$old" || { echo "the old process $old was not killed: $(grep State "/proc/$old/status"), in $(cut -d: -f3 "/proc/$old/cgroup" | sort -u | tr '\n' ' ')"; return 1; }
  bpmx stop torn
  [[ $rc == 0 ]] || { echo "bpm stop torn: exit $rc: $err"; return 1; }
}

# runc's state dir gone: stop must still kill the process, through the container's cgroup, and remove that.
stop_lost_state() {
  write_job gone 'processes:
- name: gone
  executable: /bin/sleep
  args: ["1000"]'
  start_running gone || return 1
  local old="$pid" dir
  dir="$(cgroup_dir "$old" memory)"
  rm -rf "${runc_root:?}/bpm-gone"
  bpmx stop gone
  [[ $rc == 0 ]] || { echo "bpm stop after runc's state went: exit $rc: $err"; return 1; }
  wait_for eval '! alive '"$old" || { echo "the old process $old survived the stop: $(grep State "/proc/$old/status")"; return 1; }
  wait_for test ! -d "$dir" || { echo "$dir is still there after the stop"; return 1; }
  echo "$dir gone"
}

trace() {
  write_job traced 'processes:
- name: traced
  executable: /bin/sh
  args: ["-c", "while :; do sleep 0.5; done"]'
  start_running traced || return 1
  local got
  got="$(timeout -s INT 10 "$BPM" trace traced 2>&1)"
  rc=$?
  [[ $got == *"wait4("* || $got == *"nanosleep("* || $got == *"clock_nanosleep("* ]] || { echo "trace showed no syscalls (exit $rc): $(tail -n2 <<<"$got" | tr '\n' ' ')"; return 1; }
  bpm stop traced >/dev/null || { echo "bpm stop traced failed"; return 1; }
}

shared_volume() {
  # Volume paths are the host's, under the BOSH root.
  local v="$root/data/sockets"
  local vol="additional_volumes: [{path: $v, writable: true, shared: true}]"
  write_sh_job vola "echo a > $v/a; exec sleep 1000" "$vol"
  write_sh_job volb "until [ -e $v/a ]; do sleep 0.2; done; cat $v/a; exec sleep 1000" "$vol"
  start_running vola || return 1
  start_running volb || return 1
  local host="$root/data/sockets" entries
  entries="$(awk -v h="$host" '$5 == h' /proc/self/mountinfo)"
  [[ $(grep -c . <<<"$entries") == 1 ]] || { echo "want one mount of $host, got: $entries"; return 1; }
  [[ $entries == *" shared:"* ]] || { echo "$host is not a shared mount: $entries"; return 1; }
  wait_for test -e "$host/a" || { echo "job vola's file never appeared on the host"; return 1; }
  wait_for grep -q '^a$' "$root/sys/log/volb/volb.stdout.log" || { echo "job volb never saw vola's file"; return 1; }
  bpm stop vola >/dev/null && bpm stop volb >/dev/null || { echo "stopping the volume jobs failed"; return 1; }
}

shell_tty() {
  command -v script >/dev/null || { echo "no script(1) in the guest"; return 1; }
  write_job shelly 'processes:
- name: shelly
  executable: /bin/sleep
  args: ["1000"]'
  start_running shelly || return 1
  local got
  got="$(printf 'echo marker-$((6*7)) $(id -u)\nexit\n' | timeout -k 10 "$DEADLINE" script -qec "$BPM shell shelly" /dev/null 2>&1)"
  [[ $got == *"marker-42 2000"* ]] || { echo "shell output lacks 'marker-42 2000' (vcap): $(tr -d '\r' <<<"$got" | tail -n3 | tr '\n' ' ')"; return 1; }
  bpm stop shelly >/dev/null || { echo "bpm stop shelly failed"; return 1; }
}

# ---------------------------------------------------------------- how processes end

# One job for all the ends, started three times: it exits 7 by itself once the host makes
# jobs/ender/go (the container sees its job dir live, read-only), else runs until stopped or killed.
# bpm start spawns bpm-waiter from its own directory; the waiter runs runc, inherits the
# container's init (tini) as a subreaper and records its end through `bpm exited`.
write_ender() {
  rm -f "$root/jobs/ender/go"
  write_sh_job ender 'until [ -e /var/vcap/jobs/ender/go ]; do sleep 0.1; done; exit 7'
}
ender_status() { bpmx status ender --json; [[ $rc == 0 ]] || { echo "bpm status ender --json: exit $rc: $err"; return 1; }; s="$out"; }
# The waiter's pid from PROC.waiter ("PID STARTTIME"), checked against the process's own start time.
waiter_of() { # JOB
  local f="$root/sys/run/bpm/$1/$1.waiter" w st
  [[ -s $f ]] || { echo "no $f: the start ran without its waiter ($(bpm_log "$1" | grep -o '"message":"[^"]*no-waiter[^"]*"' | head -n1))"; return 1; }
  read -r w st <"$f"
  [[ $w =~ ^[0-9]+$ ]] && alive "$w" || { echo "$f names '$w', not a live process"; return 1; }
  [[ $(awk '{print $22}' "/proc/$w/stat") == "$st" ]] || { echo "$f: pid $w started at $(awk '{print $22}' "/proc/$w/stat"), not $st"; return 1; }
  waiter="$w"
}
# Asleep in wait4 (61 on x86_64): past runc, its start-up pages handed back.
waiting() { [[ $(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null) == 61 ]]; }
# The path of PID's cgroup in systemd's own hierarchy: the unified one (v2), or name=systemd (v1).
systemd_cgroup() { awk -F: '$1 == "0" || $2 == "name=systemd" {print $3; exit}' "/proc/$1/cgroup"; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "$1"; } # FILE KEY: a "Key: N kB" figure

ender_waiter=""
waiter_started() {
  write_ender
  start_running ender || return 1
  waiter_of ender || return 1
  ender_waiter="$waiter"
  local exe
  exe="$(readlink "/proc/$waiter/exe")"
  [[ $exe == "$(dirname "$(readlink -f "$BPM")")/bpm-waiter" ]] || { echo "waiter $waiter runs $exe, not the bpm-waiter beside $BPM"; return 1; }
  # tini is the waiter's child now: runc, its parent at first, has exited.
  [[ $(awk '{print $4}' "/proc/$pid/stat") == "$waiter" ]] || { echo "tini $pid has parent $(awk '{print $4}' "/proc/$pid/stat"), not the waiter $waiter"; return 1; }
  # Under systemd runc moves tini into a scope of its own, and bpm the waiter out of the unit
  # that ran it, into bpm-waiters, which no unit owns.
  local mine theirs init
  mine="$(systemd_cgroup $$)" theirs="$(systemd_cgroup "$waiter")" init="$(systemd_cgroup "$pid")"
  [[ $theirs == /bpm-waiters ]] || { echo "waiter in cgroup '$theirs' (the shell that ran bpm is in '$mine'), not /bpm-waiters"; return 1; }
  [[ $init != "$theirs" ]] || { echo "tini shares the waiter's cgroup '$theirs'"; return 1; }
  echo "waiter $waiter in $theirs, tini $pid in $init"
}

waiter_memory() {
  [[ -n $ender_waiter ]] && alive "$ender_waiter" || { echo "no live waiter (waiter_started failed)"; return 1; }
  wait_for waiting "$ender_waiter" || { echo "waiter $ender_waiter never settled in wait4 (syscall: $(cut -d' ' -f1 "/proc/$ender_waiter/syscall"))"; return 1; }
  local st="/proc/$ender_waiter/status" rollup="/proc/$ender_waiter/smaps_rollup" rss anon pss uss
  rss="$(kb "$st" VmRSS)" anon="$(kb "$st" RssAnon)" pss="$(kb "$rollup" Pss)"
  uss=$(($(kb "$rollup" Private_Clean) + $(kb "$rollup" Private_Dirty)))
  ((rss < 2048)) || { echo "waiter VmRSS $rss kB, want < 2048 (RssAnon $anon, Pss $pss, USS $uss kB)"; return 1; }
  echo "VmRSS $rss kB, Pss $pss kB, USS $uss kB, RssAnon $anon kB"
}

end_exit_code() {
  [[ -n $ender_waiter ]] || { echo "no waiter (waiter_started failed)"; return 1; }
  touch "$root/jobs/ender/go"
  wait_for runc_is ender stopped || { echo "ender did not exit (runc: $(runc_status ender))"; return 1; }
  wait_for eval '! alive '"$ender_waiter" || { echo "waiter $ender_waiter still there after the process ended: $(tr '\0' ' ' <"/proc/$ender_waiter/cmdline")"; return 1; }
  ender_status || return 1
  [[ $(jq -c '[.exit_code, .exit_signal, .stopped_by_bpm, .oom_killed]' <<<"$s") == '[7,null,false,false]' ]] ||
    { echo "status after exit 7: $(jq -c . <<<"$s")"; return 1; }
  [[ $(jq -r .exited_at <<<"$s") != null ]] || { echo "no exited_at: $(jq -c . <<<"$s")"; return 1; }
  [[ $(jq -r .exit_reason <<<"$s") == "exited on its own: exit code 7" ]] || { echo "exit_reason '$(jq -r .exit_reason <<<"$s")'"; return 1; }
  local row
  row="$(bpm list --json | jq -c '.[] | select(.job == "ender") | [.exit_code, .exit_signal]')"
  [[ $row == '[7,null]' ]] || { echo "list --json row of ender: $row"; return 1; }
  bpm_log ender | grep '"bpm.exited"' | grep -q '"exit_code":"7"' || { echo "bpm.log has no bpm.exited with exit_code 7: $(bpm_log ender | grep exited | tail -n1)"; return 1; }
  [[ ! -e $root/sys/run/bpm/ender/ender.waiter ]] || { echo "ender.waiter left after the waiter recorded the end"; return 1; }
  echo "$(jq -c '{exit_code, exited_at}' <<<"$s")"
}

restart_last_exit() {
  write_ender
  start_running ender || return 1
  ender_status || return 1
  [[ $(jq -c '[.state, .exit_code, .restarts, .last_exit.exit_code, .last_exit.exit_signal]' <<<"$s") == '["running",null,1,7,null]' ]] ||
    { echo "status after the restart: $(jq -c . <<<"$s")"; return 1; }
  waiter_of ender || return 1
  ender_waiter="$waiter"
  echo "$(jq -c '{restarts, last_exit}' <<<"$s")"
}

end_kill_signal() {
  [[ -n $ender_waiter ]] && alive "$ender_waiter" || { echo "no live waiter (restart_last_exit failed)"; return 1; }
  local init
  init="$(cat "$root/sys/run/bpm/ender/ender.pid")"
  kill -KILL "$init"
  wait_for runc_is ender stopped || { echo "ender still $(runc_status ender) after KILL of $init"; return 1; }
  wait_for eval '! alive '"$ender_waiter" || { echo "waiter $ender_waiter still there after tini was killed"; return 1; }
  ender_status || return 1
  [[ $(jq -c '[.exit_code, .exit_signal, .stopped_by_bpm, .restarts, .last_exit.exit_code]' <<<"$s") == '[null,"KILL",false,1,7]' ]] ||
    { echo "status after KILL: $(jq -c . <<<"$s")"; return 1; }
  [[ $(jq -r .exit_reason <<<"$s") == "exited on its own: killed by KILL" ]] || { echo "exit_reason '$(jq -r .exit_reason <<<"$s")'"; return 1; }
  [[ $(bpm list --json | jq -c '.[] | select(.job == "ender") | [.exit_code, .exit_signal]') == '[null,"KILL"]' ]] ||
    { echo "list --json row of ender: $(bpm list --json | jq -c '.[] | select(.job == "ender")')"; return 1; }
  echo "$(jq -c '{exit_signal, last_exit: .last_exit.exit_code}' <<<"$s")"
}

stop_leaves_no_waiter() {
  write_ender
  start_running ender || return 1
  waiter_of ender || return 1
  local w="$waiter"
  bpmx stop ender
  [[ $rc == 0 ]] || { echo "bpm stop ender: exit $rc: $err"; return 1; }
  ! alive "$w" || { echo "waiter $w still there after bpm stop: $(tr '\0' ' ' <"/proc/$w/cmdline")"; return 1; }
  ender_status || return 1
  [[ $(jq -c '[.state, .stopped_by_bpm, .exit_signal, .restarts]' <<<"$s") == '["stopped",true,"TERM",0]' ]] ||
    { echo "status after stop: $(jq -c . <<<"$s")"; return 1; }
  [[ ! -e $root/sys/run/bpm/ender/ender.waiter && ! -e $root/sys/run/bpm/ender/ender.stopping ]] ||
    { echo "stop left $(ls "$root/sys/run/bpm/ender")"; return 1; }
  echo "waiter $w gone; $(jq -c '{stopped_by_bpm, exit_signal}' <<<"$s")"
}

# A bpm start run by a systemd unit that then ends (here a oneshot service): systemd kills what
# is left in the unit's cgroup. The container lives on in its own scope, and the waiter in
# bpm-waiters: the end is still recorded, and stop still stops at once and leaves nothing.
caller_unit_ended() {
  write_ender
  local unit="bpm-caller-$$-$SECONDS" w
  systemd-run --unit="$unit" --wait --quiet -p Type=oneshot -E BPM_BOSH_ROOT="$root" "$BPM" start ender ||
    { echo "systemd-run $BPM start ender: exit $?"; return 1; }
  wait_for runc_is ender running || { echo "ender not running after the unit's start (runc: $(runc_status ender))"; return 1; }
  waiter_of ender || return 1
  w="$waiter"
  ! systemctl is-active --quiet "$unit" || { echo "unit $unit still active"; return 1; }
  alive "$w" || { echo "waiter $w went with its caller's unit $unit"; return 1; }
  touch "$root/jobs/ender/go"
  wait_for runc_is ender stopped || { echo "ender did not exit (runc: $(runc_status ender))"; return 1; }
  wait_for eval '! alive '"$w" || { echo "waiter $w still there after the process ended"; return 1; }
  ender_status || return 1
  [[ $(jq -c '[.exit_code, .exit_signal, .stopped_by_bpm]' <<<"$s") == '[7,null,false]' ]] ||
    { echo "status after exit 7 of a start its unit outlived: $(jq -c . <<<"$s")"; return 1; }
  local t0=$SECONDS
  bpmx stop ender
  [[ $rc == 0 ]] || { echo "bpm stop ender: exit $rc: $err"; return 1; }
  [[ -z $("$RUNC" --root "$runc_root" list -q 2>/dev/null) ]] || { echo "runc still lists $("$RUNC" --root "$runc_root" list -q)"; return 1; }
  [[ ! -e $root/sys/run/bpm/ender/ender.waiter ]] || { echo "stop left ender.waiter"; return 1; }
  echo "waiter $w outlived $unit and recorded exit 7; stop took $((SECONDS - t0)) s"
}

# Every job is stopped by now: no bpm-waiter of this bpm may be left, whichever test started it.
no_waiter_left() {
  local exe left=() p
  exe="$(dirname "$(readlink -f "$BPM")")/bpm-waiter"
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/exe" 2>/dev/null) == "$exe" ]] && alive "${p#/proc/}" && left+=("${p#/proc/}")
  done
  ((${#left[@]} == 0)) || { echo "bpm-waiter left: ${left[*]} ($(for p in "${left[@]}"; do tr '\0' ' ' <"/proc/$p/cmdline"; echo; done))"; return 1; }
}

# systemd mounted the host's cgroups; bpm must not add to them (no v1 hierarchy on a v2 host).
cgroup_mounts() { awk '$5 == "/sys/fs/cgroup" || index($5, "/sys/fs/cgroup/") == 1 {print $5, $(NF-2)}' /proc/self/mountinfo | sort; }
cgroup_mounts_before="$(cgroup_mounts)"
cgroup_mounts_untouched() {
  local now
  now="$(cgroup_mounts)"
  [[ $now == "$cgroup_mounts_before" ]] || { echo "cgroup mounts changed: before: $(tr '\n' ' ' <<<"$cgroup_mounts_before") now: $(tr '\n' ' ' <<<"$now")"; return 1; }
  echo "$(wc -l <<<"$now") cgroup mounts, as systemd made them"
}

# ---------------------------------------------------------------- run

echo "bosh root: $root, cgroup: $(stat -fc %T /sys/fs/cgroup), systemd: $([[ -d /run/systemd/system ]] && echo yes || echo no)"
t start_pid_list_stop
t stop_right_after_start
t run_exit_status
t status_figures
t logs
t limit_memory
t limit_pids
t limit_open_files
t cgroups_path
[[ -z $limited_started ]] || bpm stop limited >/dev/null 2>&1
t oom_kill
t recover_lost_state
t recover_truncated_state
t stop_lost_state
t shared_volume
t shell_tty
t trace
t waiter_started
t waiter_memory
t end_exit_code
t restart_last_exit
t end_kill_signal
t stop_leaves_no_waiter
t caller_unit_ended
t cgroup_mounts_untouched
t no_waiter_left

echo "$passed passed, $failed failed"
((failed == 0))
