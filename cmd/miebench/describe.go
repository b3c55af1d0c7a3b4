package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/miebench/miebench/datasets"
	"github.com/miebench/miebench/methods"
)

func init() {
	register(command{name: "describe", summary: "describe a method or dataset: doc, reference, parameters", run: describeMain})
}

func describeMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("describe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: miebench describe METHOD|DATASET")
		fmt.Fprintln(stderr, "\nPrints what a method or dataset is, its reference, and every parameter with")
		fmt.Fprintln(stderr, "its default; for methods, [switch] marks a divergence between the released")
		fmt.Fprintln(stderr, "code (the default) and the paper.")
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitConfig
	}
	name := fs.Arg(0)
	found := false
	if s, err := methods.Lookup(name); err == nil {
		found = true
		fmt.Fprintf(stdout, "method %s\n\n%s\n", s.Name, strings.TrimSpace(s.Doc))
		if s.Ref != "" {
			fmt.Fprintf(stdout, "\nReference: %s\n", s.Ref)
		}
		if len(s.Params) > 0 {
			fmt.Fprintln(stdout, "\nHyperparameters (name, default, meaning):")
			for _, p := range s.Params {
				mark := ""
				if p.Switch {
					mark = " [switch]"
				}
				fmt.Fprintf(stdout, "  %-18s %-10v%s %s\n", p.Name, fmtDefault(p.Default), mark, p.Doc)
			}
		}
	}
	if b, err := datasets.Lookup(name); err == nil {
		if found {
			fmt.Fprintln(stdout)
		}
		found = true
		fmt.Fprintf(stdout, "dataset %s\n\n%s\n", b.Name, strings.TrimSpace(b.Doc))
		if len(b.Params) > 0 {
			fmt.Fprintln(stdout, "\nParameters (name, default, meaning):")
			for _, p := range b.Params {
				fmt.Fprintf(stdout, "  %-18s %-10v %s\n", p.Name, fmtDefault(p.Default), p.Doc)
			}
		}
		if len(b.Corruptions) > 0 {
			fmt.Fprintln(stdout, "\nCorruptions for the robustness evaluation (robustness: {corruptions: {MODALITY: {NAME: [levels, mild to severe]}}}):")
			for _, c := range b.Corruptions {
				fmt.Fprintf(stdout, "  %-18s %s\n", c.Modality+"."+c.Name, c.Levels)
			}
		}
	}
	if !found {
		fmt.Fprintf(stderr, "miebench describe: %q is neither a method %v nor a dataset %v\n", name, methods.Names(), datasets.Names())
		return exitConfig
	}
	return exitOK
}

func fmtDefault(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
