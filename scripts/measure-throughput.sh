#!/usr/bin/env bash
# measure-throughput.sh runs `lanes loadgen` against `lanes sequencer --dev`
# and against go-ethereum v1.17.10 in dev mode, one after the other on the
# same machine, with the same load, and prints one JSON report per run.
#
#   scripts/measure-throughput.sh [TXS] [SENDERS]
#   KINDS=eth RATES=0 scripts/measure-throughput.sh 5000   # a subset
#
# go-ethereum gets the same block gas limit and txpool limits as Lanes.
# Lanes makes a block every 250 ms, go-ethereum every second (--dev.period 1,
# the finest its dev mode allows). Each node runs alone while measured and
# is stopped afterwards, even when a run fails.
set -euo pipefail
cd "$(dirname "$0")/.."

TXS=${1:-20000}
SENDERS=${2:-500}
OUT=${OUT:-measure-out}
GETH_VERSION=v1.17.10
GAS_LIMIT=200000000
# Extra flags for lanes sequencer, e.g. LANES_EXTRA="--parallel=false".
read -ra LANES_EXTRA_FLAGS <<<"${LANES_EXTRA:-}"
POOL_FLAGS=(--txpool.globalslots 65536 --txpool.accountslots 128 --txpool.globalqueue 8192 --txpool.accountqueue 256)

mkdir -p "$OUT"
go build -o bin/lanes ./cmd/lanes
if [[ ! -x tools/geth/geth ]]; then
	echo "measure: installing go-ethereum $GETH_VERSION into tools/geth" >&2
	GOBIN="$PWD/tools/geth" go install "github.com/ethereum/go-ethereum/cmd/geth@$GETH_VERSION"
fi

node_pid=
stop_node() {
	if [[ -n $node_pid ]]; then
		kill -TERM "$node_pid" 2>/dev/null || true
		wait "$node_pid" 2>/dev/null || true
		node_pid=
	fi
}
trap stop_node EXIT

wait_rpc() {
	for _ in $(seq 1 100); do
		if curl -sf -H 'content-type: application/json' \
			-d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$1" >/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	echo "measure: $1 did not answer" >&2
	return 1
}

start_lanes() {
	rm -rf "$OUT/lanes-data"
	./bin/lanes sequencer --dev --datadir "$OUT/lanes-data" --http.port 19545 --ws.port 19546 \
		--block.gaslimit $GAS_LIMIT "${POOL_FLAGS[@]}" --verbosity 2 "$@" >"$OUT/lanes.log" 2>&1 &
	node_pid=$!
	wait_rpc http://127.0.0.1:19545
}

start_geth() {
	rm -rf "$OUT/geth-data"
	tools/geth/geth --dev --dev.period 1 --dev.gaslimit $GAS_LIMIT --miner.gaslimit $GAS_LIMIT \
		--datadir "$OUT/geth-data" "${POOL_FLAGS[@]}" \
		--http --http.addr 127.0.0.1 --http.port 29545 --http.api eth,net,web3,txpool \
		--verbosity 2 >"$OUT/geth.log" 2>&1 &
	node_pid=$!
	wait_rpc http://127.0.0.1:29545
}

run() { # name url extra-loadgen-args...
	local name=$1 url=$2
	shift 2
	local res
	res=$(./bin/lanes loadgen --rpc "$url" --txs "$TXS" --senders "$SENDERS" --node-pid "$node_pid" --json "$@" 2>>"$OUT/loadgen.log")
	echo "{\"node\":\"$name\",\"report\":$res}"
}

for kind in ${KINDS:-eth erc20}; do
	for rate in ${RATES:-0 1000}; do
		start_lanes "${LANES_EXTRA_FLAGS[@]}"
		run lanes http://127.0.0.1:19545 --kind $kind --rate $rate
		stop_node
		start_geth
		run geth http://127.0.0.1:29545 --kind $kind --rate $rate --fund-from-node
		stop_node
	done
done
