package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/miebench/miebench/bench"
	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/methods"
)

func init() {
	register(command{name: "list", summary: "list methods, datasets or built-in suites", run: listMain})
}

func listMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: miebench list methods|datasets|suites")
		fmt.Fprintln(stderr, "\nLists what is registered, one per line with its one-line summary.")
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitConfig
	}
	switch fs.Arg(0) {
	case "methods":
		for _, n := range methods.Names() {
			s, _ := methods.Lookup(n)
			fmt.Fprintf(stdout, "%-10s %s\n", n, firstLine(s.Doc))
		}
	case "datasets":
		for _, n := range datasets.Names() {
			b, _ := datasets.Lookup(n)
			fmt.Fprintf(stdout, "%-16s %s\n", n, firstLine(b.Doc))
		}
	case "suites":
		for _, n := range bench.SuiteNames() {
			fmt.Fprintf(stdout, "%-14s %s\n", n, firstLine(bench.SuiteDoc(n)))
		}
	default:
		fmt.Fprintf(stderr, "miebench list: unknown kind %q (valid: methods, datasets, suites)\n", fs.Arg(0))
		return exitConfig
	}
	return exitOK
}

// flagExit maps a flag parsing error to an exit status: --help is success.
func flagExit(err error) int {
	if err == flag.ErrHelp {
		return exitOK
	}
	return exitConfig
}

// firstLine is the first sentence of a doc text's first paragraph, on one line.
func firstLine(s string) string {
	para, _, _ := strings.Cut(strings.TrimSpace(s), "\n\n")
	line := strings.Join(strings.Fields(para), " ")
	if i := strings.Index(line, ". "); i >= 0 {
		return line[:i+1]
	}
	return line
}
