package all_test

import (
	"testing"

	"github.com/miebench/miebench/methods"
	_ "github.com/miebench/miebench/methods/all"
	"github.com/miebench/miebench/methods/methodtest"
)

// conformanceParams are the settings under which a method is checked
// where its defaults cannot train for methodtest.ConformanceEpochs epochs.
// A method not listed is checked with its defaults.
var conformanceParams = map[string]map[string]any{
	"mie": {"stages": "1,1"},    // the released 25,50 epochs do not fit 2
	"opm": {"warmup_epochs": 0}, // the released 6-epoch warm-up would never drop
	"arl": {"start": 0},         // the asymmetric phase starts after epoch 5 as released
	// Structure-family schedules shortened so that 2 epochs reach every phase.
	"di-mml":           {"stage2_epochs": 1, "align_epoch": 0},
	"reconboost":       {"stage_epochs": 1, "correct_epochs": 1},
	"sample-valuation": {"warmup": 1},
}

// conformanceCNN are the methods checked with cnn encoders on image-shaped
// inputs: their layers sit between encoder stages, which mlp encoders lack.
var conformanceCNN = map[string]bool{"greedy": true}

// TestConformance runs the conformance suite on every registered method.
func TestConformance(t *testing.T) {
	for _, name := range methods.Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if conformanceCNN[name] {
				methodtest.ConformanceCNN(t, name, conformanceParams[name])
				return
			}
			methodtest.Conformance(t, name, conformanceParams[name])
		})
	}
}
