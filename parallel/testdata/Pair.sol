// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Min {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

// Pair is a minimal Uniswap-v2-style constant-product pool with a 0.3% fee.
// Traders approve the pair and call swap, which pulls the input token and
// pays out the other one. Liquidity is seeded once through addLiquidity.
contract Pair {
    address public immutable token0;
    address public immutable token1;
    uint112 public reserve0;
    uint112 public reserve1;
    uint256 public swaps;

    event Swap(address indexed sender, uint256 amountIn, uint256 amountOut, bool zeroForOne);
    event Sync(uint112 reserve0, uint112 reserve1);

    constructor(address t0, address t1) {
        token0 = t0;
        token1 = t1;
    }

    function addLiquidity(uint256 amount0, uint256 amount1) external {
        IERC20Min(token0).transferFrom(msg.sender, address(this), amount0);
        IERC20Min(token1).transferFrom(msg.sender, address(this), amount1);
        reserve0 += uint112(amount0);
        reserve1 += uint112(amount1);
        emit Sync(reserve0, reserve1);
    }

    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) public pure returns (uint256) {
        uint256 amountInWithFee = amountIn * 997;
        return (amountInWithFee * reserveOut) / (reserveIn * 1000 + amountInWithFee);
    }

    function swap(uint256 amountIn, bool zeroForOne, uint256 minOut) external returns (uint256 amountOut) {
        (uint256 rIn, uint256 rOut) = zeroForOne ? (reserve0, reserve1) : (reserve1, reserve0);
        amountOut = getAmountOut(amountIn, rIn, rOut);
        require(amountOut >= minOut, "Pair: slippage");
        (address tIn, address tOut) = zeroForOne ? (token0, token1) : (token1, token0);
        IERC20Min(tIn).transferFrom(msg.sender, address(this), amountIn);
        IERC20Min(tOut).transfer(msg.sender, amountOut);
        if (zeroForOne) {
            reserve0 = uint112(rIn + amountIn);
            reserve1 = uint112(rOut - amountOut);
        } else {
            reserve1 = uint112(rIn + amountIn);
            reserve0 = uint112(rOut - amountOut);
        }
        swaps++;
        emit Swap(msg.sender, amountIn, amountOut, zeroForOne);
        emit Sync(reserve0, reserve1);
    }
}
