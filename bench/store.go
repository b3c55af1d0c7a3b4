package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Store is a results directory: one record per finished run in
// DIR/runs/<id>.json. Records are written to a temporary file in the same
// directory, synced and renamed into place, so a reader (or a sweep killed
// at any moment) sees either the whole record or none; temporary files are
// named ".<id>.json.tmp*" and are ignored by readers. Several processes may
// write disjoint runs (shards) into one store, also over a shared file
// system.
type Store struct {
	Dir string
}

// OpenStore returns the store in dir, creating DIR/runs if needed.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "runs"), 0o755); err != nil {
		return nil, fmt.Errorf("results directory: %w", err)
	}
	return &Store{Dir: dir}, nil
}

// CheckWritable makes sure records and claims can be written to the store,
// by creating, syncing and removing a file in each of its folders, so that
// a read-only or full results directory is reported before any run trains.
func (s *Store) CheckWritable() error {
	for _, sub := range []string{"runs", "claims"} {
		dir := filepath.Join(s.Dir, sub)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("results directory %s is not writable: %w", s.Dir, err)
		}
		f, err := os.CreateTemp(dir, ".write-check.tmp*")
		if err != nil {
			return fmt.Errorf("results directory %s is not writable: %w", s.Dir, err)
		}
		_, err = f.Write([]byte("miebench write check\n"))
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if rerr := os.Remove(f.Name()); err == nil {
			err = rerr
		}
		if err != nil {
			return fmt.Errorf("results directory %s is not writable: %w", s.Dir, err)
		}
	}
	return nil
}

// Path is the file of record id.
func (s *Store) Path(id string) string {
	return filepath.Join(s.Dir, "runs", id+".json")
}

// EncodeRecord is the on-disk form of a record: indented JSON with sorted
// map keys and a final newline.
func EncodeRecord(r *Record) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Write stores r as runs/<r.ID>.json atomically, replacing an existing record.
func (s *Store) Write(r *Record) error {
	if r.ID == "" {
		return errors.New("writing record: empty id")
	}
	b, err := EncodeRecord(r)
	if err != nil {
		return fmt.Errorf("encoding record %s: %w", r.ID, err)
	}
	dir := filepath.Join(s.Dir, "runs")
	f, err := os.CreateTemp(dir, "."+r.ID+".json.tmp*")
	if err != nil {
		return fmt.Errorf("writing record %s: %w", r.ID, err)
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.Path(r.ID))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing record %s: %w", s.Path(r.ID), err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // make the rename durable; not all file systems support it
		d.Close()
	}
	return nil
}

// Supersede moves record id to DIR/superseded/<id>.json, out of the
// results (Scan and LoadRecords do not read that folder).
func (s *Store) Supersede(id string) error {
	dir := filepath.Join(s.Dir, "superseded")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("superseding record %s: %w", id, err)
	}
	if err := os.Rename(s.Path(id), filepath.Join(dir, id+".json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("superseding record %s: %w", id, err)
	}
	return nil
}

// CorruptError reports a record file that cannot be used: unreadable, not
// a record, or a record whose id does not match its file name.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("corrupt record %s: %v (move or delete it to re-run that run)", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// ReadRecord reads and checks one record file.
func ReadRecord(path string) (*Record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	var r Record
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	if dec.More() {
		return nil, &CorruptError{Path: path, Err: errors.New("trailing data after the record")}
	}
	id := strings.TrimSuffix(filepath.Base(path), ".json")
	switch {
	case r.ID != id:
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("id %q does not match the file name", r.ID)}
	case r.Status != "ok" && r.Status != "failed":
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("status %q is neither ok nor failed", r.Status)}
	}
	return &r, nil
}

// Scan reads every record in the store. It returns the readable records by
// id and one *CorruptError per unusable file, in file-name order.
func (s *Store) Scan() (map[string]*Record, []error) {
	dir := filepath.Join(s.Dir, "runs")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return map[string]*Record{}, nil
		}
		return nil, []error{fmt.Errorf("reading %s: %w", dir, err)}
	}
	recs := map[string]*Record{}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") || e.IsDir() {
			continue
		}
		r, err := ReadRecord(filepath.Join(dir, name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		recs[r.ID] = r
	}
	return recs, errs
}

// LoadRecords reads and merges the records of several results directories
// (such as the shards of one sweep), sorted by id. The same id in two
// directories is kept once if both records agree (ignoring elapsed time and
// code version) or if one failed and the other is ok (the ok one is kept),
// and is an error naming both files otherwise. Corrupt records
// are errors.
func LoadRecords(dirs ...string) ([]*Record, error) {
	byID := map[string]*Record{}
	from := map[string]string{}
	var errs []error
	for _, dir := range dirs {
		if st, err := os.Stat(filepath.Join(dir, "runs")); err != nil || !st.IsDir() {
			errs = append(errs, fmt.Errorf("%s: not a results directory (no runs/ folder)", dir))
			continue
		}
		s := &Store{Dir: dir}
		recs, bad := s.Scan()
		errs = append(errs, bad...)
		ids := make([]string, 0, len(recs))
		for id := range recs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			r := recs[id]
			if prev, dup := byID[id]; dup {
				switch {
				case prev.Status == "failed" && r.Status == "ok":
					byID[id], from[id] = r, s.Path(id) // a retry that succeeded
				case prev.Status == "ok" && r.Status == "failed":
				case !sameResult(prev, r):
					errs = append(errs, fmt.Errorf("conflicting records for run %s: %s and %s differ", id, from[id], s.Path(id)))
				}
				continue
			}
			byID[id] = r
			from[id] = s.Path(id)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	out := make([]*Record, 0, len(byID))
	for _, r := range byID {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func sameResult(a, b *Record) bool {
	x, y := *a, *b
	x.ElapsedS, y.ElapsedS = 0, 0
	x.Version, y.Version = Version{}, Version{}
	x.Spec.Dataset.Root, y.Spec.Dataset.Root = "", "" // the same data mounted elsewhere
	bx, err1 := json.Marshal(&x)
	by, err2 := json.Marshal(&y)
	return err1 == nil && err2 == nil && bytes.Equal(bx, by)
}
