package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestClaimStaleRules(t *testing.T) {
	me := self()
	dead := deadPID(t)
	old := time.Now().Add(-time.Hour)
	cases := []struct {
		name    string
		content string
		mtime   time.Time // zero: now
		taken   bool      // the claim is taken over (else held)
	}{
		{"live process on this host", claimJSON(me.Host, me.PIDNS, me.PID), time.Time{}, false},
		{"live process on this host, heartbeat stopped", claimJSON(me.Host, me.PIDNS, me.PID), old, true},
		{"dead process on this host", claimJSON(me.Host, me.PIDNS, dead), time.Time{}, true},
		{"same host name, other pid namespace", claimJSON(me.Host, "pid:[1]", dead), time.Time{}, me.PIDNS == "pid:[1]"},
		{"other host, fresh heartbeat", claimJSON("elsewhere", "", dead), time.Time{}, false},
		{"other host, heartbeat stopped", claimJSON("elsewhere", "", dead), old, true},
		{"unreadable, fresh", "", time.Time{}, false},
		{"unreadable, old", "{trunc", old, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := OpenStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(st.Dir, "claims"), 0o755)
			path := st.claimPath("abc", 0)
			if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if !c.mtime.IsZero() {
				os.Chtimes(path, c.mtime, c.mtime)
			}
			claim, holder, err := st.TryClaim("abc", ClaimPolicy{StaleAfter: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if got := claim != nil; got != c.taken {
				t.Fatalf("taken over %v, want %v (holder %v)", got, c.taken, holder)
			}
			if !c.taken {
				if holder == nil {
					t.Fatal("held claim without a holder")
				}
				return
			}
			if claim.Gen != 1 || claim.Taken == nil {
				t.Errorf("take-over: gen %d, taken %v", claim.Gen, claim.Taken)
			}
			claim.Release()
			if left, _ := st.ClaimFiles(); len(left) != 0 {
				t.Errorf("claim files left after release: %v", left)
			}
		})
	}
}

func claimJSON(host, ns string, pid int) string {
	b, _ := json.Marshal(ClaimInfo{Host: host, PIDNS: ns, PID: pid, Start: time.Now()})
	return string(b)
}

func TestClaimExclusiveAndHeartbeat(t *testing.T) {
	st, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pol := ClaimPolicy{StaleAfter: time.Minute, Heartbeat: 10 * time.Millisecond}
	var mu sync.Mutex
	var won []*Claim
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			c, holder, err := st.TryClaim("r1", pol)
			if err != nil {
				t.Error(err)
				return
			}
			if c == nil && (holder == nil || holder.PID != os.Getpid()) {
				t.Errorf("held, but by %v", holder)
			}
			if c != nil {
				mu.Lock()
				won = append(won, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d goroutines claimed the run, want 1", len(won))
	}
	path := st.claimPath("r1", 0)
	past := time.Now().Add(-time.Hour)
	os.Chtimes(path, past, past)
	time.Sleep(50 * time.Millisecond)
	if fi, err := os.Stat(path); err != nil || time.Since(fi.ModTime()) > time.Minute {
		t.Errorf("heartbeat did not touch the claim: %v %v", fi.ModTime(), err)
	}
	won[0].Release()
	won[0].Release()
	c, _, err := st.TryClaim("r1", pol)
	if err != nil || c == nil || c.Gen != 0 {
		t.Fatalf("claim after release: %v %v", c, err)
	}
	c.Release()
}

// The helper process of TestRunnerProcesses: a sweep of testSuite into
// $MIEBENCH_TEST_STORE whose runs each sleep $MIEBENCH_TEST_SLEEP.
func TestRunnerHelperProcess(t *testing.T) {
	dir := os.Getenv("MIEBENCH_TEST_STORE")
	if dir == "" {
		t.Skip("helper process of TestRunnerProcesses")
	}
	sleep, _ := time.ParseDuration(os.Getenv("MIEBENCH_TEST_SLEEP"))
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := Runner{Store: st, Workers: 1, Log: os.Stderr,
		Claims: ClaimPolicy{StaleAfter: time.Minute, Heartbeat: 20 * time.Millisecond, Poll: 20 * time.Millisecond},
		Train: func(ctx context.Context, s RunSpec, o TrainOptions) (*Record, error) {
			select {
			case <-time.After(sleep):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return fakeTrain(ctx, s, o)
		}}
	sum, err := r.Run(context.Background(), planOf(t, testSuite))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "summary ran=%d byothers=%d takenover=%d\n", sum.Ran, sum.ByOthers, sum.TakenOver)
}

var logLine = regexp.MustCompile(`^miebench: \S+ (train start|train done|claim takeover) ([0-9a-f]{16})`)

// TestRunnerProcesses runs three processes on one results directory, once
// undisturbed and once with one of them killed as it starts training:
// every run is recorded exactly once, as a single process would record it,
// and the killed process's run is taken over.
func TestRunnerProcesses(t *testing.T) {
	plan := planOf(t, testSuite)
	want := dirContents(t, func() string {
		d := t.TempDir()
		runSweep(t, d, plan, Runner{Workers: 1})
		return d
	}())
	for _, kill := range []bool{false, true} {
		t.Run("kill="+strconv.FormatBool(kill), func(t *testing.T) {
			dir := t.TempDir()
			var mu sync.Mutex
			counts := map[string]map[string]int{} // event -> id -> n
			var logs strings.Builder
			var cmds []*exec.Cmd
			var readers sync.WaitGroup
			killed := make(chan string, 1)
			for i := range 3 {
				cmd := exec.Command(os.Args[0], "-test.run=^TestRunnerHelperProcess$")
				cmd.Env = append(os.Environ(), "MIEBENCH_TEST_STORE="+dir, "MIEBENCH_TEST_SLEEP=150ms")
				pipe, err := cmd.StderrPipe()
				if err != nil {
					t.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds = append(cmds, cmd)
				readers.Go(func() {
					sc := bufio.NewScanner(pipe)
					for sc.Scan() {
						line := sc.Text()
						mu.Lock()
						fmt.Fprintf(&logs, "[%d] %s\n", i, line)
						if m := logLine.FindStringSubmatch(line); m != nil {
							if counts[m[1]] == nil {
								counts[m[1]] = map[string]int{}
							}
							counts[m[1]][m[2]]++
							if kill && i == 0 && m[1] == "train start" {
								select {
								case killed <- m[2]:
									cmd.Process.Kill()
								default:
								}
							}
						}
						mu.Unlock()
					}
					io.Copy(io.Discard, pipe)
				})
			}
			readers.Wait()
			for i, cmd := range cmds {
				err := cmd.Wait()
				if kill && i == 0 {
					continue
				}
				if err != nil {
					t.Errorf("process %d: %v", i, err)
				}
			}
			defer func() {
				if t.Failed() {
					t.Logf("logs:\n%s", logs.String())
				}
			}()
			victim := ""
			if kill {
				select {
				case victim = <-killed:
				default:
					t.Fatal("process 0 never started a run")
				}
			}
			sameContents(t, want, dirContents(t, dir))
			for _, s := range plan {
				id := s.ID()
				starts := 1
				if id == victim {
					starts = 2
				}
				if n := counts["train start"][id]; n != starts {
					t.Errorf("run %s (%s seed %d) started %d times, want %d", id, s.Label, s.Seed, n, starts)
				}
				if n := counts["train done"][id]; n != 1 {
					t.Errorf("run %s finished %d times, want 1", id, n)
				}
			}
			if kill && counts["claim takeover"][victim] != 1 {
				t.Errorf("the killed process's run %s was taken over %d times, want 1", victim, counts["claim takeover"][victim])
			}
			st := &Store{Dir: dir}
			if left, err := st.ClaimFiles(); err != nil || len(left) != 0 {
				t.Errorf("claim files left: %v %v", left, err)
			}
		})
	}
}
