#include "host/analysis/jensen.h"

#include <cmath>
#include <limits>
#include <vector>

#include "host/analysis/grid_view.h"
#include "host/core/rng.h"
#include "kernels/stencils.cuh"

namespace lscan {

namespace {

struct Accum {
  int64_t pairs = 0, violations = 0, significant = 0;
  double worst = -std::numeric_limits<double>::infinity();
  int64_t a = -1, mid = -1, b = -1;
  double tau = 0;

  // Keeps the larger excess; the lower (a, b) on ties, so the result does not depend on threads.
  void offer(double e, int64_t ia, int64_t im, int64_t ib, double t) {
    if (a < 0 || e > worst || (e == worst && (ia < a || (ia == a && ib < b)))) {
      worst = e;
      a = ia;
      mid = im;
      b = ib;
      tau = t;
    }
  }
  void merge(const Accum& o) {
    pairs += o.pairs;
    violations += o.violations;
    significant += o.significant;
    if (o.a >= 0) offer(o.worst, o.a, o.mid, o.b, o.tau);
  }
  JensenCounts counts() const {
    JensenCounts c;
    c.pairs = pairs;
    c.violations = violations;
    c.significant = significant;
    c.fraction = pairs > 0 ? static_cast<double>(violations) / static_cast<double>(pairs) : 0.0;
    c.significant_fraction =
        pairs > 0 ? static_cast<double>(significant) / static_cast<double>(pairs) : 0.0;
    c.worst_excess = a >= 0 ? worst : std::numeric_limits<double>::quiet_NaN();
    c.worst_a = a;
    c.worst_mid = mid;
    c.worst_b = b;
    c.worst_tau = a >= 0 ? tau : std::numeric_limits<double>::quiet_NaN();
    return c;
  }
};

// All even-distance pairs of one line of n values v (sigma^2 in s2); flat index of entry i is
// base + i * stride. k2 = k_tau^2: excess > tau  <=>  excess > 0 and excess^2 > k2 * noise^2.
void line_pairs(const double* v, const double* s2, int64_t n, int64_t base, int64_t stride,
                double k2, Accum& acc) {
  int64_t pairs = 0, violations = 0, significant = 0;
  // The line's own first maximum in (a, b) order; Accum::offer breaks ties across lines.
  double worst = -std::numeric_limits<double>::infinity();
  int64_t wi = -1, wm = 0;
  for (int64_t i = 0; i + 2 < n; ++i) {
    const double fa = v[i], sa = s2[i];
    const int64_t mmax = (n - 1 - i) / 2;
    for (int64_t m = 1; m <= mmax; ++m) {
      const double e = jensen_excess(fa, v[i + m], v[i + 2 * m]);
      const bool finite = std::isfinite(e);
      const bool positive = finite && e > 0.0;
      pairs += finite;
      violations += positive;
      significant += positive && e * e > k2 * jensen_noise_sq(sa, s2[i + m], s2[i + 2 * m]);
      if (finite && e > worst) {
        worst = e;
        wi = i;
        wm = m;
      }
    }
  }
  acc.pairs += pairs;
  acc.violations += violations;
  acc.significant += significant;
  if (wi >= 0) {
    const double t = std::sqrt(k2 * jensen_noise_sq(s2[wi], s2[wi + wm], s2[wi + 2 * wm]));
    acc.offer(worst, base + wi * stride, base + (wi + wm) * stride, base + (wi + 2 * wm) * stride,
              t);
  }
}

}  // namespace

JensenResult jensen_violations(const Grid& grid, const std::vector<double>& f,
                               const NoiseModel& noise, const JensenOptions& options) {
  const GridView g(grid, f.size(), "jensen_violations");
  const double k2 = noise.k_tau * noise.k_tau;
  // sigma^2 per point, once.
  std::vector<double> s2(f.size());  // (npoints)
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < g.size; ++i) {
    const double s = noise.sigma(f[static_cast<size_t>(i)]);
    s2[static_cast<size_t>(i)] = s * s;
  }

  JensenResult result;
  Accum lines;
  for (int axis = 0; axis < g.dims; ++axis) {
    const int64_t n = g.n[axis];
    if (n < 3) continue;
    // The other two axes (padded ones have n = 1) number the lines.
    const int u = axis == 0 ? 1 : 0, w = axis == 2 ? 1 : 2;
    const int64_t nlines = g.n[u] * g.n[w];
    const int64_t stride = g.stride[axis];
#pragma omp parallel
    {
      Accum acc;
      std::vector<double> v(static_cast<size_t>(n)), q(static_cast<size_t>(n));  // (n) per line
#pragma omp for schedule(dynamic, 4)
      for (int64_t l = 0; l < nlines; ++l) {
        const int64_t base = (l / g.n[w]) * g.stride[u] + (l % g.n[w]) * g.stride[w];
        for (int64_t i = 0; i < n; ++i) {
          v[static_cast<size_t>(i)] = f[static_cast<size_t>(base + i * stride)];
          q[static_cast<size_t>(i)] = s2[static_cast<size_t>(base + i * stride)];
        }
        line_pairs(v.data(), q.data(), n, base, stride, k2, acc);
      }
#pragma omp critical(lscan_jensen_merge)
      lines.merge(acc);
    }
  }
  result.lines = lines.counts();

  int wide = 0;  // axes with room for an even, nonzero index difference
  for (int a = 0; a < g.dims; ++a) wide += g.n[a] >= 3;
  Accum offline;
  if (g.dims >= 2 && wide >= 2 && options.offline_pairs > 0) {
#pragma omp parallel
    {
      Accum acc;
#pragma omp for schedule(static)
      for (int64_t j = 0; j < options.offline_pairs; ++j) {
        Rng rng(options.seed, static_cast<uint64_t>(j));
        int64_t ia[3] = {0, 0, 0}, ib[3] = {0, 0, 0}, im[3] = {0, 0, 0};
        bool found = false;
        for (int attempt = 0; attempt < 64 && !found; ++attempt) {
          int differ = 0;
          for (int a = 0; a < g.dims; ++a) {
            ia[a] = static_cast<int64_t>(rng.below(static_cast<uint64_t>(g.n[a])));
            const int64_t parity = ia[a] & 1;
            const int64_t choices = (g.n[a] - parity + 1) / 2;
            ib[a] = parity + 2 * static_cast<int64_t>(rng.below(static_cast<uint64_t>(choices)));
            differ += ia[a] != ib[a];
          }
          found = differ >= 2;
        }
        if (!found) continue;
        for (int a = 0; a < 3; ++a) im[a] = (ia[a] + ib[a]) / 2;
        int64_t pa = g.ijk_to_index(ia), pm = g.ijk_to_index(im), pb = g.ijk_to_index(ib);
        if (pb < pa) std::swap(pa, pb);
        const double e = jensen_excess(f[static_cast<size_t>(pa)], f[static_cast<size_t>(pm)],
                                       f[static_cast<size_t>(pb)]);
        if (!std::isfinite(e)) continue;
        const double t =
            std::sqrt(k2 * jensen_noise_sq(s2[static_cast<size_t>(pa)], s2[static_cast<size_t>(pm)],
                                           s2[static_cast<size_t>(pb)]));
        ++acc.pairs;
        acc.violations += e > 0.0;
        acc.significant += e > t;
        acc.offer(e, pa, pm, pb, t);
      }
#pragma omp critical(lscan_jensen_merge)
      offline.merge(acc);
    }
  }
  result.offline = offline.counts();
  return result;
}

}  // namespace lscan
