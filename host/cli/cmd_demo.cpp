// lscan demo: no input needed. Generates a data set, trains a logistic regression and a small
// MLP on it, scans both along filter-normalised random directions and prints them side by side.
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "host/analysis/scan_analysis.h"
#include "host/cli/commands.h"
#include "host/cli/progress.h"
#include "host/core/error.h"
#include "host/core/file_io.h"
#include "host/data/generators.h"
#include "host/engine/device.h"
#include "host/engine/surface_scan.h"
#include "host/model/model_io.h"
#include "host/model/spec_io.h"
#include "host/model/targets.h"
#include "host/train/train.h"

namespace lscan {

CLI::App* add_demo_command(CLI::App& app, DemoOptions& o) {
  CLI::App* c = app.add_subcommand(
      "demo", "Train a logistic regression and an MLP on generated spirals, scan both, compare");
  c->footer(R"(Example:
  lscan demo --out-dir lscan-demo
Writes, for each model, the spec and weights, the surface file (.h5) and its summary (.json).)");
  c->add_option("--out-dir", o.out_dir, "Folder for the models and surfaces")
      ->capture_default_str();
  c->add_option("--grid", o.grid, "Points per axis of the 2-D scans")->capture_default_str();
  add_run_options(*c, o.run, RunKind::Scan);
  return c;
}

namespace {

struct DemoModel {
  std::string name, title, spec_json;
  TrainOptions train;
};

struct DemoResult {
  SetAnalysis analysis;
  Model model;
  TrainReport report;
  Surface surface;
  nlohmann::json summary;
  std::string surface_path;
};

}  // namespace

int run_demo_command(const DemoOptions& o) {
  if (o.grid < 3 || o.grid > 1001) input_error("", "--grid", "expected 3 to 1001 points per axis");
  const Precision precision = parse_precision(o.run.precision);
  const double max_memory = parse_bytes(o.run.max_memory, "--max-memory");
  const DeviceChoice device = choose_device(o.run.device);
  if (::mkdir(o.out_dir.c_str(), 0755) != 0 && errno != EEXIST)
    input_error(o.out_dir, "--out-dir", "cannot create the folder");
  if (!o.run.quiet) std::fprintf(stderr, "%s\n", device.notice.c_str());

  const std::string data_spec = "spirals:n=600,classes=3,noise=0.05,seed=0";
  const Dataset data = generate_dataset(data_spec);

  std::vector<DemoModel> models(2);
  models[0].name = "logreg";
  models[0].title = "logistic regression";
  models[0].spec_json =
      R"({"input_dim": 2, "layers": [{"type": "linear", "out": 3}], "loss": "cross_entropy"})";
  models[0].train.lr = 0.05;
  models[0].train.epochs = 400;
  models[1].name = "mlp";
  models[1].title = "MLP 2-32-32-3 tanh";
  models[1].spec_json = R"({"input_dim": 2, "layers": [{"type": "linear", "out": 32},
      {"type": "tanh"}, {"type": "linear", "out": 32}, {"type": "tanh"},
      {"type": "linear", "out": 3}], "loss": "cross_entropy"})";
  models[1].train.lr = 0.01;
  models[1].train.epochs = 1500;

  std::vector<DemoResult> results;
  for (const DemoModel& dm : models) {
    DemoResult r;
    r.model = init_model(parse_spec(nlohmann::json::parse(dm.spec_json), dm.name), 0);
    const Targets targets = make_targets(r.model.spec, data, data_spec);
    {
      Progress progress("train " + dm.name, "epochs", Progress::wanted(o.run.quiet));
      r.report = train_model(r.model, data, targets, dm.train,
                             [&](int epoch, double) { progress.update(epoch, dm.train.epochs); });
    }
    const std::string prefix = o.out_dir + "/" + dm.name;
    save_model(r.model, prefix + ".json", prefix + ".safetensors", "F64");

    ScanRequest req;
    req.model = &r.model;
    req.train = &data;
    for (int i = 0; i < 2; ++i)
      req.directions.push_back(random_direction(r.model, 0, i, DirNorm::Filter, BiasMode::Ignore));
    req.grid.axes = {GridAxis{-1, 1, o.grid}, GridAxis{-1, 1, o.grid}};
    req.precision = precision;
    req.device = device;
    req.max_memory = max_memory;
    req.tile = o.run.tile;
    Progress progress("scan " + dm.name, "points", Progress::wanted(o.run.quiet));
    req.on_progress = [&](const std::string&, int64_t done, int64_t total) {
      progress.update(done, total);
    };
    r.surface = scan_surface(req);
    progress.finish();

    ScanProvenance p;
    p.model_spec = prefix + ".json";
    p.model_weights = prefix + ".safetensors";
    p.model_hash = model_hash(r.model);
    p.train_data = data.description;
    p.train_samples = data.n;
    p.command_line = "lscan demo";
    r.summary = surface_summary(r.surface, r.model, p);
    ScanAnalysisOptions ao;
    ao.probe = true;
    ao.probe_options.directions = 8;
    ao.probe_options.stride = 3;
    r.analysis = analyze_scan(req, r.surface, ao).front();
    r.summary["analysis"]["train"] = analysis_json(r.analysis, req.grid);
    r.surface_path = prefix + ".h5";
    SurfaceFile file = to_surface_file(r.surface, r.model, p);
    add_analysis_maps(file, r.analysis);
    write_surface(r.surface_path, file);
    nlohmann::json with_files = r.summary;
    with_files["surface_file"] = r.surface_path;
    write_file_atomic(prefix + "_summary.json", with_files.dump(2) + "\n");
    results.push_back(std::move(r));
  }

  if (o.run.quiet) return 0;
  auto row = [&](const char* label, const std::function<std::string(const DemoResult&)>& f) {
    std::printf("  %-30s", label);
    for (const DemoResult& r : results) std::printf(" %-24s", f(r).c_str());
    std::printf("\n");
  };
  auto fmt = [](const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return std::string(buf);
  };
  std::printf("\nlscan demo: %s, %d x %d grid along filter-normalised random directions, %s\n",
              data.description.c_str(), o.grid, o.grid, precision_name(precision));
  std::printf("  %-30s", "");
  for (const DemoModel& dm : models) std::printf(" %-24s", dm.title.c_str());
  std::printf("\n");
  row("parameters", [](const DemoResult& r) { return std::to_string(r.model.num_params()); });
  row("trained loss", [&](const DemoResult& r) { return fmt("%.4f", r.report.loss); });
  row("trained accuracy %",
      [&](const DemoResult& r) { return fmt("%.1f", 100 * r.report.accuracy); });
  row("loss at origin (the model)", [&](const DemoResult& r) {
    return fmt("%.4f", r.summary["train"]["loss_at_origin"].get<double>());
  });
  row("min loss on the grid", [&](const DemoResult& r) {
    const auto& t = r.summary["train"];
    return fmt("%.4f", t["loss_min"].get<double>()) + " at (" +
           fmt("%.2f", t["argmin"][0].get<double>()) + ", " +
           fmt("%.2f", t["argmin"][1].get<double>()) + ")";
  });
  row("max loss on the grid", [&](const DemoResult& r) {
    return fmt("%.4f", r.summary["train"]["loss_max"].get<double>());
  });
  row("convex within noise", [](const DemoResult& r) {
    return std::string(r.analysis.convex_within_noise ? "yes" : "no");
  });
  row("negative curvature points", [](const DemoResult& r) {
    const CurvatureMaps& c = r.analysis.curvature.front();
    return std::to_string(c.directional_significant) + " of " + std::to_string(c.interior);
  });
  row("Jensen violations", [](const DemoResult& r) {
    return std::to_string(r.analysis.jensen.lines.significant +
                          r.analysis.jensen.offline.significant);
  });
  row("neg. curvature beyond plane", [&](const DemoResult& r) {
    return fmt("%.1f%% of probes", 100 * r.analysis.probe->fraction_significant_all);
  });
  row("noise floor sigma(f)/f",
      [&](const DemoResult& r) { return fmt("%.2g", r.analysis.noise.relative); });
  row("scan points/s", [&](const DemoResult& r) {
    return fmt("%.0f", r.summary["timing"]["points_per_second"].get<double>());
  });
  row("surface file", [](const DemoResult& r) { return r.surface_path; });
  return 0;
}

}  // namespace lscan
