package batcher

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto/kzg4844"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

func hashBytes(hs []common.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

// beaconBatch reads the blobs with the given versioned hashes from anvil's
// beacon API (keyed by execution block hash), checks them against the
// hashes and unpacks the batch data.
func beaconBatch(t *testing.T, rpcURL string, block common.Hash, hashes []common.Hash) []byte {
	t.Helper()
	q := make([]string, len(hashes))
	for i, h := range hashes {
		q[i] = h.Hex()
	}
	resp, err := http.Get(fmt.Sprintf("%s/eth/v1/beacon/blobs/%s?versioned_hashes=%s", rpcURL, block.Hex(), strings.Join(q, ",")))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("beacon blobs of %v: HTTP %d, %v: %.200s", block, resp.StatusCode, err, body)
	}
	var reply struct{ Data []hexutil.Bytes }
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatal(err)
	}
	if len(reply.Data) != len(hashes) {
		t.Fatalf("beacon served %d blobs, want %d", len(reply.Data), len(hashes))
	}
	blobs := make([]kzg4844.Blob, len(hashes))
	for i, raw := range reply.Data {
		copy(blobs[i][:], raw)
		c, err := kzg4844.BlobToCommitment(&blobs[i])
		if err != nil {
			t.Fatal(err)
		}
		if got := kzg4844.CalcBlobHashV1(sha256.New(), &c); common.Hash(got) != hashes[i] {
			t.Fatalf("served blob %d hashes to %x, want %v", i, got, hashes[i])
		}
	}
	data, err := codec.DecodeBlobs(blobs)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBatcherPostsBlobs posts a chain in blobs and reads every batch back
// from anvil's beacon API.
func TestBatcherPostsBlobs(t *testing.T) {
	e := newL1Env(t, 30, nil)
	cfg := e.config(t)
	cfg.DA = DABlobs
	blobBefore := blobBatches.Snapshot().Count()
	b := e.startWith(t, cfg)
	// SafeHead follows the contract only after the post returned, so the
	// metrics are final then.
	waitFor(t, "safe head 30", b, func() bool { return b.SafeHead() == 30 })
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	ranges, blobs := e.checkPostedDA(t, 30)
	if want := [][2]uint64{{1, 7}, {8, 14}, {15, 21}, {22, 28}, {29, 30}}; !reflect.DeepEqual(ranges, want) {
		t.Fatalf("batch ranges %v, want %v", ranges, want)
	}
	for i, bl := range blobs {
		if !bl {
			t.Fatalf("batch %d posted in calldata", i)
		}
	}
	if got := blobBatches.Snapshot().Count() - blobBefore; got != 5 {
		t.Fatalf("batcher/batches_blobs grew by %d, want 5", got)
	}
}

// TestBatcherAutoPicksBlobs: on anvil the blob base fee is 1 wei, so auto
// mode must post in blobs.
func TestBatcherAutoPicksBlobs(t *testing.T) {
	e := newL1Env(t, 10, nil)
	cfg := e.config(t)
	cfg.DA = DAAuto
	b := e.startWith(t, cfg)
	waitFor(t, "safe head 10", b, func() bool { return b.SafeHead() == 10 })
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, blobs := e.checkPostedDA(t, 10)
	for i, bl := range blobs {
		if !bl {
			t.Fatalf("batch %d posted in calldata at a 1 wei blob base fee", i)
		}
	}
}

func TestParseDAMode(t *testing.T) {
	for _, s := range []string{"calldata", "blobs", "auto"} {
		if m, err := ParseDAMode(s); err != nil || string(m) != s {
			t.Errorf("ParseDAMode(%q) = %q, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "blob", "Calldata"} {
		if _, err := ParseDAMode(s); err == nil {
			t.Errorf("ParseDAMode(%q) succeeded", s)
		}
	}
}

func TestDACosts(t *testing.T) {
	gwei := func(x int64) *big.Int { return big.NewInt(x * 1e9) }
	nonzero := func(n int) []byte { return []byte(strings.Repeat("\x01", n)) }
	// 100 nonzero call bytes: 400 tokens. Intrinsic 21000+1600, plus
	// execution 140000 and hashing 4 words: above the 25000 floor.
	c := CalldataCost(nonzero(100), 100, L1Fees{BaseFee: gwei(10), Tip: gwei(1), BlobBaseFee: big.NewInt(1)})
	if c.Gas != 21000+1600+140000+4*12 || c.BlobGas != 0 || c.Wei.Cmp(new(big.Int).Mul(big.NewInt(int64(c.Gas)), gwei(11))) != 0 {
		t.Fatalf("small calldata cost %+v", c)
	}
	// 100,000 nonzero bytes: the EIP-7623 floor (21000 + 10×400,000) wins.
	c = CalldataCost(nonzero(100_000), 100_000, L1Fees{BaseFee: gwei(1), Tip: gwei(1), BlobBaseFee: big.NewInt(1)})
	if c.Gas != 21000+4_000_000 {
		t.Fatalf("large calldata gas %d, want the floor %d", c.Gas, 21000+4_000_000)
	}
	// Zero bytes count one token each.
	if c := CalldataCost(make([]byte, 100), 0, L1Fees{BaseFee: gwei(1), Tip: new(big.Int)}); c.Gas != 21000+400+140000 {
		t.Fatalf("zero-byte calldata gas %d", c.Gas)
	}
	b := BlobCost(nonzero(100), 2, L1Fees{BaseFee: gwei(1), Tip: gwei(1), BlobBaseFee: big.NewInt(7)})
	if b.Gas != 21000+1600+140000 || b.BlobGas != 2*131072 ||
		b.Wei.Cmp(new(big.Int).Add(new(big.Int).Mul(big.NewInt(int64(b.Gas)), gwei(2)), big.NewInt(7*2*131072))) != 0 {
		t.Fatalf("blob cost %+v", b)
	}

	data := nonzero(50_000)
	call, blobCall := nonzero(50_200), nonzero(228)
	for _, tt := range []struct {
		name     string
		blobBase *big.Int
		want     DAMode
	}{
		{"cheap blobs", big.NewInt(1), DABlobs},
		// 131072 blob gas must cost more than ~2M gas of calldata at 2 gwei.
		{"dear blobs", gwei(40), DACalldata},
	} {
		mode, cd, bl := ChooseDA(call, len(data), blobCall, 1, L1Fees{BaseFee: gwei(1), Tip: gwei(1), BlobBaseFee: tt.blobBase})
		if mode != tt.want {
			t.Errorf("%s: chose %s (calldata %v wei, blobs %v wei)", tt.name, mode, cd.Wei, bl.Wei)
		}
	}
}
