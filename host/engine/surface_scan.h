// A scan of a loss surface: a grid of coefficient vectors along k directions, evaluated on the
// training data (and the test data when there is some) by one backend, then written as the HDF5
// surface file and summarised.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/engine/backend.h"
#include "host/engine/device.h"
#include "host/grid/direction.h"
#include "host/grid/grid.h"
#include "host/io/surface_file.h"
#include "host/model/model.h"
#include "host/model/targets.h"

namespace lscan {

struct ScanRequest {
  const Model* model = nullptr;
  const Dataset* train = nullptr;
  const Dataset* test = nullptr;      // optional
  std::vector<Direction> directions;  // one per grid axis
  Grid grid;
  Precision precision = Precision::FP32;
  DeviceChoice device;
  double max_memory = 0;  // bytes, 0 = backend default
  int64_t tile = 0;       // points per tile, 0 = from the memory budget
  // Called after every tile: which data set ("train" or "test"), points done, points in all.
  std::function<void(const std::string& set, int64_t done, int64_t total)> on_progress;
};

struct Surface {
  Grid grid;
  std::vector<Direction> directions;
  std::vector<double> train_loss, train_acc;  // (npoints), accuracy as a fraction
  std::vector<double> test_loss, test_acc;    // empty without test data
  bool classification = true;
  Precision precision = Precision::FP32;
  std::string backend;
  int64_t tile = 0, chunk = 0;  // of the training set's backend: points per tile, samples per chunk
  double seconds = 0;           // evaluation time, both data sets
};

// The backend for a device choice.
std::unique_ptr<Backend> make_backend(const DeviceChoice& device, const EvalSetup& setup);

Surface scan_surface(const ScanRequest& request);

// The evaluation setup of a request on one data set (model, directions, precision, memory).
EvalSetup eval_setup(const ScanRequest& request, const Dataset& data, const Targets& targets);

// Provenance written beside the surface: model hash, data description, seed, ...
struct ScanProvenance {
  std::string model_spec, model_weights, model_hash;
  std::string train_data, test_data;
  int64_t train_samples = 0, test_samples = 0;
  uint64_t seed = 0;
  std::string command_line;
};

SurfaceFile to_surface_file(const Surface& s, const Model& model, const ScanProvenance& p);

// The JSON summary (stable keys, documented in the README).
nlohmann::json surface_summary(const Surface& s, const Model& model, const ScanProvenance& p);

}  // namespace lscan
