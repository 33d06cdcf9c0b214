#include "host/analysis/scan_analysis.h"

#include "host/model/targets.h"

namespace lscan {

std::vector<SetAnalysis> analyze_scan(const ScanRequest& r, const Surface& s,
                                      const ScanAnalysisOptions& o) {
  const BackendFactory make = [&](const EvalSetup& setup) { return make_backend(r.device, setup); };
  std::vector<SetAnalysis> out;
  for (int set = 0; set < (r.test ? 2 : 1); ++set) {
    const Dataset& data = set == 0 ? *r.train : *r.test;
    const std::vector<double>& loss = set == 0 ? s.train_loss : s.test_loss;
    const Targets targets = make_targets(r.model->spec, data, data.description);
    EvalSetup setup = eval_setup(r, data, targets);
    setup.tile = 0;  // the noise check and the probe size their own tiles

    NoiseModel noise = model_noise(r.model->spec, r.precision, data.n, o.k_tau);
    std::optional<NoiseMeasurement> measured;
    if (r.precision != Precision::FP64 && o.noise_check > 0) {
      const auto points = noise_check_points(r.grid, o.noise_check, o.seed);
      measured = measure_noise_fp64(setup, r.grid, loss, points, make);
      noise = with_measurement(noise, *measured);
    }
    SetAnalysis a = analyze_values(set == 0 ? "train" : "test", r.grid, loss, noise, o.grid);
    a.measured = measured;
    if (set == 0 && o.probe)
      add_probe(a, probe_hessian(setup, r.grid, o.probe_options, noise, make));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace lscan
