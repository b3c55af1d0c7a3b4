package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Fingerprint identifies the data under a root by content, independently of
// where the tree is mounted: the sorted list of its regular files (paths
// relative to the root, with sizes) and the content of the files the
// dataset's rule selects (label, list and split files; for the features
// dataset every file, as it reads them whole anyway). Hidden files and
// directories (names starting with ".") are left out; symbolic links are
// followed.
type Fingerprint struct {
	// Hash is the identity: a hash of everything below (32 hex digits).
	Hash string `json:"hash"`
	// Files and Bytes count the regular files and their total size.
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
	// List is the hash of the sorted (path, size) list.
	List string `json:"list"`
	// Content maps each content-hashed file to its content's hash, when
	// there are at most MaxListedContent of them; ContentFiles counts them.
	Content      map[string]string `json:"content,omitempty"`
	ContentFiles int               `json:"content_files"`
}

// MaxListedContent is the largest number of content-hashed files a
// Fingerprint lists one by one (so that a message can name the changed
// one); beyond it only the total hash says that some content changed.
const MaxListedContent = 100

// ContentRule says whether a fingerprint hashes the content of the file at
// rel (slash-separated, relative to the root) of the given size, or only
// lists it with its size.
type ContentRule func(rel string, size int64) bool

// ListFiles is the default ContentRule: the content of text lists and
// tables (.txt, .csv, .tsv, .json, .jsonl, .lst, .list, .yaml, .yml) and of
// files named labels.* is hashed; media (audio, frames, spectrograms) are
// identified by path and size, which keeps a CREMA-D or Kinetics tree
// cheap to fingerprint (one stat per file).
func ListFiles(rel string, size int64) bool {
	base := path.Base(rel)
	switch strings.ToLower(path.Ext(base)) {
	case ".txt", ".csv", ".tsv", ".json", ".jsonl", ".lst", ".list", ".yaml", ".yml":
		return true
	}
	return strings.HasPrefix(base, "labels.")
}

// AllFiles is the ContentRule that hashes every file, for datasets that
// read all of their files whole (features).
func AllFiles(string, int64) bool { return true }

// FingerprintOf fingerprints the data the dataset name opens with cfg. It
// returns nil for cfg.Root == "": the data shipped with miebench (or
// generated from the parameters) is identified by the code version.
func FingerprintOf(name string, cfg Config) (*Fingerprint, error) {
	if cfg.Root == "" {
		return nil, nil
	}
	b, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	rule := b.FingerprintContent
	if rule == nil {
		rule = ListFiles
	}
	fp, err := FingerprintTree(cfg.Root, rule)
	if err != nil {
		return nil, fmt.Errorf("dataset %s: fingerprinting %s: %w", name, cfg.Root, err)
	}
	return fp, nil
}

type fileEntry struct {
	rel     string
	abs     string
	size    int64
	content string // hex hash, "" when not hashed
}

// FingerprintTree fingerprints the tree at root, hashing the content of the
// files rule selects.
func FingerprintTree(root string, rule ContentRule) (*Fingerprint, error) {
	var files []fileEntry
	if err := walkTree(root, "", map[string]bool{}, &files); err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	fp := &Fingerprint{Content: map[string]string{}}
	list := sha256.New()
	for i := range files {
		f := &files[i]
		fp.Files++
		fp.Bytes += f.size
		fmt.Fprintf(list, "%q %d\n", f.rel, f.size)
		if rule(f.rel, f.size) {
			h, err := hashFile(f.abs)
			if err != nil {
				return nil, err
			}
			f.content = h
			fp.ContentFiles++
			fp.Content[f.rel] = h
		}
	}
	fp.List = hex.EncodeToString(list.Sum(nil)[:16])
	all := sha256.New()
	fmt.Fprintf(all, "miebench data fingerprint 1\nlist %s\n", fp.List)
	for _, f := range files {
		if f.content != "" {
			fmt.Fprintf(all, "content %q %s\n", f.rel, f.content)
		}
	}
	fp.Hash = hex.EncodeToString(all.Sum(nil)[:16])
	if fp.ContentFiles > MaxListedContent || fp.ContentFiles == 0 {
		fp.Content = nil
	}
	return fp, nil
}

// walkTree lists the regular files under root/rel, following symbolic
// links; seen holds the real paths of the directories being walked, so a
// link loop is an error rather than endless.
func walkTree(root, rel string, seen map[string]bool, out *[]fileEntry) error {
	dir := filepath.Join(root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return err
	}
	if seen[real] {
		return fmt.Errorf("%s: symbolic link loop", dir)
	}
	seen[real] = true
	defer delete(seen, real)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		r := path.Join(rel, name)
		abs := filepath.Join(dir, name)
		info, err := os.Stat(abs) // follows links
		if errors.Is(err, fs.ErrNotExist) && e.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s: dangling symbolic link", abs)
		}
		if err != nil {
			return err
		}
		switch {
		case info.IsDir():
			if err := walkTree(root, r, seen, out); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			*out = append(*out, fileEntry{rel: r, abs: abs, size: info.Size()})
		}
	}
	return nil
}

func hashFile(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// Diff describes how the data of fingerprint b differs from that of a, for
// messages: files whose content changed, appeared or disappeared (up to a
// few by name), and the file count and size.
func (a *Fingerprint) Diff(b *Fingerprint) string {
	switch {
	case a == nil && b == nil:
		return "no difference"
	case a == nil:
		return "the old records were made without a data fingerprint (shipped data, or an older miebench)"
	case b == nil:
		return "the old records were made on a data root, the new runs use the shipped data"
	case a.Hash == b.Hash:
		return "no difference"
	}
	var parts []string
	if a.Content != nil && b.Content != nil {
		var changed, added, removed []string
		for k, v := range b.Content {
			if old, ok := a.Content[k]; !ok {
				added = append(added, k)
			} else if old != v {
				changed = append(changed, k)
			}
		}
		for k := range a.Content {
			if _, ok := b.Content[k]; !ok {
				removed = append(removed, k)
			}
		}
		for _, l := range []struct {
			what  string
			files []string
		}{{"content changed", changed}, {"new", added}, {"gone", removed}} {
			if len(l.files) > 0 {
				parts = append(parts, l.what+": "+firstFew(l.files))
			}
		}
	} else if a.ContentFiles > 0 || b.ContentFiles > 0 {
		parts = append(parts, fmt.Sprintf("the content of some of the %d label/list files changed", b.ContentFiles))
	}
	if a.List != b.List {
		parts = append(parts, fmt.Sprintf("file list: %d files, %d bytes before; %d files, %d bytes now", a.Files, a.Bytes, b.Files, b.Bytes))
	}
	if len(parts) == 0 {
		parts = append(parts, "fingerprint "+a.Hash+" before, "+b.Hash+" now")
	}
	return strings.Join(parts, "; ")
}

func firstFew(names []string) string {
	sort.Strings(names)
	if len(names) > 5 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
	}
	return strings.Join(names, ", ")
}
