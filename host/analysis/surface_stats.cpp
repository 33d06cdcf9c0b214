#include "host/analysis/surface_stats.h"

#include <thrust/iterator/counting_iterator.h>
#include <thrust/system/omp/execution_policy.h>
#include <thrust/transform_reduce.h>

#include <cmath>

#include "kernels/hd.cuh"

namespace lscan {

namespace {

// Running extremes of a set of (value, index) pairs; ties go to the lower index so the result
// does not depend on how the reduction is split between threads.
struct Extremes {
  double min, max;
  int64_t argmin, argmax, nonfinite;
};

struct ToExtremes {
  const double* v;
  LSCAN_HD Extremes operator()(int64_t i) const {
    const double x = v[i];
    if (!std::isfinite(x)) return {INFINITY, -INFINITY, -1, -1, 1};
    return {x, x, i, i, 0};
  }
};

struct MergeExtremes {
  LSCAN_HD Extremes operator()(const Extremes& a, const Extremes& b) const {
    Extremes r;
    r.nonfinite = a.nonfinite + b.nonfinite;
    if (a.argmin < 0 ||
        (b.argmin >= 0 && (b.min < a.min || (b.min == a.min && b.argmin < a.argmin)))) {
      r.min = b.min;
      r.argmin = b.argmin;
    } else {
      r.min = a.min;
      r.argmin = a.argmin;
    }
    if (a.argmax < 0 ||
        (b.argmax >= 0 && (b.max > a.max || (b.max == a.max && b.argmax < a.argmax)))) {
      r.max = b.max;
      r.argmax = b.argmax;
    } else {
      r.max = a.max;
      r.argmax = a.argmax;
    }
    return r;
  }
};

}  // namespace

MapStats map_stats(const std::vector<double>& values) {
  const Extremes e = thrust::transform_reduce(
      thrust::omp::par, thrust::counting_iterator<int64_t>(0),
      thrust::counting_iterator<int64_t>(static_cast<int64_t>(values.size())),
      ToExtremes{values.data()}, Extremes{INFINITY, -INFINITY, -1, -1, 0}, MergeExtremes{});
  MapStats s;
  s.nonfinite = e.nonfinite;
  s.argmin = e.argmin;
  s.argmax = e.argmax;
  s.min = e.argmin >= 0 ? e.min : NAN;
  s.max = e.argmax >= 0 ? e.max : NAN;
  return s;
}

}  // namespace lscan
