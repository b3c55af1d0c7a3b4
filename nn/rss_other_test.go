//go:build !linux

package nn

// peakRSSMB reports no peak resident set outside Linux, where ru_maxrss
// has other units or does not exist.
func peakRSSMB() (float64, bool) { return 0, false }
