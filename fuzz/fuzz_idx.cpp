// read_idx_dataset on an arbitrary pair of files: the first byte of the input says where the
// images end and the labels begin. Accepted pairs: features in [0, 1], labels 0..255.
#include <algorithm>

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/data/idx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  if (size == 0) return 0;
  const std::string rest = fuzz::as_string(data + 1, size - 1);
  // The labels take the last data[0] bytes, as far as there are.
  const size_t split = rest.size() - std::min<size_t>(rest.size(), data[0]);
  const fuzz::TempFile images("images", "-idx3-ubyte", rest.substr(0, split));
  const fuzz::TempFile labels("labels", "-idx1-ubyte", rest.substr(split));
  try {
    const Dataset ds = read_idx_dataset(images.path(), labels.path());
    fuzz::check(ds.n >= 1 && ds.d >= 1, "n and d are >= 1");
    fuzz::check(static_cast<int64_t>(ds.X.size()) == ds.n * ds.d, "X is (n, d)");
    fuzz::check(static_cast<int64_t>(ds.Y.size()) == ds.n, "one label per image");
    for (double v : ds.X) fuzz::check(v >= 0 && v <= 1, "pixels are scaled to [0, 1]");
    for (double v : ds.Y) fuzz::check(v >= 0 && v <= 255 && v < ds.num_classes, "labels are bytes");
  } catch (const InputError&) {
  }
  return 0;
}
