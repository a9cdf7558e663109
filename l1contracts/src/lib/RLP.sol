// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title RLP
/// @notice Strict reading and minimal writing of Ethereum's Recursive Length
///         Prefix encoding, on raw memory pointers so that nested items are
///         read in place without copies.
///
/// The reader accepts exactly the canonical encodings that go-ethereum's rlp
/// package accepts: a single byte below 0x80 is never wrapped in a string
/// header, the long forms are used only for payloads of 56 bytes or more, and
/// a length never has leading zero bytes. Every item must lie inside the
/// bytes that enclose it. Lengths above 2**32 are refused outright: nothing
/// the trie or a transaction holds is that large, and refusing them keeps
/// all pointer arithmetic far from overflow.
library RLP {
    /// @notice An item's header or payload runs past the end of the bytes
    ///         that enclose it.
    error RLPTruncated();
    /// @notice The encoding is not the one canonical encoding of its value.
    error RLPNonCanonical();
    /// @notice A length field is wider than 4 bytes.
    error RLPOversized();

    /// @notice Reads the header of the item that starts at `ptr` and must end
    ///         at or before `end` (both memory addresses).
    /// @return isList whether the item is a list.
    /// @return payload the address of the item's payload.
    /// @return payloadEnd the address just past the payload: the item's end.
    function header(uint256 ptr, uint256 end) internal pure returns (bool isList, uint256 payload, uint256 payloadEnd) {
        if (ptr >= end) revert RLPTruncated();
        uint256 b0;
        assembly ("memory-safe") {
            b0 := byte(0, mload(ptr))
        }
        uint256 len;
        if (b0 < 0x80) {
            return (false, ptr, ptr + 1);
        } else if (b0 < 0xb8) {
            len = b0 - 0x80;
            payload = ptr + 1;
            if (len == 1) {
                if (payload >= end) revert RLPTruncated();
                uint256 b1;
                assembly ("memory-safe") {
                    b1 := byte(0, mload(payload))
                }
                if (b1 < 0x80) revert RLPNonCanonical();
            }
        } else if (b0 < 0xc0) {
            (len, payload) = _longLength(ptr + 1, b0 - 0xb7, end);
        } else if (b0 < 0xf8) {
            isList = true;
            len = b0 - 0xc0;
            payload = ptr + 1;
        } else {
            isList = true;
            (len, payload) = _longLength(ptr + 1, b0 - 0xf7, end);
        }
        payloadEnd = payload + len;
        if (payloadEnd > end) revert RLPTruncated();
    }

    /// @dev Reads a long-form length of `width` bytes at `ptr`.
    function _longLength(uint256 ptr, uint256 width, uint256 end) private pure returns (uint256 len, uint256 payload) {
        if (width > 4) revert RLPOversized();
        payload = ptr + width;
        if (payload > end) revert RLPTruncated();
        assembly ("memory-safe") {
            len := shr(sub(256, mul(8, width)), mload(ptr))
        }
        // A leading zero byte, or a length the short form could have held.
        if (len >> (8 * (width - 1)) == 0 || len < 56) revert RLPNonCanonical();
    }

    /// @notice The number of bytes a list header takes for a payload of
    ///         `len` bytes.
    function listHeaderLength(uint256 len) internal pure returns (uint256) {
        return len < 56 ? 1 : 1 + _byteWidth(len);
    }

    /// @notice Writes a list header for a payload of `len` bytes at `ptr`
    ///         and returns the address just past it.
    function writeListHeader(uint256 ptr, uint256 len) internal pure returns (uint256) {
        return _writeHeader(ptr, len, 0xc0);
    }

    /// @notice The RLP encoding of the byte string `b`.
    function encodeBytes(bytes memory b) internal pure returns (bytes memory out) {
        uint256 len = b.length;
        if (len == 1 && uint8(b[0]) < 0x80) return b;
        uint256 hdr = len < 56 ? 1 : 1 + _byteWidth(len);
        out = new bytes(hdr + len);
        uint256 dst;
        uint256 src;
        assembly ("memory-safe") {
            dst := add(out, 32)
            src := add(b, 32)
        }
        dst = _writeHeader(dst, len, 0x80);
        assembly ("memory-safe") {
            mcopy(dst, src, len)
        }
    }

    /// @dev Writes a string (base 0x80) or list (base 0xc0) header.
    function _writeHeader(uint256 ptr, uint256 len, uint256 base) private pure returns (uint256) {
        if (len < 56) {
            assembly ("memory-safe") {
                mstore8(ptr, add(base, len))
            }
            return ptr + 1;
        }
        uint256 width = _byteWidth(len);
        assembly ("memory-safe") {
            mstore8(ptr, add(add(base, 55), width))
            // Left-align the length and write it after the first byte.
            mstore(add(ptr, 1), shl(sub(256, mul(8, width)), len))
        }
        return ptr + 1 + width;
    }

    /// @dev The number of bytes in the big-endian form of `len` (> 0).
    function _byteWidth(uint256 len) private pure returns (uint256 width) {
        if (len >= 1 << 32) revert RLPOversized();
        while (len != 0) {
            width++;
            len >>= 8;
        }
    }
}
