// read_surface on arbitrary bytes as an .h5 file (lscan analyze, plot and --directions read
// these). Accepted files: every map covers the grid and the directions have one length; on grids
// of up to 4096 points the analysis of lscan analyze runs on each loss map and draws a verdict.

#include "fuzz/fuzz_util.h"
#include "host/analysis/analyze.h"
#include "host/core/error.h"
#include "host/io/surface_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  SurfaceFile s;
  try {
    s = read_surface(fuzz::TempFile("input", ".h5", fuzz::as_string(data, size)).path());
  } catch (const InputError&) {
    return 0;
  }
  fuzz::check(!s.axes.empty() && s.axes.size() <= 3, "1 to 3 axes");
  fuzz::check(s.num_points() >= 1 && s.num_points() <= kMaxGridPoints, "a grid lscan reads");
  for (const auto& [name, values] : s.maps)
    fuzz::check(static_cast<int64_t>(values.size()) == s.num_points(), "a map covers the grid");
  fuzz::check(s.directions.empty() || s.directions.size() == s.axes.size(),
              "one direction per axis, or none");
  for (const auto& d : s.directions)
    fuzz::check(d.size() == s.directions[0].size(), "the directions have one length");
  if (s.num_points() > 4096) return 0;
  const Grid grid{s.axes};
  AnalysisOptions options;
  options.jensen.offline_pairs = 1000;
  for (const char* name : {"train_loss", "test_loss"}) {
    const auto it = s.maps.find(name);
    if (it == s.maps.end()) continue;
    const SetAnalysis a =
        analyze_values("train", grid, it->second, NoiseModel{1e-6, 0, 10}, options);
    fuzz::check(a.verdict == "convex within noise" || a.verdict == "not convex" ||
                    a.verdict == "undetermined",
                "one of the three verdicts");
    fuzz::check(a.convex_within_noise == (a.verdict == "convex within noise"),
                "convex_within_noise agrees with the verdict");
    fuzz::check(a.points == s.num_points() && a.nonfinite_points <= a.points,
                "every point counted");
    fuzz::check(a.nonfinite_points == 0 || !a.convex_within_noise,
                "no convex verdict with NaN or Inf values");
  }
  return 0;
}
