// Command miebench plans, trains and reports benchmark runs of balanced
// multimodal learning methods.
//
//	miebench run --suite NAME|FILE [--out DIR] [--workers N] [--shard I/N] [--set key=value ...]
//	miebench table DIR... [--format md|tex|csv] [--metric acc|macro_f1|map]
//	miebench plot DIR [--metric M] [-o FILE.png|.svg]
//	miebench list methods|datasets|suites
//	miebench describe METHOD|DATASET
//	miebench data check --dataset NAME --root PATH
//
// Exit status: 0 success, 1 a run or I/O failure, 2 a usage or config error.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	_ "github.com/miebench/miebench/methods/all" // every method registers itself
)

// Exit statuses, as the CLI contract defines them.
const (
	exitOK     = 0
	exitFail   = 1 // a run or I/O failure
	exitConfig = 2 // a usage or config error
)

// command is one subcommand; each lives in its own file and registers itself.
type command struct {
	name    string
	summary string // one line for the top-level help
	// run executes the subcommand with its arguments (after the name) and
	// returns the exit status.
	run func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("miebench: duplicate command " + c.name)
	}
	commands[c.name] = c
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitConfig
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "miebench: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitConfig
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "miebench benchmarks balanced multimodal learning methods reproducibly.")
	fmt.Fprintln(w, "\nUsage: miebench COMMAND [flags]   (miebench COMMAND --help for details)")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nExit status: 0 success, 1 a run or I/O failure, 2 a usage or config error.")
}
