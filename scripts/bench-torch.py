#!/usr/bin/python3
"""Time PyTorch (CPU) on the GEMM shapes, the MLP training step and the
three convolutional training steps that miebench's Go benchmarks time, for
the side-by-side tables in docs/performance.md.

Install (Debian 12):

    apt-get install -y python3-torch python3-numpy libopenblas0-openmp

Debian's python3-torch does its float32 matrix products through the system
BLAS (libblas.so.3, chosen by update-alternatives). Without OpenBLAS that
is the unoptimised reference BLAS. torch parallelises with OpenMP, and the
pthread build of OpenBLAS (libopenblas0-pthread) fights it for the cores
(an MLP step took 100x longer in our runs), so by default the script
re-executes itself with LD_LIBRARY_PATH pointing at the OpenMP build of
OpenBLAS when it is installed (--blas system keeps the system choice). The
script prints which library is loaded. Run it with Debian's
interpreter, not a pyenv/venv python:

    /usr/bin/python3 scripts/bench-torch.py            # 2 threads
    /usr/bin/python3 scripts/bench-torch.py --threads 1
    /usr/bin/python3 scripts/bench-torch.py --numpy    # also numpy (same BLAS)

Go side:

    go test ./nn/gemm -run XXX -bench 'Sgemm$' -cpu 2 -count 3
    go test ./nn -run XXX -bench MLPTrainStep -cpu 2 -count 3
    go test ./nn -run XXX -bench 'ResNet18ForwardBackward|CNNStep' -cpu 2 -count 3
    go test ./nn -run XXX -bench CREMADStep -cpu 2 -benchtime 3x   # alone: peak RSS

The convolutional rows (--only resnet18,cnn,cremad) are built here from
torch.nn layers with the Go benchmarks' shapes, initialisation aside:
ResNet-18 forward + backward on 8 x [1, 257, 188]; the small CNN
(16-32-64-128, conv3x3-BN-ReLU-maxpool2, global average pool, linear head
to 10) SGD step on 64 x [1, 64, 64]; and the CREMA-D paper step, two
ResNet-18 (audio [1, 257, 188], visual [3, 224, 224]) whose features are
concatenated into a linear head to 6 classes, SGD, batch 64. SGD is
lr 1e-3, momentum 0.9, weight decay 1e-4 throughout. The cremad row also
prints the process's peak resident set (getrusage); it takes minutes and
about 3.5 GB, so it runs only when asked for, and alone (--only cremad)
its peak is the step's.

Every call is timed on its own for at least --min-time seconds; the
script prints the rate over all calls (mean, like `go test -bench`) and for
the fastest call (best, like the Go benchmarks' best_GFLOPS and
best_steps/s), which is robust to other processes sharing the cores.
"""

import argparse
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2, help="intra-op threads (default 2)")
    p.add_argument("--min-time", type=float, default=1.0, help="seconds of calls per shape (default 1)")
    p.add_argument("--min-calls", type=int, default=5, help="at least this many timed calls per row (default 5)")
    p.add_argument("--numpy", action="store_true", help="also time numpy.matmul into a preallocated output")
    p.add_argument("--filter", default="", help="only shapes whose name contains this")
    p.add_argument("--only", default="gemm,mlp,resnet18,cnn",
                   help="comma-separated rows to run: gemm, mlp, resnet18, cnn, cremad "
                        "(default all but cremad, which needs minutes and about 3.5 GB: run it alone)")
    p.add_argument("--blas", choices=("openmp", "system"), default="openmp",
                   help="openmp: OpenBLAS's OpenMP build if installed (default); system: update-alternatives' choice")
    return p.parse_args()


ARGS = parse_args()
OPENMP_BLAS = "/usr/lib/x86_64-linux-gnu/openblas-openmp"
if ARGS.blas == "openmp" and os.path.isdir(OPENMP_BLAS) and os.environ.get("BENCH_TORCH_REEXEC") != "1":
    # The dynamic loader reads LD_LIBRARY_PATH at start-up only.
    env = dict(os.environ, BENCH_TORCH_REEXEC="1",
               LD_LIBRARY_PATH=OPENMP_BLAS + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)
# BLAS threads must be fixed before the libraries load.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import torch  # noqa: E402

torch.set_num_threads(ARGS.threads)


def gemm_shapes():
    """The shapes of nn/gemm/bench_test.go, as (name, m, n, k, transA, transB)."""
    shapes = []
    for m in (64, 128, 256):
        shapes += [
            (f"NN_{m}x512x512", m, 512, 512, False, False),
            (f"NT_{m}x512x512", m, 512, 512, False, True),
            (f"TN_{m}x512x512", m, 512, 512, True, False),
        ]
    shapes.append(("TN_512x512x128", 512, 512, 128, True, False))
    shapes.append(("NN_1024x1024x1024", 1024, 1024, 1024, False, False))
    # ResNet-18 stages on a batch of 8 inputs of 1x257x188, as nn.Conv2D
    # calls them: Cout, pixels of one im2col chunk, K = Cin*9.
    for stage, (cout, pixels) in enumerate([(64, 3055), (128, 1584), (256, 816), (512, 432)], 1):
        k = cout * 9
        shapes += [
            (f"conv{stage}_fwd_NN_{cout}x{pixels}x{k}", cout, pixels, k, False, False),
            (f"conv{stage}_dW_NT_{cout}x{k}x{pixels}", cout, k, pixels, False, True),
            (f"conv{stage}_dX_TN_{k}x{pixels}x{cout}", k, pixels, cout, True, False),
        ]
    return shapes


def timeit(fn):
    """(mean, best) seconds per call over at least ARGS.min_calls calls
    lasting >= ARGS.min_time in all, after one untimed warm-up call."""
    fn()  # warm up
    best, n, start = float("inf"), 0, time.perf_counter()
    while True:
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        best = min(best, t1 - t0)
        n += 1
        if t1 - start >= ARGS.min_time and n >= ARGS.min_calls:
            return (t1 - start) / n, best


def operands(m, n, k, ta, tb, lib):
    """Row-major A (m x k, or k x m when ta), B (k x n, or n x k when tb)
    and C (m x n) as torch tensors or numpy arrays, with op() views."""
    g = torch.Generator().manual_seed(1)
    a = torch.rand((k, m) if ta else (m, k), generator=g) * 2 - 1
    b = torch.rand((n, k) if tb else (k, n), generator=g) * 2 - 1
    c = torch.empty(m, n)
    if lib == "numpy":
        a, b, c = a.numpy(), b.numpy(), c.numpy()
        return (a.T if ta else a), (b.T if tb else b), c
    return (a.t() if ta else a), (b.t() if tb else b), c


def bench_gemm():
    import importlib
    np = importlib.import_module("numpy") if ARGS.numpy else None
    print(f"{'shape':34s} {'torch mean':>11s} {'torch best':>11s}" + (f" {'numpy mean':>11s} {'numpy best':>11s}" if np else "") + "  (GFLOPS)")
    for name, m, n, k, ta, tb in gemm_shapes():
        if ARGS.filter not in name:
            continue
        flops = 2.0 * m * n * k
        a, b, c = operands(m, n, k, ta, tb, "torch")
        mean, best = timeit(lambda: torch.mm(a, b, out=c))
        line = f"{name:34s} {flops / mean / 1e9:11.1f} {flops / best / 1e9:11.1f}"
        if np:
            a, b, c = operands(m, n, k, ta, tb, "numpy")
            mean, best = timeit(lambda: np.matmul(a, b, out=c))
            line += f" {flops / mean / 1e9:11.1f} {flops / best / 1e9:11.1f}"
        print(line, flush=True)


def bench_mlp_step():
    """One SGD step of 512 -> 512 -> ReLU -> 10 at batch 128 with softmax
    cross-entropy, as BenchmarkMLPTrainStep in nn/mlpstep_bench_test.go: lr 1e-3,
    momentum 0.9, weight decay 1e-4."""
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(128, 512)
    y = torch.arange(128) % 10
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    mean, best = timeit(step)
    print(f"MLP step 512-512-10 batch 128: mean {1 / mean:.0f} steps/s ({mean * 1e6:.0f} us), best {1 / best:.0f} steps/s ({best * 1e6:.0f} us)")


def basic_block(cin, cout, stride):
    """torchvision's BasicBlock: conv3x3-BN-ReLU-conv3x3-BN + shortcut, ReLU."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + (x if self.down is None else self.down(x)))

    return Block()


def resnet18(cin):
    """ResNet-18 up to the global average pool (512 features), as nn.NewResNet18."""
    nn = torch.nn
    layers = [nn.Conv2d(cin, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for stage, width in enumerate((64, 128, 256, 512)):
        for i in range(2):
            layers.append(basic_block(c, width, 2 if stage > 0 and i == 0 else 1))
            c = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers)


def small_cnn(widths=(16, 32, 64, 128), cin=1):
    """nn.NewCNNEncoder's default blocks, conv3x3-BN-ReLU-maxpool2 per width, then a global average pool."""
    nn = torch.nn
    layers, c = [], cin
    for w in widths:
        layers += [nn.Conv2d(c, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        c = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), c


def sgd(params):
    return torch.optim.SGD(params, lr=1e-3, momentum=0.9, weight_decay=1e-4)


def report(name, batch, mean, best, extra=""):
    print(f"{name}: mean {batch / mean:.2f} samples/s ({mean:.3f} s/step), best {batch / best:.2f} samples/s ({best:.3f} s){extra}", flush=True)


def bench_resnet18():
    """BenchmarkResNet18ForwardBackward: forward, and backward of a fixed
    output gradient, on 8 x [1, 257, 188] in training mode. The input needs
    no gradient (the Go side computes it as well)."""
    torch.manual_seed(3)
    net = resnet18(1).train()
    x = torch.rand(8, 1, 257, 188) * 2 - 1
    dy = (torch.rand(8, 512) * 2 - 1) * 1e-3

    def step():
        net.zero_grad(set_to_none=False)
        net(x).backward(dy)

    mean, best = timeit(step)
    report("ResNet-18 forward+backward 8x[1,257,188]", 8, mean, best)


def bench_cnn_step():
    """BenchmarkCNNStep: the small CNN and a linear head to 10 classes, one SGD step on 64 x [1, 64, 64]."""
    torch.manual_seed(2)
    body, c = small_cnn()
    net = torch.nn.Sequential(body, torch.nn.Linear(c, 10)).train()
    opt = sgd(net.parameters())
    x = torch.rand(64, 1, 64, 64) * 2 - 1
    y = torch.arange(64) % 10
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss_fn(net(x), y).backward()
        opt.step()

    mean, best = timeit(step)
    report("small CNN 16-32-64-128 SGD step 64x[1,64,64]", 64, mean, best)


def bench_cremad_step():
    """BenchmarkCREMADStep: two ResNet-18, concatenated features, linear
    head to 6 classes, one SGD step on a batch of 64; and the peak RSS."""
    import resource
    torch.manual_seed(4)
    audio, visual = resnet18(1).train(), resnet18(3).train()
    head = torch.nn.Linear(1024, 6)
    opt = sgd(list(audio.parameters()) + list(visual.parameters()) + list(head.parameters()))
    xa = torch.rand(64, 1, 257, 188) * 2 - 1
    xv = torch.rand(64, 3, 224, 224) * 2 - 1
    y = torch.arange(64) % 6
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=False)
        loss_fn(head(torch.cat([audio(xa), visual(xv)], 1)), y).backward()
        opt.step()

    mean, best = timeit(step)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    report("CREMA-D step 2xResNet-18 batch 64", 64, mean, best, f", peak RSS {rss:.0f} MiB")


def blas_library():
    """The BLAS shared objects this process has mapped."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                base = os.path.basename(path)
                if "blas" in base or "mkl" in base:
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return ", ".join(sorted(libs)) or "unknown"


def main():
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, python {sys.version.split()[0]}")
    only = set(ARGS.only.split(","))
    unknown = only - {"gemm", "mlp", "resnet18", "cnn", "cremad"}
    if unknown:
        sys.exit(f"bench-torch.py: --only: unknown rows {sorted(unknown)} (valid: gemm, mlp, resnet18, cnn, cremad)")
    print(f"mkldnn (oneDNN) enabled: {torch.backends.mkldnn.is_available()}")
    if "gemm" in only:
        bench_gemm()
    if "mlp" in only:
        bench_mlp_step()
    if "resnet18" in only:
        bench_resnet18()
    if "cnn" in only:
        bench_cnn_step()
    if "cremad" in only:
        bench_cremad_step()
    print(f"BLAS loaded: {blas_library()}")


if __name__ == "__main__":
    main()
