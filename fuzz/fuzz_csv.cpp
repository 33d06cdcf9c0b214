// read_csv_dataset on arbitrary text, with the label column from the input's last byte. Accepted
// files: a consistent, finite data set.
#include <cmath>

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/data/csv.h"

namespace lscan::fuzz {

// The invariants of every data set a reader returns (host/data/dataset.h).
void check_dataset(const Dataset& ds, bool finite) {
  check(ds.n >= 1 && ds.d >= 1 && ds.ty >= 1, "n, d and ty are >= 1");
  check(static_cast<int64_t>(ds.X.size()) == ds.n * ds.d, "X is (n, d)");
  check(static_cast<int64_t>(ds.Y.size()) == ds.n * ds.ty, "Y is (n, ty)");
  if (finite) {
    for (double v : ds.X) check(std::isfinite(v), "features are finite");
    for (double v : ds.Y) check(std::isfinite(v), "targets are finite");
  }
  if (ds.classification) {
    check(ds.ty == 1 && ds.num_classes >= 1, "class labels are one column of num_classes");
    for (double v : ds.Y)
      check(v >= 0 && v < ds.num_classes && v == std::floor(v), "labels are 0..num_classes-1");
  }
}

}  // namespace lscan::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  static const char* const columns[] = {"-1", "0", "1", "label", "y", "-2"};
  const std::string column = columns[size == 0 ? 0 : data[size - 1] % 6];
  const fuzz::TempFile input("input", ".csv", fuzz::as_string(data, size));
  try {
    const Dataset ds = read_csv_dataset(input.path(), column, false);
    fuzz::check_dataset(ds, true);
  } catch (const InputError&) {
  }
  return 0;
}
