// The analysis of a fresh scan, where the model and the data are at hand: the noise model of the
// scan's precision, measured against fp64 re-evaluations of a few points, every reduction over
// the grid, and the Hessian probe beyond the plane, all through the scan's backend.
#pragma once

#include <vector>

#include "host/analysis/analyze.h"
#include "host/engine/surface_scan.h"

namespace lscan {

struct ScanAnalysisOptions {
  AnalysisOptions grid;
  double k_tau = kDefaultKTau;
  int64_t noise_check = 8;  // points re-evaluated in fp64 (not at fp64 itself); 0: model only
  uint64_t seed = 0;        // of the noise-check points
  bool probe = false;       // curvature beyond the plane, on the training loss
  HessianProbeOptions probe_options;
};

// One SetAnalysis for the training loss and, when the scan has one, the test loss.
std::vector<SetAnalysis> analyze_scan(const ScanRequest& request, const Surface& surface,
                                      const ScanAnalysisOptions& options);

}  // namespace lscan
