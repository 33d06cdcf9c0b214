// parse_safetensors on arbitrary bytes. Accepted files: every tensor holds product(shape)
// values, and writing them as F64 and reading them back gives the same names, shapes and bits.

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  const bool allow_nonfinite = size % 2 == 1;  // both ways of the NaN / Inf check
  StFile file;
  try {
    file = parse_safetensors(fuzz::as_string(data, size), "fuzz.safetensors", allow_nonfinite);
  } catch (const InputError&) {
    return 0;
  }
  std::vector<std::pair<std::string, StTensor>> tensors;
  for (const auto& [name, t] : file.tensors) {
    for (int64_t s : t.shape) fuzz::check(s >= 0, "dimensions are >= 0");
    fuzz::check(static_cast<int64_t>(t.values.size()) == fuzz::product(t.shape),
                "a tensor holds product(shape) values");
    tensors.emplace_back(name, t);
  }
  const fuzz::TempFile out("roundtrip", ".safetensors");
  write_safetensors(out.path(), tensors, "F64", file.metadata);
  const StFile back = read_safetensors(out.path(), true);
  fuzz::check(back.tensors.size() == file.tensors.size(), "the round trip keeps every tensor");
  fuzz::check(back.metadata == file.metadata, "the round trip keeps the metadata");
  for (const auto& [name, t] : file.tensors) {
    const auto it = back.tensors.find(name);
    fuzz::check(it != back.tensors.end(), "the round trip keeps the names");
    fuzz::check(it->second.shape == t.shape, "the round trip keeps the shapes");
    fuzz::check(fuzz::same_bits(it->second.values, t.values), "the round trip keeps the values");
  }
  return 0;
}
