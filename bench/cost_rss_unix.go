//go:build unix

package bench

import (
	"math"
	"runtime"
	"syscall"
)

// peakRSSMB is the process's peak resident set size in MiB (getrusage's
// ru_maxrss: KiB on Linux, bytes on Darwin), 0 when unknown.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	kib := float64(ru.Maxrss)
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kib /= 1024
	}
	return math.Round(kib/1024*10) / 10
}
