#include "host/engine/scan.h"

#include <chrono>
#include <limits>
#include <stdexcept>

namespace lscan {

PointValues evaluate_points(Backend& backend, const std::vector<double>& coeffs, int k,
                            const std::function<void(int64_t done)>& on_progress) {
  if (k < 0 || (k > 0 && coeffs.size() % static_cast<size_t>(k) != 0))
    throw std::invalid_argument("evaluate_points: coefficients are not (npoints, k)");
  const int64_t npoints = k > 0 ? static_cast<int64_t>(coeffs.size()) / k : 1;
  PointValues out;
  // NaN until written, so a point the backend skipped cannot pass for a result.
  out.loss.assign(static_cast<size_t>(npoints), std::numeric_limits<double>::quiet_NaN());
  out.acc.assign(static_cast<size_t>(npoints), std::numeric_limits<double>::quiet_NaN());
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t tile = backend.max_tile();
  for (int64_t p0 = 0; p0 < npoints; p0 += tile) {
    const int64_t B = std::min(tile, npoints - p0);
    backend.evaluate(coeffs.data() + p0 * k, B, out.loss.data() + p0, out.acc.data() + p0);
    if (on_progress) on_progress(p0 + B);
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace lscan
