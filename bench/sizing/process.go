package sizing

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
)

// Process describes the process that will train the runs: what it holds
// before training and how its garbage collector is set.
type Process struct {
	// Base is the resident memory before training: the binary, the Go
	// runtime and the opened datasets (in-memory ones are decoded at
	// planning time).
	Base int64
	// BaseHeap is the live heap part of Base.
	BaseHeap int64
	// GCPercent is GOGC (100 by default, negative when off).
	GCPercent int
	// MemLimit is GOMEMLIMIT in bytes, 0 when unset.
	MemLimit int64
}

// Measure reads this process's resident memory and live heap after a
// garbage collection, and its GOGC and GOMEMLIMIT settings. Call it after
// planning, so that the datasets the plan opened are counted.
func Measure() Process {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p := Process{BaseHeap: int64(ms.HeapAlloc), Base: residentBytes()}
	if p.Base < p.BaseHeap {
		p.Base = int64(ms.Sys) // no /proc: every byte the runtime obtained from the OS
	}
	p.GCPercent = debug.SetGCPercent(-1)
	debug.SetGCPercent(p.GCPercent)
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		p.MemLimit = l
	}
	return p
}

// residentBytes is the process's resident set size from /proc/self/statm,
// or 0 where that does not exist.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// Peak is the estimated peak resident memory of the process training runs
// with the given number of workers: the base, plus the live heap of the
// workers' largest runs at once, grown by the garbage the collector lets
// accumulate. Go collects when the heap reaches (1 + GOGC/100) times the
// live heap of the last collection, and training produces garbage all the
// time (every evaluation forward and every loaded batch is fresh), so the
// heap reaches that bound; GOMEMLIMIT caps it (though never below the live
// heap). It returns -1 when nothing bounds the heap (GOGC=off without
// GOMEMLIMIT).
func (p Process) Peak(runs []Memory, workers int) int64 {
	live := p.BaseHeap + Largest(runs, workers)
	var heap int64
	switch {
	case p.GCPercent >= 0:
		heap = live + live*int64(p.GCPercent)/100
		if p.MemLimit > 0 {
			heap = min(heap, max(p.MemLimit, live))
		}
	case p.MemLimit > 0:
		heap = max(p.MemLimit, live)
	default:
		return -1
	}
	return p.Base - p.BaseHeap + heap
}

// Largest is the sum of the n largest live heaps of runs: what n workers
// hold at worst.
func Largest(runs []Memory, n int) int64 {
	l := make([]int64, len(runs))
	for i, r := range runs {
		l[i] = r.Live()
	}
	sort.Slice(l, func(i, j int) bool { return l[i] > l[j] })
	var s int64
	for i := range min(n, len(l)) {
		s += l[i]
	}
	return s
}
