package report

// The tables find baseline rows by their method's declared role, so the
// tests need the methods registered.
import _ "github.com/miebench/miebench/methods/all"
