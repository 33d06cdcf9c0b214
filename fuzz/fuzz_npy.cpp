// read_npy on arbitrary bytes. Accepted files: product(shape) values; written back as <f8 and
// read again they keep their shape and bits (and integer storage holds whole numbers).
#include <cmath>

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/data/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  NpyArray a;
  try {
    a = read_npy(fuzz::TempFile("input", ".npy", fuzz::as_string(data, size)).path());
  } catch (const InputError&) {
    return 0;
  }
  for (int64_t s : a.shape) fuzz::check(s >= 0, "dimensions are >= 0");
  fuzz::check(a.size() == fuzz::product(a.shape), "size() is product(shape)");
  fuzz::check(static_cast<int64_t>(a.values.size()) == a.size(), "the array holds size() values");
  if (a.is_integer())
    for (double v : a.values) fuzz::check(v == std::floor(v), "integer storage holds integers");
  const fuzz::TempFile out("roundtrip", ".npy");
  write_npy(out.path(), a.shape, a.values, "<f8");
  const NpyArray back = read_npy(out.path());
  fuzz::check(back.shape == a.shape, "the round trip keeps the shape");
  fuzz::check(fuzz::same_bits(back.values, a.values), "the round trip keeps the values");
  return 0;
}
