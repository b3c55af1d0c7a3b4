package bench

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseSuiteDefaultsAndOverrides(t *testing.T) {
	s, err := ParseSuite("t.yaml", []byte(testSuite), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "t" || !reflect.DeepEqual(s.Seeds, []uint64{0, 1}) {
		t.Errorf("name %q seeds %v", s.Name, s.Seeds)
	}
	if s.Train.Optimizer != "sgd" || s.Train.EvalBatchSize != 8 || s.Train.Schedule.Kind != "none" {
		t.Errorf("train defaults not applied: %+v", s.Train)
	}
	if s.Model.Fusion != "concat" || s.Selection != (SelectionSpec{Split: "val", Metric: "acc"}) {
		t.Errorf("model/selection defaults: %+v %+v", s.Model, s.Selection)
	}
	if s.Methods[2].Train.LR != 0.5 || s.Methods[2].Train.Epochs != 3 || s.Methods[2].Train.Momentum != 0.9 {
		t.Errorf("method train override: %+v", s.Methods[2].Train)
	}
	if s.Methods[0].Train.LR != 0.1 {
		t.Errorf("override leaked into another method: %+v", s.Methods[0].Train)
	}
	if got := s.Methods[1].At["params.modality"]; got != (Pos{"t.yaml", 11}) {
		t.Errorf("position of methods.1.params.modality = %v", got)
	}
}

func TestParseSuiteErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		sets       []string
		want       string
	}{
		{"unknown top key", "nmae: x\n", nil,
			`t.yaml:1: key "nmae": unknown key (valid: name, description, seeds, datasets, methods, train, model, selection, table, robustness)`},
		{"unknown nested key", strings.Replace(testSuite, "momentum: 0.9", "momentun: 0.9", 1), nil,
			`t.yaml:15: key "train.momentun": unknown key (valid: epochs, batch_size, eval_batch_size, drop_last, optimizer, lr, momentum, nesterov, weight_decay, schedule)`},
		{"wrong type", strings.Replace(testSuite, "epochs: 3", "epochs: three", 1), nil,
			`t.yaml:15: key "train.epochs": want an integer, got "three"`},
		{"float for int", strings.Replace(testSuite, "epochs: 3", "epochs: 3.5", 1), nil,
			`t.yaml:15: key "train.epochs": want an integer, got "3.5"`},
		{"list for scalar", strings.Replace(testSuite, "seeds: [0, 1]", "seeds: 3", 1), nil,
			`t.yaml:3: key "seeds": want a list, got "3"`},
		{"unknown key in method entry", strings.Replace(testSuite, "label: uni-m1", "lable: uni-m1", 1), nil,
			`t.yaml:10: key "methods.1.lable": unknown key (valid: name, label, params, search, trials, train, model)`},
		{"bad method override", strings.Replace(testSuite, "train: {lr: 0.5}", "train: {lr: fast}", 1), nil,
			`t.yaml:14: key "methods.2.train.lr": want a number, got "fast"`},
		{"nested param value", strings.Replace(testSuite, "on: false", "on: [[[{x: 1}]]]", 1), nil,
			`t.yaml:13: key "methods.2.params.on": want a value, a list of values or a per-modality list, got lists or mappings nested more than 3 deep`},
		{"bad optimizer", strings.Replace(testSuite, "momentum: 0.9}", "momentum: 0.9, optimizer: lbfgs}", 1), nil,
			`t.yaml:15: key "train.optimizer": unknown optimizer "lbfgs" (valid: sgd, adam, adamw)`},
		{"bad fusion", testSuite + "  fusion: mean\n", nil,
			`t.yaml:16: key "model.fusion": unknown fusion "mean" (valid: concat, sum, film, gated)`},
		{"duplicate key", testSuite + "seeds: [3]\n", nil,
			`t.yaml:18: key "seeds": duplicate key`},
		{"syntax", "name: [x\n", nil, `t.yaml: line 1: did not find expected ',' or ']'`},
		{"set unknown key", testSuite, []string{"train.epoch=5"},
			`--set train.epoch=5: unknown key "train.epoch" (valid: epochs, batch_size, eval_batch_size, drop_last, optimizer, lr, momentum, nesterov, weight_decay, schedule)`},
		{"set wrong type", testSuite, []string{"train.epochs=abc"},
			`--set train.epochs=abc: key "train.epochs": want an integer, got "abc"`},
		{"set no method", testSuite, []string{"methods.pmr.alpha=1"},
			`--set methods.pmr.alpha=1: no methods entry named "pmr" (the suite's: t-joint, uni-m1, t-ogm)`},
		{"set not key=value", testSuite, []string{"train.epochs"}, `--set train.epochs: want key=value`},
		{"set index out of range", testSuite, []string{"datasets.3.root=/x"},
			`--set datasets.3.root=/x: datasets index 3 out of range (the suite has 1)`},
		{"zero epochs", testSuite, []string{"train.epochs=0"},
			`t.yaml:15: key "train.epochs": want a positive number of epochs, got 0`},
		// Non-finite numbers are config errors at parse time, before any
		// id is computed (they used to panic in RunSpec.ID).
		{"lr inf", strings.Replace(testSuite, "lr: 0.1", "lr: .inf", 1), nil,
			`t.yaml:15: key "train.lr": want a finite number, got +Inf`},
		{"momentum nan", strings.Replace(testSuite, "momentum: 0.9}", "momentum: .nan}", 1), nil,
			`t.yaml:15: key "train.momentum": want a finite number, got NaN`},
		{"hyperparameter nan", strings.Replace(testSuite, "alpha: [0.3, 0.8]", "alpha: .nan", 1), nil,
			`t.yaml:13: key "methods.2.params.alpha": want a finite number, got NaN`},
		{"grid value inf", strings.Replace(testSuite, "alpha: [0.3, 0.8]", "alpha: [0.3, -.inf]", 1), nil,
			`t.yaml:13: key "methods.2.params.alpha": want a finite number, got -Inf`},
		{"set lr inf", testSuite, []string{"train.lr=.inf"},
			`--set train.lr=.inf: key "train.lr": want a finite number, got +Inf`},
		{"dataset param nan", strings.Replace(testSuite, "{noise: 1}", "{noise: .nan}", 1), nil,
			`t.yaml:6: key "datasets.0.params.noise": want a finite number, got NaN`},
		{"method lr nan", strings.Replace(testSuite, "train: {lr: 0.5}", "train: {lr: .nan}", 1), nil,
			`t.yaml:14: key "methods.2.train.lr": want a finite number, got NaN`},
		{"suite name not plain", strings.Replace(testSuite, "name: t\n", "name: ../../x\n", 1), nil,
			`t.yaml:1: key "name": suite name "../../x" is not a plain name (letters, digits, '.', '_', '-'; starting with a letter or digit; at most 100 characters): it names the results directory out/NAME`},
		{"suite name absolute", testSuite, []string{"name=/tmp/x"},
			`--set name=/tmp/x: key "name": suite name "/tmp/x" is not a plain name (letters, digits, '.', '_', '-'; starting with a letter or digit; at most 100 characters): it names the results directory out/NAME`},
		{"too many runs", strings.Replace(testSuite, "seeds: [0, 1]", "seeds: "+seedList(20000), 1), nil,
			`t.yaml:1: the suite plans more than the limit of 100000 runs (datasets x grid points x seeds); split it into smaller suites`},
		{"grid too large", strings.Replace(testSuite, "beta: [1, 2]", "beta: "+seedList(600)+", gamma: "+seedList(600), 1), nil,
			`t.yaml:1: the suite plans more than the limit of 100000 runs (datasets x grid points x seeds); split it into smaller suites`},
		{"5.9 million seeds", strings.Replace(testSuite, "seeds: [0, 1]", "seeds: "+seedList(5_900_000), 1), nil,
			`t.yaml: the suite and its --set overrides are `},
		{"pools on an mlp", testSuite, []string{"model.encoders.m0.pools=[max2]"},
			`t.yaml:16: key "model.encoders.m0.pools": pools is a setting of the cnn encoder, not of mlp`},
		{"bad cnn pool", testSuite, []string{"model.encoders.m0={kind: cnn, widths: [4, 8], pools: [max2, mean2]}"},
			`t.yaml:16: key "model.encoders.m0": block 1: pooling "mean2": want max<k>, avg<k> or none`},
		{"cnn strides count", testSuite, []string{"model.encoders.m0={kind: cnn, widths: [4, 8], strides: [2]}"},
			`t.yaml:16: key "model.encoders.m0": 1 strides for 2 blocks (widths)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSuite("t.yaml", []byte(tc.yaml), tc.sets)
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if _, ok := err.(*ConfigError); !ok {
				t.Errorf("error is %T, want *ConfigError", err)
			}
			if err.Error() != tc.want && !(strings.HasSuffix(tc.want, " ") && strings.HasPrefix(err.Error(), tc.want)) {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
		})
	}
}

// seedList is a YAML list of the numbers 0..n-1.
func seedList(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteByte(']')
	return b.String()
}

func TestSetOverrides(t *testing.T) {
	s, err := ParseSuite("t.yaml", []byte(testSuite), []string{
		"train.epochs=5",
		"dataset.root=/data",
		"datasets.t-ds.seed=4",
		"methods.t-ogm.alpha=0.5",
		"methods.uni-m1.params.modality=m0",
		"methods.0.train.lr=0.25",
		"seeds=[7]",
		"selection.split=test",
		"model.encoders.m1.widths=[3, 4]",
		"table.gap=true",
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Epochs != 5 || s.Methods[2].Train.Epochs != 5 {
		t.Errorf("epochs %d / method %d, want 5", s.Train.Epochs, s.Methods[2].Train.Epochs)
	}
	if s.Datasets[0].Root != "/data" || s.Datasets[0].Seed != 4 {
		t.Errorf("dataset %+v", s.Datasets[0])
	}
	if s.Methods[2].Params["alpha"] != 0.5 || s.Methods[1].Params["modality"] != "m0" {
		t.Errorf("params %v %v", s.Methods[2].Params, s.Methods[1].Params)
	}
	if s.Methods[0].Train.LR != 0.25 || s.Methods[1].Train.LR != 0.1 {
		t.Errorf("lr %g %g", s.Methods[0].Train.LR, s.Methods[1].Train.LR)
	}
	if !reflect.DeepEqual(s.Seeds, []uint64{7}) || s.Selection.Split != "test" || !s.Table.Gap {
		t.Errorf("seeds %v split %q gap %v", s.Seeds, s.Selection.Split, s.Table.Gap)
	}
	if !reflect.DeepEqual(s.Model.Encoders["m1"].Widths, []int{3, 4}) || s.Model.Encoders["m1"].Dim != 4 {
		t.Errorf("encoder m1 %+v", s.Model.Encoders["m1"])
	}
}

func TestBuiltinSuitesParse(t *testing.T) {
	names := SuiteNames()
	for _, want := range []string{"default", "mie-ablation", "paper-cremad", "paper-ks"} {
		if !slices.Contains(names, want) {
			t.Errorf("built-in suite %s missing from %v", want, names)
		}
	}
	for _, n := range names {
		s, err := LoadSuite(n, nil)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if s.Name != n || SuiteDoc(n) == "" {
			t.Errorf("%s: name %q, doc %q", n, s.Name, SuiteDoc(n))
		}
	}
}

// TestBuiltinSuitesPlan plans every built-in suite against the real method
// and dataset registries (with the datasets' modalities given, so that no
// data is read): every method, hyperparameter and grid must be valid.
func TestBuiltinSuitesPlan(t *testing.T) {
	mods := func(ds DatasetSpec) ([]string, error) {
		if ds.Name == "synthetic" {
			return []string{"m0", "m1"}, nil
		}
		return []string{"audio", "visual"}, nil
	}
	for _, n := range SuiteNames() {
		s, err := LoadSuite(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := s.Plan(mods)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if want := len(s.Seeds) * len(s.Labels()) * len(s.Datasets); len(runs) != want {
			t.Errorf("%s: %d runs, want %d", n, len(runs), want)
		}
	}
	// The paper suites need a data root: without one, planning (which opens
	// the dataset) is a config error at the dataset entry.
	for _, n := range []string{"paper-cremad", "paper-ks"} {
		s, _ := LoadSuite(n, nil)
		_, err := s.Plan(nil)
		if _, ok := err.(*ConfigError); !ok || !strings.Contains(err.Error(), "builtin:"+n+":") || !strings.Contains(err.Error(), `"datasets.0`) ||
			!strings.Contains(err.Error(), "--set datasets.0.root=DIR") {
			t.Errorf("%s without a root: %v", n, err)
		}
	}
}

// A method's model override merges into the suite's model: only the keys it
// names change, and the suite-level settings stay as they were.
func TestMethodModelOverrideMerges(t *testing.T) {
	y := strings.Replace(testSuite, "    train: {lr: 0.5}", "    train: {lr: 0.5}\n    model: {fusion: sum, encoders: {m0: {dim: 7}}}", 1)
	s, err := ParseSuite("t.yaml", []byte(y), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := s.Methods[2].Model
	if m.Fusion != "sum" || m.Encoders["m0"].Dim != 7 || m.Encoders["m0"].Kind != "mlp" || !reflect.DeepEqual(m.Encoders["m0"].Widths, []int{8}) ||
		m.Encoders["m1"].Dim != 4 {
		t.Errorf("merged model %+v", m)
	}
	if s.Model.Fusion != "concat" || s.Model.Encoders["m0"].Dim != 4 || s.Methods[0].Model.Encoders["m0"].Dim != 4 {
		t.Errorf("the override leaked: suite %+v, method 0 %+v", s.Model, s.Methods[0].Model)
	}
	if _, err := ParseSuite("t.yaml", []byte(strings.Replace(y, "{dim: 7}", "{dims: 7}", 1)), nil); err == nil ||
		err.Error() != `t.yaml:15: key "methods.2.model.encoders.m0.dims": unknown key (valid: kind, widths, dim, strides, pools)` {
		t.Errorf("bad override key: %v", err)
	}
	if _, err := ParseSuite("t.yaml", []byte(testSuite), []string{"seeds=[-1]"}); err == nil ||
		err.Error() != `--set seeds=[-1]: key "seeds.0": want a non-negative integer, got "-1"` {
		t.Errorf("negative seed: %v", err)
	}
}

// TestCNNBlockSettingsDecode: per-block strides and pools reach the encoder
// spec, and a suite without them keeps its run ids (the fields are omitted
// from the canonical JSON).
func TestCNNBlockSettingsDecode(t *testing.T) {
	s, err := ParseSuite("t.yaml", []byte(testSuite), []string{"model.encoders.m1={kind: cnn, widths: [32, 64, 128], strides: [2, 1, 1], pools: [max4, avg2, none]}"})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Model.Encoders["m1"]
	if !reflect.DeepEqual(e.Strides, []int{2, 1, 1}) || !reflect.DeepEqual(e.Pools, []string{"max4", "avg2", "none"}) {
		t.Errorf("decoded encoder %+v", e)
	}
	plain, err := json.Marshal(EncoderSpec{Kind: "cnn", Widths: []int{16, 32}, Dim: 64})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kind":"cnn","widths":[16,32],"dim":64}`; string(plain) != want {
		t.Errorf("canonical JSON of a spec without block settings %s, want %s", plain, want)
	}
}

// TestEvalBatchSizeDefault: an unset evaluation batch is the effective
// batch size of each method; an explicit one is never overwritten.
func TestEvalBatchSizeDefault(t *testing.T) {
	tests := []struct {
		name, suiteTrain, methodTrain string
		suiteEval, methodEval         int
	}{
		{"unset, method batch", "{epochs: 3, batch_size: 8, lr: 0.1}", "{batch_size: 16}", 8, 16},
		{"explicit, method batch", "{epochs: 3, batch_size: 8, eval_batch_size: 8, lr: 0.1}", "{batch_size: 16}", 8, 8},
		{"method eval", "{epochs: 3, batch_size: 8, lr: 0.1}", "{eval_batch_size: 4}", 8, 4},
	}
	for _, tc := range tests {
		yaml := strings.Replace(testSuite, "    train: {lr: 0.5}", "    train: "+tc.methodTrain, 1)
		yaml = strings.Replace(yaml, "train: {epochs: 3, batch_size: 8, lr: 0.1, momentum: 0.9}", "train: "+tc.suiteTrain, 1)
		s, err := ParseSuite("t.yaml", []byte(yaml), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s.Train.EvalBatchSize != tc.suiteEval || s.Methods[2].Train.EvalBatchSize != tc.methodEval || s.Methods[0].Train.EvalBatchSize != tc.suiteEval {
			t.Errorf("%s: suite eval %d, method eval %d, other method %d; want %d, %d, %d", tc.name,
				s.Train.EvalBatchSize, s.Methods[2].Train.EvalBatchSize, s.Methods[0].Train.EvalBatchSize, tc.suiteEval, tc.methodEval, tc.suiteEval)
		}
	}
}
