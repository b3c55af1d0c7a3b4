package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Formats are the table formats Write accepts.
var Formats = []string{"md", "tex", "csv"}

// Write renders t in format md, tex or csv.
func (t *Table) Write(w io.Writer, format string) error {
	switch format {
	case "md", "markdown":
		return t.Markdown(w)
	case "tex", "latex":
		return t.LaTeX(w)
	case "csv":
		return t.CSV(w)
	}
	return fmt.Errorf("unknown table format %q (valid: %s)", format, strings.Join(Formats, ", "))
}

// cellText formats a cell as "mean ± std (n)" in percent ("mean (1)" for a
// single seed, "–" for no value), with pm the plus-minus sign to use.
func cellText(c Cell, pm string) (value, count string) {
	if c.N == 0 {
		return "–", ""
	}
	value = pct(c.Mean)
	if c.N > 1 {
		value += " " + pm + " " + pct(c.Std)
	}
	return value, fmt.Sprintf("(%d)", c.N)
}

func (t *Table) label(i int) string {
	if t.Marks[i] == "" {
		return t.Rows[i]
	}
	return t.Rows[i] + " " + t.Marks[i]
}

// Markdown renders t as a GitHub Markdown table (one header row with
// "dataset column" names, best cells in **bold**) followed by its notes.
func (t *Table) Markdown(w io.Writer) error {
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	)
	header := []string{"Method"}
	for _, c := range t.Columns {
		header = append(header, c.Dataset+" "+c.Name())
	}
	tbl.Header(header)
	for i := range t.Rows {
		row := []string{escapeMarkdown(t.label(i))}
		for _, c := range t.Cells[i] {
			v, n := cellText(c, "±")
			if c.Best {
				v = "**" + v + "**"
			}
			if n != "" {
				v += " " + n
			}
			row = append(row, v+c.Mark)
		}
		if err := tbl.Append(row); err != nil {
			return err
		}
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	if len(t.Notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.Notes {
			fmt.Fprintln(w, escapeMarkdown(n))
			fmt.Fprintln(w)
		}
	}
	return nil
}

func escapeMarkdown(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}

// LaTeX renders t as a booktabs tabular ready to paste into a table
// environment (needs \usepackage{booktabs}): a dataset header row with
// \cmidrule, a column header row, \textbf for the best cells, and the notes
// as footnote-size paragraphs after the tabular.
func (t *Table) LaTeX(w io.Writer) error {
	var b strings.Builder
	b.WriteString("\\begin{tabular}{l" + strings.Repeat("c", len(t.Columns)) + "}\n\\toprule\n")
	// Dataset header: consecutive columns of one dataset share a multicolumn.
	type span struct {
		name       string
		start, len int
	}
	var spans []span
	for j, c := range t.Columns {
		if n := len(spans); n > 0 && spans[n-1].name == c.Dataset {
			spans[n-1].len++
			continue
		}
		spans = append(spans, span{c.Dataset, j + 2, 1})
	}
	cells := []string{""}
	var rules []string
	for _, s := range spans {
		cells = append(cells, fmt.Sprintf("\\multicolumn{%d}{c}{%s}", s.len, escapeLaTeX(s.name)))
		rules = append(rules, fmt.Sprintf("\\cmidrule(lr){%d-%d}", s.start, s.start+s.len-1))
	}
	b.WriteString(strings.Join(cells, " & ") + " \\\\\n")
	b.WriteString(strings.Join(rules, " ") + "\n")
	cells = []string{"Method"}
	for _, c := range t.Columns {
		cells = append(cells, escapeLaTeX(c.Name()))
	}
	b.WriteString(strings.Join(cells, " & ") + " \\\\\n\\midrule\n")
	for i := range t.Rows {
		label := escapeLaTeX(t.Rows[i])
		if t.Marks[i] != "" {
			label += "$^{" + strings.NewReplacer("†", "\\dagger", "‡", "\\ddagger").Replace(t.Marks[i]) + "}$"
		}
		cells = []string{label}
		for _, c := range t.Cells[i] {
			v, n := cellText(c, "$\\pm$")
			if c.N == 0 {
				v = "--"
			}
			if c.Best {
				v = "\\textbf{" + v + "}"
			}
			if n != "" {
				v += " " + n
			}
			cells = append(cells, v+texMarks.Replace(c.Mark))
		}
		b.WriteString(strings.Join(cells, " & ") + " \\\\\n")
	}
	b.WriteString("\\bottomrule\n\\end{tabular}\n")
	if len(t.Notes) > 0 {
		b.WriteString("\\par\\smallskip\n{\\footnotesize\n")
		for _, n := range t.Notes {
			n = escapeLaTeX(n)
			n = strings.NewReplacer("±", "$\\pm$", "−", "$-$", "†", "$^\\dagger$", "‡", "$^\\ddagger$").Replace(n)
			n = texMarks.Replace(n)
			b.WriteString(n + "\\par\n")
		}
		b.WriteString("}\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// texMarks writes the modality-source marks as LaTeX superscripts.
var texMarks = strings.NewReplacer("ᵖ", "$^{\\mathrm{p}}$", "ʰ", "$^{\\mathrm{h}}$", "ˡ", "$^{\\mathrm{l}}$")

func escapeLaTeX(s string) string {
	return strings.NewReplacer(`\`, `\textbackslash{}`, "&", `\&`, "%", `\%`, "$", `\$`, "#", `\#`,
		"_", `\_`, "{", `\{`, "}", `\}`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`).Replace(s)
}

// CSV renders t with one row per method and, per column, three fields
// "<dataset> <column> mean", "... std", "... n"; values are fractions (not
// percent) with six decimals, empty where there is no value. Notes are not
// included.
func (t *Table) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"method"}
	for _, c := range t.Columns {
		name := c.Dataset + " " + c.Name()
		header = append(header, name+" mean", name+" std", name+" n")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for i := range t.Rows {
		row := []string{t.Rows[i]}
		for _, c := range t.Cells[i] {
			if c.N == 0 {
				row = append(row, "", "", "0")
				continue
			}
			row = append(row, strconv.FormatFloat(c.Mean, 'f', 6, 64), strconv.FormatFloat(c.Std, 'f', 6, 64), strconv.Itoa(c.N))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
