#!/usr/bin/env bash
# The Slurm round trip, run by .ci/run: starts a single-node Slurm cluster
# (scripts/slurm/start-cluster.sh; needs root), builds miebench, and checks
# the job array scripts/slurm/miebench-array.sbatch end to end on the quick
# suite with larger evaluation splits (runs of about a second):
#
#   round 1  a 3-task array in the default claim mode into one results
#            directory; the merged table is byte-identical to a
#            single-process run's, every run trained exactly once.
#   round 2  a 3-task array in shard-only mode; task 1 is cancelled
#            (scancel) in the middle of a run; the array is resubmitted and
#            finishes task 1's shard; the table is again identical, no run
#            trained twice (each id has one "train done" line in all the
#            task logs), every "train start" beyond the plan's runs is a run
#            the cancelled task abandoned.
#
# The daemons are stopped at the end, whatever happens. If the cluster does
# not start, the test fails with the daemons' logs; it never skips.
# Takes about a minute and a quarter on two cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
export PATH="/usr/local/go/bin:$PATH"
export MIEBENCH_SLURM_DIR=${MIEBENCH_SLURM_DIR:-/run/miebench-slurm-ci}
WORK=$(mktemp -d /tmp/miebench-slurm-ci.XXXXXX)
chmod 0755 "$WORK"
TIMEOUT=${MIEBENCH_SLURM_CI_TIMEOUT:-240}

fail() {
	echo "slurm ci-test: FAIL: $*" >&2
	for f in "$WORK"/logs/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f" >&2
		tail -n 30 "$f" >&2
	done
	for f in "$MIEBENCH_SLURM_DIR"/log/*.log; do
		[ -f "$f" ] || continue
		echo "---- $f" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

cleanup() {
	bash "$REPO/scripts/slurm/stop-cluster.sh" || echo "slurm ci-test: stopping the cluster failed" >&2
	rm -rf "$WORK"
}
trap cleanup EXIT

echo "== start the cluster"
bash scripts/slurm/start-cluster.sh
export SLURM_CONF=$MIEBENCH_SLURM_DIR/slurm.conf

echo "== build miebench"
go build -o "$WORK/miebench" ./cmd/miebench
MB=$WORK/miebench
mkdir -p "$WORK/logs"

# The quick suite with larger validation and test splits: the same
# training, but every epoch evaluates 20,000 samples, so that a run takes
# about a second and round 2's cancel lands in the middle of one (with the
# plain quick suite's 0.1-0.2 s runs it often landed between two).
SUITE_FILE=$WORK/quick-ci.yaml
awk '{print} /^  - name: synthetic$/ {print "    params: {val: 10000, test: 10000}"}' bench/suites/quick.yaml >"$SUITE_FILE"
grep -q 'params: {val: 10000' "$SUITE_FILE" || fail "could not write the CI suite $SUITE_FILE"

echo "== single-process reference run"
"$MB" run --suite "$SUITE_FILE" --out "$WORK/ref" --workers 1 --progress none --no-table
"$MB" table "$WORK/ref" --suite "$SUITE_FILE" >"$WORK/ref.md"
runs=$(ls "$WORK/ref/runs" | grep -c '\.json$')
[ "$runs" -gt 0 ] || fail "the reference run recorded nothing"

# submit NAME MODE OUT: submit a 3-task array, print its job id.
submit() {
	sbatch --parsable --array=0-2 --cpus-per-task=1 --mem=512M --time=10 \
		--chdir="$WORK" --output="$WORK/logs/$1-%A_%a.log" \
		--export=ALL,SUITE="$SUITE_FILE",OUT="$3",MIEBENCH="$MB",MIEBENCH_MODE="$2",MIEBENCH_WORKERS=1 \
		"$REPO/scripts/slurm/miebench-array.sbatch"
}

# wait_array JOB: wait until no task of the array is pending or running.
wait_array() {
	local t=0
	while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; do
		t=$((t + 1))
		[ "$t" -le "$TIMEOUT" ] || fail "array $1 still running after ${TIMEOUT}s: $(squeue -h -j "$1")"
		sleep 1
	done
}

# states JOB: the final state of each task, one per line ("0 COMPLETED").
states() {
	scontrol -o show job "$1" | sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\).*/\1 \2/p' | sort -n
}

# same_table DIR: the merged table of DIR must be the reference's, byte for byte.
same_table() {
	"$MB" table "$1" --suite "$SUITE_FILE" >"$1.md" || fail "miebench table $1 failed"
	cmp -s "$WORK/ref.md" "$1.md" || {
		diff "$WORK/ref.md" "$1.md" >&2 || true
		fail "the table of $1 differs from the single-process run's"
	}
}

# once LOGS...: every run trained to the end exactly once across the logs.
once() {
	local done dup
	done=$(cat "$@" | grep -c ' train done ' || true)
	dup=$(cat "$@" | awk '$4 == "done" && $3 == "train" {print $5}' | sort | uniq -d)
	[ -z "$dup" ] || fail "runs trained twice: $dup"
	[ "$done" = "$runs" ] || fail "$done runs trained, the plan has $runs"
}

echo "== round 1: 3 tasks, claim mode, one results directory"
job=$(submit r1 claim "$WORK/r1")
wait_array "$job"
st=$(states "$job")
echo "$st"
[ "$(grep -c ' COMPLETED$' <<<"$st")" = 3 ] || fail "round 1: not every task completed: $st"
same_table "$WORK/r1"
once "$WORK"/logs/r1-*.log
starts=$(cat "$WORK"/logs/r1-*.log | grep -c ' train start ' || true)
[ "$starts" = "$runs" ] || fail "round 1: $starts train starts for $runs runs"
trainers=0
for f in "$WORK"/logs/r1-*.log; do
	if grep -q ' train start ' "$f"; then trainers=$((trainers + 1)); fi
done
echo "round 1: $runs runs, trained by $trainers tasks; table identical"

echo "== round 2: 3 tasks, shard-only, task 1 cancelled mid-run, array resubmitted"
cancelled=""
for attempt in 1 2 3; do
	out="$WORK/r2-$attempt"
	job=$(submit "r2-$attempt" shard-only "$out")
	log="$WORK/logs/r2-$attempt-${job}_1.log"
	# Cancel task 1 as soon as it has started its second run.
	t=0
	while [ "$(cat "$log" 2>/dev/null | grep -c ' train start ' || true)" -lt 2 ]; do
		t=$((t + 1))
		[ "$t" -le $((TIMEOUT * 10)) ] || fail "round 2: task 1 did not start two runs in ${TIMEOUT}s"
		sleep 0.1
	done
	scancel --quiet "${job}_1"
	wait_array "$job"
	st=$(states "$job")
	echo "$st"
	if grep -q '^1 CANCELLED' <<<"$st" && grep -q ' train abandoned ' "$log"; then
		cancelled=$attempt
		break
	fi
	echo "round 2, attempt $attempt: the cancel did not land in the middle of a run; again"
done
[ -n "$cancelled" ] || fail "round 2: three attempts to cancel task 1 in the middle of a run failed"
abandoned=$(awk '$3 == "train" && $4 == "abandoned" {print $5}' "$log")
[ "$(ls "$out/runs" | grep -c '\.json$')" -lt "$runs" ] || fail "round 2: every run recorded although task 1 was cancelled"
job2=$(submit "r2-$cancelled-resubmit" shard-only "$out")
wait_array "$job2"
st=$(states "$job2")
echo "$st"
[ "$(grep -c ' COMPLETED$' <<<"$st")" = 3 ] || fail "round 2: not every resubmitted task completed: $st"
same_table "$out"
logs=("$WORK"/logs/r2-"$cancelled"-*.log)
once "${logs[@]}"
starts=$(cat "${logs[@]}" | grep -c ' train start ' || true)
n=$(wc -w <<<"$abandoned")
[ "$starts" = $((runs + n)) ] || fail "round 2: $starts train starts for $runs runs and $n abandoned"
for id in $abandoned; do
	cat "$WORK"/logs/r2-"$cancelled"-resubmit-*.log | grep -q " train done $id " ||
		fail "round 2: abandoned run $id was not trained by the resubmitted array"
done
echo "round 2: task 1 cancelled during run $abandoned, the resubmitted array trained it; $runs runs, none twice; table identical"
echo "slurm ci-test: ok"
