#include "host/data/split.h"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/core/format.h"
#include "host/core/rng.h"

namespace lscan {

namespace {

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%%", 100.0 * fraction);
  return buf;
}

// The samples order[begin, end) of d, in that order.
Dataset gather(const Dataset& d, const std::vector<int64_t>& order, size_t begin, size_t end,
               const std::string& tag) {
  Dataset part;
  part.n = static_cast<int64_t>(end - begin);
  part.d = d.d;
  part.ty = d.ty;
  part.classification = d.classification;
  part.num_classes = d.num_classes;
  part.X.reserve(static_cast<size_t>(part.n) * d.d);
  part.Y.reserve(static_cast<size_t>(part.n) * d.ty);
  for (size_t k = begin; k < end; ++k) {
    const auto i = static_cast<size_t>(order[k]);
    part.X.insert(part.X.end(), d.X.begin() + i * d.d, d.X.begin() + (i + 1) * d.d);
    part.Y.insert(part.Y.end(), d.Y.begin() + i * d.ty, d.Y.begin() + (i + 1) * d.ty);
  }
  part.description = d.description + " [" + tag + "]";
  return part;
}

}  // namespace

std::pair<Dataset, Dataset> split_dataset(const Dataset& d, double test_fraction, uint64_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    input_error(
        "", "--test-fraction",
        "expected a fraction strictly between 0 and 1, found " + format_number(test_fraction));
  const auto n_train = static_cast<int64_t>(std::llround((1.0 - test_fraction) * d.n));
  if (n_train <= 0 || n_train >= d.n)
    input_error("", "--test-fraction",
                "a test fraction of " + std::to_string(test_fraction) + " of " +
                    std::to_string(d.n) + " samples leaves " + std::to_string(n_train) +
                    " to train and " + std::to_string(d.n - n_train) +
                    " to test: both parts need at least one sample");

  std::vector<int64_t> order(static_cast<size_t>(d.n));
  std::iota(order.begin(), order.end(), int64_t{0});
  Rng rng(seed);
  for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);

  const auto cut = static_cast<size_t>(n_train);
  return {gather(d, order, 0, cut, "train " + percent(1.0 - test_fraction)),
          gather(d, order, cut, order.size(), "test " + percent(test_fraction))};
}

}  // namespace lscan
