#!/usr/bin/env bash
# The test command of README.md: formatting, vet, the unit and behavioural
# tests, and the check that committed result tables regenerate byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi

echo "== go vet ./..."
go vet ./...

echo "== go test ./..."
go test -count=1 ./...

if [ -x scripts/regen-results.sh ]; then
	echo "== regenerate results/ and compare with the committed tables"
	bash scripts/regen-results.sh --check
fi
