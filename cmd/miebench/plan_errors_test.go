package main

import (
	"strings"
	"testing"
)

// TestUntrainableSettingsFailAtPlanTime: every setting no run can train
// with is a config error of the plan, shown by --dry-run with exit 2 and a
// message naming the key, before anything trains.
func TestUntrainableSettingsFailAtPlanTime(t *testing.T) {
	three := strings.Replace(tinySuite, "params: {train: 200, val: 50, test: 100}", "params: {train: 200, val: 50, test: 100, modalities: 3, strength: [3, 2, 2]}", 1)
	three = strings.Replace(three, "m1: {kind: mlp, dim: 8}}", "m1: {kind: mlp, dim: 8}, m2: {kind: mlp, dim: 8}}", 1)
	mie := strings.Replace(tinySuite, "  - name: ogm-ge\n    params: {alpha: [0.1, 0.8]}", "  - name: mie\n    params: {stages: \"5,5\"}", 1)
	mie = strings.Replace(mie, "epochs: 3", "epochs: 5", 1)
	mla := strings.Replace(tinySuite, "  - name: ogm-ge\n    params: {alpha: [0.1, 0.8]}", "  - name: mla", 1)
	mla = strings.Replace(mla, "m1: {kind: mlp, dim: 8}", "m1: {kind: mlp, dim: 16}", 1)
	for _, c := range []struct {
		name, suite string
		want        []string
	}{
		{"film with three modalities", strings.Replace(three, "model:\n", "model:\n  fusion: film\n", 1),
			[]string{`key "methods.0.model.fusion"`, `fusion "film" is defined for two modalities`}},
		{"gated with three modalities", strings.Replace(three, "model:\n", "model:\n  fusion: gated\n", 1),
			[]string{`key "methods.0.model.fusion"`, `fusion "gated" is defined for two modalities`}},
		{"an mlp encoder without dim", strings.Replace(tinySuite, "m1: {kind: mlp, dim: 8}", "m1: {kind: mlp, dim: 0}", 1),
			[]string{`key "methods.0.model.encoders.m1.dim"`, "outputs no features"}},
		{"mie stages longer than the run", mie,
			[]string{`key "methods.2"`, `stages [5, 5]`, "never be trained", `stages: [{m0: 2}, {m1: 2}]`}},
		{"mla with unequal feature widths", mla,
			[]string{`key "methods.2"`, "mla: needs equal feature widths"}},
	} {
		code, out, errs := cli("run", "--suite", writeSuite(t, c.suite), "--dry-run")
		if code != exitConfig {
			t.Errorf("%s: exit %d, want %d; stdout:\n%s\nstderr:\n%s", c.name, code, exitConfig, out, errs)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: stderr does not say %q:\n%s", c.name, w, errs)
			}
		}
	}
}
