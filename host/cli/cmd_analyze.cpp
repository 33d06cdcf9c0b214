// lscan analyze: the reductions and the verdict for a surface file already written, by lscan or
// by loss-landscape (same dataset names).
#include <cmath>
#include <cstdio>

#include "host/analysis/analyze.h"
#include "host/cli/commands.h"
#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/core/format.h"
#include "host/io/surface_file.h"

namespace lscan {

void add_analysis_options(CLI::App& app, AnalysisCliOptions& o) {
  app.add_option("--stencil", o.stencils,
                 "Stencil widths in grid steps for the grid curvature (1, 2, 4: h, 2h, 4h)")
      ->capture_default_str()
      ->check(CLI::IsMember({1, 2, 4}));
  app.add_option("--tau-factor", o.k_tau,
                 "A violation counts beyond this multiple of its propagated rounding noise")
      ->capture_default_str();
  app.add_option("--jensen-pairs", o.jensen_pairs,
                 "Sampled off-line pairs for the Jensen test in 2-D and 3-D")
      ->capture_default_str();
}

void check_analysis_options(const AnalysisCliOptions& o) {
  if (!(o.k_tau >= 0 && std::isfinite(o.k_tau)))
    input_error("", "--tau-factor",
                "expected a finite factor >= 0, found " + format_number(o.k_tau));
  if (o.jensen_pairs < 0 || o.jensen_pairs > kMaxJensenPairs)
    input_error("", "--jensen-pairs",
                "expected a count from 0 to " + std::to_string(kMaxJensenPairs) + ", found " +
                    std::to_string(o.jensen_pairs));
}

CLI::App* add_analyze_command(CLI::App& app, AnalyzeOptions& o) {
  CLI::App* c = app.add_subcommand(
      "analyze",
      "Curvature, Jensen violations, minima and the convexity verdict of a surface file");
  c->footer(R"(Examples:
  lscan analyze surface.h5                       # writes surface_analysis.json
  lscan analyze ll_surface.h5 --noise-relative 1e-5 --out ll_analyzed.h5
The noise floor comes from the file (lscan scans store it); for other files it is taken as
fp32 rounding (relative 2^-24 x 100) unless --noise-relative / --noise-absolute say otherwise.)");
  c->add_option("file", o.file, "Surface file (HDF5)")->required();
  add_analysis_options(*c, o.analysis);
  c->add_option("--noise-relative", o.noise_relative,
                "Rounding noise of each loss as a fraction of the loss (default: from the file)");
  c->add_option("--noise-absolute", o.noise_absolute,
                "Absolute floor of that noise (default: from the file)");
  c->add_option("-o,--out", o.out, "Also write a copy of the surface file with the analysis maps");
  c->add_option("--summary", o.summary, "JSON output (default: FILE stem + _analysis.json)");
  c->add_flag("-q,--quiet", o.quiet, "No table");
  return c;
}

int run_analyze_command(const AnalyzeOptions& o) {
  check_analysis_options(o.analysis);
  const std::string summary =
      o.summary.empty() ? strip_extension(o.file) + "_analysis.json" : o.summary;
  if (!o.out.empty()) check_writable(o.out, "--out");
  check_writable(summary, "--summary");
  // -1, the default, takes the value from the file.
  for (const auto& [flag, v] :
       {std::pair<const char*, double>{"--noise-relative", o.noise_relative},
        {"--noise-absolute", o.noise_absolute}})
    if (!(v == -1 || (v >= 0 && std::isfinite(v))))
      input_error("", flag, "expected a finite value >= 0, found " + format_number(v));
  SurfaceFile file = read_surface(o.file);
  const Grid grid{file.axes};
  AnalysisOptions options;
  options.stencils = o.analysis.stencils;
  options.jensen.offline_pairs = o.analysis.jensen_pairs;
  nlohmann::json out;
  out["surface_file"] = o.file;
  bool any = false;
  for (const char* set : {"train", "test"}) {
    const std::string name = std::string(set) + "_loss";
    const auto it = file.maps.find(name);
    if (it == file.maps.end()) continue;
    any = true;
    NoiseModel noise;
    noise.k_tau = o.analysis.k_tau;
    const auto rel = file.number_attrs.find(std::string(set) + "_noise_relative");
    const auto abs = file.number_attrs.find(std::string(set) + "_noise_absolute");
    bool assumed = false;
    noise.relative = o.noise_relative >= 0            ? o.noise_relative
                     : rel != file.number_attrs.end() ? rel->second
                                                      : (assumed = true, 100.0 * 0x1.0p-24);
    noise.absolute = o.noise_absolute >= 0            ? o.noise_absolute
                     : abs != file.number_attrs.end() ? abs->second
                                                      : 0.0;
    if (assumed && !o.quiet)
      std::fprintf(stderr,
                   "%s: no noise model stored for %s; assuming fp32 rounding, relative %.3g "
                   "(set --noise-relative)\n",
                   o.file.c_str(), name.c_str(), noise.relative);
    const SetAnalysis a = analyze_values(set, grid, it->second, noise, options);
    out["analysis"][set] = analysis_json(a, grid);
    add_analysis_maps(file, a);
    if (!o.quiet) print_verdict(a);
  }
  if (!any) input_error(o.file, "train_loss", "the file holds no train_loss or test_loss map");
  if (!o.out.empty()) write_surface(o.out, file);
  write_file_atomic(summary, out.dump(2) + "\n");
  if (!o.quiet) std::printf("wrote %s\n", summary.c_str());
  return 0;
}

}  // namespace lscan
