package main

import (
	"strings"
	"testing"

	"github.com/lanes-rollup/lanes/sequencer"
)

func TestCheckBatchable(t *testing.T) {
	for _, ok := range []uint64{sequencer.DefaultGasLimit, 210_000_000} {
		if err := checkBatchable(ok); err != nil {
			t.Errorf("gas limit %d: %v", ok, err)
		}
	}
	err := checkBatchable(210_000_001)
	if err == nil || !strings.Contains(err.Error(), "at most 10000 per block: the limit can be at most 210000000") {
		t.Fatalf("gas limit 210000001: %v", err)
	}
}
