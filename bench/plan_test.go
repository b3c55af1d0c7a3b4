package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func planOf(t *testing.T, yaml string, sets ...string) []RunSpec {
	t.Helper()
	s, err := ParseSuite("t.yaml", []byte(yaml), sets)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := s.Plan(nil)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func TestPlanOrderAndGrid(t *testing.T) {
	runs := planOf(t, testSuite)
	var got []string
	for _, r := range runs {
		got = append(got, fmt.Sprintf("%s/%d", r.Label, r.Seed))
	}
	want := []string{
		"t-joint/0", "t-joint/1",
		"uni-m1/0", "uni-m1/1",
		"t-ogm(alpha=0.3,beta=1)/0", "t-ogm(alpha=0.3,beta=1)/1",
		"t-ogm(alpha=0.3,beta=2)/0", "t-ogm(alpha=0.3,beta=2)/1",
		"t-ogm(alpha=0.8,beta=1)/0", "t-ogm(alpha=0.8,beta=1)/1",
		"t-ogm(alpha=0.8,beta=2)/0", "t-ogm(alpha=0.8,beta=2)/1",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan order\n got %v\nwant %v", got, want)
	}
	r := runs[6]
	wantParams := map[string]any{"alpha": 0.3, "beta": 2, "on": false}
	if !reflect.DeepEqual(r.Params, wantParams) {
		t.Errorf("resolved params %#v, want %#v", r.Params, wantParams)
	}
	if r.Train.LR != 0.5 || runs[0].Train.LR != 0.1 {
		t.Errorf("lr %g / %g", r.Train.LR, runs[0].Train.LR)
	}
	if len(r.Model.Encoders) != 2 || r.Model.Encoders["m0"].Dim != 4 {
		t.Errorf("encoders not trimmed to the dataset's modalities: %+v", r.Model.Encoders)
	}
	if r.Dataset.Params["noise"] != 1.0 || r.Suite != "t" || r.Method != "t-ogm" {
		t.Errorf("dataset %+v suite %q method %q", r.Dataset, r.Suite, r.Method)
	}
	if got := runs[2].Params["modality"]; got != "m1" {
		t.Errorf("uni-m1 modality %v", got)
	}
	ids := map[string]bool{}
	for _, r := range runs {
		ids[r.ID()] = true
	}
	if len(ids) != len(runs) {
		t.Errorf("%d distinct ids for %d runs", len(ids), len(runs))
	}
}

func TestPlanIDsAreStable(t *testing.T) {
	// alpha written as an int or a float, a default written out or left
	// implicit: the same resolved run, the same id.
	a := planOf(t, testSuite, "methods.t-ogm.alpha=1", "methods.t-ogm.beta=1")
	b := planOf(t, testSuite, "methods.t-ogm.alpha=1.0", "methods.t-ogm.params={alpha: 1.0, on: false}")
	if len(a) != len(b) {
		t.Fatalf("%d vs %d runs", len(a), len(b))
	}
	for i := range a {
		if a[i].ID() != b[i].ID() {
			t.Errorf("run %d (%s): ids differ: %s vs %s", i, a[i].Label, a[i].ID(), b[i].ID())
		}
	}
	c := planOf(t, testSuite, "methods.t-ogm.alpha=0.5")
	if c[4].ID() == a[4].ID() {
		t.Error("different alpha, same id")
	}
}

func TestPlanErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []string
		yaml string
		want string
	}{
		{"unknown method", nil, strings.Replace(testSuite, "name: t-joint", "name: t-jont", 1),
			`t.yaml:8: key "methods.0.name": unknown method "t-jont" (valid: [`},
		{"unknown dataset", nil, strings.Replace(testSuite, "name: t-ds", "name: t-dz", 1),
			`t.yaml:5: key "datasets.0.name": unknown dataset "t-dz" (valid: [`},
		{"unknown hyperparameter", nil, strings.Replace(testSuite, "on: false", "of: false", 1),
			`t.yaml:13: key "methods.2.params.of": method t-ogm: unknown hyperparameter "of" (valid: alpha, beta, on)`},
		{"hyperparameter type", []string{"methods.t-ogm.beta=1.5"}, testSuite,
			`--set methods.t-ogm.beta=1.5: key "methods.2.params.beta": method t-ogm: hyperparameter "beta": want an integer, got 1.5`},
		{"validate", []string{"methods.uni-m1.modality=m5"}, testSuite,
			`t.yaml:9: key "methods.1": method t-uni on dataset t-ds (uni-m1): modality "m5" not in [m0 m1]`},
		{"dataset param", nil, strings.Replace(testSuite, "{noise: 1}", "{noize: 1}", 1),
			`t.yaml:6: key "datasets.0.params.noize": dataset t-ds: unknown parameter "noize" (valid: noise, strength)`},
		{"dataset param type", nil, strings.Replace(testSuite, "{noise: 1}", "{noise: loud}", 1),
			`t.yaml:6: key "datasets.0.params.noise": dataset t-ds: parameter "noise": want a number, got "loud"`},
		{"dataset open", []string{"dataset.root=/missing"}, testSuite,
			`t.yaml:5: key "datasets.0": opening dataset t-ds: root /missing: no such directory`},
		{"missing encoder", []string{"model.encoders={m0: {kind: mlp}}"}, testSuite,
			`t.yaml:8: key "methods.0.model.encoders": dataset t-ds: no encoder for modalities m1 (the dataset has m0, m1)`},
		{"duplicate label", nil, strings.Replace(testSuite, "label: uni-m1", "label: t-joint", 1),
			`t.yaml:9: key "methods.1": row label "t-joint" is already used by methods.0; give the entry a label`},
		{"dataset param nan string", []string{"datasets.0.params.noise=nan"}, testSuite,
			`--set datasets.0.params.noise=nan: key "datasets.0.params.noise": dataset t-ds: want a finite number, got NaN`},
		{"hyperparameter inf string", []string{"methods.t-ogm.alpha=inf"}, testSuite,
			`--set methods.t-ogm.alpha=inf: key "methods.2.params.alpha": method t-ogm: want a finite number, got +Inf`},
		{"empty grid", []string{"methods.t-ogm.alpha=[]"}, testSuite,
			`--set methods.t-ogm.alpha=[]: key "methods.2.params.alpha": hyperparameter "alpha": an empty list has no values`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSuite("t.yaml", []byte(tc.yaml), tc.sets)
			if err == nil {
				_, err = s.Plan(nil)
			}
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if _, ok := err.(*ConfigError); !ok {
				t.Errorf("error is %T, want *ConfigError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
		})
	}
}

// A run's id depends on the data's content, not on its path; its
// ConfigKey on neither. A suite without a data root keeps the ids it had
// before fingerprints existed.
func TestPlanIDsFollowDataContent(t *testing.T) {
	base := t.TempDir()
	write := func(dir, labels string) string {
		d := filepath.Join(base, dir)
		os.MkdirAll(filepath.Join(d, "clips"), 0o755)
		os.WriteFile(filepath.Join(d, "clips", "0.wav"), []byte("RIFF"), 0o644)
		os.WriteFile(filepath.Join(d, "labels.txt"), []byte(labels), 0o644)
		return d
	}
	one, two, other := write("one", "0\n1\n"), write("two", "0\n1\n"), write("other", "1\n0\n")
	id := func(root string) (string, string, string) {
		p := planOf(t, testSuite, "dataset.root="+root)
		return p[0].ID(), p[0].ConfigKey(), p[0].Dataset.Fingerprint
	}
	id1, key1, fp1 := id(one)
	for _, root := range []string{one + "/", two} {
		if i, k, _ := id(root); i != id1 || k != key1 {
			t.Errorf("%s: id %s key %s, want %s %s", root, i, k, id1, key1)
		}
	}
	if i, k, fp := id(other); i == id1 || k != key1 || fp == fp1 {
		t.Errorf("other labels: id %s (was %s), key %s (was %s), fingerprint %s (was %s)", i, id1, k, key1, fp, fp1)
	}
	if p := planOf(t, testSuite); p[0].Dataset.Fingerprint != "" || p[0].ID() != "c17b3894e55abf0a" {
		t.Errorf("shipped data: fingerprint %q, id %s (ids of suites without a root must not change)", p[0].Dataset.Fingerprint, p[0].ID())
	}
}

// A broken file in an existing data tree is a *DataError (exit 1), a
// missing tree a *ConfigError (exit 2).
func TestPlanDataError(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "corrupt.npy"), []byte("\x93NUM"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		root string
		data bool
	}{{root, true}, {"/missing", false}} {
		s, err := ParseSuite("t.yaml", []byte(testSuite), []string{"dataset.root=" + tc.root})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Plan(nil)
		de, isData := errors.AsType[*DataError](err)
		_, isConfig := errors.AsType[*ConfigError](err)
		if isData != tc.data || isConfig == tc.data {
			t.Errorf("root %s: %T %v; want a data error %v", tc.root, err, err, tc.data)
		}
		if isData && (de.Root != root || !strings.Contains(err.Error(), "corrupt.npy: truncated")) {
			t.Errorf("data error: %v", err)
		}
	}
}

func TestShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i, n int
		ok   bool
	}{
		{"0/1", 0, 1, true}, {"2/3", 2, 3, true}, {"3/3", 0, 0, false}, {"-1/3", 0, 0, false},
		{"1/0", 0, 0, false}, {"1", 0, 0, false}, {"a/b", 0, 0, false},
	} {
		i, n, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || i != tc.i || n != tc.n {
			t.Errorf("ParseShard(%q) = %d, %d, %v", tc.in, i, n, err)
		}
	}
	runs := planOf(t, testSuite)
	for n := 1; n <= 5; n++ {
		var all []string
		for i := range n {
			sh := Shard(runs, i, n)
			for k, r := range sh {
				if want := runs[i+k*n].ID(); r.ID() != want {
					t.Errorf("shard %d/%d run %d is %s, want %s", i, n, k, r.ID(), want)
				}
				all = append(all, r.ID())
			}
		}
		sort.Strings(all)
		var want []string
		for _, r := range runs {
			want = append(want, r.ID())
		}
		sort.Strings(want)
		if !reflect.DeepEqual(all, want) {
			t.Errorf("%d shards do not partition the plan", n)
		}
	}
}
