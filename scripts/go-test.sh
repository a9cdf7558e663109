#!/usr/bin/env bash
# go-test.sh runs the Go tests: the concurrent packages (parallel/...,
# sequencer/...) under the race detector, everything else without it, so
# each package runs once. Package lists come from `go list`, so a part that
# does not exist yet is simply not in them; a package that fails to load
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

module=$(go list -m)
race_re="^$module/(parallel|sequencer)(/|\$)"
all=$(go list ./...)
race=$(awk -v re="$race_re" '$0 ~ re' <<<"$all")
rest=$(awk -v re="$race_re" 'NF && $0 !~ re' <<<"$all")

if [[ -n $race ]]; then
	echo "go-test: with -race: $(wc -l <<<"$race") packages"
	# shellcheck disable=SC2086 # one argument per package
	go test -race ${GOTESTFLAGS:-} $race
fi
if [[ -n $rest ]]; then
	echo "go-test: without -race: $(wc -l <<<"$rest") packages"
	# shellcheck disable=SC2086
	go test ${GOTESTFLAGS:-} $rest
fi
if [[ -z $all ]]; then
	echo "go-test: no Go packages yet" >&2
fi
