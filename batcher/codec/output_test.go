package codec

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The vector of l1contracts/test/lib/MerkleRoot.t.sol (test_goldenThreeLeaves):
// the Go tree and the Solidity library must agree bit for bit.
func TestOutputsRootMatchesSolidityGolden(t *testing.T) {
	leaves := []common.Hash{
		common.HexToHash("0xbc36789e7a1e281436464229828f817d6612f7b477d66591ff96a9e064bcc98a"),
		common.HexToHash("0x5fe7f977e71dba2ea1a68e21057beebb9be2ac30c6410aa38d4f3fbe41dcffd2"),
		common.HexToHash("0xf2ee15ea639b73fa3db9b34a245bdfa015c260c598b211bf05a1ecc4b3e3b4f2"),
	}
	if leaves[0] != crypto.Keccak256Hash([]byte{0}) {
		t.Fatal("golden leaf 0 is keccak256(0x00)")
	}
	root, err := OutputsRoot(leaves)
	if err != nil {
		t.Fatal(err)
	}
	if want := common.HexToHash("0xf68ec50114947b4e75aba65154eaffa8aacde4fafaab7f492a1e40efa4775769"); root != want {
		t.Fatalf("root %v, want %v", root, want)
	}
}

func TestOutputsRootEdges(t *testing.T) {
	if _, err := OutputsRoot(nil); !errors.Is(err, ErrEmptyOutputs) {
		t.Fatalf("empty: %v", err)
	}
	one := common.Hash{7}
	if root, _ := OutputsRoot([]common.Hash{one}); root != one {
		t.Fatal("a single leaf is its own root")
	}
	if _, err := OutputsProof([]common.Hash{one}, 1); !errors.Is(err, ErrOutputIndex) {
		t.Fatalf("out of range: %v", err)
	}
	for n, want := range map[int]int{1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 1024: 10, 1025: 11} {
		if got := OutputsDepth(n); got != want {
			t.Errorf("depth(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestOutputsProofs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		leaves := make([]common.Hash, n)
		for i := range leaves {
			leaves[i] = OutputRoot(common.Hash{byte(rng.Uint32())}, common.Hash{2}, common.Hash{byte(i), 3})
		}
		root, err := OutputsRoot(leaves)
		if err != nil {
			t.Fatal(err)
		}
		for i := range leaves {
			proof, err := OutputsProof(leaves, i)
			if err != nil {
				t.Fatal(err)
			}
			if !VerifyOutput(root, n, leaves[i], i, proof) {
				t.Fatalf("n=%d i=%d: valid proof rejected", n, i)
			}
			if VerifyOutput(root, n, common.Hash{0xff}, i, proof) {
				t.Fatalf("n=%d i=%d: wrong leaf accepted", n, i)
			}
			if len(proof) > 0 {
				// An inner node must not pass as a leaf of a shallower tree.
				if VerifyOutput(root, n, leaves[i], i, proof[:len(proof)-1]) {
					t.Fatalf("n=%d i=%d: short proof accepted", n, i)
				}
			}
		}
	}
}

func TestOutputRootLayout(t *testing.T) {
	state, mp, block := common.Hash{1}, common.Hash{2}, common.Hash{3}
	var buf []byte
	buf = append(buf, make([]byte, 32)...)
	buf = append(buf, state[:]...)
	buf = append(buf, mp[:]...)
	buf = append(buf, block[:]...)
	if got, want := OutputRoot(state, mp, block), crypto.Keccak256Hash(buf); got != want {
		t.Fatalf("output root %v, want %v", got, want)
	}
}
