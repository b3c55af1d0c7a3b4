#!/bin/sh
# Regenerate the committed result tables of the fast suites, or check them.
#
#   scripts/regen-results.sh           rewrite results/<suite>.md and
#                                      results/<suite>-curves.svg (and, for
#                                      suites with a robustness: block,
#                                      results/<suite>-robustness.md, .svg)
#   scripts/regen-results.sh --check   fail if a regenerated file differs
#                                      from the committed one (CI)
#
# Suites: the arguments after the flags, default "default quick mie-ablation". Each is
# run from scratch into a temporary directory with `miebench run`, and its
# table rendered with `miebench table --suite`. Tables hold no times or
# paths, so a difference means the results changed: determinism is checked.
set -eu

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
suites=${*:-default quick mie-ablation}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$root"
go build -o "$tmp/miebench" ./cmd/miebench
status=0
for s in $suites; do
	"$tmp/miebench" run --suite "$s" --out "$tmp/$s" --progress lines --no-table
	"$tmp/miebench" table --suite "$s" -o "$tmp/$s.md" "$tmp/$s"
	"$tmp/miebench" plot --suite "$s" -o "$tmp/$s-curves.svg" "$tmp/$s"
	files="$s.md $s-curves.svg"
	# Suites with a robustness: block also get its table and plot.
	if grep -q '^robustness:' "bench/suites/$s.yaml"; then
		"$tmp/miebench" table --suite "$s" --robustness -o "$tmp/$s-robustness.md" "$tmp/$s"
		"$tmp/miebench" plot --suite "$s" --robustness -o "$tmp/$s-robustness.svg" "$tmp/$s"
		files="$files $s-robustness.md $s-robustness.svg"
	fi
	for f in $files; do
		if [ $check = 1 ]; then
			if ! cmp -s "results/$f" "$tmp/$f"; then
				diff -u "results/$f" "$tmp/$f" | head -40 || true
				echo "results/$f is out of date: run scripts/regen-results.sh $s and commit" >&2
				status=1
			fi
		else
			mkdir -p results
			cp "$tmp/$f" "results/$f"
			echo "wrote results/$f"
		fi
	done
done
exit $status
