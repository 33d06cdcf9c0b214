#include "host/analysis/noise.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "host/core/rng.h"
#include "host/engine/scan.h"

namespace lscan {

double unit_roundoff(Precision p) {
  switch (p) {
    case Precision::FP64:
      return 0x1.0p-53;
    case Precision::FP32:
      return 0x1.0p-24;
    case Precision::TF32:
      return 0x1.0p-11;
    case Precision::BF16:
      return 0x1.0p-8;
  }
  return 0x1.0p-24;
}

double forward_amplification(const ModelSpec& spec) {
  if (spec.layers.empty()) throw std::invalid_argument("forward_amplification: no layers");
  double a = 0;
  for (const DenseLayer& layer : spec.layers) a += 2.0 * std::sqrt(static_cast<double>(layer.in));
  return a + 2.0 * std::sqrt(static_cast<double>(spec.output_dim()));
}

NoiseModel model_noise(const ModelSpec& spec, Precision precision, int64_t num_samples,
                       double k_tau) {
  if (num_samples < 1) throw std::invalid_argument("model_noise: num_samples < 1");
  if (!(k_tau >= 0)) throw std::invalid_argument("model_noise: k_tau < 0");
  NoiseModel m;
  m.relative = unit_roundoff(precision) * forward_amplification(spec) +
               unit_roundoff(Precision::FP64) * std::sqrt(static_cast<double>(num_samples));
  m.absolute = 0;
  m.k_tau = k_tau;
  return m;
}

NoiseMeasurement measure_noise(const std::vector<double>& f_working,
                               const std::vector<double>& f_fp64) {
  if (f_working.size() != f_fp64.size())
    throw std::invalid_argument("measure_noise: the two value lists differ in length");
  NoiseMeasurement m;
  double sq = 0;
  for (size_t i = 0; i < f_working.size(); ++i) {
    const double a = f_working[i], b = f_fp64[i];
    if (!std::isfinite(a) || !std::isfinite(b)) continue;
    const double e = std::fabs(a - b);
    ++m.points;
    sq += e * e;
    m.max_abs = std::max(m.max_abs, e);
    if (b != 0) m.max_rel = std::max(m.max_rel, e / std::fabs(b));
  }
  m.rms = m.points > 0 ? std::sqrt(sq / static_cast<double>(m.points)) : 0.0;
  return m;
}

NoiseModel with_measurement(NoiseModel model, const NoiseMeasurement& m) {
  model.absolute = std::max(model.absolute, m.max_abs);
  return model;
}

std::vector<int64_t> noise_check_points(const Grid& grid, int64_t count, uint64_t seed) {
  const int64_t n = grid.num_points();
  std::vector<int64_t> all(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
  if (count >= n) return all;
  if (count <= 0) return {};
  // Partial Fisher-Yates: the first `count` entries become a uniform sample.
  Rng rng(seed, 0x6e6f697365ull);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng.below(static_cast<uint64_t>(n - i)));
    std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(j)]);
  }
  all.resize(static_cast<size_t>(count));
  std::sort(all.begin(), all.end());
  return all;
}

NoiseMeasurement measure_noise_fp64(const EvalSetup& working, const Grid& grid,
                                    const std::vector<double>& values,
                                    const std::vector<int64_t>& points,
                                    const BackendFactory& make) {
  const int64_t n = grid.num_points();
  if (static_cast<int64_t>(values.size()) != n)
    throw std::invalid_argument("measure_noise_fp64: values do not match the grid");
  const int k = grid.dims();
  if (!working.directions || static_cast<int>(working.directions->size()) != k)
    throw std::invalid_argument("measure_noise_fp64: one direction per grid axis is needed");
  std::vector<double> coeffs(points.size() * static_cast<size_t>(k));  // (npoints, k)
  std::vector<double> f_working(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i] < 0 || points[i] >= n)
      throw std::invalid_argument("measure_noise_fp64: point index outside the grid");
    grid.coefficients(points[i], coeffs.data() + i * static_cast<size_t>(k));
    f_working[i] = values[static_cast<size_t>(points[i])];
  }
  EvalSetup setup = working;
  setup.precision = Precision::FP64;
  auto backend = make(setup);
  const PointValues ref = evaluate_points(*backend, coeffs, k);
  return measure_noise(f_working, ref.loss);
}

double second_difference_tau(const NoiseModel& noise, double f, double h) {
  const double s = noise.sigma(f);
  return noise.k_tau * second_difference_noise(s, s, s, h);
}

double jensen_tau(const NoiseModel& noise, double f) {
  const double s = noise.sigma(f);
  return noise.k_tau * std::sqrt(jensen_noise_sq(s * s, s * s, s * s));
}

}  // namespace lscan
