# The miebench container image: one static binary on a minimal base, for
# the Kubernetes Indexed Job in scripts/k8s/miebench-indexed-job.yaml.
#
#   docker build -t ghcr.io/miebench/miebench:latest .
#   docker run --rm ghcr.io/miebench/miebench:latest run --suite quick
#
# Stage 1 builds with the Go toolchain (CGO off: no libc, so the binary
# runs on a base without one); stage 2 is distroless/static, which has CA
# certificates, /etc/passwd with a nonroot user and tzdata but no shell or
# package manager. miebench needs nothing else: the built-in suites and the
# av-digits data are embedded in the binary, and the CREMA-D / Kinetics
# media come from a mounted volume.
#
# The records' code version comes from the build's VCS stamp: build from a
# git clone (the .git directory is in the context). Where git metadata is not
# usable (a worktree whose .git points outside the context), pass
# --build-arg BUILDVCS=false.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG BUILDVCS=auto
RUN CGO_ENABLED=0 go build -buildvcs=${BUILDVCS} -trimpath -ldflags="-s -w" -o /out/miebench ./cmd/miebench \
	&& /out/miebench list suites >/dev/null

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/miebench /usr/local/bin/miebench
WORKDIR /home/nonroot
# Numeric, so that Kubernetes can verify runAsNonRoot (distroless nonroot is 65532).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/miebench"]
