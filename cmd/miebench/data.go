package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/miebench/miebench/datasets"
)

// maxListed is how many missing or unreadable files data check names
// before it summarises the rest as a count.
const maxListed = 10

func init() {
	register(command{name: "data", summary: "data check: validate a dataset tree without training", run: dataMain})
}

func dataMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "Usage: miebench data check --dataset NAME [--root PATH] [--set key=value ...]")
			return exitOK
		}
		fmt.Fprintln(stderr, "Usage: miebench data check --dataset NAME [--root PATH] [--set key=value ...]")
		return exitConfig
	}
	fs := flag.NewFlagSet("data check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("dataset", "", "dataset name (see miebench list datasets)")
	root := fs.String("root", "", "data root (default: the data shipped with miebench, where the dataset has some)")
	seed := fs.Uint64("seed", 0, "data seed (splits)")
	var sets setFlags
	fs.Var(&sets, "set", "dataset parameter key=value (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: miebench data check --dataset NAME [--root PATH] [--set key=value ...]")
		fmt.Fprintln(stderr, "\nValidates a dataset tree: modality shapes (and dtypes of feature files), counts")
		fmt.Fprintln(stderr, "per class and split, warnings (empty classes), missing and unreadable files and")
		fmt.Fprintln(stderr, "non-finite features (the first few named, then a count). Exit status 1 if any")
		fmt.Fprintln(stderr, "file is missing or bad.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args[1:]); err != nil {
		return flagExit(err)
	}
	if *name == "" || fs.NArg() != 0 {
		fs.Usage()
		return exitConfig
	}
	b, err := datasets.Lookup(*name)
	if err != nil {
		fmt.Fprintf(stderr, "miebench data check: %v\n", err)
		return exitConfig
	}
	if b.Check == nil {
		fmt.Fprintf(stdout, "dataset %s has no files to check (it is generated in memory)\n", *name)
		return exitOK
	}
	params := map[string]any{}
	for _, kv := range sets {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			fmt.Fprintf(stderr, "miebench data check: --set %q: want key=value\n", kv)
			return exitConfig
		}
		params[k] = v
	}
	rep, err := b.Check(datasets.Config{Root: *root, Seed: *seed, Params: params})
	if err != nil {
		fmt.Fprintf(stderr, "miebench data check: %v\n", err)
		return exitFail
	}
	printCheck(stdout, *name, *root, rep)
	if !rep.OK() {
		return exitFail
	}
	return exitOK
}

func printCheck(w io.Writer, name, root string, rep *datasets.CheckReport) {
	if root == "" {
		root = "(bundled data)"
	}
	fmt.Fprintf(w, "dataset %s at %s\n", name, root)
	for _, d := range rep.Details {
		fmt.Fprintf(w, "  %s\n", d)
	}
	for _, split := range datasets.SplitNames {
		counts, ok := rep.Counts[split]
		if !ok {
			continue
		}
		classes := make([]string, 0, len(counts))
		total := 0
		for c, n := range counts {
			classes = append(classes, c)
			total += n
		}
		sort.Strings(classes)
		fmt.Fprintf(w, "  %-5s %6d samples:", split, total)
		for _, c := range classes {
			fmt.Fprintf(w, " %s=%d", c, counts[c])
		}
		fmt.Fprintln(w)
	}
	listSome(w, "warnings", rep.Warnings)
	listSome(w, "missing", rep.Missing)
	listSome(w, "unreadable", rep.Bad)
	if rep.OK() {
		fmt.Fprintln(w, "ok: every file is present and readable")
	}
}

func listSome(w io.Writer, what string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "  %d %s:\n", len(items), what)
	for i, it := range items {
		if i == maxListed {
			fmt.Fprintf(w, "    ... and %d more\n", len(items)-maxListed)
			break
		}
		fmt.Fprintf(w, "    %s\n", it)
	}
}
