// The Jensen (chord) test: a convex f satisfies f(mid) <= (f(a) + f(b)) / 2 for every pair of
// points a, b; a pair with f(mid) > (f(a) + f(b)) / 2 proves non-convexity along the segment.
// Pairs are taken on the grid with their midpoint also a grid point (index differences even on
// every axis), so no value is interpolated.
#pragma once

#include <cstdint>
#include <vector>

#include "host/analysis/noise.h"
#include "host/grid/grid.h"

namespace lscan {

struct JensenOptions {
  // Pairs not on a common axis-aligned line, sampled in 2-D and 3-D (none in 1-D, or when fewer
  // than two axes have 3 or more points).
  int64_t offline_pairs = 100000;
  // Sample j draws from lscan::Rng(seed, j): a uniform grid point a, then b uniform among the
  // points whose indices have a's parity on every axis, redrawn (up to 64 times) until a and b
  // differ on at least two axes.
  uint64_t seed = 0;
};

struct JensenCounts {
  int64_t pairs = 0;        // pairs tested (pairs touching a non-finite loss are left out)
  int64_t violations = 0;   // excess = f(mid) - (f(a) + f(b)) / 2 > 0
  int64_t significant = 0;  // excess > tau = k_tau sqrt(sigma_mid^2 + (sigma_a^2 + sigma_b^2) / 4)
  double fraction = 0;      // violations / pairs (0 without pairs)
  double significant_fraction = 0;  // significant / pairs
  // The largest excess over all pairs, violating or not (NaN without pairs), its pair as flat
  // grid indices (the lowest (a, b) on ties) and tau there.
  double worst_excess = 0;
  int64_t worst_a = -1, worst_mid = -1, worst_b = -1;
  double worst_tau = 0;
};

struct JensenResult {
  // Every pair (a, b) with a < b on every axis-aligned grid line whose index distance is even:
  // about n^2 / 4 pairs per line of n points.
  JensenCounts lines;
  JensenCounts offline;  // the sampled off-line pairs
};

// f: (npoints) of `grid` (1 to 3 axes).
JensenResult jensen_violations(const Grid& grid, const std::vector<double>& f,
                               const NoiseModel& noise, const JensenOptions& options = {});

}  // namespace lscan
