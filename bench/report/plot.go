package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
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
	sort.Strings(dsNames)
	if opt.Dataset == "" {
		if len(dsNames) > 1 {
			return fmt.Errorf("the records cover several datasets (%s): choose one", strings.Join(dsNames, ", "))
		}
		if len(dsNames) == 1 {
			opt.Dataset = dsNames[0]
		}
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
	labels = order(labels, opt.Rows)
	if len(opt.Only) > 0 {
		for _, l := range opt.Only {
			if !slices.Contains(labels, l) {
				return fmt.Errorf("no successful run of %q on %s (methods: %s)", l, opt.Dataset, strings.Join(labels, ", "))
			}
		}
		labels = opt.Only
	}
	plots := make([][]*plot.Plot, len(labels))
	for i, label := range labels {
		rs := byLabel[label]
		sort.Slice(rs, func(a, b int) bool { return rs[a].Seed < rs[b].Seed })
		accPlot, err := curvePlot(fmt.Sprintf("%s on %s (%s, %d seeds)", label, opt.Dataset, opt.Split, len(rs)),
			MetricTitle(opt.Metric)+" / modality acc", accSeries(rs, opt))
		if err != nil {
			return err
		}
		// Fractions: a fixed [0, 1] axis makes panels comparable, and the
		// legend sits in the low corner that rising curves leave empty.
		accPlot.Y.Min, accPlot.Y.Max = 0, 1
		accPlot.Legend.Top = false
		lossPlot, err := curvePlot(label+": training loss", "loss", []series{collect("train loss", rs, func(e bench.EpochRecord) (float64, bool) {
			return e.TrainLoss, !math.IsNaN(e.TrainLoss) && !math.IsInf(e.TrainLoss, 0)
		})})
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
	tiles := draw.Tiles{Rows: len(labels), Cols: 2, PadX: vg.Centimeter, PadY: vg.Centimeter,
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
	_, err := c.WriteTo(w)
	return err
}

// accSeries are the fused metric and each modality's accuracy.
func accSeries(rs []*bench.Record, opt PlotOptions) []series {
	split := func(e bench.EpochRecord) bench.Metrics {
		if opt.Split == "val" {
			return e.Val
		}
		return e.Test
	}
	out := []series{collect("fused "+MetricTitle(opt.Metric), rs, func(e bench.EpochRecord) (float64, bool) {
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
		out = append(out, collect(m+" acc", rs, func(e bench.EpochRecord) (float64, bool) {
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

func curvePlot(title, ylabel string, ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	for i, s := range ss {
		if len(s.epochs) == 0 {
			continue
		}
		col := plotutil.Color(i)
		if len(s.epochs) > 1 {
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
			r, g, b, _ := col.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 60}
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
		line.Color = col
		line.Width = vg.Points(1.5)
		line.Dashes = plotutil.Dashes(i)
		p.Add(line)
		p.Legend.Add(s.name, line)
	}
	return p, nil
}
