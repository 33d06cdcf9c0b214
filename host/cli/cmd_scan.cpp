// lscan scan: evaluate the loss on a 1-D, 2-D or 3-D grid around a model.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "host/analysis/scan_analysis.h"
#include "host/cli/commands.h"
#include "host/cli/progress.h"
#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/core/format.h"
#include "host/engine/device.h"
#include "host/engine/surface_scan.h"
#include "host/grid/direction_file.h"
#include "host/model/model_io.h"

namespace lscan {

// The most --curvature-dirs: 10,000 P-vectors already take 80 GB for a model of a million
// parameters.
constexpr int kMaxProbeDirections = 10000;

CLI::App* add_scan_command(CLI::App& app, ScanOptions& o) {
  CLI::App* c = app.add_subcommand("scan", "Scan the loss surface around a model on a grid");
  c->footer(R"(Examples:
  # 2-D surface along two filter-normalised random directions (Li et al. 2018)
  lscan scan --model mlp.json --weights mlp.safetensors --data blobs:n=2000 \
             --x -1:1:51 --y -1:1:51 --out surface.h5
  # 1-D interpolation path from model A (x = 0) to model B (x = 1), in fp64
  lscan scan --model mlp.json --weights a.safetensors --model-b b.safetensors \
             --data X.npy --labels y.npy --x -0.5:1.5:81 --precision fp64 --out path.h5
  # MNIST from IDX files, train and test loss, directions stored by an earlier scan
  lscan scan --model mnist.json --weights mnist.safetensors \
             --data train-images-idx3-ubyte --labels train-labels-idx1-ubyte \
             --test-data t10k-images-idx3-ubyte --test-labels t10k-labels-idx1-ubyte \
             --directions earlier.h5 --x -1:1:41 --y -1:1:41 --out mnist.h5)");
  c->add_option("--model", o.model, "Model spec (JSON)")->required();
  c->add_option("--weights", o.weights, "Model weights (safetensors, PyTorch state_dict names)")
      ->required();
  add_data_options(*c, o.data);
  c->add_option("--x", o.x, "First axis min:max:num, e.g. -1:1:51")->required();
  c->add_option("--y", o.y, "Second axis (2-D and 3-D scans)");
  c->add_option("--z", o.z, "Third axis (3-D scans)");
  c->add_option("--seed", o.seed, "Seed of the random directions")->capture_default_str();
  c->add_option("--norm", o.norm, "Direction normalisation: filter, layer or none")
      ->capture_default_str();
  c->add_option("--bias", o.bias, "Bias entries of random directions: ignore (zero) or keep")
      ->capture_default_str();
  c->add_option("--model-b", o.model_b,
                "Second weights file: the x direction becomes weights_b - weights");
  c->add_option("--directions", o.directions,
                "Read the directions from a file (.h5 surface or direction file, or "
                ".safetensors with x.<tensor>, y.<tensor>, z.<tensor>)");
  add_run_options(*c, o.run, RunKind::Scan);
  c->add_flag("--no-analyze", o.no_analyze,
              "Only evaluate the surface: no curvature, Jensen, minima or verdict");
  add_analysis_options(*c, o.analysis);
  c->add_option("--curvature-dirs", o.curvature_dirs,
                "K random directions in the full parameter space per grid point: second "
                "differences beyond the plane (0: off)")
      ->capture_default_str();
  c->add_option("--curvature-step", o.curvature_step,
                "Step h along those directions (default: u^(1/4) |theta0| / |v|, printed)");
  c->add_option("--curvature-every", o.curvature_every,
                "Probe every s-th grid point along each axis")
      ->capture_default_str();
  c->add_option("--curvature-kind", o.curvature_kind, "rademacher or gaussian (filter-normalised)")
      ->capture_default_str();
  c->add_option("--noise-check", o.noise_check,
                "Grid points re-evaluated in fp64 to measure the rounding noise (0: model only)")
      ->capture_default_str();
  c->add_option("-o,--out", o.out, "Output surface file (HDF5)")->required();
  c->add_option("--summary", o.summary, "JSON summary (default: the output name with .json)");
  return c;
}

namespace {

void print_surface_table(const nlohmann::json& summary, const Surface& s) {
  std::string shape;
  for (const GridAxis& a : s.grid.axes)
    shape += (shape.empty() ? "" : " x ") + std::to_string(a.num);
  std::printf("scan: %s = %lld points, %s on %s, %.2f s (%.0f points/s)\n", shape.c_str(),
              static_cast<long long>(s.grid.num_points()), precision_name(s.precision),
              s.backend.c_str(), s.seconds, summary["timing"]["points_per_second"].get<double>());
  auto coords = [](const nlohmann::json& c) {
    if (c.is_null()) return std::string("-");
    std::string t = "(";
    for (size_t i = 0; i < c.size(); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s%.4g", i ? ", " : "", c[i].get<double>());
      t += buf;
    }
    return t + ")";
  };
  auto num = [](const nlohmann::json& j, const char* key, double scale = 1) {
    if (!j.contains(key) || j[key].is_null()) return std::string("-");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", scale * j[key].get<double>());
    return std::string(buf);
  };
  const bool test = summary.contains("test");
  std::printf("  %-22s %-24s%s\n", "", "train", test ? "test" : "");
  const char* rows[][2] = {
      {"loss at origin", "loss_at_origin"}, {"loss min", "loss_min"}, {"loss max", "loss_max"}};
  for (auto& r : rows)
    std::printf("  %-22s %-24s%s\n", r[0], num(summary["train"], r[1]).c_str(),
                test ? num(summary["test"], r[1]).c_str() : "");
  std::printf("  %-22s %-24s%s\n", "argmin", coords(summary["train"]["argmin"]).c_str(),
              test ? coords(summary["test"]["argmin"]).c_str() : "");
  if (s.classification)
    std::printf("  %-22s %-24s%s\n", "accuracy at origin %",
                num(summary["train"], "accuracy_at_origin", 100).c_str(),
                test ? num(summary["test"], "accuracy_at_origin", 100).c_str() : "");
  const auto nf = summary["train"]["nonfinite_points"].get<int64_t>();
  if (nf > 0)
    std::printf(
        "  warning: %lld points have a non-finite training loss (overflow far from the "
        "model?)\n",
        static_cast<long long>(nf));
}

}  // namespace

int run_scan_command(const ScanOptions& o, const std::string& command_line) {
  // Everything is read and checked before anything is computed or written.
  const Model model = load_model(o.model, o.weights, o.data.train.allow_nonfinite);
  LoadedData data = load_data(o.data);
  Grid grid;
  grid.axes.push_back(GridAxis::parse(o.x, "--x"));
  if (!o.y.empty()) grid.axes.push_back(GridAxis::parse(o.y, "--y"));
  if (!o.z.empty()) {
    if (o.y.empty()) input_error("", "--z", "a 3-D scan needs --y as well");
    grid.axes.push_back(GridAxis::parse(o.z, "--z"));
  }
  if (grid.num_points() > kMaxGridPoints) {
    std::string sizes;
    for (const GridAxis& a : grid.axes)
      sizes += (sizes.empty() ? "" : " x ") + std::to_string(a.num);
    input_error("", o.z.empty() ? (o.y.empty() ? "--x" : "--y") : "--z",
                "the grid has " + sizes + " = " + std::to_string(grid.num_points()) +
                    " points; lscan scans at most " + std::to_string(kMaxGridPoints));
  }
  const DirNorm norm = parse_dir_norm(o.norm);
  const BiasMode bias = parse_bias_mode(o.bias);
  const Precision precision = parse_precision(o.run.precision);
  const double max_memory = parse_bytes(o.run.max_memory, "--max-memory");
  const std::string summary_path = o.summary.empty() ? strip_extension(o.out) + ".json" : o.summary;
  check_writable(o.out, "--out");
  check_writable(summary_path, "--summary");
  if (!o.model_b.empty() && !o.directions.empty())
    input_error("", "--model-b", "give either --model-b or --directions, not both");

  std::vector<Direction> dirs;
  if (!o.directions.empty()) {
    dirs = read_directions_file(o.directions, model, grid.dims());
  } else {
    int first_random = 0;
    if (!o.model_b.empty()) {
      const Model b = load_model(o.model, o.model_b, o.data.train.allow_nonfinite);
      dirs.push_back(difference_direction(model, b, o.model_b));
      first_random = 1;
    }
    for (int i = first_random; i < grid.dims(); ++i)
      dirs.push_back(random_direction(model, o.seed, i, norm, bias));
  }

  // Every probe direction is held as a P-vector and costs two evaluations per probed point.
  if (o.curvature_dirs < 0 || o.curvature_dirs > kMaxProbeDirections)
    input_error("", "--curvature-dirs",
                "expected K from 0 to " + std::to_string(kMaxProbeDirections) + ", found " +
                    std::to_string(o.curvature_dirs));
  if (o.curvature_every < 1) input_error("", "--curvature-every", "expected s >= 1");
  if (!(o.curvature_step >= 0 && std::isfinite(o.curvature_step)))
    input_error(
        "", "--curvature-step",
        "expected a finite h > 0 (or 0: default), found " + format_number(o.curvature_step));
  if (o.noise_check < 0) input_error("", "--noise-check", "expected a count >= 0");
  if (o.run.tile < 0)
    input_error("", "--tile",
                "expected N >= 1 points (or 0: from the memory budget), found " +
                    std::to_string(o.run.tile));
  check_analysis_options(o.analysis);
  const ProbeKind probe_kind = parse_probe_kind(o.curvature_kind);
  const DeviceChoice device = choose_device(o.run.device);
  if (!o.run.quiet) std::fprintf(stderr, "%s\n", device.notice.c_str());

  ScanRequest req;
  req.model = &model;
  req.train = &data.train;
  req.test = data.test ? &*data.test : nullptr;
  req.directions = dirs;
  req.grid = grid;
  req.precision = precision;
  req.device = device;
  req.max_memory = max_memory;
  req.tile = o.run.tile;
  Progress progress("scan", "points", Progress::wanted(o.run.quiet));
  std::string current;
  req.on_progress = [&](const std::string& set, int64_t done, int64_t total) {
    if (set != current) {
      progress.finish();
      current = set;
    }
    progress.update(done, total);
  };
  const Surface s = scan_surface(req);
  progress.finish();

  ScanProvenance p;
  p.model_spec = o.model;
  p.model_weights = o.weights;
  p.model_hash = model_hash(model);
  p.train_data = data.train.description;
  p.train_samples = data.train.n;
  if (data.test) {
    p.test_data = data.test->description;
    p.test_samples = data.test->n;
  }
  p.seed = o.seed;
  p.command_line = command_line;
  nlohmann::json summary = surface_summary(s, model, p);
  SurfaceFile file = to_surface_file(s, model, p);
  std::vector<SetAnalysis> analyses;
  if (!o.no_analyze) {
    ScanAnalysisOptions ao;
    ao.grid.stencils = o.analysis.stencils;
    ao.grid.jensen.offline_pairs = o.analysis.jensen_pairs;
    ao.grid.jensen.seed = o.seed;
    ao.k_tau = o.analysis.k_tau;
    ao.noise_check = o.noise_check;
    ao.seed = o.seed;
    ao.probe = o.curvature_dirs > 0;
    ao.probe_options.directions = o.curvature_dirs;
    ao.probe_options.kind = probe_kind;
    ao.probe_options.h = o.curvature_step;
    ao.probe_options.stride = o.curvature_every;
    ao.probe_options.seed = o.seed;
    analyses = analyze_scan(req, s, ao);
    for (const SetAnalysis& a : analyses) {
      summary["analysis"][a.set] = analysis_json(a, grid);
      add_analysis_maps(file, a);
    }
  }
  write_surface(o.out, file);
  nlohmann::json with_files = summary;
  with_files["surface_file"] = o.out;
  write_file_atomic(summary_path, with_files.dump(2) + "\n");
  if (!o.run.quiet) {
    print_surface_table(summary, s);
    for (const SetAnalysis& a : analyses) print_verdict(a);
    std::printf("wrote %s and %s\n", o.out.c_str(), summary_path.c_str());
  }
  return 0;
}

}  // namespace lscan
