#!/usr/bin/env python3
"""Points per second of PyTorch on the loss-landscape workload of bench_gpu_engine.

Same problems as bench_gpu_engine: relu MLPs 784-128-10 and 784-512-512-512-10 with cross-entropy,
N pixel-like samples (uniform in [0, 1), random labels), a 2-D grid over [-1, 1]^2 along two
filter-normalised random directions (biases zeroed in the directions), in fp32, tf32, bf16 and
fp64. Two ways of evaluating the grid:

  loop   what loss-landscape does: for each point, write theta0 + a d1 + b d2 into the model's
         parameters, then one forward pass over all samples. Timed on the first --loop-points
         points of the grid.
  vmap   torch.func.vmap of torch.func.functional_call over a batch of points: the per-point
         parameters are built for --vmap-batch points at a time and all their forward passes run
         as one batched call. Timed on the whole grid.

Usage:
  python3 benchmarks/peer_torch.py [--samples 10000] [--grid 101] [--loop-points 200]
      [--vmap-batch 64] [--precisions fp32,tf32,bf16,fp64]
      [--models 784-128-10,784-512-512-512-10] [--runs 3]
"""

import argparse
import statistics
import time

import torch
from torch.func import functional_call, vmap


def make_mlp(widths, dtype, device):
    layers = []
    for i in range(1, len(widths)):
        layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
        if i + 1 < len(widths):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).to(device=device, dtype=dtype)


def filter_normalised_direction(model, gen):
    """Li et al. 2018: per row j of a weight matrix, d_j <- d_j |theta_j| / |d_j|; biases zero."""
    out = {}
    for name, p in model.named_parameters():
        if p.dim() <= 1:
            out[name] = torch.zeros_like(p)
            continue
        d = torch.randn(p.shape, generator=gen, device="cpu", dtype=torch.float64)
        d = d.to(device=p.device, dtype=p.dtype)
        scale = p.detach().norm(dim=1, keepdim=True) / (d.norm(dim=1, keepdim=True) + 1e-10)
        out[name] = d * scale
    return out


def grid_points(n, dtype, device):
    axis = torch.linspace(-1.0, 1.0, n, dtype=torch.float64)
    a, b = torch.meshgrid(axis, axis, indexing="ij")  # row-major, last axis fastest, as lscan
    return torch.stack([a.reshape(-1), b.reshape(-1)], dim=1).to(device=device, dtype=dtype)


def sync():
    torch.cuda.synchronize()


def set_precision(name):
    """Sets the TF32 switches for `name` and returns the parameter and data dtype."""
    allow_tf32 = name == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = allow_tf32
    torch.backends.cudnn.allow_tf32 = allow_tf32
    return {"fp64": torch.float64, "bf16": torch.bfloat16}.get(name, torch.float32)


def loss_fn(logits, y):
    # Cross-entropy computed in fp32 at least, the way lscan computes per-sample losses.
    if logits.dtype in (torch.bfloat16, torch.float16):
        logits = logits.float()
    return torch.nn.functional.cross_entropy(logits, y)


@torch.no_grad()
def bench_loop(model, theta0, dirs, X, y, points, runs):
    names = list(theta0.keys())
    params = dict(model.named_parameters())
    times = []
    for _ in range(runs):
        sync()
        t0 = time.perf_counter()
        for p in range(points.shape[0]):
            a, b = points[p, 0], points[p, 1]
            for n in names:  # set the weights of this point
                params[n].copy_(theta0[n] + a * dirs[0][n] + b * dirs[1][n])
            loss = loss_fn(model(X), y)
        loss.item()
        sync()
        times.append(time.perf_counter() - t0)
    return points.shape[0] / statistics.median(times)


@torch.no_grad()
def bench_vmap(model, theta0, dirs, X, y, points, batch, runs):
    names = list(theta0.keys())

    def one_point(c):
        params = {n: theta0[n] + c[0] * dirs[0][n] + c[1] * dirs[1][n] for n in names}
        return loss_fn(functional_call(model, params, (X,)), y)

    batched = vmap(one_point)
    times = []
    for _ in range(runs + 1):  # the first run warms up
        sync()
        t0 = time.perf_counter()
        out = [batched(points[i:i + batch]) for i in range(0, points.shape[0], batch)]
        torch.cat(out).sum().item()
        sync()
        times.append(time.perf_counter() - t0)
    return points.shape[0] / statistics.median(times[1:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--grid", type=int, default=101)
    ap.add_argument("--loop-points", type=int, default=200)
    ap.add_argument("--vmap-batch", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--precisions", default="fp32,tf32,bf16,fp64")
    ap.add_argument("--models", default="784-128-10,784-512-512-512-10")
    args = ap.parse_args()

    if not torch.cuda.is_available():
        print("peer_torch: no CUDA device")
        return 1
    device = torch.device("cuda")
    print(f"device     : {torch.cuda.get_device_name(device)}, torch {torch.__version__}, "
          f"CUDA {torch.version.cuda}")
    print(f"problem    : relu MLPs, cross_entropy, {args.samples} samples, "
          f"{args.grid}x{args.grid} grid, 2 filter-normalised directions, median of {args.runs}")
    print(f"{'model':22s} {'prec':5s} {'loop pts/s':>12s} {'vmap pts/s':>12s} {'vmap batch':>10s}")

    for spec in args.models.split(","):
        widths = [int(w) for w in spec.split("-")]
        for prec in args.precisions.split(","):
            dtype = set_precision(prec)
            torch.manual_seed(1)
            model = make_mlp(widths, dtype, device)
            gen = torch.Generator().manual_seed(3)
            dirs = [filter_normalised_direction(model, gen) for _ in range(2)]
            theta0 = {n: p.detach().clone() for n, p in model.named_parameters()}
            g = torch.Generator().manual_seed(2)
            X = torch.rand(args.samples, widths[0], generator=g).to(device=device, dtype=dtype)
            y = torch.randint(0, widths[-1], (args.samples,), generator=g).to(device)
            # Coefficients in fp32 at least, as lscan holds them.
            points = grid_points(args.grid, torch.float64 if prec == "fp64" else torch.float32,
                                 device)
            loop_pps = bench_loop(model, theta0, dirs, X, y, points[:args.loop_points], args.runs)
            batch = args.vmap_batch
            while True:  # halve the vmap batch until its activations fit
                try:
                    vmap_pps = bench_vmap(model, theta0, dirs, X, y, points, batch, args.runs)
                    break
                except torch.cuda.OutOfMemoryError:
                    torch.cuda.empty_cache()
                    if batch == 1:
                        raise
                    batch //= 2
            print(f"{spec:22s} {prec:5s} {loop_pps:12.1f} {vmap_pps:12.1f} {batch:10d}")
            del model, X, y, theta0, dirs
            torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
