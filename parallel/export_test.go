package parallel

// NewParallelWithFault returns a Parallel executor that calls fault before
// every speculative transaction execution, and gives up after budget
// incarnations per transaction.
func NewParallelWithFault(workers, budget int, fault func(tx int)) *Parallel {
	p := NewParallel(workers)
	p.budget = budget
	p.fault = fault
	return p
}

func init() {
	// Every test checks that the settler skips only validations that pass.
	checkSkippedValidations = true
}
