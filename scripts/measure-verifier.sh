#!/usr/bin/env bash
# measure-verifier.sh measures how long `lanes verifier` takes to rebuild
# BLOCKS L2 blocks from L1 alone, next to how long the sequencer took to
# produce them, on a local anvil.
#
#   scripts/measure-verifier.sh [BLOCKS] [RATE]
#
# The sequencer makes a block every 10 ms while `lanes loadgen` sends RATE
# ETH transfers per second; once its head passes BLOCKS the load stops. The
# batcher posts everything; when `safe` covers BLOCKS, a verifier starts
# from an empty directory and is timed until its head reaches BLOCKS. The
# sequencer's time is paced by the load and the block time; the verifier's
# is how fast L1 reading, decoding and execution go. Every process started
# here is stopped on exit, even when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

BLOCKS=${1:-10000}
RATE=${2:-300}
OUT=${OUT:-measure-out/verifier}
KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
L1=http://127.0.0.1:18545
L2=http://127.0.0.1:19545
V=http://127.0.0.1:19547

rm -rf "$OUT" && mkdir -p "$OUT"
go build -o bin/lanes ./cmd/lanes
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

block() { # block URL TAG → the block's JSON header, or nothing
	curl -sf -H 'content-type: application/json' \
		-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getBlockByNumber\",\"params\":[\"$2\",false]}" "$1" || true
}
number() { # number URL TAG → decimal block number of the tag, or -1
	local n
	n=$(block "$1" "$2" | grep -o '"number":"0x[0-9a-f]*"' | head -1 | cut -d'"' -f4 || true)
	if [[ -n $n ]]; then printf '%d\n' "$n"; else echo -1; fi
}
wait_for() { # wait_for URL TAG N TIMEOUT_S
	local deadline=$((SECONDS + $4))
	while (($(number "$1" "$2") < $3)); do
		if ((SECONDS > deadline)); then
			echo "measure: $1 $2 did not reach $3 in $4 s" >&2
			return 1
		fi
		sleep 0.2
	done
}
now() { date +%s.%N; }

tools/bin/anvil --port 18545 --block-time 1 >"$OUT/anvil.log" 2>&1 &
pids+=($!)
sleep 1
./bin/lanes deploy --l1.rpc $L1 --l1.key $KEY --dev --out "$OUT/rollup.json" >"$OUT/deploy.log" 2>&1
./bin/lanes sequencer --rollup "$OUT/rollup.json" --l1.rpc $L1 --datadir "$OUT/sequencer" \
	--http.port 19545 --ws.port 19546 --block.time 10ms --verbosity 2 >"$OUT/sequencer.log" 2>&1 &
pids+=($!)
wait_for $L2 latest 0 30
./bin/lanes batcher --rollup "$OUT/rollup.json" --l1.rpc $L1 --l2.rpc $L2 --batcher.key $KEY \
	--verbosity 2 >"$OUT/batcher.log" 2>&1 &
pids+=($!)

./bin/lanes loadgen --rpc $L2 --rate "$RATE" --txs $((BLOCKS * 20)) --senders 200 --timeout 1h \
	>"$OUT/loadgen.log" 2>&1 &
load=$!
pids+=("$load")
wait_for $L2 latest 1 120
t0=$(now)
wait_for $L2 latest "$BLOCKS" 7200
t1=$(now)
kill -TERM "$load" 2>/dev/null || true
echo "measure: sequencer produced $BLOCKS blocks; waiting for safe" >&2
wait_for $L2 safe "$BLOCKS" 3600

./bin/lanes verifier --rollup "$OUT/rollup.json" --l1.rpc $L1 --datadir "$OUT/verifier" \
	--http.port 19547 --ws.port 19548 --verbosity 3 >"$OUT/verifier.log" 2>&1 &
pids+=($!)
t2=$(now)
wait_for $V latest "$BLOCKS" 7200
t3=$(now)

tag=$(printf '0x%x' "$BLOCKS")
seq_hash=$(block $L2 "$tag" | grep -o '"hash":"0x[0-9a-f]*"' | head -1)
ver_hash=$(block $V "$tag" | grep -o '"hash":"0x[0-9a-f]*"' | head -1)
if [[ $seq_hash != "$ver_hash" ]]; then
	echo "measure: block $BLOCKS differs: sequencer $seq_hash, verifier $ver_hash" >&2
	exit 1
fi
batches=$(grep -c "Batch verified" "$OUT/verifier.log" || true)
mismatches=$(grep -c "differs from the computed" "$OUT/verifier.log" || true)
awk -v b="$BLOCKS" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" \
	-v n="$batches" -v m="$mismatches" 'BEGIN {
	s = t1 - t0; v = t3 - t2
	printf "{\"blocks\":%d,\"sequencer_s\":%.1f,\"verifier_s\":%.1f,\"verifier_over_sequencer\":%.3f,\"verifier_blocks_per_s\":%.0f,\"batches\":%d,\"mismatches\":%d}\n", b, s, v, v / s, b / v, n, m
}'
