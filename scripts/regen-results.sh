#!/bin/sh
# Regenerate the committed result tables of the fast suites, or check them.
#
#   scripts/regen-results.sh           rewrite results/<suite>.md
#   scripts/regen-results.sh --check   fail if a regenerated table differs
#                                      from the committed one (CI)
#
# Suites: the arguments after the flags, default "default quick". Each is
# run from scratch into a temporary directory with `miebench run`, and its
# table rendered with `miebench table --suite`. Tables hold no times or
# paths, so a difference means the results changed: determinism is checked.
set -eu

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	shift
fi
suites=${*:-default quick}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cd "$root"
go build -o "$tmp/miebench" ./cmd/miebench
status=0
for s in $suites; do
	"$tmp/miebench" run --suite "$s" --out "$tmp/$s" --progress lines --no-table
	"$tmp/miebench" table --suite "$s" -o "$tmp/$s.md" "$tmp/$s"
	if [ $check = 1 ]; then
		if ! diff -u "results/$s.md" "$tmp/$s.md"; then
			echo "results/$s.md is out of date: run scripts/regen-results.sh and commit" >&2
			status=1
		fi
	else
		mkdir -p results
		cp "$tmp/$s.md" "results/$s.md"
		echo "wrote results/$s.md"
	fi
done
exit $status
