package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/miebench/miebench/bench"
)

// PlotOptions choose what Curves draws.
type PlotOptions struct {
	Dataset string   // required when the records span several datasets
	Metric  string   // fused-prediction metric: acc (default), macro_f1, map
	Split   string   // evaluation split of the curves: test (default) or val
	Rows    []string // method (row label) order, as in Options
	// Only, when non-empty, draws just these row labels, in this order.
	Only  []string
	Width vg.Length
	// PanelHeight is the height of one method's row of panels.
	PanelHeight vg.Length
}

// PlotFormats are the image formats Curves writes.
var PlotFormats = []string{"png", "svg"}

// series is one curve: per epoch the mean, min and max over seeds.
type series struct {
	name            string
	epochs          []float64
	mean, low, high []float64
}

// Curves draws learning curves per method: for each row label, a panel of
// the fused metric and every modality's accuracy over epochs on the chosen
// split, and a panel of the training loss; each curve is the mean over seeds
// with a min-max band. It writes PNG or SVG (format "png" or "svg").
func Curves(w io.Writer, format string, recs []*bench.Record, opt PlotOptions) error {
	if opt.Metric == "" {
		opt.Metric = "acc"
	}
	if opt.Split == "" {
		opt.Split = "test"
	}
	if !slices.Contains(bench.MetricNames, opt.Metric) {
		return fmt.Errorf("unknown metric %q (valid: %s)", opt.Metric, strings.Join(bench.MetricNames, ", "))
	}
	if opt.Split != "test" && opt.Split != "val" {
		return fmt.Errorf("unknown split %q (valid: test, val)", opt.Split)
	}
	if !slices.Contains(PlotFormats, format) {
		return fmt.Errorf("unknown image format %q (valid: %s)", format, strings.Join(PlotFormats, ", "))
	}
	recs, variants, serr := SeparateSettings(recs) // curves aggregate over seeds only
	if serr != nil {
		return serr
	}
	opt.Rows, opt.Only = expandRows(opt.Rows, variants), expandRows(opt.Only, variants)
	byLabel := map[string][]*bench.Record{}
	var dsNames, labels []string
	for _, r := range recs {
		dsNames = appendNew(dsNames, r.Dataset)
	}
	if err := chooseDataset(&opt.Dataset, dsNames); err != nil {
		return err
	}
	for _, r := range recs {
		if r.Status != "ok" || r.Dataset != opt.Dataset || len(r.History) == 0 {
			continue
		}
		labels = appendNew(labels, r.Label)
		byLabel[r.Label] = append(byLabel[r.Label], r)
	}
	if len(labels) == 0 {
		return fmt.Errorf("no successful run with a history on dataset %q (datasets: %s)", opt.Dataset, strings.Join(dsNames, ", "))
	}
	labels, err := onlyLabels(order(labels, opt.Rows), opt.Only, "no successful run", opt.Dataset)
	if err != nil {
		return err
	}
	sty := newCurveStyles(modalitiesOf(byLabel, labels, opt))
	plots := make([][]*plot.Plot, len(labels))
	for i, label := range labels {
		rs := byLabel[label]
		sort.Slice(rs, func(a, b int) bool { return rs[a].Seed < rs[b].Seed })
		accPlot, err := curvePlot(fmt.Sprintf("%s on %s (%s, %d seeds)", label, opt.Dataset, opt.Split, len(rs)),
			MetricTitle(opt.Metric)+" / modality acc", accSeries(rs, opt), sty)
		if err != nil {
			return err
		}
		// Fractions: a fixed [0, 1] axis makes panels comparable.
		accPlot.Y.Min, accPlot.Y.Max = 0, 1
		if pts := selectedPoints(rs, opt); len(pts) > 0 {
			for _, g := range sty.selected {
				sc, err := plotter.NewScatter(pts)
				if err != nil {
					return fmt.Errorf("%s: selected epochs: %w", label, err)
				}
				sc.GlyphStyle = g
				accPlot.Add(sc)
			}
		}
		lossPlot, err := curvePlot(label+": training loss", "loss", []series{collect(lossName, rs, func(e bench.EpochRecord) (float64, bool) {
			return e.TrainLoss, !math.IsNaN(e.TrainLoss) && !math.IsInf(e.TrainLoss, 0)
		})}, sty)
		if err != nil {
			return err
		}
		plots[i] = []*plot.Plot{accPlot, lossPlot}
	}
	width := opt.Width
	if width == 0 {
		width = 26 * vg.Centimeter
	}
	ph := opt.PanelHeight
	if ph == 0 {
		ph = 7 * vg.Centimeter
	}
	height := ph * vg.Length(len(labels))
	var c vg.CanvasWriterTo
	switch format {
	case "svg":
		c = vgsvg.New(width, height)
	default:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(120))}
	}
	dc := draw.New(c)
	// One legend for the whole figure, right of the panels: every panel
	// draws a modality in the same colour and dash.
	legend := sty.legend(opt.Metric)
	legendW := legend.Rectangle(dc).Size().X + vg.Points(12)
	panels := dc
	panels.Max.X -= legendW
	lc := dc
	lc.Min.X = panels.Max.X + vg.Points(8)
	lc.Max.Y -= vg.Points(8)
	legend.Draw(lc)
	tiles := draw.Tiles{Rows: len(labels), Cols: 2, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, panels)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
	_, err = c.WriteTo(w)
	return err
}

// lossName names the training-loss series.
const lossName = "train loss"

// modalitiesOf lists, sorted, every modality with an accuracy in the
// drawn records, so that each gets one style in every panel.
func modalitiesOf(byLabel map[string][]*bench.Record, labels []string, opt PlotOptions) []string {
	var mods []string
	for _, l := range labels {
		for _, r := range byLabel[l] {
			for _, e := range r.History {
				for m := range splitMetrics(e, opt.Split).ModalityAcc {
					mods = appendNew(mods, m)
				}
			}
		}
	}
	sort.Strings(mods)
	return mods
}

func splitMetrics(e bench.EpochRecord, split string) bench.Metrics {
	if split == "val" {
		return e.Val
	}
	return e.Test
}

// selectedPoints are, per seed, the fused metric at the run's selected
// epoch on the drawn split.
func selectedPoints(rs []*bench.Record, opt PlotOptions) plotter.XYs {
	var pts plotter.XYs
	for _, r := range rs {
		for _, e := range r.History {
			if e.Epoch == r.SelectedEpoch {
				pts = append(pts, plotter.XY{X: float64(e.Epoch), Y: metric(splitMetrics(e, opt.Split), opt.Metric)})
			}
		}
	}
	return pts
}

// accSeries are the fused metric and each modality's accuracy.
func accSeries(rs []*bench.Record, opt PlotOptions) []series {
	split := func(e bench.EpochRecord) bench.Metrics {
		if opt.Split == "val" {
			return e.Val
		}
		return e.Test
	}
	out := []series{collect(fusedName(opt.Metric), rs, func(e bench.EpochRecord) (float64, bool) {
		return metric(split(e), opt.Metric), true
	})}
	var mods []string
	for _, r := range rs {
		for _, e := range r.History {
			for m := range split(e).ModalityAcc {
				mods = appendNew(mods, m)
			}
		}
	}
	sort.Strings(mods)
	for _, m := range mods {
		out = append(out, collect(modalitySeries(m), rs, func(e bench.EpochRecord) (float64, bool) {
			v, ok := split(e).ModalityAcc[m]
			return v, ok
		}))
	}
	return out
}

// collect gathers one value per epoch and seed and summarises each epoch
// over the seeds that have it.
func collect(name string, rs []*bench.Record, value func(bench.EpochRecord) (float64, bool)) series {
	vals := map[int][]float64{}
	for _, r := range rs {
		for _, e := range r.History {
			if v, ok := value(e); ok {
				vals[e.Epoch] = append(vals[e.Epoch], v)
			}
		}
	}
	epochs := make([]int, 0, len(vals))
	for e := range vals {
		epochs = append(epochs, e)
	}
	sort.Ints(epochs)
	s := series{name: name}
	for _, e := range epochs {
		xs := vals[e]
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		for _, x := range xs {
			lo, hi, sum = min(lo, x), max(hi, x), sum+x
		}
		s.epochs = append(s.epochs, float64(e))
		s.mean = append(s.mean, sum/float64(len(xs)))
		s.low = append(s.low, lo)
		s.high = append(s.high, hi)
	}
	return s
}

func curvePlot(title, ylabel string, ss []series, sty *curveStyles) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.X.Tick.Marker = epochTicks{}
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	// Bands first, then lines: the fused line (wide, solid) under the
	// modality lines (narrow, dashed), so that both stay visible where
	// they coincide, as in a unimodal run.
	var lines []*plotter.Line
	for _, s := range ss {
		if len(s.epochs) == 0 {
			continue
		}
		ls := sty.line(s.name)
		if len(s.epochs) > 1 && len(s.low) == len(s.epochs) {
			band := make(plotter.XYs, 0, 2*len(s.epochs))
			for k := range s.epochs {
				band = append(band, plotter.XY{X: s.epochs[k], Y: s.high[k]})
			}
			for k := len(s.epochs) - 1; k >= 0; k-- {
				band = append(band, plotter.XY{X: s.epochs[k], Y: s.low[k]})
			}
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.name, err)
			}
			r, g, b, _ := ls.Color.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 40}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		xys := make(plotter.XYs, len(s.epochs))
		for k := range s.epochs {
			xys[k] = plotter.XY{X: s.epochs[k], Y: s.mean[k]}
		}
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		line.LineStyle = ls
		lines = append(lines, line)
	}
	for _, l := range lines {
		p.Add(l)
	}
	return p, nil
}

// curveStyles give every series of a figure its line style: the fused
// metric black, wide and solid; modality i (in sorted order) colour i of
// a colour-blind-safe palette (Okabe and Ito) with dash pattern i, cycling
// the dashes against the colours beyond six modalities; the loss dark grey.
type curveStyles struct {
	mods []string
	// selected are the glyphs, drawn in turn, of the selected-epoch
	// marker: a white disc under a black ring, visible on any line.
	selected []draw.GlyphStyle
}

// palette is Okabe and Ito's colour-blind-safe palette without its yellow,
// which is unreadable on white.
var palette = []color.Color{
	color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}, // blue
	color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF}, // vermillion
	color.NRGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF}, // bluish green
	color.NRGBA{R: 0xCC, G: 0x79, B: 0xA7, A: 0xFF}, // reddish purple
	color.NRGBA{R: 0xE6, G: 0x9F, B: 0x00, A: 0xFF}, // orange
	color.NRGBA{R: 0x56, G: 0xB4, B: 0xE9, A: 0xFF}, // sky blue
}

// dashes are the modalities' dash patterns (in points), all distinct from
// the fused metric's solid line.
var dashes = [][]vg.Length{
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
	{vg.Points(12), vg.Points(3)},
	{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2), vg.Points(1), vg.Points(2)},
	{vg.Points(1), vg.Points(3)},
	{vg.Points(10), vg.Points(2), vg.Points(4), vg.Points(2)},
}

func newCurveStyles(mods []string) *curveStyles {
	r := vg.Points(4)
	return &curveStyles{mods: mods, selected: []draw.GlyphStyle{
		{Color: color.White, Radius: r, Shape: draw.CircleGlyph{}},
		{Color: color.Black, Radius: r, Shape: draw.RingGlyph{}},
	}}
}

func modalitySeries(m string) string { return m + " acc" }

// line is the style of the series called name.
func (s *curveStyles) line(name string) draw.LineStyle {
	for i, m := range s.mods {
		if name == modalitySeries(m) {
			return draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(1.6), Dashes: dashes[(i+i/len(palette))%len(dashes)]}
		}
	}
	if name == lossName {
		return draw.LineStyle{Color: color.Gray{Y: 0x40}, Width: vg.Points(1.6)}
	}
	return draw.LineStyle{Color: color.Black, Width: vg.Points(3)} // the fused metric
}

// legend lists every style of the figure once.
func (s *curveStyles) legend(metricName string) plot.Legend {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.ThumbnailWidth = vg.Points(36)
	l.Padding = vg.Points(5)
	entry := func(name string) {
		ln, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
		ln.LineStyle = s.line(name)
		l.Add(name, ln)
	}
	entry(fusedName(metricName))
	for _, m := range s.mods {
		entry(modalitySeries(m))
	}
	var thumbs []plot.Thumbnailer
	for _, g := range s.selected {
		sc, _ := plotter.NewScatter(plotter.XYs{{X: 0, Y: 0}})
		sc.GlyphStyle = g
		thumbs = append(thumbs, sc)
	}
	l.Add("selected epoch (per seed)", thumbs...)
	entry(lossName)
	return l
}

func fusedName(metricName string) string { return "fused " + MetricTitle(metricName) }

// epochTicks labels whole epochs only: a step of 1, 2, 5, 10, 20, ...
// epochs giving at most 10 labels, with unlabelled ticks at every epoch
// in between when they are at most 50.
type epochTicks struct{}

// Ticks implements plot.Ticker.
func (epochTicks) Ticks(lo, hi float64) []plot.Tick {
	first, last := math.Ceil(lo), math.Floor(hi)
	if last < first {
		return nil
	}
	step := 1.0
	for k := 0; (last-first)/step > 10; k++ {
		step *= []float64{2, 2.5, 2}[k%3] // 1, 2, 5, 10, 20, 50, ...
	}
	var ticks []plot.Tick
	for e := first; e <= last; e++ {
		switch {
		case math.Mod(e, step) == 0:
			ticks = append(ticks, plot.Tick{Value: e, Label: strconv.Itoa(int(e))})
		case last-first <= 50:
			ticks = append(ticks, plot.Tick{Value: e})
		}
	}
	return ticks
}

// RobustnessCurves draws, per method (row label), the test accuracy of the
// selected model against the noise level on each modality (level 0 is the
// clean accuracy), mean over seeds with a min-max band, in the modality
// styles of Curves and with one legend; a cross on the right edge marks
// the accuracy with the modality missing (the tick "missing"). Then, per
// modality-specific corruption (bench.CorruptionCurve), a panel of every
// method's accuracy against the corruption's levels, from the clean point
// through the levels (mild to severe) at equal steps, one colour and dash
// per method, with the missing-modality crosses on the right (and, with
// more than six methods, no min-max bands, which would cover each other).
// Up to three panels a row; the corruption panels start a new row.
func RobustnessCurves(w io.Writer, format string, recs []*bench.Record, opt PlotOptions) error {
	if !slices.Contains(PlotFormats, format) {
		return fmt.Errorf("unknown image format %q (valid: %s)", format, strings.Join(PlotFormats, ", "))
	}
	recs, _, _ = selectTrials(recs, false)
	byLabel := map[string][]*bench.Record{}
	var dsNames, labels, noiseLabels []string
	for _, r := range recs {
		if r.Status == "ok" && r.Robustness != nil {
			dsNames = appendNew(dsNames, r.Dataset)
		}
	}
	if err := chooseDataset(&opt.Dataset, dsNames); err != nil {
		return err
	}
	type corrKey struct{ mod, name string }
	var mods []string
	var levels []float64
	var corrs []corrKey
	corrLevels := map[corrKey][]float64{}
	for _, r := range recs {
		if r.Status != "ok" || r.Robustness == nil || r.Dataset != opt.Dataset || len(r.Robustness.Levels) == 0 && len(r.Robustness.Corruptions) == 0 {
			continue
		}
		if len(r.Robustness.Levels) > 0 {
			if levels == nil {
				levels = r.Robustness.Levels
			} else if !slices.Equal(levels, r.Robustness.Levels) {
				return fmt.Errorf("records on %s have different noise levels (%v and %v)", opt.Dataset, levels, r.Robustness.Levels)
			}
			noiseLabels = appendNew(noiseLabels, r.Label)
		}
		for _, c := range r.Robustness.Corruptions {
			k := corrKey{c.Modality, c.Name}
			if old, ok := corrLevels[k]; !ok {
				corrLevels[k] = c.Levels
				corrs = append(corrs, k)
			} else if !slices.Equal(old, c.Levels) {
				return fmt.Errorf("records on %s have different %s.%s levels (%v and %v)", opt.Dataset, c.Modality, c.Name, old, c.Levels)
			}
		}
		labels = appendNew(labels, r.Label)
		byLabel[r.Label] = append(byLabel[r.Label], r)
		for m := range r.Robustness.Noise {
			mods = appendNew(mods, m)
		}
	}
	if len(labels) == 0 {
		return fmt.Errorf("no successful run with noise levels or corruptions on dataset %q (add robustness: {noise: [...]} or corruptions to the suite)", opt.Dataset)
	}
	sort.Strings(mods)
	sort.Slice(corrs, func(i, j int) bool {
		return corrs[i].mod < corrs[j].mod || corrs[i].mod == corrs[j].mod && corrs[i].name < corrs[j].name
	})
	labels, err := onlyLabels(order(labels, opt.Rows), opt.Only, "no robustness evaluation", opt.Dataset)
	if err != nil {
		return err
	}
	for _, rs := range byLabel {
		sort.Slice(rs, func(a, b int) bool { return rs[a].Seed < rs[b].Seed })
	}
	// band is the series name of the mean and min-max over rs of acc(r, k)
	// at xs[k].
	band := func(name string, xs []float64, rs []*bench.Record, acc func(r *bench.Record, k int) (float64, bool)) series {
		s := series{name: name}
		for k, x := range xs {
			lo, hi, sum, n := math.Inf(1), math.Inf(-1), 0.0, 0
			for _, r := range rs {
				if v, ok := acc(r, k); ok {
					lo, hi, sum, n = min(lo, v), max(hi, v), sum+v, n+1
				}
			}
			if n == 0 {
				continue
			}
			s.epochs = append(s.epochs, x)
			s.mean = append(s.mean, sum/float64(n))
			s.low, s.high = append(s.low, lo), append(s.high, hi)
		}
		return s
	}
	// crosses marks each run's accuracy with modality m missing at x.
	crosses := func(p *plot.Plot, rs []*bench.Record, m string, x float64, ls draw.LineStyle) error {
		var pts plotter.XYs
		for _, r := range rs {
			if v, ok := r.Robustness.Missing[m]; ok {
				pts = append(pts, plotter.XY{X: x, Y: v})
			}
		}
		if len(pts) == 0 {
			return nil
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: ls.Color, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
		p.Add(sc)
		return nil
	}
	var noisePanels, corrPanels []*plot.Plot
	sty := newCurveStyles(mods)
	if len(levels) > 0 {
		xs := append([]float64{0}, levels...)
		missX := xs[len(xs)-1] * 1.3
		for _, label := range labels {
			if !slices.Contains(noiseLabels, label) {
				continue
			}
			rs := byLabel[label]
			var ss []series
			for _, m := range mods {
				ss = append(ss, band(modalitySeries(m), xs, rs, func(r *bench.Record, k int) (float64, bool) {
					if k == 0 {
						return r.Metrics["test"].Acc, true
					}
					accs := r.Robustness.Noise[m]
					if k-1 < len(accs) {
						return accs[k-1], true
					}
					return 0, false
				}))
			}
			p, err := curvePlot(fmt.Sprintf("%s on %s (%d seeds)", label, opt.Dataset, len(rs)), "test acc", ss, sty)
			if err != nil {
				return err
			}
			p.X.Label.Text = "noise level (× input std)"
			ticks := plot.ConstantTicks{}
			for _, x := range xs {
				ticks = append(ticks, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'g', -1, 64)})
			}
			p.X.Tick.Marker = append(ticks, plot.Tick{Value: missX, Label: "missing"})
			p.X.Min, p.X.Max = 0, missX*1.06
			p.Y.Min, p.Y.Max = 0, 1
			for _, m := range mods {
				if err := crosses(p, rs, m, missX, sty.line(modalitySeries(m))); err != nil {
					return err
				}
			}
			noisePanels = append(noisePanels, p)
		}
	}
	msty := newCurveStyles(labels) // one colour and dash per method
	for _, k := range corrs {
		lv := corrLevels[k]
		xs := make([]float64, len(lv)+1)
		ticks := plot.ConstantTicks{{Value: 0, Label: "clean"}}
		for i, l := range lv {
			xs[i+1] = float64(i + 1)
			ticks = append(ticks, plot.Tick{Value: float64(i + 1), Label: strconv.FormatFloat(l, 'g', -1, 64)})
		}
		missX := float64(len(lv) + 1)
		var ss []series
		for _, label := range labels {
			s := band(modalitySeries(label), xs, byLabel[label], func(r *bench.Record, i int) (float64, bool) {
				if i == 0 {
					return r.Metrics["test"].Acc, true
				}
				c := corruptionCurve(r.Robustness, k.mod, k.name)
				if c == nil || i-1 >= len(c.Acc) {
					return 0, false
				}
				return c.Acc[i-1], true
			})
			if len(labels) > 6 {
				s.low, s.high = nil, nil
			}
			ss = append(ss, s)
		}
		p, err := curvePlot(fmt.Sprintf("%s %s on %s", k.mod, k.name, opt.Dataset), "test acc", ss, msty)
		if err != nil {
			return err
		}
		p.X.Label.Text = k.mod + " " + k.name + " (mild → severe)"
		p.X.Tick.Marker = append(ticks, plot.Tick{Value: missX, Label: "missing"})
		p.X.Min, p.X.Max = 0, missX+0.2
		p.Y.Min, p.Y.Max = 0, 1
		for _, label := range labels {
			if err := crosses(p, byLabel[label], k.mod, missX, msty.line(modalitySeries(label))); err != nil {
				return err
			}
		}
		corrPanels = append(corrPanels, p)
	}
	cols := min(3, max(len(noisePanels), len(corrPanels)))
	nr, cr := (len(noisePanels)+cols-1)/cols, (len(corrPanels)+cols-1)/cols
	rows := nr + cr
	plots := make([][]*plot.Plot, rows)
	for i := range plots {
		plots[i] = make([]*plot.Plot, cols)
	}
	for i, p := range noisePanels {
		plots[i/cols][i%cols] = p
	}
	for i, p := range corrPanels {
		plots[nr+i/cols][i%cols] = p
	}
	width := opt.Width
	if width == 0 {
		width = 30 * vg.Centimeter
	}
	ph := opt.PanelHeight
	if ph == 0 {
		ph = 7 * vg.Centimeter
	}
	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(36)
	legend.Padding = vg.Points(5)
	both := len(noisePanels) > 0 && len(corrPanels) > 0
	if len(noisePanels) > 0 {
		if both {
			legend.Add("per-method panels:")
		}
		for _, m := range mods {
			ln, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
			ln.LineStyle = sty.line(modalitySeries(m))
			legend.Add("noise on "+m, ln)
		}
		for _, m := range mods {
			sc, _ := plotter.NewScatter(plotter.XYs{{X: 0, Y: 0}})
			sc.GlyphStyle = draw.GlyphStyle{Color: sty.line(modalitySeries(m)).Color, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
			legend.Add(m+" missing", sc)
		}
	}
	if len(corrPanels) > 0 {
		if both {
			legend.Add("")
			legend.Add("corruption panels:")
		}
		for _, label := range labels {
			ln, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 0}})
			ln.LineStyle = msty.line(modalitySeries(label))
			legend.Add(label, ln)
		}
		sc, _ := plotter.NewScatter(plotter.XYs{{X: 0, Y: 0}})
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Gray{Y: 0x40}, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
		legend.Add("corrupted modality missing", sc)
	}
	// The figure is at least as tall as the legend (one entry per method
	// with a single row of corruption panels).
	size := legend.Rectangle(draw.New(vgimg.New(width, ph))).Size()
	height := max(ph*vg.Length(rows), size.Y+vg.Points(16))
	var c vg.CanvasWriterTo
	switch format {
	case "svg":
		c = vgsvg.New(width, height)
	default:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(120))}
	}
	dc := draw.New(c)
	legendW := size.X + vg.Points(12)
	panels := dc
	panels.Max.X -= legendW
	lc := dc
	lc.Min.X = panels.Max.X + vg.Points(8)
	lc.Max.Y -= vg.Points(8)
	legend.Draw(lc)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, panels)
	for i := range plots {
		for j := range plots[i] {
			if plots[i][j] != nil {
				plots[i][j].Draw(canvases[i][j])
			}
		}
	}
	_, err = c.WriteTo(w)
	return err
}

// chooseDataset sorts names (in place) and sets an unset *dataset to the
// records' only dataset, or fails when they cover several and none was
// chosen.
func chooseDataset(dataset *string, names []string) error {
	sort.Strings(names)
	if *dataset != "" {
		return nil
	}
	if len(names) > 1 {
		return fmt.Errorf("the records cover several datasets (%s): choose one", strings.Join(names, ", "))
	}
	if len(names) == 1 {
		*dataset = names[0]
	}
	return nil
}

// onlyLabels returns only (the rows a plot was asked for) when every one of
// them is among labels, else an error saying what is missing ("none of
// what" of that row on dataset); without only, labels.
func onlyLabels(labels, only []string, none, dataset string) ([]string, error) {
	if len(only) == 0 {
		return labels, nil
	}
	for _, l := range only {
		if !slices.Contains(labels, l) {
			return nil, fmt.Errorf("%s of %q on %s (methods: %s)", none, l, dataset, strings.Join(labels, ", "))
		}
	}
	return only, nil
}
