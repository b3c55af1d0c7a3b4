package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// Progress reports a sweep as it goes. The runner serialises the calls.
type Progress interface {
	// Start is called once with the number of planned runs and how many of
	// them already have records.
	Start(total, existing int)
	// Started is called when a run begins training.
	Started(spec RunSpec)
	// Epoch is called after each epoch of a run (epoch is 0-based).
	Epoch(spec RunSpec, epoch, epochs int)
	// Finished is called when a run's record has been written.
	Finished(spec RunSpec, rec *Record, elapsed time.Duration)
	// Stop is called once at the end, also after cancellation.
	Stop()
}

type syncProgress struct {
	mu sync.Mutex
	p  Progress
}

func newSyncProgress(p Progress) *syncProgress { return &syncProgress{p: p} }

func (s *syncProgress) do(f func(p Progress)) {
	if s.p == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.p)
}

func (s *syncProgress) Start(total, existing int) {
	s.do(func(p Progress) { p.Start(total, existing) })
}
func (s *syncProgress) Started(spec RunSpec) { s.do(func(p Progress) { p.Started(spec) }) }
func (s *syncProgress) Epoch(spec RunSpec, e, n int) {
	s.do(func(p Progress) { p.Epoch(spec, e, n) })
}
func (s *syncProgress) Finished(spec RunSpec, rec *Record, d time.Duration) {
	s.do(func(p Progress) { p.Finished(spec, rec, d) })
}
func (s *syncProgress) Stop() { s.do(func(p Progress) { p.Stop() }) }

// LineProgress writes one plain line per finished run, for CI logs and
// output that is not a terminal:
//
//	[  4/12] ok     joint              seed=1  av-digits  test_acc=0.9130  12.4s  id=4f0c...
type LineProgress struct {
	W     io.Writer
	total int
	done  int
}

// Start implements Progress.
func (l *LineProgress) Start(total, existing int) {
	l.total, l.done = total, existing
	if existing > 0 {
		fmt.Fprintf(l.W, "%d of %d runs already recorded; resuming\n", existing, total)
	}
}

// Started implements Progress.
func (l *LineProgress) Started(RunSpec) {}

// Epoch implements Progress.
func (l *LineProgress) Epoch(RunSpec, int, int) {}

// Finished implements Progress.
func (l *LineProgress) Finished(spec RunSpec, rec *Record, d time.Duration) {
	l.done++
	fmt.Fprintf(l.W, "%s\n", finishedLine(l.done, l.total, spec, rec, d))
}

// Stop implements Progress.
func (l *LineProgress) Stop() {}

func finishedLine(done, total int, spec RunSpec, rec *Record, d time.Duration) string {
	w := len(fmt.Sprint(total))
	acc := "test_acc=-"
	if m, ok := rec.Metrics["test"]; ok && rec.Status == "ok" {
		acc = fmt.Sprintf("test_acc=%.4f", m.Acc)
	}
	line := fmt.Sprintf("[%*d/%d] %-6s %-20s seed=%-3d %s  %s  %.1fs  id=%s",
		w, done, total, rec.Status, spec.Label, spec.Seed, spec.Dataset.Name, acc, d.Seconds(), rec.ID)
	if rec.Status != "ok" {
		line += "  error: " + firstLine(rec.Error)
	}
	return line
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// BarProgress draws a progress bar for the sweep (runs done of total,
// elapsed time, ETA) whose description shows the current runs' epochs, and
// prints a line for each failed run above the bar.
type BarProgress struct {
	W       io.Writer
	bar     *progressbar.ProgressBar
	running map[string]string // id -> "label s0 e3/20"
	total   int
	done    int
}

// Start implements Progress.
func (b *BarProgress) Start(total, existing int) {
	b.total, b.done = total, existing
	b.running = map[string]string{}
	b.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(b.W),
		progressbar.OptionSetDescription("runs"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
	b.bar.Set(existing)
}

func (b *BarProgress) describe() {
	keys := make([]string, 0, len(b.running))
	for k := range b.running {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = b.running[k]
	}
	b.bar.Describe(strings.Join(parts, " | "))
}

// Started implements Progress.
func (b *BarProgress) Started(spec RunSpec) {
	b.running[spec.ID()] = fmt.Sprintf("%s s%d e0/%d", spec.Label, spec.Seed, spec.Train.Epochs)
	b.describe()
}

// Epoch implements Progress.
func (b *BarProgress) Epoch(spec RunSpec, e, n int) {
	b.running[spec.ID()] = fmt.Sprintf("%s s%d e%d/%d", spec.Label, spec.Seed, e+1, n)
	b.describe()
}

// Finished implements Progress.
func (b *BarProgress) Finished(spec RunSpec, rec *Record, d time.Duration) {
	b.done++
	delete(b.running, spec.ID())
	if rec.Status != "ok" {
		b.bar.Clear()
		fmt.Fprintf(b.W, "%s\n", finishedLine(b.done, b.total, spec, rec, d))
	}
	b.describe()
	b.bar.Add(1)
}

// Stop implements Progress.
func (b *BarProgress) Stop() {
	if b.bar == nil {
		return
	}
	if b.done >= b.total {
		b.bar.Describe("")
		b.bar.Finish() // renders the full bar
	} else {
		b.bar.Exit() // interrupted: leave the bar where it stopped
	}
	fmt.Fprintln(b.W)
}
