package bindings_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"

	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

type chain struct {
	t       *testing.T
	backend *simulated.Backend
	client  simulated.Client
	opts    *bind.TransactOpts
}

func newChain(t *testing.T) *chain {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	funds := new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	backend := simulated.NewBackend(types.GenesisAlloc{from: {Balance: funds}})
	t.Cleanup(func() { backend.Close() })
	client := backend.Client()
	chainID, err := client.ChainID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, backend: backend, client: client, opts: bind.NewKeyedTransactor(key, chainID)}
}

// mine commits a block and returns the receipt of tx, failing on a revert.
func (c *chain) mine(tx *types.Transaction, err error) *types.Receipt {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	c.backend.Commit()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := bind.WaitMined(ctx, c.client, tx.Hash())
	if err != nil {
		c.t.Fatal(err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		c.t.Fatalf("tx %s reverted", tx.Hash())
	}
	return r
}

// origin returns the parent of the head block, a valid L1 origin.
func (c *chain) origin() *types.Header {
	c.t.Helper()
	ctx := context.Background()
	head, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	parent, err := c.client.HeaderByHash(ctx, head.ParentHash)
	if err != nil {
		c.t.Fatal(err)
	}
	return parent
}

func (c *chain) deploy(bin string, input []byte) common.Address {
	c.t.Helper()
	addr, tx, err := bind.DeployContract(c.opts, common.FromHex(bin), c.client, input)
	c.mine(tx, err)
	return addr
}

func (c *chain) withValue(v *big.Int) *bind.TransactOpts {
	o := *c.opts
	o.Value = v
	return &o
}

// TestDeployAndUse deploys Rollup and Portal on go-ethereum's simulated
// backend and drives one deposit and one calldata batch through the bindings.
func TestDeployAndUse(t *testing.T) {
	c := newChain(t)
	sequencer := c.opts.From
	bond := big.NewInt(params.Ether)
	genesisRoot := crypto.Keccak256Hash([]byte("genesis"))

	rollupABI := bindings.NewRollup()
	portalABI := bindings.NewPortal()
	rollupAddr := c.deploy(bindings.RollupMetaData.Bin,
		rollupABI.PackConstructor(sequencer, common.Address{}, 60, bond, genesisRoot, 901))
	portalAddr := c.deploy(bindings.PortalMetaData.Bin, nil)
	rollup := rollupABI.Instance(c.client, rollupAddr)
	portal := portalABI.Instance(c.client, portalAddr)

	// Deposit 1.5 ether to a fresh L2 address.
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	amount := new(big.Int).Mul(big.NewInt(15), big.NewInt(params.Ether/10))
	r := c.mine(bind.Transact(portal, c.withValue(amount), portalABI.PackDepositETH(to)))
	if len(r.Logs) != 1 {
		t.Fatalf("deposit: %d logs, want 1", len(r.Logs))
	}
	dep, err := portalABI.UnpackDepositETHEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if dep.Nonce.Sign() != 0 || dep.From != sequencer || dep.To != to || dep.AmountGwei != 1_500_000_000 {
		t.Fatalf("deposit event: %+v", dep)
	}
	count, err := bind.Call(portal, nil, portalABI.PackDepositCount(), portalABI.UnpackDepositCount)
	if err != nil || count.Uint64() != 1 {
		t.Fatalf("depositCount = %v, %v", count, err)
	}

	// Bond, then post blocks 1..3 with the parent block as L1 origin.
	c.mine(bind.Transact(rollup, c.withValue(bond), rollupABI.PackDepositBond()))
	// The origin must be below the executing block's number, also when the
	// call is estimated against "latest": use the parent of the head.
	head := c.origin()
	data := []byte{0x00, 0x01, 0x02}
	outputs := crypto.Keccak256Hash([]byte("outputs"))
	last := crypto.Keccak256Hash([]byte("block 3"))
	r = c.mine(bind.Transact(rollup, c.opts, rollupABI.PackSubmitBatch(
		data, genesisRoot, outputs, last, 3, head.Number.Uint64(), head.Hash())))
	ev, err := rollupABI.UnpackBatchSubmittedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if ev.BatchIndex.Sign() != 0 || ev.FirstL2Block != 1 || ev.LastL2Block != 3 || ev.Blobs ||
		ev.DataHash != crypto.Keccak256Hash(data) || ev.OutputsRoot != outputs || ev.LastOutputRoot != last {
		t.Fatalf("BatchSubmitted: %+v", ev)
	}
	b, err := bind.Call(rollup, nil, rollupABI.PackBatch(big.NewInt(0)), rollupABI.UnpackBatch)
	if err != nil {
		t.Fatal(err)
	}
	if b.LastL2Block != 3 || b.L1OriginNumber != head.Number.Uint64() || b.L1Block != r.BlockNumber.Uint64() ||
		b.LastOutputRoot != last || b.DataHash != crypto.Keccak256Hash(data) {
		t.Fatalf("batch(0) = %+v", b)
	}
	root, err := bind.Call(rollup, nil, rollupABI.PackLatestOutputRoot(), rollupABI.UnpackLatestOutputRoot)
	if err != nil || common.Hash(root) != last {
		t.Fatalf("latestOutputRoot = %x, %v", root, err)
	}

	// A second batch that does not chain is refused, with a decodable error.
	head = c.origin()
	_, err = bind.Transact(rollup, c.opts, rollupABI.PackSubmitBatch(
		data, genesisRoot, outputs, last, 4, head.Number.Uint64(), head.Hash()))
	if err == nil {
		t.Fatal("non-chaining batch was accepted")
	}
	raw, ok := revertData(err)
	if !ok {
		t.Fatalf("no revert data in %v", err)
	}
	decoded, err := rollupABI.UnpackError(raw)
	if err != nil {
		t.Fatal(err)
	}
	if mismatch, ok := decoded.(*bindings.RollupPrevOutputRootMismatch); !ok || mismatch.Expected != last {
		t.Fatalf("revert = %#v", decoded)
	}
}

// revertData extracts the revert payload of a failed gas estimation.
func revertData(err error) ([]byte, bool) {
	var de interface{ ErrorData() interface{} }
	for e := err; e != nil; {
		if d, ok := e.(interface{ ErrorData() interface{} }); ok {
			de = d
			break
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	if de == nil {
		return nil, false
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return nil, false
	}
	return common.FromHex(s), true
}
