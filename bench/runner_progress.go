package bench

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/term"
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

// BarProgress draws one status line for the sweep, redrawn in place:
//
//	[=========>          ] 12/27  3m10s  ETA 4m02s  joint s0 e3/20 | pmr s1 e7/20
//
// the bar, runs done of planned, elapsed time, the estimated time left and
// the runs in progress with their epochs; a failed run is printed as a line
// of its own above it. The line never reaches the terminal's last column,
// so it never wraps: as the terminal narrows the runs in progress are cut
// short and the bar shrinks, then the runs and the bar go, then the elapsed
// time.
//
// The ETA is measured, not extrapolated from a rate: the mean wall time of
// the runs finished by this sweep, times the runs not yet finished, less the
// time the running ones have already spent (each counted up to the mean),
// divided by the number of runs that train at the same time (the most seen
// running at once). Until a run finishes, the ETA is "?".
type BarProgress struct {
	W io.Writer
	// Width is the terminal width in columns; 0 asks the terminal when W is
	// one, else means 80. It is read at every redraw.
	Width int
	// Now is the clock (nil: time.Now); tests replace it.
	Now func() time.Time

	running  map[string]runState
	total    int
	done     int
	start    time.Time
	finished []time.Duration // wall times of the runs finished by this sweep
	parallel int             // most runs seen running at once
	drawn    bool            // a status line is on screen
	last     time.Time       // the last redraw
}

type runState struct {
	text    string // "label s0 e3/20"
	started time.Time
}

// barThrottle is the least time between two redraws caused by epochs.
const barThrottle = 200 * time.Millisecond

func (b *BarProgress) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// width is the usable width: one less than the terminal's, so that the
// cursor never moves past the last column.
func (b *BarProgress) width() int {
	w := b.Width
	if w <= 0 {
		w = 80
		if f, ok := b.W.(*os.File); ok {
			if tw, _, err := term.GetSize(int(f.Fd())); err == nil && tw > 0 {
				w = tw
			}
		}
	}
	return max(1, w-1)
}

// Start implements Progress.
func (b *BarProgress) Start(total, existing int) {
	b.total, b.done = total, existing
	b.running = map[string]runState{}
	b.start = b.now()
	b.draw(true)
}

// Started implements Progress.
func (b *BarProgress) Started(spec RunSpec) {
	b.running[spec.ID()] = runState{text: fmt.Sprintf("%s s%d e0/%d", spec.Label, spec.Seed, spec.Train.Epochs), started: b.now()}
	b.parallel = max(b.parallel, len(b.running))
	b.draw(false)
}

// Epoch implements Progress.
func (b *BarProgress) Epoch(spec RunSpec, e, n int) {
	r := b.running[spec.ID()]
	r.text = fmt.Sprintf("%s s%d e%d/%d", spec.Label, spec.Seed, e+1, n)
	b.running[spec.ID()] = r
	b.draw(false)
}

// Finished implements Progress.
func (b *BarProgress) Finished(spec RunSpec, rec *Record, d time.Duration) {
	b.done++
	b.finished = append(b.finished, d)
	delete(b.running, spec.ID())
	if rec.Status != "ok" {
		b.clear()
		fmt.Fprintf(b.W, "%s\n", finishedLine(b.done, b.total, spec, rec, d))
	}
	b.draw(true)
}

// Stop implements Progress: the last status line stays, with a newline.
func (b *BarProgress) Stop() {
	if b.running == nil {
		return
	}
	b.running = map[string]runState{}
	b.draw(true)
	fmt.Fprintln(b.W)
	b.drawn = false
}

// clear erases the status line.
func (b *BarProgress) clear() {
	if b.drawn {
		io.WriteString(b.W, "\r\x1b[K")
		b.drawn = false
	}
}

// draw redraws the status line: at once when force, else at most every
// barThrottle.
func (b *BarProgress) draw(force bool) {
	now := b.now()
	if !force && b.drawn && now.Sub(b.last) < barThrottle {
		return
	}
	b.last = now
	io.WriteString(b.W, "\r"+b.line(b.width(), now)+"\x1b[K")
	b.drawn = true
}

// eta estimates the time left (see BarProgress); ok is false before the
// first run of the sweep finished.
func (b *BarProgress) eta(now time.Time) (time.Duration, bool) {
	if len(b.finished) == 0 {
		return 0, false
	}
	var sum time.Duration
	for _, d := range b.finished {
		sum += d
	}
	mean := sum / time.Duration(len(b.finished))
	left := time.Duration(b.total-b.done) * mean
	for _, r := range b.running {
		left -= min(now.Sub(r.started), mean)
	}
	return max(0, left/time.Duration(max(1, b.parallel))), true
}

// line lays out the status line in at most width columns.
func (b *BarProgress) line(width int, now time.Time) string {
	count := fmt.Sprintf("%d/%d", b.done, b.total)
	elapsed := shortDuration(now.Sub(b.start))
	eta := "ETA ?"
	if d, ok := b.eta(now); ok {
		eta = "ETA " + shortDuration(d)
	}
	keys := make([]string, 0, len(b.running))
	for k := range b.running {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = b.running[k].text
	}
	desc := strings.Join(parts, " | ")
	// The core, from the most to the least detailed form that fits.
	core := ""
	for _, c := range []string{count + "  " + elapsed + "  " + eta, count + "  " + eta, count} {
		if runeLen(c) <= width {
			core = c
			break
		}
	}
	if core == "" {
		return truncate(count, width)
	}
	rest := width - runeLen(core)
	// The bar: 10 to 30 columns (brackets included), leaving up to 40
	// columns to the runs in progress; none when not even 10 fit.
	bar := ""
	reserve := 0
	if desc != "" {
		reserve = min(runeLen(desc)+2, 40)
	}
	if bw := max(10, min(30, rest-1-reserve)); bw <= rest-1 {
		bar = progressBar(b.done, b.total, bw) + " "
		rest -= bw + 1
	}
	out := bar + core
	if desc != "" && rest >= 6 {
		out += "  " + truncate(desc, rest-2)
	}
	return out
}

// progressBar draws "[===>   ]" in w columns.
func progressBar(done, total, w int) string {
	inner := w - 2
	fill := inner
	if total > 0 {
		fill = min(inner, inner*done/total)
	}
	s := strings.Repeat("=", fill)
	if fill < inner {
		if fill > 0 {
			s = s[:fill-1] + ">"
		}
		s += strings.Repeat(" ", inner-fill)
	}
	return "[" + s + "]"
}

// shortDuration prints d rounded to the second, "1h02m03s", "4m05s", "7s".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// truncate cuts s to at most w runes, ending in "…" when cut.
func truncate(s string, w int) string {
	if runeLen(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	r := []rune(s)
	return string(r[:w-1]) + "…"
}
