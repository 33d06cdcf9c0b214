#include "host/engine/surface_scan.h"

#include "host/analysis/surface_stats.h"
#include "host/core/error.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/scan.h"
#include "host/model/targets.h"

namespace lscan {

std::unique_ptr<Backend> make_backend(const DeviceChoice& device, const EvalSetup& setup) {
  if (device.cuda) return make_cuda_backend(setup, device.index);
  return make_cpu_backend(setup);
}

EvalSetup eval_setup(const ScanRequest& r, const Dataset& data, const Targets& targets) {
  EvalSetup setup;
  setup.model = r.model;
  setup.directions = &r.directions;
  setup.data = &data;
  setup.targets = &targets;
  setup.precision = r.precision;
  setup.max_memory = r.max_memory;
  setup.tile = r.tile;
  return setup;
}

namespace {

void evaluate_set(const ScanRequest& r, const Dataset& data, const std::string& set,
                  const std::vector<double>& coeffs, std::vector<double>& loss,
                  std::vector<double>& acc, Surface& out) {
  const Targets targets = make_targets(r.model->spec, data, data.description);
  auto backend = make_backend(r.device, eval_setup(r, data, targets));
  const int64_t total = r.grid.num_points();
  const PointValues v = evaluate_points(*backend, coeffs, r.grid.dims(), [&](int64_t done) {
    if (r.on_progress) r.on_progress(set, done, total);
  });
  loss = v.loss;
  acc = v.acc;
  out.backend = backend->name();
  if (set == "train") {  // the test set's backend plans for its own (smaller) sample count
    out.tile = backend->max_tile();
    out.chunk = backend->chunk();
  }
  out.seconds += v.seconds;
}

}  // namespace

Surface scan_surface(const ScanRequest& r) {
  if (r.grid.dims() < 1 || r.grid.dims() > 3)
    input_error("", "--x/--y/--z", "a scan needs 1 to 3 grid axes");
  if (static_cast<int>(r.directions.size()) != r.grid.dims())
    input_error("", "directions",
                "expected one direction per grid axis (" + std::to_string(r.grid.dims()) +
                    "), found " + std::to_string(r.directions.size()));
  Surface s;
  s.grid = r.grid;
  s.directions = r.directions;
  s.precision = r.precision;
  s.classification = r.train->classification;
  const auto coeffs = r.grid.coefficient_matrix();  // (npoints, k)
  evaluate_set(r, *r.train, "train", coeffs, s.train_loss, s.train_acc, s);
  if (r.test) evaluate_set(r, *r.test, "test", coeffs, s.test_loss, s.test_acc, s);
  return s;
}

namespace {

std::vector<double> percent(const std::vector<double>& fraction) {
  std::vector<double> p(fraction.size());
  for (size_t i = 0; i < p.size(); ++i) p[i] = 100.0 * fraction[i];
  return p;
}

nlohmann::json map_summary(const Surface& s, const std::vector<double>& loss,
                           const std::vector<double>& acc) {
  const MapStats st = map_stats(loss);
  const int k = s.grid.dims();
  auto coords = [&](int64_t index) {
    std::vector<double> c(static_cast<size_t>(k));
    s.grid.coefficients(index, c.data());
    return c;
  };
  nlohmann::json j;
  j["loss_min"] = st.argmin >= 0 ? nlohmann::json(st.min) : nlohmann::json();
  j["loss_max"] = st.argmax >= 0 ? nlohmann::json(st.max) : nlohmann::json();
  j["argmin"] = st.argmin >= 0 ? nlohmann::json(coords(st.argmin)) : nlohmann::json();
  j["argmax"] = st.argmax >= 0 ? nlohmann::json(coords(st.argmax)) : nlohmann::json();
  j["nonfinite_points"] = st.nonfinite;
  if (s.classification && st.argmin >= 0) j["accuracy_at_argmin"] = acc[st.argmin];
  // The model itself, when the origin is a grid point.
  int64_t origin = 0;
  bool on_grid = true;
  for (const GridAxis& a : s.grid.axes) {
    int hit = -1;
    for (int i = 0; i < a.num; ++i)
      if (a.at(i) == 0.0) hit = i;
    if (hit < 0) on_grid = false;
    origin = origin * a.num + (hit < 0 ? 0 : hit);
  }
  if (on_grid) {
    j["loss_at_origin"] = loss[origin];
    if (s.classification) j["accuracy_at_origin"] = acc[origin];
  }
  return j;
}

}  // namespace

SurfaceFile to_surface_file(const Surface& s, const Model& model, const ScanProvenance& p) {
  SurfaceFile f;
  f.axes = s.grid.axes;
  f.maps["train_loss"] = s.train_loss;
  if (s.classification) f.maps["train_acc"] = percent(s.train_acc);
  if (!s.test_loss.empty()) {
    f.maps["test_loss"] = s.test_loss;
    if (s.classification) f.maps["test_acc"] = percent(s.test_acc);
  }
  for (const Direction& d : s.directions) f.directions.push_back(d.v);
  for (const TensorInfo& t : model.tensors) {
    f.tensor_names.push_back(t.name);
    f.tensor_shapes.push_back(t.shape);
  }
  std::string kinds;
  for (const Direction& d : s.directions) kinds += (kinds.empty() ? "" : "; ") + d.kind;
  f.text_attrs["lscan_version"] = LSCAN_VERSION;
  f.text_attrs["precision"] = precision_name(s.precision);
  f.text_attrs["backend"] = s.backend;
  f.text_attrs["model_hash"] = p.model_hash;
  f.text_attrs["model_spec"] = p.model_spec;
  f.text_attrs["model_weights"] = p.model_weights;
  f.text_attrs["loss"] = loss_name(model.spec.loss);
  f.text_attrs["train_data"] = p.train_data;
  if (!p.test_data.empty()) f.text_attrs["test_data"] = p.test_data;
  f.text_attrs["directions"] = kinds;
  if (!p.command_line.empty()) f.text_attrs["command_line"] = p.command_line;
  f.number_attrs["seed"] = static_cast<double>(p.seed);
  f.number_attrs["train_samples"] = static_cast<double>(p.train_samples);
  if (p.test_samples > 0) f.number_attrs["test_samples"] = static_cast<double>(p.test_samples);
  f.number_attrs["num_params"] = static_cast<double>(model.num_params());
  return f;
}

nlohmann::json surface_summary(const Surface& s, const Model& model, const ScanProvenance& p) {
  nlohmann::json j;
  j["lscan_version"] = LSCAN_VERSION;
  j["model"] = {{"spec", p.model_spec},
                {"weights", p.model_weights},
                {"hash", p.model_hash},
                {"num_params", model.num_params()},
                {"loss", loss_name(model.spec.loss)}};
  j["data"] = {{"train", p.train_data}, {"train_samples", p.train_samples}};
  if (!p.test_data.empty()) {
    j["data"]["test"] = p.test_data;
    j["data"]["test_samples"] = p.test_samples;
  }
  nlohmann::json axes = nlohmann::json::array();
  for (const GridAxis& a : s.grid.axes)
    axes.push_back({{"min", a.min}, {"max", a.max}, {"num", a.num}});
  j["grid"] = {{"axes", axes}, {"points", s.grid.num_points()}};
  nlohmann::json dirs = nlohmann::json::array();
  for (const Direction& d : s.directions) dirs.push_back(d.kind);
  j["directions"] = dirs;
  j["seed"] = p.seed;
  j["precision"] = precision_name(s.precision);
  j["backend"] = s.backend;
  j["train"] = map_summary(s, s.train_loss, s.train_acc);
  if (!s.test_loss.empty()) j["test"] = map_summary(s, s.test_loss, s.test_acc);
  const int64_t evaluated = s.grid.num_points() * (s.test_loss.empty() ? 1 : 2);
  j["timing"] = {{"seconds", s.seconds},
                 {"points_evaluated", evaluated},
                 {"points_per_second", s.seconds > 0 ? evaluated / s.seconds : 0.0},
                 {"tile", s.tile},
                 {"chunk", s.chunk}};
  return j;
}

}  // namespace lscan
