package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Run claiming. Before a run trains, the process training it claims it by
// creating DIR/claims/<id>.<gen> exclusively (a hard link of a complete
// temporary file, so the file is never seen half written; where hard links
// are not supported, an O_EXCL create). The file holds a ClaimInfo. While
// the run trains, the holder touches the file every heartbeat; after the
// record is written it removes its claim files. A claim is stale when
//
//   - its holder ran on this host (same host name and, on Linux, the same
//     pid namespace) and that process is gone (or a zombie), or
//   - its file has not been touched for ClaimPolicy.StaleAfter (another
//     host, a reused pid, a hung process, or an unreadable claim).
//
// A stale claim of generation g is taken over by creating generation g+1
// exclusively, so when several processes notice the same stale claim only
// one of them wins. The winner removes every generation up to its own when
// it releases the claim. A process that finds a run claimed re-checks the
// record after claiming, so a run recorded in the meantime is not trained
// again.

// ClaimPolicy configures run claiming; the zero value means the defaults.
type ClaimPolicy struct {
	// StaleAfter is how long a claim file may go untouched before it is
	// taken over (default DefaultStaleAfter). Hosts sharing a results
	// directory must have clocks that agree to well within it.
	StaleAfter time.Duration
	// Heartbeat is how often a holder touches its claim (default
	// StaleAfter/10).
	Heartbeat time.Duration
	// Poll is how often a process that has nothing left to claim looks
	// again at the runs other processes hold (default 5 s).
	Poll time.Duration
}

// DefaultStaleAfter is the default ClaimPolicy.StaleAfter.
const DefaultStaleAfter = 10 * time.Minute

func (p ClaimPolicy) withDefaults() ClaimPolicy {
	if p.StaleAfter <= 0 {
		p.StaleAfter = DefaultStaleAfter
	}
	if p.Heartbeat <= 0 {
		p.Heartbeat = p.StaleAfter / 10
	}
	if p.Poll <= 0 {
		p.Poll = 5 * time.Second
	}
	return p
}

// ClaimInfo is the content of a claim file: who trains the run.
type ClaimInfo struct {
	Host  string    `json:"host"`
	PIDNS string    `json:"pidns,omitempty"` // Linux pid namespace, e.g. "pid:[4026531836]"
	PID   int       `json:"pid"`
	Start time.Time `json:"start"`
}

func (c ClaimInfo) String() string {
	return fmt.Sprintf("host=%s pid=%d since=%s", c.Host, c.PID, c.Start.UTC().Format(time.RFC3339))
}

// self is this process's identity in claim files.
var self = sync.OnceValue(func() ClaimInfo {
	host, err := os.Hostname()
	if err != nil {
		host = "" // never matches: every claim then counts as another host's
	}
	ns, _ := os.Readlink("/proc/self/ns/pid")
	return ClaimInfo{Host: host, PIDNS: ns, PID: os.Getpid()}
})

// sameHost reports whether a claim's holder runs where this process can see
// its pid.
func sameHost(c ClaimInfo) bool {
	me := self()
	return me.Host != "" && c.Host == me.Host && c.PIDNS == me.PIDNS
}

// Claim is a run this process holds. Release it after the record is
// written (or the run abandoned).
type Claim struct {
	ID    string
	Gen   int
	Taken *ClaimInfo // the stale holder this claim took over, if any
	dir   string
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// claimPath is the claim file of generation gen of run id.
func (s *Store) claimPath(id string, gen int) string {
	return filepath.Join(s.Dir, "claims", id+"."+strconv.Itoa(gen))
}

// maxClaimGen bounds take-overs of one run (each is a stale holder).
const maxClaimGen = 1000

// TryClaim claims run id for this process. It returns the claim, or nil
// and the live holder when another process holds the run.
func (s *Store) TryClaim(id string, pol ClaimPolicy) (*Claim, *ClaimInfo, error) {
	pol = pol.withDefaults()
	dir := filepath.Join(s.Dir, "claims")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("claiming run %s: %w", id, err)
	}
	info := self()
	info.Start = time.Now().UTC()
	content, err := json.Marshal(info)
	if err != nil {
		return nil, nil, fmt.Errorf("claiming run %s: %w", id, err)
	}
	content = append(content, '\n')
	var taken *ClaimInfo
	for gen, retries := 0, 0; gen < maxClaimGen; gen++ {
		path := s.claimPath(id, gen)
		created, err := createExclusive(dir, path, content)
		if err != nil {
			return nil, nil, fmt.Errorf("claiming run %s: %w", id, err)
		}
		if created {
			c := &Claim{ID: id, Gen: gen, Taken: taken, dir: dir, stop: make(chan struct{}), done: make(chan struct{})}
			go c.heartbeat(path, pol.Heartbeat)
			return c, nil, nil
		}
		holder, stale, err := readClaim(path, pol.StaleAfter)
		if errors.Is(err, os.ErrNotExist) && retries < 10 {
			retries++ // released between our create and our read: try again
			gen--
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("claiming run %s: %w", id, err)
		}
		if !stale {
			return nil, &holder, nil
		}
		taken = &holder
	}
	return nil, nil, fmt.Errorf("claiming run %s: %d stale claims in %s; remove them", id, maxClaimGen, dir)
}

// createExclusive creates path with content unless it exists, reporting
// whether it did.
func createExclusive(dir, path string, content []byte) (bool, error) {
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return false, err
	}
	_, err = tmp.Write(content)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return false, err
	}
	err = os.Link(tmp.Name(), path)
	os.Remove(tmp.Name())
	if err == nil {
		return true, nil
	}
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	// No hard links here: an exclusive create, briefly empty (readers treat
	// an unreadable claim as held until it is StaleAfter old).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return true, err
}

// readClaim reads a claim file and judges whether it is stale.
func readClaim(path string, staleAfter time.Duration) (ClaimInfo, bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return ClaimInfo{}, false, err
	}
	old := time.Since(st.ModTime()) > staleAfter
	b, err := os.ReadFile(path)
	if err != nil {
		return ClaimInfo{}, false, err
	}
	var c ClaimInfo
	if err := json.Unmarshal(b, &c); err != nil {
		return ClaimInfo{Host: "?"}, old, nil
	}
	if sameHost(c) && !processAlive(c.PID) {
		return c, true, nil
	}
	return c, old, nil
}

// heartbeat touches the claim file until the claim is released.
func (c *Claim) heartbeat(path string, every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			now := time.Now()
			os.Chtimes(path, now, now) // a vanished claim is the releaser's business
		}
	}
}

// Release stops the heartbeat and removes the claim files of every
// generation up to this one. It is safe to call more than once, and on nil.
func (c *Claim) Release() {
	if c == nil {
		return
	}
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		for g := 0; g <= c.Gen; g++ {
			os.Remove(filepath.Join(c.dir, c.ID+"."+strconv.Itoa(g)))
		}
	})
}

// ClaimFiles lists the claim files left in a results directory (claims of
// runs in progress, or of processes that died), by name.
func (s *Store) ClaimFiles() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.Dir, "claims"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
