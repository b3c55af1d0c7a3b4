// Package launch holds no code: its tests check the launchers in
// scripts/slurm and scripts/k8s (and the Dockerfile the Kubernetes manifest
// takes its image from) against miebench itself: that the manifest's
// completions, parallelism and --shard agree, that the arguments are ones
// `miebench run` accepts, and that the memory requests are miebench's own
// estimate for the suite they name (package bench/sizing).
package launch
