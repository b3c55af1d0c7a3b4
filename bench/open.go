package bench

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/miebench/miebench/datasets"
)

// openedDatasets memoises opened datasets by their spec, so that the runs of
// a sweep in one process decode each dataset once. Datasets are read-only
// after opening and safe to share between concurrently training runs.
var openedDatasets struct {
	sync.Mutex
	m map[string]*openEntry
}

type openEntry struct {
	once sync.Once
	ds   datasets.Dataset
	err  error
}

// OpenDataset opens the dataset a spec names, once per process and spec.
func OpenDataset(spec DatasetSpec) (datasets.Dataset, error) {
	spec.Fingerprint = "" // the same files, before and after Plan fingerprints them
	key, err := json.Marshal(struct {
		DatasetSpec
		Cache string
	}{spec, spec.CacheDir})
	if err != nil {
		return nil, fmt.Errorf("dataset %s: %w", spec.Name, err)
	}
	openedDatasets.Lock()
	if openedDatasets.m == nil {
		openedDatasets.m = map[string]*openEntry{}
	}
	e, ok := openedDatasets.m[string(key)]
	if !ok {
		e = &openEntry{}
		openedDatasets.m[string(key)] = e
	}
	openedDatasets.Unlock()
	e.once.Do(func() {
		b, err := datasets.Lookup(spec.Name)
		if err != nil {
			e.err = err
			return
		}
		e.ds, e.err = b.Open(datasets.Config{
			Root:     spec.Root,
			Seed:     spec.Seed,
			Params:   spec.Params,
			CacheDir: spec.CacheDir,
			SkipBad:  spec.SkipBad,
		})
	})
	return e.ds, e.err
}
