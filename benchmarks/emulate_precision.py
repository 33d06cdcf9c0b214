#!/usr/bin/env python3
"""Loss errors of the CUDA engine's tf32 and bf16 modes, emulated in numpy on the CPU.

Replays the roundings of host/engine/cuda/cuda_backend.cu on problems shaped like the engine
tests (tests/engine_suite.h: input width 9, hidden widths {6, 5}, {5} with k = 9, {7, 3, 5} with
k = 3 or none, 157 samples, 23 random points, every activation and loss) and prints the relative
loss error against fp64 per mode:

  fp32         fp32 storage and arithmetic
  tf32_trunc   fp32 storage, GEMM operands truncated to TF32 (what tensor cores do to fp32 input)
  tf32         GEMM operands stored already rounded to nearest TF32 (what the engine does)
  bf16         bf16 storage of data, weights, stacked products and hidden activations, fp32 GEMM
               accumulation and element math, fp32 network outputs
  tf32_epilog  tf32 with data and weights rounded to nearest TF32 but the hidden activations left
               in fp32, so truncated by the GEMM that reads them: what a GEMM whose epilogue adds
               the bias and applies the activation (cuBLASLt) would give, as it cannot round its
               output to TF32

The bounds of engine_tolerance() in tests/engine_suite.h quote its output.

  python3 benchmarks/emulate_precision.py [--seed 0] [--repeats 4]
"""

import argparse
import math

import numpy as np

erf = np.vectorize(math.erf)


def round_bits(a, drop):
    """fp32 -> fp32 with the low `drop` mantissa bits rounded off (half to even)."""
    b = np.asarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    half = (1 << (drop - 1)) - 1
    r = ((b + half + ((b >> drop) & 1)) >> drop) << drop
    return r.astype(np.uint32).view(np.float32)


def bf16(a):
    return round_bits(a, 16)


def tf32_rn(a):
    return round_bits(a, 13)


def tf32_trunc(a):
    bits = np.asarray(a, dtype=np.float32).view(np.uint32)
    return (bits & np.uint32(0xFFFFE000)).view(np.float32)


def act(name, x, alpha=0.07):
    if name == "identity":
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "leaky_relu":
        return np.where(x > 0, x, alpha * x)
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "gelu":
        return 0.5 * x * (1 + erf(x / math.sqrt(2)))
    if name == "softplus":
        return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))
    raise ValueError(name)


def per_sample_loss(kind, z, y):
    """z (N, m) network outputs; the per-sample losses of kernels/losses.cuh, in fp64."""
    z = z.astype(np.float64)
    rows = np.arange(len(y))
    if kind == "cross_entropy":
        zm = z.max(1, keepdims=True)
        return zm[:, 0] + np.log(np.exp(z - zm).sum(1)) - z[rows, y.astype(int)]
    if kind == "mse":
        return ((z - y) ** 2).mean(1)
    if kind == "hinge":
        zy = z[rows, y.astype(int)][:, None]
        margin = np.maximum(0, 1 - zy + z)
        margin[rows, y.astype(int)] = 0
        return margin.sum(1) / z.shape[1]
    if kind == "logistic":
        x = z[:, 0]
        return np.maximum(x, 0) + np.log1p(np.exp(-abs(x))) - y * x
    if kind == "sigmoid_mse":
        x = z[:, 0]
        return (1 / (1 + np.exp(-x)) - y) ** 2
    raise ValueError(kind)


def random_problem(rng, widths, kind, k, n=157):
    """Weights N(0, 1/in), filter-normalised directions (biases kept), N(0, 1) data."""
    layers = len(widths) - 1
    W = [rng.normal(size=(widths[l + 1], widths[l])) / math.sqrt(widths[l]) for l in range(layers)]
    b = [rng.normal(size=widths[l + 1]) / math.sqrt(widths[l]) for l in range(layers)]

    def direction(t):
        d = rng.normal(size=t.shape)
        if t.ndim == 2:
            rows = np.linalg.norm(t, axis=1, keepdims=True)
            return d * rows / np.linalg.norm(d, axis=1, keepdims=True)
        return d * abs(t) / abs(d)

    dW = [[direction(w) for w in W] for _ in range(k)]
    db = [[direction(v) for v in b] for _ in range(k)]
    X = rng.normal(size=(n, widths[0]))
    m = widths[-1]
    if kind == "mse":
        y = rng.normal(size=(n, m))
    elif kind in ("logistic", "sigmoid_mse"):
        y = rng.integers(0, 2, n).astype(float)
    else:
        y = rng.integers(0, m, n).astype(float)
    return W, b, dW, db, X, y


def loss_fp64(pb, activation, kind, c):
    W, b, dW, db, X, y = pb
    a = X.T
    for l in range(len(W)):
        Wc = W[l] + sum(c[i] * dW[i][l] for i in range(len(c)))
        bc = b[l] + sum(c[i] * db[i][l] for i in range(len(c)))
        a = act(activation if l + 1 < len(W) else "identity", Wc @ a + bc[:, None])
    return per_sample_loss(kind, a.T, y).mean()


def loss_emulated(pb, activation, kind, c, mode):
    """The engine's data flow (factorised or materialised layer 1, hidden layers, loss)."""
    W, b, dW, db, X, y = pb
    f32 = np.float32
    layers, K1, d = len(W), len(c) + 1, X.shape[1]
    store = {"bf16": bf16, "tf32": tf32_rn, "tf32_epilog": tf32_rn}.get(
        mode, lambda v: np.asarray(v, f32))
    # The hidden activations' storage: fp32 where an epilogue writes them.
    store_act = (lambda v: np.asarray(v, f32)) if mode == "tf32_epilog" else store
    truncates = mode in ("tf32_trunc", "tf32_epilog")
    operand = tf32_trunc if truncates else (lambda v: v)  # what the GEMM reads
    cext = np.concatenate([[1.0], c]).astype(f32)

    def combine(stack):  # sum_t c_t stack_t in fp32, t = 0, 1, ..
        z = cext[0] * stack[0].astype(f32)
        for t in range(1, K1):
            z = (z + cext[t] * stack[t].astype(f32)).astype(f32)
        return z

    def gemm(A, B, out_is_storage):
        """A GEMM with fp32 accumulation; it writes bf16 where the engine's output buffer is."""
        z = (operand(A).astype(f32) @ operand(B).astype(f32)).astype(f32)
        return bf16(z) if mode == "bf16" and out_is_storage else z

    Wstack = [store(np.stack([W[l]] + [dW[i][l] for i in range(len(c))])) for l in range(layers)]
    Bp = [combine(np.stack([b[l]] + [db[i][l] for i in range(len(c))]).astype(f32))
          for l in range(layers)]
    Xs = store(X)
    last = layers == 1
    if K1 < d:  # factorised: P = Wstack_1 Xc^T, Z1 = act(Cext P + Bp_1)
        P = gemm(Wstack[0].reshape(K1 * W[0].shape[0], d), Xs.T, True)
        z = combine(P.reshape(K1, W[0].shape[0], -1)) + Bp[0][:, None]
    else:
        z = gemm(store(combine(Wstack[0])), Xs.T, not last) + Bp[0][:, None]
    a = act("identity" if last else activation, z).astype(f32)
    a = a if last else store_act(a)
    for l in range(1, layers):
        last = l + 1 == layers
        z = gemm(store(combine(Wstack[l])), a, not last)
        a = act("identity" if last else activation, z + Bp[l][:, None]).astype(f32)
        a = a if last else store_act(a)
    return per_sample_loss(kind, a.T, y).mean()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=4)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    activations = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softplus"]
    losses = ["cross_entropy", "mse", "hinge", "logistic", "sigmoid_mse"]
    configs = [([6, 5], 2), ([5], 9), ([7, 3, 5], 3), ([], 3)]
    modes = ["fp32", "tf32_trunc", "tf32", "tf32_epilog", "bf16"]
    errors = {m: [] for m in modes}
    for _ in range(args.repeats):
        for hidden, k in configs:
            for a in activations:
                for kind in losses:
                    m = 1 if kind in ("logistic", "sigmoid_mse") else 4
                    pb = random_problem(rng, [9] + hidden + [m], kind, k)
                    for _ in range(23):
                        c = rng.uniform(-1, 1, k)
                        ref = loss_fp64(pb, a, kind, c)
                        for mode in modes:
                            got = loss_emulated(pb, a, kind, c, mode)
                            errors[mode].append(abs(got - ref) / abs(ref))
    print(f"{len(errors['fp32'])} points, relative loss error against fp64")
    print(f"{'mode':12s} {'median':>10s} {'99.9%':>10s} {'max':>10s}")
    for mode in modes:
        e = np.array(errors[mode])
        print(f"{mode:12s} {np.median(e):10.2e} {np.quantile(e, 0.999):10.2e} {e.max():10.2e}")


if __name__ == "__main__":
    main()
