// Whole-surface reductions for the summary: extremes, their positions and the count of
// non-finite values, written once against Thrust.
#pragma once

#include <cstdint>
#include <vector>

namespace lscan {

struct MapStats {
  double min = 0, max = 0;
  int64_t argmin = -1, argmax = -1;  // flat indices of the first minimum and maximum
  int64_t nonfinite = 0;             // NaN or Inf values, left out of min and max
};

MapStats map_stats(const std::vector<double>& values);

}  // namespace lscan
