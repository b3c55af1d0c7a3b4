#!/usr/bin/env bash
# Start a single-node Slurm cluster on this machine, for the CI test
# (scripts/slurm/ci-test.sh) and for trying the job-array launcher locally.
#
#   sudo bash scripts/slurm/start-cluster.sh     # installs, configures, starts, waits until the node is idle
#   export SLURM_CONF=/run/miebench-slurm/slurm.conf
#   sbatch ...; squeue; sinfo
#   sudo bash scripts/slurm/stop-cluster.sh
#
# Needs root and Debian or Ubuntu: installs slurm-wlm and munge with
# apt-get when slurmctld, slurmd or munged are missing (MIEBENCH_SLURM_NO_INSTALL=1
# refuses to install). Everything the cluster writes (slurm.conf, the munge
# key and socket, state, logs, pid files) lives in one directory,
# MIEBENCH_SLURM_DIR (default /run/miebench-slurm); nothing in /etc is touched,
# so every Slurm command needs SLURM_CONF=$MIEBENCH_SLURM_DIR/slurm.conf.
# The daemons run without systemd, as root, with proctrack/linuxproc and
# task/none (no cgroups needed, works in containers), select/cons_tres
# allocating single CPUs and memory. The node is this machine with the CPUs
# and memory slurmd -C reports.
#
# Exit status 0 when sinfo shows the node idle; otherwise the daemons' logs
# are printed and the status is 1.
set -euo pipefail

DIR=${MIEBENCH_SLURM_DIR:-/run/miebench-slurm}
TIMEOUT=${MIEBENCH_SLURM_TIMEOUT:-60}

die() {
	echo "start-cluster: $*" >&2
	for log in "$DIR"/log/*.log; do
		[ -f "$log" ] || continue
		echo "---- $log" >&2
		tail -n 50 "$log" >&2
	done
	exit 1
}

if [ "$(id -u)" != 0 ]; then
	echo "start-cluster: must run as root (the daemons run as root without systemd)" >&2
	exit 1
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
	if [ -n "${MIEBENCH_SLURM_NO_INSTALL:-}" ]; then
		echo "start-cluster: slurmctld, slurmd or munged missing and MIEBENCH_SLURM_NO_INSTALL is set" >&2
		exit 1
	fi
	echo "== apt-get install slurm-wlm munge"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q || { echo "start-cluster: apt-get update failed" >&2; exit 1; }
	apt-get install -y -q slurm-wlm munge || { echo "start-cluster: apt-get install slurm-wlm munge failed" >&2; exit 1; }
fi

if [ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null; then
	echo "start-cluster: a cluster is already running from $DIR (stop it with scripts/slurm/stop-cluster.sh)" >&2
	exit 1
fi

rm -rf "$DIR"
mkdir -p "$DIR"/{munge,log,ctld,spool}
chmod 0755 "$DIR"
chmod 0711 "$DIR/munge"

# The node as slurmd sees it: its name, CPUs and memory in MB. The layout
# (sockets, cores, threads) is left out, so that every CPU is one
# allocatable unit.
spec=$(slurmd -C | head -n 1) || die "slurmd -C failed"
node=$(sed -n 's/.*NodeName=\([^ ]*\).*/\1/p' <<<"$spec")
cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$spec")
mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$spec")
[ -n "$node" ] && [ -n "$cpus" ] && [ -n "$mem" ] || die "cannot read the node from slurmd -C: $spec"

# A fresh munge key, readable by root only (munged checks that).
dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$DIR/munge/munge.key"

cat >"$DIR/slurm.conf" <<CONF
# Written by scripts/slurm/start-cluster.sh for a single-node test cluster.
ClusterName=miebench
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket.2
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
StateSaveLocation=$DIR/ctld
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerParameters=sched_interval=2
MinJobAge=300
KillWait=10
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$DIR/slurm.conf"

echo "== munged"
munged --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket.2" \
	--pid-file="$DIR/munge/munged.pid" --seed-file="$DIR/munge/munged.seed" \
	--log-file="$DIR/log/munged.log" --force ||
	die "munged did not start"
cp "$DIR/munge/munged.pid" "$DIR/munged.pid"
echo "== slurmctld"
slurmctld -i || die "slurmctld did not start"
echo "== slurmd (node $node: $cpus CPUs, $mem MB)"
slurmd -N "$node" || die "slurmd did not start"

state=""
for _ in $(seq "$TIMEOUT"); do
	state=$(sinfo -h -N -n "$node" -o %T 2>/dev/null || true)
	if [ "$state" = idle ]; then
		echo "== node $node idle; export SLURM_CONF=$SLURM_CONF"
		exit 0
	fi
	sleep 1
done
die "node $node not idle after ${TIMEOUT}s (sinfo: ${state:-no answer})"
