package bench

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/miebench/miebench/internal/param"
	"github.com/miebench/miebench/internal/rngs"
)

// SearchDist is the distribution a searched hyperparameter is sampled from;
// exactly one field is set:
//
//	alpha:  {log_uniform: [0.05, 2.0]}   # exp of a uniform in [ln lo, ln hi]
//	q_base: {uniform: [0.2, 0.6]}        # uniform in [lo, hi]
//	k:      {int_uniform: [1, 5]}        # an integer in lo..hi, both included
//	s:      {choice: [10, 15]}           # one of the values, equally likely
//
// Sampled reals are rounded to four significant digits, so that they read
// well in tables and give the same run ids on every machine.
type SearchDist struct {
	Uniform    []float64 `json:"uniform"`
	LogUniform []float64 `json:"log_uniform"`
	IntUniform []int     `json:"int_uniform"`
	Choice     []any     `json:"choice"`
}

// SearchTrial is one trial of a method entry's random search, carried from
// the plan into the run's record: which trial, of how many, and the values
// it sampled.
type SearchTrial struct {
	Trial  int            `json:"trial"` // 0-based
	Trials int            `json:"trials"`
	Values map[string]any `json:"values"`
}

// check validates the distribution of hyperparameter name.
func (d SearchDist) check(name string) error {
	set := 0
	for _, ok := range []bool{d.Uniform != nil, d.LogUniform != nil, d.IntUniform != nil, d.Choice != nil} {
		if ok {
			set++
		}
	}
	if set != 1 {
		return fmt.Errorf("search %q: want exactly one of uniform, log_uniform, int_uniform, choice, got %d", name, set)
	}
	switch {
	case d.Uniform != nil:
		if len(d.Uniform) != 2 || !(d.Uniform[0] < d.Uniform[1]) {
			return fmt.Errorf("search %q: uniform wants [lo, hi] with lo < hi, got %v", name, d.Uniform)
		}
	case d.LogUniform != nil:
		if len(d.LogUniform) != 2 || !(d.LogUniform[0] > 0) || !(d.LogUniform[0] < d.LogUniform[1]) {
			return fmt.Errorf("search %q: log_uniform wants [lo, hi] with 0 < lo < hi, got %v", name, d.LogUniform)
		}
	case d.IntUniform != nil:
		if len(d.IntUniform) != 2 || d.IntUniform[0] > d.IntUniform[1] {
			return fmt.Errorf("search %q: int_uniform wants [lo, hi] with lo <= hi, got %v", name, d.IntUniform)
		}
	case d.Choice != nil:
		if len(d.Choice) == 0 {
			return fmt.Errorf("search %q: choice wants at least one value", name)
		}
		for _, v := range d.Choice {
			if _, isList := v.([]any); isList {
				return fmt.Errorf("search %q: choice wants values, got a list %v", name, v)
			}
		}
	}
	return nil
}

func (d SearchDist) sample(u func() float64, intN func(int) int) any {
	switch {
	case d.Uniform != nil:
		return round4(d.Uniform[0] + u()*(d.Uniform[1]-d.Uniform[0]))
	case d.LogUniform != nil:
		lo, hi := math.Log(d.LogUniform[0]), math.Log(d.LogUniform[1])
		return round4(math.Exp(lo + u()*(hi-lo)))
	case d.IntUniform != nil:
		return d.IntUniform[0] + intN(d.IntUniform[1]-d.IntUniform[0]+1)
	}
	return d.Choice[intN(len(d.Choice))]
}

// round4 rounds x to four significant digits.
func round4(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return v
}

// checkSearch validates the entry's search: distributions, a positive
// number of trials, and no parameter both searched and set.
func (m SuiteMethod) checkSearch() error {
	if len(m.Search) == 0 {
		if m.Trials != 0 {
			return &param.KeyError{Key: "trials", Err: fmt.Errorf("trials without a search: block")}
		}
		return nil
	}
	if m.Trials < 1 {
		return &param.KeyError{Key: "trials", Err: fmt.Errorf("a search needs trials >= 1, got %d", m.Trials)}
	}
	for _, k := range slices.Sorted(maps.Keys(m.Search)) {
		if err := m.Search[k].check(k); err != nil {
			return &param.KeyError{Key: "search." + k, Err: err}
		}
		if _, dup := m.Params[k]; dup {
			return &param.KeyError{Key: "search." + k, Err: fmt.Errorf("%q is both searched and set in params", k)}
		}
	}
	return nil
}

// SampleTrials returns the values of each of the entry's search trials.
// Trial i of the entry labelled label in suite suite draws from its own
// stream, rngs.Stream(i, "search/SUITE/LABEL"), the parameters in name
// order: the same suite gives the same trials on every machine, and adding
// trials keeps the earlier ones. An entry without a search has no trials.
func (m SuiteMethod) SampleTrials(suite string) ([]map[string]any, error) {
	if err := m.checkSearch(); err != nil {
		return nil, err
	}
	if len(m.Search) == 0 {
		return nil, nil
	}
	label := m.Label
	if label == "" {
		label = m.Name
	}
	names := slices.Sorted(maps.Keys(m.Search))
	out := make([]map[string]any, m.Trials)
	for i := range out {
		rng := rngs.Stream(uint64(i), "search/"+suite+"/"+label)
		out[i] = make(map[string]any, len(names))
		for _, k := range names {
			out[i][k] = m.Search[k].sample(rng.Float64, rng.IntN)
		}
	}
	return out, nil
}

// withTrials expands every grid point into the entry's search trials (the
// point's parameters plus the trial's sampled values, same label): grids
// and search compose, and every grid point is searched with the same trials.
func (m SuiteMethod) withTrials(suite string, points []GridPoint) ([]GridPoint, error) {
	trials, err := m.SampleTrials(suite)
	if err != nil || trials == nil {
		return points, err
	}
	var out []GridPoint
	for _, p := range points {
		for i, vals := range trials {
			q := GridPoint{Label: p.Label, Params: maps.Clone(p.Params), Trial: &SearchTrial{Trial: i, Trials: len(trials), Values: vals}}
			if q.Params == nil {
				q.Params = map[string]any{}
			}
			maps.Copy(q.Params, vals)
			out = append(out, q)
		}
	}
	return out, nil
}
