// Package all registers every method of miebench: import it for its side
// effect wherever methods are looked up by name (the command, the tests).
// A new method is one package under methods/ and one import line here.
package all

import (
	_ "github.com/miebench/miebench/methods/agm"
	_ "github.com/miebench/miebench/methods/amco"
	_ "github.com/miebench/miebench/methods/amss"
	_ "github.com/miebench/miebench/methods/arl"
	_ "github.com/miebench/miebench/methods/cml"
	_ "github.com/miebench/miebench/methods/dimml"
	_ "github.com/miebench/miebench/methods/gblending"
	_ "github.com/miebench/miebench/methods/greedy"
	_ "github.com/miebench/miebench/methods/inforeg"
	_ "github.com/miebench/miebench/methods/joint"
	_ "github.com/miebench/miebench/methods/lfm"
	_ "github.com/miebench/miebench/methods/mbsd"
	_ "github.com/miebench/miebench/methods/mie"
	_ "github.com/miebench/miebench/methods/mla"
	_ "github.com/miebench/miebench/methods/mmcosine"
	_ "github.com/miebench/miebench/methods/mmpareto"
	_ "github.com/miebench/miebench/methods/ogmge"
	_ "github.com/miebench/miebench/methods/opm"
	_ "github.com/miebench/miebench/methods/pmr"
	_ "github.com/miebench/miebench/methods/reconboost"
	_ "github.com/miebench/miebench/methods/relearning"
	_ "github.com/miebench/miebench/methods/ume"
	_ "github.com/miebench/miebench/methods/umt"
	_ "github.com/miebench/miebench/methods/unimodal"
	_ "github.com/miebench/miebench/methods/valuation"
)
