package rpc

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

type callFrame struct {
	Type    string         `json:"type"`
	From    common.Address `json:"from"`
	To      common.Address `json:"to"`
	Value   *hexutil.Big   `json:"value"`
	GasUsed hexutil.Uint64 `json:"gasUsed"`
	Output  hexutil.Bytes  `json:"output"`
	Error   string         `json:"error"`
}

func TestDebugTrace(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	callTracer := map[string]interface{}{"tracer": "callTracer"}

	// The second transaction of block 2 needs the first re-executed.
	var frame callFrame
	if err := env.rpc.CallContext(ctx, &frame, "debug_traceTransaction", env.chain.txs["transfer2"].Hash(), callTracer); err != nil {
		t.Fatal(err)
	}
	if frame.Type != "CALL" || frame.From != addr2 || frame.To != addr3 || frame.GasUsed != 21000 || frame.Value.ToInt().String() != "1000000000000000000" {
		t.Fatalf("callTracer frame %+v", frame)
	}
	// The default struct logger.
	var structLog struct {
		Gas        uint64            `json:"gas"`
		Failed     bool              `json:"failed"`
		StructLogs []json.RawMessage `json:"structLogs"`
	}
	if err := env.rpc.CallContext(ctx, &structLog, "debug_traceTransaction", env.chain.txs["set43"].Hash(), nil); err != nil {
		t.Fatal(err)
	}
	if structLog.Failed || len(structLog.StructLogs) == 0 || structLog.Gas != env.chain.receipts[2][0].GasUsed {
		t.Fatalf("struct log: failed=%v steps=%d gas=%d", structLog.Failed, len(structLog.StructLogs), structLog.Gas)
	}
	// Whole blocks by number and by hash.
	var results []struct {
		TxHash common.Hash `json:"txHash"`
		Result callFrame   `json:"result"`
	}
	if err := env.rpc.CallContext(ctx, &results, "debug_traceBlockByNumber", "0x1", callTracer); err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || results[0].Result.Type != "CREATE" || results[0].Result.To != contractAddr || results[1].TxHash != env.chain.txs["transfer1"].Hash() {
		t.Fatalf("block 1 traces %+v", results)
	}
	if err := env.rpc.CallContext(ctx, &results, "debug_traceBlockByHash", env.chain.blocks[1].Hash(), callTracer); err != nil || len(results) != 2 {
		t.Fatalf("block 2 traces %+v %v", results, err)
	}
	// A call with a revert, and a prestate tracer call with a state override.
	if err := env.rpc.CallContext(ctx, &frame, "debug_traceCall", map[string]interface{}{"from": addr1, "to": contractAddr, "input": hexutil.Bytes{cmdRevertString}}, "latest", callTracer); err != nil {
		t.Fatal(err)
	}
	if frame.Error != "execution reverted" || !strings.HasPrefix(frame.Output.String(), "0x08c379a0") {
		t.Fatalf("traceCall revert %+v", frame)
	}
	var prestate map[common.Address]json.RawMessage
	cfg := map[string]interface{}{
		"tracer":         "prestateTracer",
		"stateOverrides": map[string]interface{}{contractAddr.Hex(): map[string]interface{}{"stateDiff": map[string]string{"0x0000000000000000000000000000000000000000000000000000000000000000": "0x0000000000000000000000000000000000000000000000000000000000000063"}}},
	}
	if err := env.rpc.CallContext(ctx, &prestate, "debug_traceCall", map[string]interface{}{"to": contractAddr, "input": hexutil.Bytes{cmdGet}}, "latest", cfg); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(prestate[contractAddr]), `"0x0000000000000000000000000000000000000000000000000000000000000063"`) {
		t.Fatalf("prestate %s", prestate[contractAddr])
	}
	// File-system tracing methods of geth's tracers.API are not exposed.
	var out interface{}
	err := env.rpc.CallContext(ctx, &out, "debug_traceBlockFromFile", "/etc/passwd", nil)
	if code, msg, _ := rpcError(t, err); code != -32601 || msg != "the method debug_traceBlockFromFile does not exist/is not available" {
		t.Fatalf("traceBlockFromFile: %d %q", code, msg)
	}
}
