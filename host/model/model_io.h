// A model on disk: the JSON spec (spec_io.h) plus safetensors weights named as PyTorch's
// nn.Sequential state_dict names them, so `safetensors.torch.save_file(model.state_dict(), path)`
// writes a file lscan reads.
#pragma once

#include <cstdint>
#include <string>

#include "host/model/model.h"

namespace lscan {

// Reads the spec, lays out theta with make_model and copies every tensor into it. Throws
// InputError when the tensors differ from the spec's (every missing and every extra tensor named
// in one message, every wrong shape with the expected and the found shape) or on NaN / Inf weights
// unless `allow_nonfinite`.
Model load_model(const std::string& spec_path, const std::string& weights_path,
                 bool allow_nonfinite = false);

// Writes the weights as `dtype` ("F32" or "F64"), metadata {"format": "pt"} as PyTorch's writer
// sets it, then the spec; each file atomically.
void save_model(const Model& m, const std::string& spec_path, const std::string& weights_path,
                const std::string& dtype = "F32");

// PyTorch's nn.Linear default initialisation: W and b ~ U(-1/sqrt(in), 1/sqrt(in)). Layer l
// (index into spec.layers) draws from Rng(seed, l), W row-major first, then b.
Model init_model(const ModelSpec& spec, uint64_t seed);

// "fnv1a64:<16 lowercase hex digits>": 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime
// 0x100000001b3) over the bytes of spec_to_json(m.spec).dump() followed by theta as IEEE binary64
// little-endian. Equal models hash equal on every platform; -0.0 and 0.0 differ.
std::string model_hash(const Model& m);

}  // namespace lscan
