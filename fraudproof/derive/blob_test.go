package derive

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/crypto/kzg4844"
	"github.com/holiman/uint256"

	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// blobHashes returns the versioned hashes of blobs.
func blobHashes(t testing.TB, blobs []kzg4844.Blob) []common.Hash {
	t.Helper()
	out := make([]common.Hash, len(blobs))
	for i := range blobs {
		h, err := VersionedHash(&blobs[i])
		if err != nil {
			t.Fatal(err)
		}
		out[i] = h
	}
	return out
}

// blobBlocks is a one-block L1 source and log filter: block 5 holds one
// submitBatchBlobs transaction and its BatchSubmitted log.
type blobBlocks struct {
	block *types.Block
	logs  []types.Log
	taken bool
}

func (b *blobBlocks) NextL1Block(context.Context) (*types.Block, error) {
	if b.taken {
		return nil, ErrNotReady
	}
	b.taken = true
	return b.block, nil
}

func (b *blobBlocks) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return b.logs, nil
}

// HeaderByNumber answers that the one block is canonical.
func (b *blobBlocks) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return b.block.Header(), nil
}

// blobScenario builds the block for a batch posted in blobs whose versioned
// hashes are hashes (the blobs' own unless overridden), recording dataHash
// (keccak of the hashes unless overridden).
func blobScenario(t testing.TB, hashes []common.Hash, dataHash *common.Hash) *blobBlocks {
	t.Helper()
	r := bindings.NewRollup()
	input := r.PackSubmitBatchBlobs(big.NewInt(int64(len(hashes))), [32]byte{0xaa}, [32]byte{0xbb}, [32]byte{0xcc}, 4, 3, [32]byte{0xdd})
	tx, err := types.SignNewTx(testKey("sequencer"), types.LatestSignerForChainID(l1ChainID), &types.BlobTx{
		ChainID: uint256.MustFromBig(l1ChainID), Nonce: 0, GasTipCap: uint256.NewInt(1), GasFeeCap: uint256.NewInt(1e9),
		Gas: 300_000, To: testRollup, Data: input, BlobFeeCap: uint256.NewInt(1), BlobHashes: hashes,
	})
	if err != nil {
		t.Fatal(err)
	}
	var concat []byte
	for _, h := range hashes {
		concat = append(concat, h[:]...)
	}
	dh := crypto.Keccak256Hash(concat)
	if dataHash != nil {
		dh = *dataHash
	}
	ev := r.GetABI().Events["BatchSubmitted"]
	logData, err := ev.Inputs.NonIndexed().Pack(uint64(1), uint64(4), [32]byte{0xbb}, [32]byte{0xcc}, [32]byte(dh), true)
	if err != nil {
		t.Fatal(err)
	}
	header := &types.Header{Number: big.NewInt(5), Time: 60, Difficulty: new(big.Int), GasLimit: 30_000_000, BaseFee: big.NewInt(1)}
	block := types.NewBlockWithHeader(header).WithBody(types.Body{Transactions: []*types.Transaction{tx}})
	l := types.Log{Address: testRollup, Data: logData, Topics: []common.Hash{ev.ID, common.BigToHash(big.NewInt(0))},
		BlockNumber: 5, BlockHash: block.Hash(), TxHash: tx.Hash()}
	return &blobBlocks{block: block, logs: []types.Log{l}}
}

// fakeBlobs serves a fixed set of blobs for any block.
type fakeBlobs struct {
	blobs []kzg4844.Blob
	err   error
}

func (f *fakeBlobs) Blobs(context.Context, *types.Header, []common.Hash) ([]kzg4844.Blob, error) {
	return f.blobs, f.err
}

func TestBlobRetrieval(t *testing.T) {
	data := []byte("lanes blob batch data")
	blobs, err := codec.EncodeBlobs(data, 6)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := codec.EncodeBlobs([]byte("something else"), 6)
	twoBlobs, _ := codec.EncodeBlobs(make([]byte, codec.BlobCapacity), 6)
	var empty kzg4844.Blob // commits fine, holds no batch
	errBeaconDown := errors.New("connection refused")
	badHash := common.Hash{0x42}

	tests := []struct {
		name    string
		hashes  []common.Hash
		hash    *common.Hash
		source  BlobSource
		check   func(*testing.T, error)
		wantLen int
	}{
		{"happy", blobHashes(t, blobs), nil, &fakeBlobs{blobs: blobs}, nil, len(data)},
		{"two blobs, served in reverse", blobHashes(t, twoBlobs), nil, &fakeBlobs{blobs: []kzg4844.Blob{twoBlobs[1], twoBlobs[0]}}, nil, codec.BlobCapacity},
		{"extra blobs of the block are ignored", blobHashes(t, blobs), nil, &fakeBlobs{blobs: append([]kzg4844.Blob{other[0]}, blobs...)}, nil, len(data)},
		{"no blob source", blobHashes(t, blobs), nil, nil, wantCritical(5, ErrBlobsUnsupported), 0},
		{"wrong blob served", blobHashes(t, blobs), nil, &fakeBlobs{blobs: other}, wantCritical(5, ErrBlobHashMismatch), 0},
		{"blob missing", blobHashes(t, twoBlobs), nil, &fakeBlobs{blobs: twoBlobs[:1]}, wantCritical(5, ErrBlobNotFound), 0},
		{"data hash mismatch", blobHashes(t, blobs), &badHash, &fakeBlobs{blobs: blobs}, wantCritical(5, ErrDataHashMismatch), 0},
		{"beacon down is retried", blobHashes(t, blobs), nil, &fakeBlobs{err: errBeaconDown}, wantRetryable(errBeaconDown), 0},
		{"bad beacon answer", blobHashes(t, blobs), nil, &fakeBlobs{err: fmt.Errorf("%w: body over 10 bytes", ErrBeaconResponse)}, wantCritical(5, ErrBeaconResponse), 0},
		{"blobs hold no batch", blobHashes(t, []kzg4844.Blob{empty}), nil, &fakeBlobs{blobs: []kzg4844.Blob{empty}}, func(t *testing.T, err error) {
			wantInvalid(0, 5, 0, ErrBadBlobEncoding)(t, err)
			wantIs(ErrBatchUndecodable)(t, err)
			wantIs(codec.ErrBadBlobEncoding)(t, err)
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l1 := blobScenario(t, tt.hashes, tt.hash)
			var opts []RetrievalOption
			if tt.source != nil {
				opts = append(opts, WithBlobs(tt.source))
			}
			r := NewBatchRetrieval(l1, l1, testRollup, opts...)
			b, err := r.NextBatch(context.Background())
			if tt.check != nil {
				tt.check(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Data) != tt.wantLen || b.FirstL2Block != 1 || b.LastL2Block != 4 || b.PrevOutputRoot != (common.Hash{0xaa}) {
				t.Fatalf("batch %d bytes, L2 %d..%d, prev %v", len(b.Data), b.FirstL2Block, b.LastL2Block, b.PrevOutputRoot)
			}
			if tt.wantLen == len(data) && string(b.Data) != string(data) {
				t.Fatalf("data %q, want %q", b.Data, data)
			}
		})
	}
}

// wantRetryable wants target, neither critical nor invalid: the caller
// retries.
func wantRetryable(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var critical *CriticalError
		var invalid *InvalidBatchError
		if !errors.Is(err, target) || errors.As(err, &critical) || errors.As(err, &invalid) {
			t.Fatalf("error %v, want a retryable %v", err, target)
		}
	}
}

// headers is a HeaderReader over a map.
type headers map[uint64]*types.Header

func (h headers) HeaderByNumber(_ context.Context, n *big.Int) (*types.Header, error) {
	if x, ok := h[n.Uint64()]; ok {
		return x, nil
	}
	return nil, ethereum.NotFound
}

func TestBeaconClient(t *testing.T) {
	blobs, _ := codec.EncodeBlobs([]byte("beacon"), 1)
	blobJSON := fmt.Sprintf(`{"data":["%s"]}`, hexutil.Encode(blobs[0][:]))
	block := &types.Header{Number: big.NewInt(7), Difficulty: new(big.Int)}
	root := common.Hash{0xbe}
	childAnvil := &types.Header{Number: big.NewInt(8), ParentHash: block.Hash(), ParentBeaconRoot: &common.Hash{}}
	childBeacon := &types.Header{Number: big.NewInt(8), ParentHash: block.Hash(), ParentBeaconRoot: &root}
	childFork := &types.Header{Number: big.NewInt(8), ParentHash: common.Hash{1}}

	type reply struct {
		status int
		body   string
	}
	tests := []struct {
		name   string
		child  *types.Header
		routes map[string]reply // path → reply; anything else is 404
		max    int
		wantID string // the block ID every request must use
		check  func(*testing.T, []kzg4844.Blob, error)
	}{
		{"anvil: execution block hash", childAnvil, map[string]reply{"/eth/v1/beacon/blobs/" + block.Hash().Hex(): {200, blobJSON}}, 0, block.Hash().Hex(), wantBlobs(blobs)},
		{"beacon root from the child", childBeacon, map[string]reply{"/eth/v1/beacon/blobs/" + root.Hex(): {200, blobJSON}}, 0, root.Hex(), wantBlobs(blobs)},
		{"falls back to blob_sidecars", childBeacon, map[string]reply{
			"/eth/v1/beacon/blobs/" + root.Hex():         {410, `{"code":410}`},
			"/eth/v1/beacon/blob_sidecars/" + root.Hex(): {200, fmt.Sprintf(`{"data":[{"index":"0","blob":"%s"}]}`, hexutil.Encode(blobs[0][:]))},
		}, 0, root.Hex(), wantBlobs(blobs)},
		{"oversized", childAnvil, map[string]reply{"/eth/v1/beacon/blobs/" + block.Hash().Hex(): {200, blobJSON}}, 1000, "", wantBlobErr(ErrBeaconResponse)},
		{"not JSON", childAnvil, map[string]reply{"/eth/v1/beacon/blobs/" + block.Hash().Hex(): {200, `<html>`}}, 0, "", wantBlobErr(ErrBeaconResponse)},
		{"short blob", childAnvil, map[string]reply{"/eth/v1/beacon/blobs/" + block.Hash().Hex(): {200, `{"data":["0x0102"]}`}}, 0, "", wantBlobErr(ErrBeaconResponse)},
		{"server error is I/O", childAnvil, map[string]reply{"/eth/v1/beacon/blobs/" + block.Hash().Hex(): {500, `boom`}}, 0, "", wantBlobIOErr("HTTP 500")},
		{"unknown block is I/O", childAnvil, nil, 0, "", wantBlobIOErr("HTTP 404")},
		{"child on another fork", childFork, nil, 0, "", wantBlobIOErr("reorg")},
		{"no child yet", nil, nil, 0, "", wantBlobIOErr("not found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.wantID != "" && !strings.HasSuffix(r.URL.Path, tt.wantID) {
					t.Errorf("request %s does not use block ID %s", r.URL.Path, tt.wantID)
				}
				if strings.Contains(r.URL.Path, "/blobs/") && r.URL.Query().Get("versioned_hashes") != (common.Hash{9}).Hex() {
					t.Errorf("versioned_hashes %q", r.URL.Query().Get("versioned_hashes"))
				}
				rep, ok := tt.routes[r.URL.Path]
				if !ok {
					rep = reply{404, `{"code":404,"message":"Block not found"}`}
				}
				w.WriteHeader(rep.status)
				w.Write([]byte(rep.body))
			}))
			defer srv.Close()
			hs := headers{}
			if tt.child != nil {
				hs[8] = tt.child
			}
			c, err := NewBeaconClient(BeaconConfig{URL: srv.URL, MaxResponse: tt.max}, hs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.Blobs(context.Background(), block, []common.Hash{{9}})
			tt.check(t, got, err)
		})
	}
}

func wantBlobs(want []kzg4844.Blob) func(*testing.T, []kzg4844.Blob, error) {
	return func(t *testing.T, got []kzg4844.Blob, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || got[0] != want[0] {
			t.Fatalf("got %d blobs, want %d equal ones", len(got), len(want))
		}
	}
}

func wantBlobErr(target error) func(*testing.T, []kzg4844.Blob, error) {
	return func(t *testing.T, _ []kzg4844.Blob, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("error %v, want %v", err, target)
		}
	}
}

// wantBlobIOErr wants a retryable error (not ErrBeaconResponse) whose text
// says what happened, for the operator reading the log.
func wantBlobIOErr(says string) func(*testing.T, []kzg4844.Blob, error) {
	return func(t *testing.T, _ []kzg4844.Blob, err error) {
		t.Helper()
		if err == nil || errors.Is(err, ErrBeaconResponse) || !strings.Contains(err.Error(), says) {
			t.Fatalf("error %v, want an I/O error saying %q", err, says)
		}
	}
}

func TestDefaultBeaconURL(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://127.0.0.1:8545", "http://127.0.0.1:8545"},
		{"http://127.0.0.1:8545/rpc/path", "http://127.0.0.1:8545"},
		{"wss://l1.example:443/ws", "https://l1.example:443"},
		{"/tmp/anvil.ipc", ""},
	} {
		got, err := DefaultBeaconURL(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("DefaultBeaconURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
