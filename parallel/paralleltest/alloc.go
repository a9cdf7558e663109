package paralleltest

import (
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// StandardAlloc deploys the hand-assembled contracts at their fixed
// addresses. The destructor holds one ether to give away.
func StandardAlloc() types.GenesisAlloc {
	code := func(c []byte) types.Account { return types.Account{Code: c, Nonce: 1} }
	alloc := types.GenesisAlloc{
		SlotWriterAddr:      code(SlotWriter),
		IncrementerAddr:     code(Incrementer),
		CoinbaseBalanceAddr: code(CoinbaseBalance),
		BalanceOfAddr:       code(BalanceOf),
		TransientAddr:       code(Transient),
		ReverterAddr:        code(Reverter),
		LooperAddr:          code(Looper),
		HasherAddr:          code(Hasher),
		LoggerAddr:          code(Logger),
		FactoryAddr:         code(Factory),
		BlockHasherAddr:     code(BlockHasher),
	}
	destructor := code(Destructor)
	destructor.Balance = big.NewInt(params.Ether)
	alloc[DestructorAddr] = destructor
	return alloc
}
