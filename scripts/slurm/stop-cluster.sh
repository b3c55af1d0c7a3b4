#!/usr/bin/env bash
# Stop the single-node cluster of scripts/slurm/start-cluster.sh: cancel
# its jobs, stop slurmd, slurmctld and munged by the pids in their pid
# files, and remove MIEBENCH_SLURM_DIR (default /run/miebench-slurm; set
# MIEBENCH_SLURM_KEEP=1 to keep it, with its logs).
set -uo pipefail

DIR=${MIEBENCH_SLURM_DIR:-/run/miebench-slurm}
export SLURM_CONF="$DIR/slurm.conf"
[ -f "$SLURM_CONF" ] && scancel --full --quiet --user=root 2>/dev/null

status=0
for d in slurmd slurmctld munged; do
	pidfile="$DIR/$d.pid"
	[ -f "$pidfile" ] || continue
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || continue
	for _ in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "stop-cluster: $d (pid $pid) still running after 15s" >&2
		status=1
	fi
done
[ -n "${MIEBENCH_SLURM_KEEP:-}" ] || [ "$status" != 0 ] || rm -rf "$DIR"
exit "$status"
