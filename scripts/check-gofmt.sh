#!/usr/bin/env bash
# check-gofmt.sh fails, listing the files, when a Go file of ours is not
# gofmt-formatted. tools/ and l1contracts/lib hold no code of ours.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find . \( -path ./tools -o -path ./l1contracts/lib -o -path ./.git -o -name node_modules \) -prune -o -name '*.go' -print)
if [[ ${#files[@]} -eq 0 ]]; then
	exit 0
fi
unformatted=$(gofmt -l "${files[@]}")
if [[ -n $unformatted ]]; then
	echo "check-gofmt: these files need gofmt -w:" >&2
	echo "$unformatted" >&2
	exit 1
fi
