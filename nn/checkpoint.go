package nn

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// checkpointFormat identifies miebench checkpoint files; the version changes
// whenever the encoded layout does.
const (
	checkpointFormat  = "miebench-nn-checkpoint"
	checkpointVersion = 1
)

// checkpointFile is what a checkpoint file holds, encoded with encoding/gob:
// the format name and version, the parameter and buffer values, and
// optionally an optimizer's state.
type checkpointFile struct {
	Format    string
	Version   int
	Snapshot  *Snapshot
	Optimizer *OptimizerState
}

// SaveCheckpoint writes s and, when opt is not nil, the optimizer state to
// path as a gob stream. It writes a temporary file in the same directory and
// renames it over path, so a reader never sees a partial checkpoint.
func SaveCheckpoint(path string, s *Snapshot, opt *OptimizerState) (err error) {
	if s == nil {
		return fmt.Errorf("nn: saving checkpoint %s: no snapshot", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("nn: saving checkpoint %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes files private
		return fmt.Errorf("nn: saving checkpoint %s: %w", path, err)
	}
	w := bufio.NewWriter(f)
	if err := gob.NewEncoder(w).Encode(checkpointFile{Format: checkpointFormat, Version: checkpointVersion, Snapshot: s, Optimizer: opt}); err != nil {
		return fmt.Errorf("nn: saving checkpoint %s: encoding: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("nn: saving checkpoint %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("nn: saving checkpoint %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("nn: saving checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("nn: saving checkpoint %s: %w", path, err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint. The optimizer
// state is nil when none was saved.
func LoadCheckpoint(path string) (*Snapshot, *OptimizerState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nn: loading checkpoint: %w", err)
	}
	defer f.Close()
	var c checkpointFile
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&c); err != nil {
		return nil, nil, fmt.Errorf("nn: loading checkpoint %s: not a readable checkpoint: %w", path, err)
	}
	if c.Format != checkpointFormat {
		return nil, nil, fmt.Errorf("nn: loading checkpoint %s: format %q, want %q", path, c.Format, checkpointFormat)
	}
	if c.Version != checkpointVersion {
		return nil, nil, fmt.Errorf("nn: loading checkpoint %s: version %d, this build reads version %d", path, c.Version, checkpointVersion)
	}
	if c.Snapshot == nil {
		return nil, nil, errors.New("nn: loading checkpoint " + path + ": no parameter values")
	}
	if c.Snapshot.Params == nil {
		c.Snapshot.Params = map[string]*Tensor{}
	}
	if c.Snapshot.Buffers == nil {
		c.Snapshot.Buffers = map[string]*Tensor{}
	}
	for name, t := range c.Snapshot.Params {
		if t == nil || ShapeSize(t.Shape) != len(t.Data) {
			return nil, nil, fmt.Errorf("nn: loading checkpoint %s: parameter %q is malformed", path, name)
		}
	}
	for name, t := range c.Snapshot.Buffers {
		if t == nil || ShapeSize(t.Shape) != len(t.Data) {
			return nil, nil, fmt.Errorf("nn: loading checkpoint %s: buffer %q is malformed", path, name)
		}
	}
	return c.Snapshot, c.Optimizer, nil
}
