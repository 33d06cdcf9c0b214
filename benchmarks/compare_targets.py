#!/usr/bin/env python3
"""The GPU targets of the CUDA backend, from the output of bench_gpu_engine and peer_torch.py run
on the same card:

  - 784-128-10, fp32, 101 x 101 grid, 10k samples: under 0.1 s,
    at least 100x the PyTorch per-point loop and at least 10x the torch.func.vmap batch;
  - 784-512-512-512-10: within 2x of its FLOP floor (floor/t >= 0.5), in every precision run.

Prints lscan's points/s beside PyTorch's for every model and precision in both logs, the ratios,
and each target met or missed; exits with 1 if one is missed or a log lacks a row it needs.

    python3 benchmarks/compare_targets.py BENCH_GPU_ENGINE_LOG PEER_TORCH_LOG
"""

import re
import sys

ROW = re.compile(r"^(\d+(?:-\d+)+)\s+(fp32|tf32|bf16|fp64)\s+(.*)$")


def rows(path, names):
    """{(model, precision): {name: value}} from the table rows of a log, and its problem line."""
    table, problem = {}, ""
    with open(path) as f:
        for line in f:
            if line.startswith("problem"):
                problem = line.split(":", 1)[1].strip()
            m = ROW.match(line.strip())
            if m:
                values = [float(v) for v in m.group(3).split()]
                if len(values) != len(names):
                    raise SystemExit(f"{path}: expected {len(names)} numbers in: {line.strip()}")
                table[(m.group(1), m.group(2))] = dict(zip(names, values))
    return table, problem


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[-1].strip())
        return 2
    engine, engine_problem = rows(sys.argv[1], ["tile", "chunk", "seconds", "pps", "eff", "eng",
                                                "gemm", "floor_s", "floor_t", "naive_t",
                                                "vs_cpu"])
    peer, peer_problem = rows(sys.argv[2], ["loop", "vmap", "batch"])
    print(f"lscan  : {engine_problem}")
    print(f"torch  : {peer_problem}")
    print(f"{'model':22s} {'prec':5s} {'lscan s':>9s} {'lscan pts/s':>12s} {'loop pts/s':>11s} "
          f"{'x loop':>8s} {'vmap pts/s':>11s} {'x vmap':>8s} {'floor/t':>8s}")
    for key, e in sorted(engine.items()):
        p = peer.get(key)
        loop = f"{p['loop']:11.1f} {e['pps'] / p['loop']:8.1f}" if p else f"{'-':>11s} {'-':>8s}"
        vmap = f"{p['vmap']:11.1f} {e['pps'] / p['vmap']:8.1f}" if p else f"{'-':>11s} {'-':>8s}"
        print(f"{key[0]:22s} {key[1]:5s} {e['seconds']:9.3f} {e['pps']:12.1f} {loop} {vmap} "
              f"{e['floor_t']:8.2f}")

    results = []  # (what, met)

    def target(what, met):
        results.append((what, met))

    small = ("784-128-10", "fp32")
    if "10000 samples" not in engine_problem or "101x101" not in engine_problem:
        target("bench_gpu_engine ran the target problem (10000 samples, 101x101 grid)", False)
    if "10000 samples" not in peer_problem or "101x101" not in peer_problem:
        target("peer_torch.py ran the target problem (10000 samples, 101x101 grid)", False)
    if small not in engine:
        target("bench_gpu_engine has a 784-128-10 fp32 row", False)
    else:
        e = engine[small]
        target(f"784-128-10 fp32 in {e['seconds']:.3f} s < 0.1 s", e["seconds"] < 0.1)
        if small not in peer:
            target("peer_torch.py has a 784-128-10 fp32 row", False)
        else:
            p = peer[small]
            target(f"784-128-10 fp32 {e['pps'] / p['loop']:.1f}x the PyTorch loop >= 100x",
                   e["pps"] >= 100 * p["loop"])
            target(f"784-128-10 fp32 {e['pps'] / p['vmap']:.1f}x the vmap batch >= 10x",
                   e["pps"] >= 10 * p["vmap"])
    deep = [key for key in engine if key[0] == "784-512-512-512-10"]
    if not deep:
        target("bench_gpu_engine has 784-512-512-512-10 rows", False)
    for key in sorted(deep):
        f = engine[key]["floor_t"]
        target(f"784-512-512-512-10 {key[1]} at {1 / f if f > 0 else float('inf'):.2f}x its FLOP "
               f"floor <= 2x", f >= 0.5)
    print()
    for what, met in results:
        print(f"{'met   ' if met else 'MISSED'} {what}")
    return 0 if all(met for _, met in results) else 1


if __name__ == "__main__":
    sys.exit(main())
