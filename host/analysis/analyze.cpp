#include "host/analysis/analyze.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "host/core/format.h"

namespace lscan {

namespace {

std::string fmt(double v) {
  return format_number(v, 4);
}

nlohmann::json coords(const Grid& grid, int64_t index) {
  if (index < 0) return nullptr;
  std::vector<double> c(static_cast<size_t>(grid.dims()));
  grid.coefficients(index, c.data());
  return c;
}

nlohmann::json num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

void draw_verdict(SetAnalysis& a) {
  a.reasons.clear();
  for (const CurvatureMaps& c : a.curvature)
    if (c.directional_significant > 0)
      a.reasons.push_back("negative curvature along the grid at " +
                          std::to_string(c.directional_significant) + " of " +
                          std::to_string(c.interior) + " interior points (stencil " +
                          std::to_string(c.stencil) + ", beyond tau)");
  const int64_t jensen = a.jensen.lines.significant + a.jensen.offline.significant;
  if (jensen > 0)
    a.reasons.push_back(std::to_string(jensen) + " Jensen (chord) violations beyond tau, worst " +
                        "excess " +
                        fmt(std::max(a.jensen.lines.worst_excess,
                                     a.jensen.offline.pairs > 0 ? a.jensen.offline.worst_excess
                                                                : a.jensen.lines.worst_excess)));
  // NaN ranks above every number in the critical-point order, so non-finite points act as walls
  // that may split one basin in two: minima count towards the verdict only on finite surfaces.
  const int64_t minima = a.critical.significant_minima + a.critical.significant_boundary_minima;
  if (minima > 1 && a.nonfinite_points == 0)
    a.reasons.push_back(std::to_string(minima) + " distinct minima (persistence beyond tau)");
  if (a.path && a.path->barrier_significant)
    a.reasons.push_back("a barrier of " + fmt(a.path->barrier) +
                        " above the chord at t = " + fmt(a.path->barrier_t));
  if (a.probe && a.probe->fraction_significant_all > 0)
    a.reasons.push_back("negative curvature beyond the plane in " +
                        fmt(100 * a.probe->fraction_significant_all) + "% of " +
                        std::to_string(a.probe->evaluated) + " probes (min " +
                        fmt(a.probe->overall_min) + ")");
  const bool violations = !a.reasons.empty();
  if (a.nonfinite_points > 0)
    a.reasons.push_back(std::to_string(a.nonfinite_points) + " of " + std::to_string(a.points) +
                        " grid points are NaN or Inf and are left out of every test" +
                        (violations ? "" : ": convexity on the grid is not established"));
  a.verdict = violations               ? "not convex"
              : a.nonfinite_points > 0 ? "undetermined"
                                       : "convex within noise";
  a.convex_within_noise = a.verdict == "convex within noise";
}

}  // namespace

bool grid_holds_path_ends(const Grid& grid) {
  if (grid.dims() != 1) return false;
  const GridAxis& x = grid.axes[0];
  if (x.num < 2) return false;
  const double step = (x.max - x.min) / (x.num - 1);
  bool zero = false, one = false;
  for (int i = 0; i < x.num; ++i) {
    zero |= std::fabs(x.at(i)) <= 1e-6 * step;
    one |= std::fabs(x.at(i) - 1.0) <= 1e-6 * step;
  }
  return zero && one;
}

SetAnalysis analyze_values(const std::string& set, const Grid& grid, const std::vector<double>& f,
                           const NoiseModel& noise, const AnalysisOptions& options) {
  SetAnalysis a;
  a.set = set;
  a.noise = noise;
  a.points = static_cast<int64_t>(f.size());
  for (double v : f) a.nonfinite_points += !std::isfinite(v);
  for (int s : options.stencils) {
    bool fits = true;
    for (const GridAxis& ax : grid.axes) fits &= ax.num >= 2 * s + 1;
    if (fits) a.curvature.push_back(grid_curvature(grid, f, s, noise));
  }
  a.jensen = jensen_violations(grid, f, noise, options.jensen);
  a.critical = critical_points(grid, f, noise);
  if (grid_holds_path_ends(grid)) a.path = path_barrier(grid, f, noise);
  draw_verdict(a);
  return a;
}

void add_probe(SetAnalysis& a, HessianProbe probe) {
  a.probe = std::move(probe);
  draw_verdict(a);
}

namespace {

nlohmann::json jensen_json(const JensenCounts& c, const Grid& grid) {
  return {{"pairs", c.pairs},
          {"violations", c.violations},
          {"significant", c.significant},
          {"fraction", c.fraction},
          {"significant_fraction", c.significant_fraction},
          {"worst_excess", num(c.worst_excess)},
          {"worst_tau", c.worst_tau},
          {"worst_a", coords(grid, c.worst_a)},
          {"worst_b", coords(grid, c.worst_b)}};
}

}  // namespace

nlohmann::json analysis_json(const SetAnalysis& a, const Grid& grid) {
  nlohmann::json j;
  j["verdict"] = a.verdict;
  j["convex_within_noise"] = a.convex_within_noise;
  j["reasons"] = a.reasons;
  j["points"] = a.points;
  j["nonfinite_points"] = a.nonfinite_points;
  j["noise"] = {
      {"relative", a.noise.relative}, {"absolute", a.noise.absolute}, {"k_tau", a.noise.k_tau}};
  if (a.measured)
    j["noise"]["measured_fp64"] = {{"points", a.measured->points},
                                   {"max_abs", a.measured->max_abs},
                                   {"rms", a.measured->rms},
                                   {"max_rel", a.measured->max_rel}};
  nlohmann::json curv = nlohmann::json::array();
  for (const CurvatureMaps& c : a.curvature)
    curv.push_back({{"stencil", c.stencil},
                    {"h", c.h},
                    {"interior_points", c.interior},
                    {"nonfinite_points", c.nonfinite},
                    {"directional_negative", c.directional_negative},
                    {"directional_significant", c.directional_significant},
                    {"lambda_min_negative", c.negative},
                    {"lambda_min_significant", c.significant_negative},
                    {"axis_negative", c.axis_negative},
                    {"axis_significant", c.axis_significant_negative},
                    {"lambda_min", num(c.min_lambda)},
                    {"lambda_min_at", coords(grid, c.argmin_lambda)},
                    {"tau_at_lambda_min", c.tau_at_argmin},
                    {"tau_min", c.tau_min},
                    {"tau_max", c.tau_max}});
  j["curvature"] = curv;
  j["jensen"] = {{"lines", jensen_json(a.jensen.lines, grid)},
                 {"offline", jensen_json(a.jensen.offline, grid)}};
  const CriticalPoints& cp = a.critical;
  nlohmann::json minima = nlohmann::json::array();
  for (const Minimum& m : cp.sinks) {
    if (minima.size() >= 100) break;  // the deepest 100; counts below cover all
    minima.push_back({{"at", coords(grid, m.index)},
                      {"loss", m.value},
                      {"boundary", m.boundary},
                      {"persistence", num(m.persistence)},
                      {"saddle_loss", num(m.saddle_value)},
                      {"significant", m.significant}});
  }
  j["critical_points"] = {{"minima", cp.minima},
                          {"maxima", cp.maxima},
                          {"saddles", cp.saddles},
                          {"boundary_minima", cp.boundary_minima},
                          {"significant_minima", cp.significant_minima},
                          {"significant_boundary_minima", cp.significant_boundary_minima},
                          {"adjacent_basin_pairs", cp.adjacent.size()},
                          {"deepest_minima", minima}};
  if (a.path) {
    const PathBarrier& p = *a.path;
    j["path"] = {{"loss_at_0", p.f0},
                 {"loss_at_1", p.f1},
                 {"barrier", p.barrier},
                 {"barrier_t", p.barrier_t},
                 {"barrier_tau", p.barrier_tau},
                 {"barrier_significant", p.barrier_significant},
                 {"plain_barrier", p.plain_barrier},
                 {"plain_barrier_t", p.plain_barrier_t},
                 {"monotone", p.monotone},
                 {"max_rise", p.max_rise},
                 {"max_fall", p.max_fall},
                 {"minima", p.minima},
                 {"significant_minima", p.significant_minima}};
  }
  if (a.probe) {
    const HessianProbe& p = *a.probe;
    j["beyond_plane"] = {{"directions", p.directions},
                         {"kind", probe_kind_name(p.kind)},
                         {"step", p.h},
                         {"points", p.points.size()},
                         {"probes", p.evaluated},
                         {"nonfinite", p.nonfinite},
                         {"mean_trace", num(p.mean_trace)},
                         {"min", num(p.overall_min)},
                         {"min_at", coords(grid, p.argmin_point)},
                         {"fraction_negative", p.fraction_negative_all},
                         {"fraction_significant", p.fraction_significant_all},
                         {"seconds", p.seconds}};
  }
  return j;
}

void add_analysis_maps(SurfaceFile& file, const SetAnalysis& a) {
  const std::string p = a.set + "_";
  if (!a.curvature.empty()) {
    const CurvatureMaps& c = a.curvature.front();
    file.maps[p + "lambda_min"] = c.eigenvalues.front();
    file.maps[p + "lambda_max"] = c.eigenvalues.back();
    file.maps[p + "curvature_ratio"] = c.ratio;
    file.maps[p + "min_directional_curvature"] = c.min_directional;
    file.maps[p + "curvature_tau"] = c.tau;
    file.number_attrs[p + "curvature_stencil"] = c.stencil;
  }
  std::vector<double> kind(a.critical.kind.size()), basin(a.critical.basin.size());
  for (size_t i = 0; i < kind.size(); ++i) kind[i] = static_cast<double>(a.critical.kind[i]);
  for (size_t i = 0; i < basin.size(); ++i)
    basin[i] = static_cast<double>(a.critical.merged_basin[i]);
  file.maps[p + "critical_kind"] = kind;
  file.maps[p + "basin"] = basin;
  if (a.probe) {
    const size_t n = kind.size();
    std::vector<double> trace(n, NAN), mn(n, NAN), neg(n, NAN);
    for (size_t i = 0; i < a.probe->points.size(); ++i) {
      const auto at = static_cast<size_t>(a.probe->points[i]);
      trace[at] = a.probe->mean[i];
      mn[at] = a.probe->min[i];
      neg[at] = a.probe->fraction_negative[i];
    }
    file.maps[p + "probe_trace"] = trace;
    file.maps[p + "probe_min"] = mn;
    file.maps[p + "probe_fraction_negative"] = neg;
  }
  file.number_attrs[p + "noise_relative"] = a.noise.relative;
  file.number_attrs[p + "noise_absolute"] = a.noise.absolute;
  file.number_attrs["k_tau"] = a.noise.k_tau;
  file.text_attrs[p + "verdict"] = a.verdict;
}

void print_verdict(const SetAnalysis& a) {
  std::printf("verdict (%s loss): %s\n", a.set.c_str(),
              a.verdict == "not convex"     ? "NOT convex"
              : a.verdict == "undetermined" ? "UNDETERMINED"
                                            : a.verdict.c_str());
  for (const std::string& r : a.reasons) std::printf("  - %s\n", r.c_str());
  std::printf("  noise floor: sigma(f) = max(%.3g |f|, %.3g), tau = %g x the propagated noise\n",
              a.noise.relative, a.noise.absolute, a.noise.k_tau);
  std::printf("  %-34s %14s %14s\n", "", "beyond tau", "raw");
  for (const CurvatureMaps& c : a.curvature)
    std::printf("  %-34s %14lld %14lld   of %lld\n",
                ("negative curvature, stencil " + std::to_string(c.stencil)).c_str(),
                static_cast<long long>(c.directional_significant),
                static_cast<long long>(c.directional_negative), static_cast<long long>(c.interior));
  std::printf("  %-34s %14lld %14lld   of %lld\n", "Jensen violations, grid lines",
              static_cast<long long>(a.jensen.lines.significant),
              static_cast<long long>(a.jensen.lines.violations),
              static_cast<long long>(a.jensen.lines.pairs));
  if (a.jensen.offline.pairs > 0)
    std::printf("  %-34s %14lld %14lld   of %lld\n", "Jensen violations, sampled pairs",
                static_cast<long long>(a.jensen.offline.significant),
                static_cast<long long>(a.jensen.offline.violations),
                static_cast<long long>(a.jensen.offline.pairs));
  std::printf("  %-34s %14lld %14lld\n", "interior minima",
              static_cast<long long>(a.critical.significant_minima),
              static_cast<long long>(a.critical.minima));
  std::printf("  %-34s %14lld %14lld\n", "boundary minima",
              static_cast<long long>(a.critical.significant_boundary_minima),
              static_cast<long long>(a.critical.boundary_minima));
  std::printf("  %-34s %14s %14lld\n", "saddles", "", static_cast<long long>(a.critical.saddles));
  if (a.probe)
    std::printf("  %-34s %13.1f%% %13.1f%%   of %lld (K=%d, h=%.3g, min %.3g)\n",
                "negative curvature beyond the plane", 100 * a.probe->fraction_significant_all,
                100 * a.probe->fraction_negative_all, static_cast<long long>(a.probe->evaluated),
                a.probe->directions, a.probe->h, a.probe->overall_min);
  if (a.path)
    std::printf("  path: barrier %.4g at t = %.3g (tau %.3g), loss %.6g at t=0 and %.6g at t=1\n",
                a.path->barrier, a.path->barrier_t, a.path->barrier_tau, a.path->f0, a.path->f1);
}

}  // namespace lscan
