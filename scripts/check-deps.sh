#!/usr/bin/env bash
# check-deps.sh enforces the import directions of ARCHITECTURE.md
# ("Packages and what they own"). It reads non-test imports with `go list`
# and fails, naming every offending import, when a package of ours imports
# one of ours that its row does not allow.
#
#   usage: scripts/check-deps.sh [ROOT]    (ROOT defaults to the repository)
#
# Rules, by the importer's top-level directory (a package may always import
# its own subpackages, e.g. parallel -> parallel/mvmemory):
#   parallel      nothing of ours
#   sequencer     parallel
#   batcher       l1contracts/bindings
#   fraudproof    batcher/codec, parallel, l1contracts/bindings
#   rpc           nothing of ours
#   l1contracts   nothing of ours
#   cmd, e2e      anything
# Nobody outside cmd/ imports cmd/..., nobody outside e2e/ imports e2e/...
# A package of ours outside these directories is an error too: give it a row
# in ARCHITECTURE.md and here first.
#
# Direct imports are checked, and so are indirect ones (.Deps): fraudproof
# importing batcher/codec is fine, but not if codec drags in the rest of the
# batcher.
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
module=$(go list -m)

# allowed IMPORTER IMPORTED: both are paths relative to the module.
allowed() {
	local from=$1 to=$2
	local top=${from%%/*}
	local totop=${to%%/*}
	# Own subtree.
	if [[ $totop == "$top" ]]; then
		return 0
	fi
	# cmd and e2e are leaves: importable only from inside themselves.
	if [[ $totop == cmd || $totop == e2e ]]; then
		return 1
	fi
	case $top in
	cmd | e2e) return 0 ;;
	parallel | rpc | l1contracts) return 1 ;;
	sequencer) under "$to" parallel ;;
	batcher) under "$to" l1contracts/bindings ;;
	fraudproof) under "$to" batcher/codec parallel l1contracts/bindings ;;
	*) return 1 ;;
	esac
}

# under PATH PREFIX...: PATH is one of the prefixes or inside one.
under() {
	local p=$1
	shift
	local prefix
	for prefix in "$@"; do
		if [[ $p == "$prefix" || $p == "$prefix"/* ]]; then
			return 0
		fi
	done
	return 1
}

known_top() {
	case $1 in
	cmd | e2e | rpc | fraudproof | batcher | sequencer | parallel | l1contracts) return 0 ;;
	*) return 1 ;;
	esac
}

rel() {
	if [[ $1 == "$module" ]]; then
		echo "."
	else
		echo "${1#"$module"/}"
	fi
}

listing=$(go list -f '{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}' ./...)

fail=0
checked=0
while IFS='|' read -r pkg imports deps; do
	[[ -n $pkg ]] || continue
	checked=$((checked + 1))
	from=$(rel "$pkg")
	if ! known_top "${from%%/*}"; then
		echo "check-deps: package $pkg is outside the directories of ARCHITECTURE.md's package table; add a row there and a rule in scripts/check-deps.sh" >&2
		fail=1
		continue
	fi
	declare -A direct=()
	for imp in $imports; do
		[[ $imp == "$module" || $imp == "$module"/* ]] || continue
		direct[$imp]=1
		to=$(rel "$imp")
		if ! allowed "$from" "$to"; then
			echo "check-deps: $pkg imports $imp, which ARCHITECTURE.md does not allow for ${from%%/*}/" >&2
			fail=1
		fi
	done
	for dep in $deps; do
		[[ $dep == "$module" || $dep == "$module"/* ]] || continue
		[[ -z ${direct[$dep]:-} ]] || continue
		to=$(rel "$dep")
		if ! allowed "$from" "$to"; then
			echo "check-deps: $pkg depends indirectly on $dep, which ARCHITECTURE.md does not allow for ${from%%/*}/ (see: go list -deps $pkg)" >&2
			fail=1
		fi
	done
	unset direct
done <<<"$listing"

if [[ $fail -ne 0 ]]; then
	echo "check-deps: import directions violated (rules: ARCHITECTURE.md, 'Packages and what they own')" >&2
	exit 1
fi
echo "check-deps: $checked packages follow the import directions"
