package derive

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

var (
	testRollup = common.HexToAddress("0x1000000000000000000000000000000000000001")
	testPortal = common.HexToAddress("0x2000000000000000000000000000000000000002")
	l1ChainID  = big.NewInt(31337)
	l2ChainID  = big.NewInt(42069)
)

func testKey(name string) *ecdsa.PrivateKey {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("lanes-derive-" + name)))
	if err != nil {
		panic(err)
	}
	return key
}

// fakeL1 is an in-memory L1: real blocks and their logs. FilterLogs answers
// only block-hash queries, which are all the pipeline makes.
type fakeL1 struct {
	blocks      []*types.Block
	logs        map[common.Hash][]types.Log
	failFilters int // FilterLogs calls left to fail, for retry tests
}

var errFakeIO = errors.New("fake L1: connection reset")

func (f *fakeL1) HeaderByNumber(_ context.Context, n *big.Int) (*types.Header, error) {
	if n == nil {
		return f.blocks[len(f.blocks)-1].Header(), nil
	}
	if !n.IsUint64() || n.Uint64() >= uint64(len(f.blocks)) {
		return nil, ethereum.NotFound
	}
	return f.blocks[n.Uint64()].Header(), nil
}

func (f *fakeL1) BlockByNumber(_ context.Context, n *big.Int) (*types.Block, error) {
	if n == nil || !n.IsUint64() || n.Uint64() >= uint64(len(f.blocks)) {
		return nil, ethereum.NotFound
	}
	return f.blocks[n.Uint64()], nil
}

func (f *fakeL1) FilterLogs(_ context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	if f.failFilters > 0 {
		f.failFilters--
		return nil, errFakeIO
	}
	if q.BlockHash == nil {
		return nil, errors.New("fake L1: only block-hash queries")
	}
	logs, ok := f.logs[*q.BlockHash]
	if !ok {
		return nil, ethereum.NotFound
	}
	var out []types.Log
	for _, l := range logs {
		if len(q.Addresses) > 0 && l.Address != q.Addresses[0] {
			continue
		}
		if len(q.Topics) > 0 && len(q.Topics[0]) > 0 && l.Topics[0] != q.Topics[0][0] {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// deposit is one Portal.depositETH.
type deposit struct {
	nonce uint64
	to    common.Address
	gwei  uint64
}

// l2Spec is one L2 block of a batch; its origin hash is the chain's unless
// originHash is set.
type l2Spec struct {
	ts         uint64
	origin     uint64
	originHash *common.Hash
}

// batchSpec is one submitBatch call and its BatchSubmitted log.
type batchSpec struct {
	index       uint64
	first, last uint64 // the range in the log
	dataFirst   uint64 // FirstBlock in the data, if not first
	blocks      []l2Spec
	blobs       bool
	corruptHash bool                // log a dataHash that is not keccak(data)
	data        []byte              // raw batch data instead of encoding blocks
	calldata    func([]byte) []byte // rewrites the transaction input
	to          *common.Address     // sends the transaction elsewhere
}

// scenario describes an L1 chain: blocks 0..head, with deposits and batches.
type scenario struct {
	head     uint64
	deposits map[uint64][]deposit
	batches  map[uint64][]*batchSpec
}

// happyScenario: the rollup starts at L1 block 1. Blocks 1, 2 and 3 carry
// deposits; block 3 posts batch 0 (L2 1-2), block 4 batch 1 (L2 3-4).
func happyScenario() *scenario {
	return &scenario{
		head: 6,
		deposits: map[uint64][]deposit{
			1: {{0, common.HexToAddress("0xa1"), 5}, {1, common.HexToAddress("0xb2"), 7}},
			2: {{2, common.HexToAddress("0xc3"), 9}},
			3: {{3, common.HexToAddress("0xd4"), 11}},
		},
		batches: map[uint64][]*batchSpec{
			3: {{index: 0, first: 1, last: 2, blocks: []l2Spec{{ts: 100, origin: 1}, {ts: 102, origin: 2}}}},
			4: {{index: 1, first: 3, last: 4, blocks: []l2Spec{{ts: 104, origin: 2}, {ts: 106, origin: 3}}}},
		},
	}
}

func l1Time(n uint64) uint64 { return 12 * n }

// build makes the chain. Blocks from `from` on carry fork in their Extra, so
// two builds with different forks share the blocks below from and differ
// from there on, as an L1 reorg would leave them.
func (s *scenario) build(t testing.TB, fork byte, from uint64) *fakeL1 {
	t.Helper()
	rollupABI := bindings.NewRollup().GetABI()
	portalABI := bindings.NewPortal().GetABI()
	sequencer, depositor := testKey("sequencer"), testKey("depositor")
	l1Signer := types.LatestSignerForChainID(l1ChainID)
	f := &fakeL1{logs: map[common.Hash][]types.Log{}}
	var seqNonce, depNonce uint64
	for n := uint64(0); n <= s.head; n++ {
		var txs []*types.Transaction
		type pending struct {
			tx  int
			log types.Log
		}
		var logs []pending
		send := func(to common.Address, input []byte, key *ecdsa.PrivateKey, nonce *uint64) int {
			tx, err := types.SignNewTx(key, l1Signer, &types.DynamicFeeTx{
				ChainID: l1ChainID, Nonce: *nonce, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(1e9),
				Gas: 1_000_000, To: &to, Data: input,
			})
			if err != nil {
				t.Fatal(err)
			}
			*nonce++
			txs = append(txs, tx)
			return len(txs) - 1
		}
		for _, d := range s.deposits[n] {
			i := send(testPortal, bindings.NewPortal().PackDepositETH(d.to), depositor, &depNonce)
			ev := portalABI.Events["DepositETH"]
			data, err := ev.Inputs.NonIndexed().Pack(d.gwei)
			if err != nil {
				t.Fatal(err)
			}
			from := crypto.PubkeyToAddress(depositor.PublicKey)
			logs = append(logs, pending{i, types.Log{Address: testPortal, Data: data, Topics: []common.Hash{
				ev.ID, common.BigToHash(new(big.Int).SetUint64(d.nonce)),
				common.BytesToHash(from.Bytes()), common.BytesToHash(d.to.Bytes()),
			}}})
		}
		for _, b := range s.batches[n] {
			data := b.data
			if data == nil {
				data = s.encode(t, f, b)
			}
			input := bindings.NewRollup().PackSubmitBatch(data, [32]byte{0xaa}, [32]byte{0xbb}, [32]byte{0xcc}, b.last, n-1, f.blocks[n-1].Hash())
			if b.calldata != nil {
				input = b.calldata(input)
			}
			to := testRollup
			if b.to != nil {
				to = *b.to
			}
			i := send(to, input, sequencer, &seqNonce)
			dataHash := crypto.Keccak256Hash(data)
			if b.corruptHash {
				dataHash[0] ^= 1
			}
			ev := rollupABI.Events["BatchSubmitted"]
			logData, err := ev.Inputs.NonIndexed().Pack(b.first, b.last, [32]byte{0xbb}, [32]byte{0xcc}, [32]byte(dataHash), b.blobs)
			if err != nil {
				t.Fatal(err)
			}
			logs = append(logs, pending{i, types.Log{Address: testRollup, Data: logData, Topics: []common.Hash{
				ev.ID, common.BigToHash(new(big.Int).SetUint64(b.index)),
			}}})
		}
		header := &types.Header{Number: new(big.Int).SetUint64(n), Time: l1Time(n), Difficulty: new(big.Int), GasLimit: 30_000_000, BaseFee: big.NewInt(1)}
		if n > 0 {
			header.ParentHash = f.blocks[n-1].Hash()
		}
		if n >= from {
			header.Extra = []byte{fork}
		}
		block := types.NewBlockWithHeader(header).WithBody(types.Body{Transactions: txs})
		hash := block.Hash()
		f.logs[hash] = []types.Log{}
		for i, p := range logs {
			l := p.log
			l.BlockNumber, l.BlockHash, l.TxIndex, l.TxHash, l.Index = n, hash, uint(p.tx), txs[p.tx].Hash(), uint(i)
			f.logs[hash] = append(f.logs[hash], l)
		}
		f.blocks = append(f.blocks, block)
	}
	return f
}

// encode makes a batch's data with the real codec, one signed L2
// transaction per block.
func (s *scenario) encode(t testing.TB, f *fakeL1, b *batchSpec) []byte {
	t.Helper()
	user := testKey("l2-user")
	batch := &codec.Batch{FirstBlock: b.first}
	if b.dataFirst != 0 {
		batch.FirstBlock = b.dataFirst
	}
	for i, spec := range b.blocks {
		origin := codec.L1Origin{Number: spec.origin}
		if spec.originHash != nil {
			origin.Hash = *spec.originHash
		} else if spec.origin < uint64(len(f.blocks)) {
			origin.Hash = f.blocks[spec.origin].Hash()
		}
		to := common.HexToAddress("0xbeef")
		tx, err := types.SignNewTx(user, types.LatestSignerForChainID(l2ChainID), &types.DynamicFeeTx{
			ChainID: l2ChainID, Nonce: b.first + uint64(i), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2),
			Gas: 21_000, To: &to, Value: big.NewInt(int64(i + 1)),
		})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		batch.Blocks = append(batch.Blocks, codec.Block{Timestamp: spec.ts, L1Origin: origin, Transactions: [][]byte{raw}})
	}
	data, err := codec.Encode(batch, codec.DefaultVersion)
	if err != nil {
		t.Fatal(fmt.Errorf("encode batch %d: %w", b.index, err))
	}
	return data
}

// testConfig is the config every test's pipeline runs with.
var testConfig = Config{Rollup: testRollup, Portal: testPortal, StartBlock: 1, Confirmations: 2}
