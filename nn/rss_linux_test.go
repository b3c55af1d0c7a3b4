package nn

import "syscall"

// peakRSSMB returns the process's peak resident set in MiB (getrusage's
// ru_maxrss, in KiB on Linux).
func peakRSSMB() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Maxrss) / 1024, true
}
