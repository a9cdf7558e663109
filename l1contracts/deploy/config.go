// Package deploy puts the Lanes L1 contracts on an L1 chain and describes
// the result in the rollup config, the file every other component reads.
package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// RollupConfig is what `lanes deploy` writes to rollup.json: where the L1
// contracts are and everything that fixes the L2 chain's genesis, so that a
// sequencer and a verifier started from the file build the same chain.
type RollupConfig struct {
	L1ChainID    uint64         `json:"l1ChainId"`
	L1StartBlock uint64         `json:"l1StartBlock"`
	Rollup       common.Address `json:"rollup"`
	Portal       common.Address `json:"portal"`
	Sequencer    common.Address `json:"sequencer"`

	L2ChainID         uint64         `json:"l2ChainId"`
	L2GenesisHash     common.Hash    `json:"l2GenesisHash"`
	L2GenesisTime     uint64         `json:"l2GenesisTime"`
	L2GasLimit        uint64         `json:"l2GasLimit"`
	L2FeeRecipient    common.Address `json:"l2FeeRecipient"`
	L2DevAccounts     bool           `json:"l2DevAccounts"`
	GenesisOutputRoot common.Hash    `json:"genesisOutputRoot"`

	BlockTime       Duration `json:"blockTime"`
	ChallengeWindow Duration `json:"challengeWindow"`
	SequencerBond   *big.Int `json:"sequencerBond"`
}

// Duration is a time.Duration written as a string such as "250ms".
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"250ms\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Check validates every field.
func (c *RollupConfig) Check() error {
	var errs []error
	zero := common.Address{}
	if c.L1ChainID == 0 || c.L2ChainID == 0 {
		errs = append(errs, errors.New("chain IDs must be positive"))
	}
	if c.L1ChainID == c.L2ChainID {
		errs = append(errs, fmt.Errorf("L2 chain ID %d equals the L1's", c.L2ChainID))
	}
	if c.Rollup == zero || c.Portal == zero || c.Sequencer == zero {
		errs = append(errs, errors.New("rollup, portal and sequencer addresses must be set"))
	}
	if c.L2GenesisHash == (common.Hash{}) || c.GenesisOutputRoot == (common.Hash{}) {
		errs = append(errs, errors.New("L2 genesis hash and output root must be set"))
	}
	if c.L2GasLimit == 0 {
		errs = append(errs, errors.New("L2 gas limit must be positive"))
	}
	if c.BlockTime <= 0 || c.ChallengeWindow <= 0 {
		errs = append(errs, errors.New("block time and challenge window must be positive"))
	}
	if c.SequencerBond == nil || c.SequencerBond.Sign() <= 0 {
		errs = append(errs, errors.New("sequencer bond must be positive"))
	}
	return errors.Join(errs...)
}

// maxConfigSize bounds the file Load reads: a rollup config is a few
// hundred bytes.
const maxConfigSize = 1 << 20

// Load reads and checks a rollup config file. Unknown fields are refused,
// so a typo does not silently fall back to a default.
func Load(path string) (*RollupConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rollup config: %w", err)
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("rollup config %s is %d bytes, more than %d", path, len(data), maxConfigSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	cfg := new(RollupConfig)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("parse rollup config %s: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parse rollup config %s: trailing data", path)
	}
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("invalid rollup config %s: %w", path, err)
	}
	return cfg, nil
}

// Save writes the config as indented JSON, replacing the file atomically.
func (c *RollupConfig) Save(path string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
