// All the reductions of one scanned loss map (training or test) and the verdict drawn from them:
// convex within noise, or not and why. Used by `lscan scan` (which can also probe curvature
// beyond the plane and measure the noise in fp64) and by `lscan analyze` (a surface file alone).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "host/analysis/critical_points.h"
#include "host/analysis/curvature.h"
#include "host/analysis/hessian_probe.h"
#include "host/analysis/jensen.h"
#include "host/analysis/noise.h"
#include "host/analysis/path.h"
#include "host/grid/grid.h"
#include "host/io/surface_file.h"

namespace lscan {

struct AnalysisOptions {
  std::vector<int> stencils = {1, 2, 4};  // grid steps of the differences; those that fit run
  JensenOptions jensen;
};

struct SetAnalysis {
  std::string set;  // "train" or "test"
  NoiseModel noise;
  std::optional<NoiseMeasurement> measured;
  std::vector<CurvatureMaps> curvature;  // one per stencil that fits the grid
  JensenResult jensen;
  CriticalPoints critical;
  std::optional<PathBarrier> path;    // 1-D grids holding t = 0 and t = 1
  std::optional<HessianProbe> probe;  // when curvature beyond the plane was probed
  int64_t points = 0;                 // grid points analysed
  int64_t nonfinite_points = 0;       // of them NaN or +-Inf: every test leaves them out
  // "convex within noise": no test found a violation beyond tau and every value is finite;
  // "not convex": some test did (reasons); "undetermined": none did, but some values are NaN or
  // Inf, so convexity on the grid is not established (an overflowed convex loss must not be called
  // non-convex, nor a loss that is not finite everywhere convex).
  std::string verdict = "convex within noise";
  bool convex_within_noise = true;   // verdict == "convex within noise"
  std::vector<std::string> reasons;  // why not, one line each
};

// The reductions over the grid values f (npoints); no probe yet. The verdict is drawn.
SetAnalysis analyze_values(const std::string& set, const Grid& grid, const std::vector<double>& f,
                           const NoiseModel& noise, const AnalysisOptions& options);

// Adds a Hessian probe to an analysis and draws the verdict again.
void add_probe(SetAnalysis& a, HessianProbe probe);

// Whether a 1-D grid holds t = 0 and t = 1 as grid points (a path between two models).
bool grid_holds_path_ends(const Grid& grid);

// Every number of the analysis, with stable keys (documented in the README).
nlohmann::json analysis_json(const SetAnalysis& a, const Grid& grid);

// Maps beside the loss: <set>_lambda_min, <set>_lambda_max, <set>_curvature_ratio,
// <set>_min_directional_curvature, <set>_curvature_tau (finest stencil), <set>_critical_kind,
// <set>_basin, and <set>_probe_trace / _probe_min / _probe_fraction_negative when probed; plus
// the noise model as attributes.
void add_analysis_maps(SurfaceFile& file, const SetAnalysis& a);

// The console verdict table.
void print_verdict(const SetAnalysis& a);

}  // namespace lscan
