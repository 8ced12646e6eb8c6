#!/usr/bin/env bash
# A one-node Slurm cluster on this machine for the tests, every file of it in one folder
# and its own munge socket and ports, so it neither needs nor disturbs a system Slurm:
#   tests/slurm/local_slurm.sh start DIR   # munged, slurmctld, slurmd; waits for the node
#   tests/slurm/local_slurm.sh stop DIR    # stops all three
# `start` prints SLURM_CONF=DIR/slurm.conf (the client commands read it from the
# environment) and exits 0 once the node is idle; when a daemon cannot start it prints
# the daemons' logs and exits 1. Needs root and Debian's slurmctld slurmd slurm-client munge.
set -euo pipefail

action=${1:?usage: local_slurm.sh start|stop DIR}
dir=${2:?usage: local_slurm.sh start|stop DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 0755 "$dir"  # munged wants every folder above its socket open to all

# Jobs first: a job step outlives a slurmctld that stops under it (its slurmstepd
# would keep running), so every job is cancelled and gone from the queue before the
# daemons stop (up to 40 s: Slurm's KillWait is 30 s).
cancel_jobs() {
  [[ -s $dir/slurmctld.pid && -f $dir/slurm.conf ]] || return 0
  kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null || return 0
  export SLURM_CONF=$dir/slurm.conf
  scancel --user="$(id -un)" 2>/dev/null || return 0
  for _ in $(seq 400); do
    [[ -z $(squeue --noheader --states=all --format=%T 2>/dev/null | grep -v -E 'COMPLETED|CANCELLED|FAILED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE') ]] && return 0
    sleep 0.1
  done
  echo "local_slurm: jobs still running after 40 s" >&2
}

stop_daemons() {
  cancel_jobs
  for pid_file in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [[ -s $pid_file ]] && kill "$(cat "$pid_file")" 2>/dev/null || true
  done
  # Give them a moment to remove their sockets and pid files.
  for _ in $(seq 50); do
    alive=0
    for pid_file in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
      [[ -s $pid_file ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null && alive=1
    done
    ((alive)) || return 0
    sleep 0.1
  done
}

fail() {
  echo "local_slurm: $*" >&2
  for log in "$dir/munge/munged.log" "$dir/slurmctld.log" "$dir/slurmd.log"; do
    [[ -f $log ]] && { echo "---- $log" >&2; tail -n 40 "$log" >&2; }
  done
  stop_daemons
  exit 1
}

if [[ $action == stop ]]; then
  stop_daemons
  exit 0
fi
[[ $action == start ]] || { echo "usage: local_slurm.sh start|stop DIR" >&2; exit 2; }

for program in munged slurmctld slurmd sbatch squeue scontrol; do
  PATH=$PATH:/usr/sbin command -v "$program" >/dev/null ||
    fail "$program not found: apt-get install slurmctld slurmd slurm-client munge"
done
[[ $(id -u) == 0 ]] || fail "needs root (slurmd runs jobs as their user, munged as munge)"

# munge: a fresh key, readable by its daemon alone, which runs as user munge.
# Its socket's folder must be open to every user, the key's to munge alone.
mkdir -p "$dir/munge" "$dir/munge-key" "$dir/state" "$dir/spool"
dd if=/dev/urandom of="$dir/munge-key/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$dir/munge" "$dir/munge-key"
chmod 0755 "$dir/munge"
chmod 0700 "$dir/munge-key"
chmod 0400 "$dir/munge-key/munge.key"
socket=$dir/munge/munge.socket
runuser -u munge -- /usr/sbin/munged --socket="$socket" --key-file="$dir/munge-key/munge.key" \
  --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
  --seed-file="$dir/munge/munged.seed" || fail "munged did not start"

# Two free ports from a range a system Slurm (6817, 6818) does not use.
ports=($(shuf -i 20000-29999 -n 2))
host=$(hostname)
cpus=$(nproc)
cat >"$dir/slurm.conf" <<CONF
# One node, this machine; written by tests/slurm/local_slurm.sh.
ClusterName=exptest
SlurmctldHost=$host
SlurmctldPort=${ports[0]}
SlurmdPort=${ports[1]}
AuthType=auth/munge
AuthInfo=socket=$socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
KillWait=30
MinJobAge=300
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf

/usr/sbin/slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
/usr/sbin/slurmd -f "$SLURM_CONF" || fail "slurmd did not start"
for _ in $(seq 300); do
  state=$(sinfo -h -o %t 2>/dev/null || true)
  if [[ $state == idle ]]; then
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.1
done
fail "the node is not idle after 30 s (sinfo says '${state:-nothing}')"
