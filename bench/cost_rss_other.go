//go:build !unix

package bench

// peakRSSMB is unknown on this system.
func peakRSSMB() float64 { return 0 }
