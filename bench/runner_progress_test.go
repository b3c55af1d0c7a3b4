package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable clock for BarProgress.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// statusLines returns the status lines a BarProgress drew (the text of each
// "\r...\x1b[K" redraw) and the lines it printed for good.
func statusLines(out string) (status, printed []string) {
	for _, seg := range strings.Split(out, "\r") {
		if seg == "" {
			continue
		}
		if s, ok := strings.CutSuffix(strings.TrimSuffix(seg, "\n"), "\x1b[K"); ok {
			if s != "" {
				status = append(status, s)
			}
			continue
		}
		// "\x1b[K" + printed line(s) + "\n", or the final newline.
		seg = strings.TrimPrefix(seg, "\x1b[K")
		for _, l := range strings.Split(strings.TrimSuffix(seg, "\n"), "\n") {
			if l != "" {
				printed = append(printed, l)
			}
		}
	}
	return status, printed
}

func TestBarProgressFitsNarrowTerminals(t *testing.T) {
	plan := planOf(t, testSuite)
	for _, width := range []int{120, 80, 60, 40, 24, 12, 5} {
		var b bytes.Buffer
		clock := &fakeClock{t: time.Unix(1000, 0)}
		bp := &BarProgress{W: &b, Width: width, Now: clock.now}
		bp.Start(3, 1)
		bp.Started(plan[0])
		bp.Started(plan[1])
		clock.advance(time.Second)
		bp.Epoch(plan[0], 1, 3)
		rec, _ := fakeTrain(context.Background(), plan[0], TrainOptions{})
		rec = finishRecord(rec, plan[0])
		rec.Status, rec.Error = "failed", "diverged"
		clock.advance(9 * time.Second)
		bp.Finished(plan[0], rec, 10*time.Second)
		rec.Status = "ok"
		clock.advance(5 * time.Second)
		bp.Finished(plan[1], rec, 15*time.Second)
		bp.Stop()
		out := b.String()
		status, printed := statusLines(out)
		if len(status) < 4 {
			t.Fatalf("width %d: %d status lines in %q", width, len(status), out)
		}
		for _, s := range status {
			if n := runeLen(s); n >= width || strings.ContainsAny(s, "\n\r") {
				t.Errorf("width %d: status line of %d columns (it would wrap): %q", width, n, s)
			}
		}
		// The failed run is printed once, in full, above the status line.
		if len(printed) != 1 || !strings.Contains(printed[0], "[2/3] failed t-joint") || !strings.Contains(printed[0], "error: diverged") {
			t.Errorf("width %d: printed lines %q", width, printed)
		}
		last := status[len(status)-1]
		if !strings.Contains(last, "3/3") {
			t.Errorf("width %d: final status %q lacks 3/3", width, last)
		}
		if width >= 80 && !strings.HasPrefix(last, "[============================]") {
			t.Errorf("width %d: final status %q has no full bar", width, last)
		}
		if width >= 80 && !strings.Contains(status[1], "t-joint s0 e2/3") {
			t.Errorf("width %d: status %q lacks the running epochs", width, status[1])
		}
		t.Logf("width %d: %q", width, last)
	}
}

func TestBarProgressETAFromFinishedRuns(t *testing.T) {
	plan := planOf(t, testSuite)
	clock := &fakeClock{t: time.Unix(1000, 0)}
	bp := &BarProgress{W: &bytes.Buffer{}, Width: 200, Now: clock.now}
	bp.Start(10, 2)
	if _, ok := bp.eta(clock.t); ok {
		t.Error("an ETA before any run finished")
	}
	bp.Started(plan[0])
	bp.Started(plan[1])
	clock.advance(20 * time.Second)
	rec := &Record{Status: "ok"}
	bp.Finished(plan[0], rec, 20*time.Second)
	bp.Started(plan[2])
	clock.advance(10 * time.Second)
	bp.Finished(plan[1], rec, 40*time.Second)
	// Mean 30 s; 6 runs to go; plan[2] has run 10 s: (6·30 − 10) / 2 workers.
	if d, ok := bp.eta(clock.t); !ok || d != 85*time.Second {
		t.Errorf("ETA %v, %v; want 1m25s", d, ok)
	}
	if l := bp.line(200, clock.t); !strings.Contains(l, "] 4/10  30s  ETA 1m25s  ") {
		t.Errorf("line %q", l)
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "0s"}, {1499 * time.Millisecond, "1s"}, {65 * time.Second, "1m05s"}, {3723 * time.Second, "1h02m03s"}} {
		if got := shortDuration(tc.d); got != tc.want {
			t.Errorf("shortDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
