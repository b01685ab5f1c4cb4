#!/bin/bash
# Runs in the guest (from bpm-vm-test.service, the share mounted at /mnt/bpm): records what
# the guest is, runs guest-tests.sh with the bpm binaries from the share, and writes the results,
# the status and the journal back to the share. The unit powers the guest off afterwards.
set -u
share=/mnt/bpm
cut -d' ' -f1 /proc/uptime >"$share/boot-seconds"
{
  echo "mode: $(cat "$share/mode")"
  echo "kernel: $(uname -r)"
  echo "cmdline: $(cat /proc/cmdline)"
  echo "systemd: $(systemctl --version | head -n1)"
  echo "cgroup fs: $(stat -fc %T /sys/fs/cgroup), holding: $(ls /sys/fs/cgroup | tr '\n' ' ')"
  echo "own cgroups: $(tr '\n' ' ' </proc/self/cgroup)"
  echo "runc: $(runc --version | head -n1)"
  echo "nproc: $(nproc), memory: $(free -m | awk '/^Mem:/ {print $2}') MB"
} >"$share/guest-info.txt" 2>&1
cat "$share/guest-info.txt"

# bpm runs from the local disk, like /var/vcap/packages/bpm/bin/bpm on a BOSH VM, with its
# waiter beside it, where bpm start looks for it.
install -m 0755 "$share/bpm" /usr/local/bin/bpm
install -m 0755 "$share/bpm-waiter" /usr/local/bin/bpm-waiter
mkdir -p "$share/logs"
BPM=/usr/local/bin/bpm BPM_VM_LOGS="$share/logs" bash "$share/guest-tests.sh" 2>&1 | tee "$share/results.txt"
status=${PIPESTATUS[0]}
journalctl -b --no-pager >"$share/journal.txt" 2>&1 || true
echo "$status" >"$share/status"
sync
exit 0
