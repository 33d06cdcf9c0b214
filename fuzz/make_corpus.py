#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into fuzz/corpus/<target>/: small valid files of
every kind the readers take, written by numpy and safetensors as users' tools write them, and
surface files written by lscan itself.

    python3 fuzz/make_corpus.py [LSCAN]      (needs numpy and safetensors; LSCAN: build/lscan)
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import save

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def npy_bytes(array, version=None):
    import io
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array)
    else:
        np.lib.format.write_array(buf, array, version=version)
    return buf.getvalue()


def surfaces(lscan):
    """1-D, 2-D and 3-D surface files of a tiny model, as `lscan scan` writes them."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "m.json"), "w") as f:
            json.dump({"input_dim": 2, "layers": [{"type": "linear", "out": 3}],
                       "loss": "cross_entropy"}, f)
        run = lambda *args: subprocess.run([lscan, *args, "-q"], cwd=tmp, check=True)
        run("train", "--model", "m.json", "--data", "blobs:n=30", "--epochs", "3", "--out", "m")
        common = ["scan", "--model", "m.json", "--weights", "m.safetensors", "--data",
                  "blobs:n=30", "--no-analyze", "--x", "-1:1:3"]
        run(*common, "--out", "s1.h5")
        run(*common, "--y", "-1:1:2", "--test-fraction", "0.2", "--out", "s2.h5")
        run(*common, "--y", "-1:1:3", "--z", "-1:1:3", "--out", "s3.h5")
        for name in ("s1.h5", "s2.h5", "s3.h5"):
            with open(os.path.join(tmp, name), "rb") as f:
                put("surface", name.replace(".h5", "_scan"), f.read())


def main():
    rng = np.random.default_rng(0)
    if len(sys.argv) > 1:
        surfaces(os.path.abspath(sys.argv[1]))

    # safetensors: every dtype lscan reads, a scalar, an empty tensor, metadata.
    put("safetensors", "f32_two_tensors",
        save({"0.weight": rng.standard_normal((4, 3)).astype(np.float32),
              "0.bias": np.zeros(4, np.float32)}, metadata={"format": "pt"}))
    put("safetensors", "f64_scalar", save({"s": np.array(1.5)}))
    put("safetensors", "f16_empty", save({"e": np.zeros((0, 3), np.float16),
                                          "h": np.arange(6, dtype=np.float16).reshape(2, 3)}))
    put("safetensors", "ints", save({t: np.arange(-3, 3).astype(t) for t in
                                     ["int8", "int16", "int32", "int64"]} |
                                    {t: np.arange(6).astype(t) for t in
                                     ["uint8", "uint16", "uint32", "uint64"]}))
    bf16 = np.array([0x3F80, 0xC000, 0x7F80, 0x0001], np.uint16)  # 1, -2, inf, a subnormal
    header = json.dumps({"b": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}).encode()
    header += b" " * (-len(header) % 8)
    put("safetensors", "bf16_inf", struct.pack("<Q", len(header)) + header + bf16.tobytes())

    # npy: floats, integers, booleans, big-endian, versions 1 to 3, a scalar, an empty array.
    put("npy", "f4_2d", npy_bytes(rng.random((5, 3), np.float32)))
    put("npy", "f8_1d", npy_bytes(rng.standard_normal(7)))
    put("npy", "i8", npy_bytes(np.arange(-4, 4, dtype=np.int64)))
    put("npy", "u1_2d", npy_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4)))
    put("npy", "b1", npy_bytes(np.array([True, False, True])))
    put("npy", "f8_big_endian", npy_bytes(np.arange(4, dtype=">f8")))
    put("npy", "version2", npy_bytes(np.ones((2, 2), np.float32), version=(2, 0)))
    put("npy", "version3", npy_bytes(np.ones(3, np.int16), version=(3, 0)))
    put("npy", "scalar", npy_bytes(np.array(2.5)))
    put("npy", "empty", npy_bytes(np.zeros((0, 4))))

    # csv: separators, a header, quotes, blank lines, class and float labels.
    put("csv", "comma_header", "x1,x2,label\n0.5,1.5,0\n-1,2e-3,1\n3,4,2\n")
    put("csv", "semicolon", "1;2;0\n3;4;1\n\n5;6;1\n")
    put("csv", "tab_float_labels", "a\tb\ty\n1\t2\t0.25\n3\t4\t-1.5\n")
    put("csv", "quoted", '"x","y","label"\n"1.0","2.0","1"\n"3.0","4.0","0"\n')

    # idx: byte 0 is the length of the label file at the end (see fuzz_idx.cpp).
    images = struct.pack(">IIII", 0x803, 2, 2, 3) + bytes(range(0, 240, 20))
    labels = struct.pack(">II", 0x801, 2) + bytes([3, 7])
    put("idx", "two_images", bytes([len(labels)]) + images + labels)

    # spec: the README's MLP, every activation, every loss.
    put("spec", "mnist", json.dumps({"input_dim": 784, "layers": [
        {"type": "linear", "out": 128}, {"type": "relu"}, {"type": "linear", "out": 10}],
        "loss": "cross_entropy"}))
    put("spec", "activations", json.dumps({"input_dim": 3, "layers": [
        {"type": "linear", "out": 4, "bias": False}, {"type": "leaky_relu", "negative_slope": 0.2},
        {"type": "linear", "out": 4}, {"type": "gelu"}, {"type": "linear", "out": 4},
        {"type": "softplus"}, {"type": "linear", "out": 4}, {"type": "sigmoid"},
        {"type": "linear", "out": 3}, {"type": "identity"}], "loss": "hinge"}))
    put("spec", "logistic_least_squares", json.dumps({"input_dim": 2, "layers": [
        {"type": "linear", "out": 1}], "loss": "sigmoid_mse"}))
    put("spec", "mse_tanh", json.dumps({"input_dim": 2, "layers": [
        {"type": "linear", "out": 8}, {"type": "tanh"}, {"type": "linear", "out": 2}],
        "loss": "mse"}))

    # model: weights and directions of fuzz_model.cpp's 3-4-2 MLP.
    shapes = {"0.weight": (4, 3), "0.bias": (4,), "2.weight": (2, 4), "2.bias": (2,)}
    put("model", "weights_f32", save({n: rng.standard_normal(s).astype(np.float32)
                                      for n, s in shapes.items()}, metadata={"format": "pt"}))
    put("model", "weights_f64", save({n: rng.standard_normal(s) for n, s in shapes.items()}))
    put("model", "directions", save({f"{a}.{n}": rng.standard_normal(s).astype(np.float32)
                                     for a in "xy" for n, s in shapes.items()}))


if __name__ == "__main__":
    main()
