package mpt

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

var seedsFlag = flag.Int("mpt.seeds", 0, "run the differential tests with this many seeds (0: the default)")

// seeds returns how many seeds a differential test runs: def, or -mpt.seeds.
func seeds(def int) int {
	if *seedsFlag > 0 {
		return *seedsFlag
	}
	return def
}

// coverage counts the trie shapes a run went through, so that a test can
// insist that the interesting ones were reached.
type coverage struct {
	ops, inserts, updates, deletes, noops, emptied int
	siblings, embeddedProofs                       int
}

// differ applies operations to a go-ethereum trie and to the Solidity
// library, and fails at the first root or read that differs.
type differ struct {
	t    *testing.T
	h    *harness
	ref  *reference
	name string
	live map[string][]byte // key -> value, as the test believes
	cov  *coverage
}

// set applies key := value (empty deletes) to both sides and compares the
// roots, then reads the key back through the library.
func (d *differ) set(key, value []byte) {
	d.t.Helper()
	path := d.ref.path(key)
	pre := d.ref.root()
	w, err := UpdateWitness(d.ref, path, value)
	if err != nil {
		d.t.Fatalf("%s: witness for %x: %v", d.name, key, err)
	}
	var got common.Hash
	if len(value) == 0 && d.cov.ops%2 == 0 {
		got, _, err = d.h.remove(pre, path, w)
	} else {
		got, _, err = d.h.update(pre, path, value, w)
	}
	if err != nil {
		d.t.Fatalf("%s: op %d set %x=%x on %x: %v", d.name, d.cov.ops, key, value, pre, err)
	}
	_, existed := d.live[string(key)]
	d.ref.set(key, value)
	want := d.ref.root()
	if got != want {
		d.t.Fatalf("%s: op %d set %x=%x on %x: library root %x, geth root %x", d.name, d.cov.ops, key, value, pre, got, want)
	}

	d.cov.ops++
	switch {
	case len(value) != 0 && existed:
		d.cov.updates++
	case len(value) != 0:
		d.cov.inserts++
	case existed:
		d.cov.deletes++
	default:
		d.cov.noops++
	}
	if w.Sibling != nil {
		d.cov.siblings++
	}
	if hasEmbedded(w.Proof) {
		d.cov.embeddedProofs++
	}
	if len(value) == 0 {
		delete(d.live, string(key))
		if len(d.live) == 0 {
			d.cov.emptied++
		}
	} else {
		d.live[string(key)] = value
	}
	d.check(key)
}

// check reads key through the library and compares with the reference.
func (d *differ) check(key []byte) {
	d.t.Helper()
	path, root := d.ref.path(key), d.ref.root()
	proof, err := Proof(d.ref, path)
	if err != nil {
		d.t.Fatal(err)
	}
	found, value, _, err := d.h.get(root, path, proof)
	if err != nil {
		d.t.Fatalf("%s: get %x in %x: %v", d.name, key, root, err)
	}
	want := d.ref.get(key)
	if found != (len(want) != 0) || !bytes.Equal(value, want) {
		d.t.Fatalf("%s: get %x in %x: library (%v, %x), geth %x", d.name, key, root, found, value, want)
	}
}

// run applies steps random operations drawn from keys, with a drain to the
// empty trie now and then.
func (d *differ) run(r *rand.Rand, keys [][]byte, steps int) {
	d.t.Helper()
	for i := 0; i < steps; i++ {
		key := keys[r.Intn(len(keys))]
		_, present := d.live[string(key)]
		switch op := r.Intn(100); {
		case op < 3:
			d.drain(r)
		case op < 8:
			d.check(key) // often absent: an exclusion proof
		case op < 12 || present && op < 40:
			d.set(key, nil) // a no-op when absent
		default:
			d.set(key, randomValue(r))
		}
	}
	d.drain(r)
	if root := d.ref.root(); root != emptyRoot {
		d.t.Fatalf("%s: drained trie has root %x", d.name, root)
	}
}

// drain deletes every key, in random order, down to the empty trie.
func (d *differ) drain(r *rand.Rand) {
	d.t.Helper()
	keys := make([][]byte, 0, len(d.live))
	for k := range d.live {
		keys = append(keys, []byte(k))
	}
	r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, k := range keys {
		d.set(k, nil)
	}
}

// emptyRoot is the root of the empty trie.
var emptyRoot = common.HexToHash("0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")

// hasEmbedded reports whether a node of the proof embeds a child node.
func hasEmbedded(proof [][]byte) bool {
	for _, n := range proof {
		items, err := splitNode(n)
		if err != nil {
			continue
		}
		for _, it := range items[1:] {
			if isEmbedded(it) {
				return true
			}
		}
	}
	return false
}

// craftedPaths returns n paths that share long prefixes: each copies a
// random number of leading nibbles (up to 63) from an earlier one.
func craftedPaths(r *rand.Rand, n int) [][]byte {
	paths := make([][]byte, 0, n)
	for len(paths) < n {
		p := randHash(r)
		if len(paths) > 0 {
			base := common.BytesToHash(paths[r.Intn(len(paths))])
			shared := r.Intn(64)
			if r.Intn(2) == 0 {
				shared = 56 + r.Intn(8) // deep: embedded leaves and branches
			}
			for i := 0; i < shared; i++ {
				setNibble(&p, i, nibble(base, i))
			}
		}
		paths = append(paths, p.Bytes())
	}
	return paths
}

// TestDifferentialStateTrie runs random inserts, updates and deletes on a
// trie.StateTrie and through the library, comparing roots after every one.
// Keys are random addresses and slots, plus pairs of slots whose hashes
// share seven to nine nibbles.
func TestDifferentialStateTrie(t *testing.T) {
	h := newHarness(t)
	colliding := collidingSlots()
	if len(colliding) < 32 {
		t.Fatalf("found only %d colliding slot pairs", len(colliding))
	}
	cov := new(coverage)
	for seed := 1; seed <= seeds(10); seed++ {
		r := rand.New(rand.NewSource(int64(seed)))
		keys := make([][]byte, 0, 96)
		for i := 0; i < 32; i++ {
			if i%2 == 0 {
				keys = append(keys, randHash(r).Bytes()[:20]) // addresses
			} else {
				keys = append(keys, randHash(r).Bytes()) // slots
			}
		}
		for i := 0; i < 8; i++ { // the longest shared prefixes
			keys = append(keys, colliding[i][0], colliding[i][1])
		}
		for i := 0; i < 24; i++ {
			pair := colliding[r.Intn(len(colliding))]
			keys = append(keys, pair[0], pair[1])
		}
		d := &differ{t: t, h: h, ref: newSecureRef(t), name: fmt.Sprintf("seed %d", seed), live: map[string][]byte{}, cov: cov}
		d.run(r, keys, 400)
	}
	t.Logf("%+v", *cov)
	checkCoverage(t, cov)
}

// TestDifferentialDeepPaths does the same on a trie keyed by crafted paths
// that share up to 63 nibbles: embedded leaves, embedded branches and
// extensions over them, which hashed keys almost never reach.
func TestDifferentialDeepPaths(t *testing.T) {
	h := newHarness(t)
	cov := new(coverage)
	for seed := 1; seed <= seeds(24); seed++ {
		r := rand.New(rand.NewSource(int64(seed)))
		keys := craftedPaths(r, 8+r.Intn(64))
		d := &differ{t: t, h: h, ref: newPlainRef(), name: fmt.Sprintf("seed %d", seed), live: map[string][]byte{}, cov: cov}
		d.run(r, keys, 400)
	}
	t.Logf("%+v", *cov)
	checkCoverage(t, cov)
}

func checkCoverage(t *testing.T, cov *coverage) {
	t.Helper()
	if cov.inserts == 0 || cov.updates == 0 || cov.deletes == 0 || cov.noops == 0 ||
		cov.emptied == 0 || cov.siblings == 0 || cov.embeddedProofs == 0 {
		t.Errorf("a case was never reached: %+v", *cov)
	}
}

// TestShapes walks one trie through the restructurings by name, with tiny
// values so that the deep nodes are embedded, and compares every root.
func TestShapes(t *testing.T) {
	path := func(nibbles map[int]int) []byte {
		var p common.Hash
		for i, v := range nibbles {
			setNibble(&p, i, v)
		}
		return p.Bytes()
	}
	a := path(nil)                // 00…00
	b := path(map[int]int{63: 1}) // 00…01: parts from a at the last nibble
	c := path(map[int]int{62: 1}) // 00…10: parts inside the extension above a and b
	d := path(map[int]int{0: 1})  // 10…00: parts at the root
	one := []byte{0x01}
	steps := []struct {
		name  string
		key   []byte
		value []byte
	}{
		{"insert into the empty trie", a, one},
		{"split a leaf at nibble 63: an extension over an embedded branch", b, one},
		{"split the extension at its last nibble: its child moves into the new branch", c, one},
		{"split the extension at its first nibble: a branch at the root", d, one},
		{"update an embedded leaf", b, []byte{0x02}},
		{"update a hashed leaf with a long value", d, bytes.Repeat([]byte{0xaa}, 40)},
		{"delete: the root branch collapses into its hashed extension", d, nil},
		{"delete: a branch collapses into an embedded branch, under an extension", c, nil},
		{"delete: a branch collapses into an embedded leaf, merged with the extension", b, nil},
		{"delete an absent key", b, nil},
		{"delete the last key", a, nil},
	}
	d2 := &differ{t: t, h: newHarness(t), ref: newPlainRef(), live: map[string][]byte{}, cov: new(coverage)}
	for _, s := range steps {
		d2.name = s.name
		d2.set(s.key, s.value)
	}
	if root := d2.ref.root(); root != emptyRoot {
		t.Fatalf("root %x, want the empty root", root)
	}
}
