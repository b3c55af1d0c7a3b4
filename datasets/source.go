package datasets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// shipped is the real data that lives in the repository (datasets/data, see
// its README.md for origins and licences), embedded so that the binary finds
// it from any working directory.
//
//go:embed data/README.md data/fsdd/recordings data/fsdd/speakers.csv data/mnist data/crema-d data/kinetics-sounds data/vggsound
var shipped embed.FS

// source is where a dataset's files come from: a directory on disk
// (Config.Root) or the data embedded in the binary.
type source struct {
	fsys fs.FS
	root string // the directory, or "(embedded)/datasets/data" for shipped data
	disk bool
}

// newSource returns the files under root, or the embedded data under
// datasets/data/<sub> when root is empty.
func newSource(root, sub string) source {
	if root == "" {
		sfs, err := fs.Sub(shipped, path.Join("data", sub))
		if err != nil {
			panic("datasets: embedded data: " + err.Error()) // sub is a constant of this package
		}
		return source{fsys: sfs, root: path.Join("(embedded)/datasets/data", sub)}
	}
	return source{fsys: os.DirFS(root), root: root, disk: true}
}

// path is the name of rel (slash-separated, relative to the source) used in
// messages and, for disk sources, to open the file.
func (s source) path(rel string) string {
	if s.disk {
		return filepath.Join(s.root, filepath.FromSlash(rel))
	}
	return path.Join(s.root, rel)
}

// readFile returns the contents of rel.
func (s source) readFile(rel string) ([]byte, error) {
	return fs.ReadFile(s.fsys, rel)
}

// ShippedFile returns the contents of a file of the data embedded in the
// binary, by its path under datasets/data (e.g. "crema-d/clips.txt").
func ShippedFile(rel string) ([]byte, error) {
	return fs.ReadFile(shipped, path.Join("data", rel))
}

// contentHash is the hex SHA-256 of b, used in cache keys.
func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
