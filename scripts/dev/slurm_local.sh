#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, to try scripts/slurm/*.sbatch with real sbatch/srun semantics
# (array ids, SLURM_PROCID/SLURM_NTASKS/SLURM_NODELIST, kill-on-bad-exit) before they meet a real cluster.
# Debian/Ubuntu, as root. Not run by CI.
#
#   scripts/dev/slurm_local.sh [start]   install slurm-wlm + munge if absent, write the config, start, wait for idle
#   scripts/dev/slurm_local.sh status    sinfo and squeue
#   scripts/dev/slurm_local.sh stop      stop the daemons this script started, remove its slurm.conf
#
# The config goes to /etc/slurm/slurm.conf because that is where sbatch/sinfo/srun look without SLURM_CONF;
# a slurm.conf this script did not write is never touched. Logs and state: $SLURM_LOCAL_DIR (/var/tmp/slurm-local).
set -euo pipefail

dir="${SLURM_LOCAL_DIR:-/var/tmp/slurm-local}"
conf=/etc/slurm/slurm.conf
marker="# written by geneformer4j scripts/dev/slurm_local.sh"
ctld_port="${SLURMCTLD_PORT:-6817}"
slurmd_port="${SLURMD_PORT:-6818}"
node="$(hostname -s)"

die() { echo "slurm_local: $*" >&2; exit 1; }
ours() { [ -f "$conf" ] && head -n 1 "$conf" | grep -qxF "$marker"; }

# Stops the process whose id is in the pid file, if it is still that program (pid files outlive their process).
stop_pid() {
  local file="$1" name="$2" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if [ -n "$pid" ] && [ "$(ps -p "$pid" -o comm= 2>/dev/null)" = "$name" ]; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && echo "slurm_local: $name ($pid) is still running" >&2
  fi
  rm -f "$file"
}

start() {
  [ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts the daemons)"
  if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y slurm-wlm munge || { apt-get update && apt-get install -y slurm-wlm munge; }
  fi
  if [ -f "$conf" ] && ! ours; then die "$conf exists and was not written by this script; not touching it"; fi
  for p in "$ctld_port" "$slurmd_port"; do
    if ss -ltnH "sport = :$p" 2>/dev/null | grep -q . && ! ours; then
      die "port $p is taken (another Slurm?); set SLURMCTLD_PORT/SLURMD_PORT"
    fi
  done
  mkdir -p "$dir"/{ctld,spool,log} /etc/slurm

  # munge authenticates every Slurm message; the package makes a key, a fresh install without one gets one here.
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  fi
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do [ -s /run/munge/munged.pid ] && break; sleep 0.1; done
    cp /run/munge/munged.pid "$dir/munged.pid"   # only a munged started here is stopped by `stop`
  fi

  # The node line is slurmd's own view of the hardware (slurmd -C): a RealMemory above the real one would drain
  # the node at registration. select/cons_tres with CR_CPU hands out CPUs only, so 2 one-CPU tasks fill the node.
  local hw
  hw="$(slurmd -C | head -n 1)"
  cat > "$conf" <<EOF
$marker
ClusterName=gflocal
SlurmctldHost=$node
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# no cgroups in a container: plain process tracking, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
$hw State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF

  # a second `start` restarts both daemons on the config just written
  stop_pid "$dir/slurmd.pid" slurmd
  stop_pid "$dir/slurmctld.pid" slurmctld
  slurmctld -c   # -c: a fresh queue every start; this cluster keeps nothing worth resuming
  slurmd
  for _ in $(seq 60); do
    state="$(sinfo -h -n "$node" -o %T 2>/dev/null || true)"
    case "$state" in
      idle|mixed|allocated) sinfo; return 0 ;;
    esac
    sleep 1
  done
  sinfo || true
  die "node $node is not idle after 60 s (state: ${state:-none}); see $dir/log/"
}

stop() {
  stop_pid "$dir/slurmd.pid" slurmd
  stop_pid "$dir/slurmctld.pid" slurmctld
  stop_pid "$dir/munged.pid" munged
  if ours; then rm -f "$conf"; fi
  echo "slurm_local: stopped (logs kept in $dir/log)"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) sinfo; squeue ;;
  *) die "usage: $0 [start|stop|status]" ;;
esac
