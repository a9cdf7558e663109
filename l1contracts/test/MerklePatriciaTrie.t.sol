// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {MerklePatriciaTrie} from "../src/lib/MerklePatriciaTrie.sol";
import {RLP} from "../src/lib/RLP.sol";
import {MPTHarness} from "../src/test/MPTHarness.sol";

/// Replays the golden vectors that fraudproof/mpt's TestGoldenVectors takes
/// from go-ethereum's trie (test/MerklePatriciaTrie.json), and checks that
/// tampered witnesses revert with the right error.
/// forge-config: default.fs_permissions = [{ access = "read", path = "./test" }]
contract MerklePatriciaTrieTest is Test {
    /// One update, as fraudproof/mpt's goldenWrite has it (fields in the
    /// order of WRITE below).
    struct Write {
        string name;
        bytes32 root;
        bytes32 key;
        bytes value;
        bytes[] proof;
        bytes sibling;
        bytes32 newRoot;
    }

    /// One get, as fraudproof/mpt's goldenRead has it.
    struct Read {
        string name;
        bytes32 root;
        bytes32 key;
        bytes[] proof;
        bool found;
        bytes value;
    }

    string internal constant WRITE =
        "Write(string name,bytes32 root,bytes32 key,bytes value,bytes[] proof,bytes sibling,bytes32 newRoot)";
    string internal constant READ = "Read(string name,bytes32 root,bytes32 key,bytes[] proof,bool found,bytes value)";

    MPTHarness internal mpt;
    Write[] internal writes;
    Read[] internal reads;

    function setUp() public {
        mpt = new MPTHarness();
        string memory golden = vm.readFile("test/MerklePatriciaTrie.json");
        Write[] memory w = abi.decode(vm.parseJsonTypeArray(golden, ".writes", WRITE), (Write[]));
        for (uint256 i = 0; i < w.length; i++) {
            writes.push(w[i]);
        }
        Read[] memory r = abi.decode(vm.parseJsonTypeArray(golden, ".reads", READ), (Read[]));
        for (uint256 i = 0; i < r.length; i++) {
            reads.push(r[i]);
        }
    }

    /// The first write vector named `name`.
    function _find(string memory name) internal view returns (Write memory) {
        for (uint256 i = 0; i < writes.length; i++) {
            if (keccak256(bytes(writes[i].name)) == keccak256(bytes(name))) return writes[i];
        }
        revert("no such vector");
    }

    function test_emptyRoot() public pure {
        assertEq(MerklePatriciaTrie.EMPTY_ROOT, keccak256(hex"80"));
    }

    function test_keys() public pure {
        address a = address(0x1234);
        assertEq(MerklePatriciaTrie.accountKey(a), keccak256(abi.encodePacked(a)));
        assertEq(MerklePatriciaTrie.storageKey(bytes32(uint256(1))), keccak256(abi.encode(uint256(1))));
    }

    function test_goldenWrites() public view {
        assertGt(writes.length, 100);
        for (uint256 i = 0; i < writes.length; i++) {
            Write memory w = writes[i];
            assertEq(mpt.mptUpdate(w.root, w.key, w.value, w.proof, w.sibling), w.newRoot, w.name);
        }
    }

    function test_goldenReads() public view {
        assertGt(reads.length, 100);
        for (uint256 i = 0; i < reads.length; i++) {
            Read memory r = reads[i];
            (bool found, bytes memory value) = mpt.mptGet(r.root, r.key, r.proof);
            assertEq(found, r.found, r.name);
            assertEq(value, r.value, r.name);
        }
    }

    /// A single leaf: its root is the hash of [hex-prefix(0x20 ‖ key), value],
    /// and deleting it gives the empty trie back.
    function testFuzz_singleLeaf(bytes32 key, bytes memory value) public view {
        vm.assume(value.length > 0 && value.length < 200);
        bytes memory leaf = _leaf(key, value);
        bytes32 root = mpt.mptUpdate(MerklePatriciaTrie.EMPTY_ROOT, key, value, new bytes[](0), "");
        assertEq(root, keccak256(leaf));

        bytes[] memory proof = new bytes[](1);
        proof[0] = leaf;
        (bool found, bytes memory got) = mpt.mptGet(root, key, proof);
        assertTrue(found);
        assertEq(got, value);
        (found,) = mpt.mptGet(root, ~key, proof);
        assertFalse(found);
        assertEq(mpt.mptRemove(root, key, proof, ""), MerklePatriciaTrie.EMPTY_ROOT);
        assertEq(mpt.mptRemove(root, ~key, proof, ""), root); // absent: unchanged
    }

    function _leaf(bytes32 key, bytes memory value) internal pure returns (bytes memory) {
        bytes memory path = RLP.encodeBytes(abi.encodePacked(bytes1(0x20), key));
        bytes memory item = RLP.encodeBytes(value);
        uint256 len = path.length + item.length;
        assert(len < 256); // the fuzzed values are under 200 bytes
        // casting to uint8 is safe because len < 256 (checked above)
        // forge-lint: disable-next-line(unsafe-typecast)
        bytes memory header = len < 56 ? abi.encodePacked(uint8(0xc0 + len)) : abi.encodePacked(uint8(0xf8), uint8(len));
        return bytes.concat(header, path, item);
    }

    function test_revertWrongRoot() public {
        Write memory w = _find("update");
        vm.expectRevert(abi.encodeWithSelector(MerklePatriciaTrie.InvalidNodeHash.selector, 0));
        mpt.mptUpdate(keccak256("wrong"), w.key, w.value, w.proof, w.sibling);
    }

    function test_revertChangedNode() public {
        Write memory w = _find("update");
        uint256 last = w.proof.length - 1;
        w.proof[last][w.proof[last].length - 1] ^= 0x01;
        vm.expectRevert(abi.encodeWithSelector(MerklePatriciaTrie.InvalidNodeHash.selector, last));
        mpt.mptUpdate(w.root, w.key, w.value, w.proof, w.sibling);
    }

    function test_revertTruncatedProof() public {
        Write memory w = _find("update");
        bytes[] memory short = new bytes[](w.proof.length - 1);
        for (uint256 i = 0; i < short.length; i++) {
            short[i] = w.proof[i];
        }
        vm.expectRevert(abi.encodeWithSelector(MerklePatriciaTrie.TruncatedProof.selector, short.length));
        mpt.mptGet(w.root, w.key, short);
    }

    function test_revertExtraNode() public {
        Write memory w = _find("update");
        uint256 n = w.proof.length;
        bytes[] memory long = new bytes[](n + 1);
        for (uint256 i = 0; i < n; i++) {
            long[i] = w.proof[i];
        }
        long[n] = w.proof[0];
        vm.expectRevert(abi.encodeWithSelector(MerklePatriciaTrie.UnusedProofNodes.selector, n, n + 1));
        mpt.mptGet(w.root, w.key, long);
    }

    function test_revertSibling() public {
        Write memory w = _find("delete, collapsing into a hashed sibling");
        assertGt(w.sibling.length, 0);
        assertEq(mpt.mptRemove(w.root, w.key, w.proof, w.sibling), w.newRoot);

        vm.expectRevert(MerklePatriciaTrie.MissingSibling.selector);
        mpt.mptRemove(w.root, w.key, w.proof, "");

        bytes memory wrong = bytes.concat(w.sibling);
        wrong[wrong.length - 1] ^= 0x01;
        vm.expectRevert(MerklePatriciaTrie.InvalidSibling.selector);
        mpt.mptRemove(w.root, w.key, w.proof, wrong);

        vm.expectRevert(MerklePatriciaTrie.UnexpectedSibling.selector);
        mpt.mptUpdate(w.root, w.key, hex"01", w.proof, w.sibling);
    }

    function test_revertBadRLP() public {
        bytes32 key = keccak256("key");
        bytes[] memory proof = new bytes[](1);
        // A list header claiming more bytes than the node has.
        proof[0] = bytes.concat(hex"f880", new bytes(40));
        vm.expectRevert(RLP.RLPTruncated.selector);
        mpt.mptGet(keccak256(proof[0]), key, proof);
        // The long form for a 33-byte payload.
        proof[0] = bytes.concat(hex"f821", new bytes(33));
        vm.expectRevert(RLP.RLPNonCanonical.selector);
        mpt.mptGet(keccak256(proof[0]), key, proof);
        // An eight-byte length.
        proof[0] = bytes.concat(hex"ff0000000000000040", new bytes(64));
        vm.expectRevert(RLP.RLPOversized.selector);
        mpt.mptGet(keccak256(proof[0]), key, proof);
    }

    function test_revertMalformedNode() public {
        bytes32 key = keccak256("key");
        bytes[] memory proof = new bytes[](1);
        // A leaf whose path ends at nibble 62.
        bytes memory leaf = _leaf(key, hex"01");
        bytes memory shortLeaf = bytes.concat(hex"e2a020", new bytes(31), hex"01");
        assertEq(leaf.length, shortLeaf.length + 1);
        proof[0] = shortLeaf;
        vm.expectRevert(MerklePatriciaTrie.MalformedNode.selector);
        mpt.mptGet(keccak256(proof[0]), key, proof);
        // A list of three items.
        proof[0] = bytes.concat(hex"e4a120", key, hex"0101");
        vm.expectRevert(MerklePatriciaTrie.MalformedNode.selector);
        mpt.mptGet(keccak256(proof[0]), key, proof);
    }

    function test_revertNodesForEmptyTrie() public {
        bytes[] memory proof = new bytes[](1);
        proof[0] = hex"80";
        vm.expectRevert(abi.encodeWithSelector(MerklePatriciaTrie.UnusedProofNodes.selector, 0, 1));
        mpt.mptGet(MerklePatriciaTrie.EMPTY_ROOT, bytes32(0), proof);
    }
}
