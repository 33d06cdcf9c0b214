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

Before timing anything, --check-lscan LSCAN shows that both ways compute lscan's function: it
writes a small problem of each model (the model as safetensors and JSON spec, the data as .npy,
the two directions as safetensors), scans it with `LSCAN scan --precision fp64` (and fp32) on
--device, and compares the loss lscan reports at the origin, at its argmin and at its argmax, and
its minimum over the grid, with the loop's and vmap's losses there. Exit status 1 if they differ
by more than 1e-10 relative in fp64 (the GEMMs order their sums differently, nothing else) or
1e-5 in fp32 (the same with fp32 rounding: a few units of 2^-24 times the square root of the
784-wide dot products, the bound lscan's own CUDA-vs-CPU tests use).

Usage:
  python3 benchmarks/peer_torch.py [--samples 10000] [--grid 101] [--loop-points 200]
      [--vmap-batch 64] [--precisions fp32,tf32,bf16,fp64]
      [--models 784-128-10,784-512-512-512-10] [--runs 3] [--device cuda|cpu]
      [--check-lscan build/lscan]
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
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
    if torch.cuda.is_available():
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
def loop_losses(model, theta0, dirs, X, y, points):
    """The loss-landscape loop: set the weights of each point, one forward pass. (points,)"""
    names = list(theta0.keys())
    params = dict(model.named_parameters())
    losses = []
    for p in range(points.shape[0]):
        a, b = points[p, 0], points[p, 1]
        for n in names:  # set the weights of this point
            params[n].copy_(theta0[n] + a * dirs[0][n] + b * dirs[1][n])
        losses.append(loss_fn(model(X), y))
    return torch.stack(losses)


@torch.no_grad()
def vmap_losses(model, theta0, dirs, X, y, points, batch):
    """torch.func.vmap over batches of points. (points,)"""
    names = list(theta0.keys())

    def one_point(c):
        params = {n: theta0[n] + c[0] * dirs[0][n] + c[1] * dirs[1][n] for n in names}
        return loss_fn(functional_call(model, params, (X,)), y)

    batched = vmap(one_point)
    return torch.cat([batched(points[i:i + batch]) for i in range(0, points.shape[0], batch)])


def points_per_second(evaluate, points, runs, warm_up):
    times = []
    for _ in range(runs + warm_up):
        sync()
        t0 = time.perf_counter()
        evaluate().sum().item()
        sync()
        times.append(time.perf_counter() - t0)
    return points.shape[0] / statistics.median(times[warm_up:])


def save_safetensors(path, tensors):
    """The safetensors layout (8-byte little-endian header size, JSON header, raw data), written
    here so that the check needs no package beyond torch and numpy."""
    names = {torch.float64: "F64", torch.float32: "F32"}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        blob = t.detach().to("cpu").contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def check_against_lscan(lscan, device, widths, prec, samples, grid, tolerance):
    """Scans one problem with lscan and with both torch ways; returns the largest relative
    difference over the compared points, printing each."""
    import numpy as np

    dtype = set_precision(prec)
    torch.manual_seed(5)
    model = make_mlp(widths, torch.float64, "cpu")
    gen = torch.Generator().manual_seed(6)
    dirs = [filter_normalised_direction(model, gen) for _ in range(2)]
    g = torch.Generator().manual_seed(7)
    X = torch.rand(samples, widths[0], generator=g, dtype=torch.float64)
    y = torch.randint(0, widths[-1], (samples,), generator=g)
    with tempfile.TemporaryDirectory() as tmp:
        # The weights and directions as fp64 files, so that lscan and torch start from the same
        # numbers: lscan rounds them to its precision as torch's .to(dtype) does.
        save_safetensors(os.path.join(tmp, "w.safetensors"), model.state_dict())
        save_safetensors(os.path.join(tmp, "d.safetensors"),
                         {f"{axis}.{n}": d[n] for axis, d in zip("xy", dirs) for n in d})
        layers = []
        for i in range(1, len(widths)):
            layers.append({"type": "linear", "out": widths[i]})
            if i + 1 < len(widths):
                layers.append({"type": "relu"})
        with open(os.path.join(tmp, "m.json"), "w") as f:
            json.dump({"input_dim": widths[0], "layers": layers, "loss": "cross_entropy"}, f)
        np.save(os.path.join(tmp, "X.npy"), X.numpy().astype(np.float64 if prec == "fp64"
                                                                  else np.float32))
        np.save(os.path.join(tmp, "y.npy"), y.numpy())
        axis = f"-1:1:{grid}"
        cmd = [lscan, "scan", "--model", "m.json", "--weights", "w.safetensors",
               "--directions", "d.safetensors", "--data", "X.npy", "--labels", "y.npy",
               "--x", axis, "--y", axis, "--precision", prec, "--device", device.type,
               "--no-analyze", "-q", "--out", "s.h5"]
        subprocess.run(cmd, cwd=tmp, check=True)
        with open(os.path.join(tmp, "s.json")) as f:
            summary = json.load(f)["train"]

    model = model.to(device=device, dtype=dtype)
    theta0 = {n: p.detach().clone() for n, p in model.named_parameters()}
    dirs = [{n: t.to(device=device, dtype=dtype) for n, t in d.items()} for d in dirs]
    X, y = X.to(device=device, dtype=dtype), y.to(device)
    points = grid_points(grid, torch.float64 if prec == "fp64" else torch.float32, device)
    coords = torch.linspace(-1.0, 1.0, grid, dtype=torch.float64).tolist()
    ways = {"loop": loop_losses(model, theta0, dirs, X, y, points).double().cpu(),
            "vmap": vmap_losses(model, theta0, dirs, X, y, points, 16).double().cpu()}

    def index(at):  # lscan's coordinates of a grid point -> its row-major index
        return min(range(grid), key=lambda i: abs(coords[i] - at[0])) * grid +             min(range(grid), key=lambda i: abs(coords[i] - at[1]))

    compared = {"origin": (summary["loss_at_origin"], index([0.0, 0.0])),
                "argmin": (summary["loss_min"], index(summary["argmin"])),
                "argmax": (summary["loss_max"], index(summary["argmax"]))}
    worst = 0.0
    for way, losses in ways.items():
        for what, (want, i) in compared.items():
            worst = max(worst, abs(losses[i].item() - want) / abs(want))
        worst = max(worst, abs(losses.min().item() - summary["loss_min"]) / summary["loss_min"])
    print(f"check      : {'-'.join(map(str, widths)):22s} {prec:5s} {grid}x{grid} grid, "
          f"{samples} samples: lscan and torch (loop, vmap) differ by {worst:.2e} relative "
          f"(bound {tolerance:.0e}) at the origin, argmin, argmax and minimum")
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=10000)
    ap.add_argument("--grid", type=int, default=101)
    ap.add_argument("--loop-points", type=int, default=200)
    ap.add_argument("--vmap-batch", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--precisions", default="fp32,tf32,bf16,fp64")
    ap.add_argument("--models", default="784-128-10,784-512-512-512-10")
    ap.add_argument("--device", choices=["cuda", "cpu"], default="cuda",
                    help="cpu runs the same code on the host (to try the script out)")
    ap.add_argument("--check-lscan", metavar="LSCAN",
                    help="first check both ways against this lscan binary (see above)")
    ap.add_argument("--check-samples", type=int, default=2000)
    ap.add_argument("--check-grid", type=int, default=11)
    args = ap.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        print("peer_torch: no CUDA device")
        return 1
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"device     : {name}, torch {torch.__version__}, CUDA {torch.version.cuda}")

    if args.check_lscan:
        bounds = {"fp64": 1e-10, "fp32": 1e-5}
        failed = False
        for spec in args.models.split(","):
            for prec, bound in bounds.items():
                worst = check_against_lscan(args.check_lscan, device,
                                            [int(w) for w in spec.split("-")], prec,
                                            args.check_samples, args.check_grid, bound)
                failed |= not worst <= bound
        if failed:
            print("peer_torch: torch and lscan disagree beyond the bound")
            return 1
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
            loop_points = points[:args.loop_points]
            loop_pps = points_per_second(
                lambda: loop_losses(model, theta0, dirs, X, y, loop_points), loop_points,
                args.runs, 0)
            batch = args.vmap_batch
            while True:  # halve the vmap batch until its activations fit
                try:
                    vmap_pps = points_per_second(
                        lambda: vmap_losses(model, theta0, dirs, X, y, points, batch), points,
                        args.runs, 1)  # the first run warms up
                    break
                except torch.cuda.OutOfMemoryError:
                    torch.cuda.empty_cache()
                    if batch == 1:
                        raise
                    batch //= 2
            print(f"{spec:22s} {prec:5s} {loop_pps:12.1f} {vmap_pps:12.1f} {batch:10d}")
            del model, X, y, theta0, dirs
            if device.type == "cuda":
                torch.cuda.empty_cache()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
