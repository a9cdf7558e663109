#!/usr/bin/env bash
# check-deps-selftest.sh runs scripts/check-deps.sh against scratch modules
# in a temporary directory: one that follows the rules, and one per kind of
# violation, each of which must fail with a message naming the bad import.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
module=github.com/lanes-rollup/lanes
gover=$(go env GOVERSION)
gover=${gover#go}

# pkg DIR IMPORT...: writes DIR/p.go importing the given packages of ours,
# plus a test file importing cmd/lanes, which the check must ignore.
pkg() {
	local dir=$1
	shift
	mkdir -p "$case_dir/$dir"
	{
		echo "package ${dir##*/}"
		local imp
		for imp in "$@"; do
			echo "import _ \"$module/$imp\""
		done
	} >"$case_dir/$dir/p.go"
	printf 'package %s\nimport _ "%s/cmd/lanes"\n' "${dir##*/}" "$module" >"$case_dir/$dir/p_test.go"
}

# good tree: every allowed edge of ARCHITECTURE.md's table.
base() {
	case_dir=$scratch/$1
	mkdir -p "$case_dir"
	printf 'module %s\n\ngo %s\n' "$module" "$gover" >"$case_dir/go.mod"
	pkg parallel/mvmemory
	pkg parallel parallel/mvmemory
	pkg l1contracts/bindings
	pkg batcher/codec l1contracts/bindings
	pkg batcher batcher/codec l1contracts/bindings
	pkg sequencer parallel
	pkg fraudproof/derive batcher/codec parallel l1contracts/bindings
	pkg rpc
	mkdir -p "$case_dir/cmd/lanes"
	printf 'package main\nimport _ "%s/rpc"\nimport _ "%s/sequencer"\nimport _ "%s/fraudproof/derive"\nfunc main() {}\n' "$module" "$module" "$module" >"$case_dir/cmd/lanes/main.go"
	pkg e2e/internal/proc
	pkg e2e e2e/internal/proc sequencer batcher
}

failures=0
expect_ok() {
	if ! out=$("$here/check-deps.sh" "$case_dir" 2>&1); then
		echo "FAIL $1: check-deps rejected a good tree:" >&2
		echo "$out" >&2
		failures=$((failures + 1))
		return
	fi
	echo "ok   $1"
}
expect_fail() {
	local name=$1 want=$2
	if out=$("$here/check-deps.sh" "$case_dir" 2>&1); then
		echo "FAIL $name: check-deps accepted a bad tree" >&2
		failures=$((failures + 1))
		return
	fi
	if ! grep -qF -- "$want" <<<"$out"; then
		echo "FAIL $name: message does not say '$want':" >&2
		echo "$out" >&2
		failures=$((failures + 1))
		return
	fi
	echo "ok   $name"
}

base good
expect_ok "allowed edges"

base parallel-imports-sequencer
pkg sequencer
pkg parallel sequencer
expect_fail "parallel imports sequencer" "$module/parallel imports $module/sequencer"

base sequencer-imports-batcher
pkg sequencer parallel batcher
expect_fail "sequencer imports batcher" "$module/sequencer imports $module/batcher,"

base rpc-imports-sequencer
pkg rpc sequencer
expect_fail "rpc imports sequencer" "$module/rpc imports $module/sequencer,"

base batcher-imports-parallel
pkg batcher/codec parallel
expect_fail "batcher imports parallel" "$module/batcher/codec imports $module/parallel,"

base fraudproof-via-codec
pkg batcher/codec batcher/txmgr
pkg batcher/txmgr
expect_fail "fraudproof reaches batcher through codec" "$module/fraudproof/derive depends indirectly on $module/batcher/txmgr"

base sequencer-imports-e2e
pkg e2e/helpers
pkg sequencer parallel e2e/helpers
expect_fail "sequencer imports e2e" "$module/sequencer imports $module/e2e/helpers"

base rpc-imports-cmd
mkdir -p "$case_dir/cmd/tool"
printf 'package tool\n' >"$case_dir/cmd/tool/t.go"
pkg rpc cmd/tool
expect_fail "rpc imports cmd" "$module/rpc imports $module/cmd/tool"

base unknown-dir
pkg common
expect_fail "package outside the table" "package $module/common is outside"

if [[ $failures -ne 0 ]]; then
	echo "check-deps-selftest: $failures failed" >&2
	exit 1
fi
echo "check-deps-selftest: all cases passed"
