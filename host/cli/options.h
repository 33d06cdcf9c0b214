// Option groups shared by the subcommands: the data, the run (device, precision, memory) and the
// model files.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "host/data/dataset.h"
#include "host/data/load.h"
#include "host/engine/backend.h"

namespace lscan {

struct DataOptions {
  DataSource train;
  std::string test_path, test_labels;
  double test_fraction = 0;
  uint64_t split_seed = 0;
};

void add_data_options(CLI::App& app, DataOptions& o);

struct LoadedData {
  Dataset train;
  std::optional<Dataset> test;
};

// Loads the training data and, from --test-data or --test-fraction, the test data.
LoadedData load_data(const DataOptions& o);

struct RunOptions {
  std::string device = "auto";
  std::string precision = "fp32";
  std::string max_memory;  // "512M", "2G", bytes
  int64_t tile = 0;
  bool quiet = false;
};

// What the run options are for: a scan (device, precision, memory budget of a tile, tile, quiet) or
// training (device, memory budget on CUDA, quiet).
enum class RunKind { Scan, Train };
void add_run_options(CLI::App& app, RunOptions& o, RunKind kind);

// "512M", "2G", "1.5GiB", "1000000" -> bytes. Throws InputError naming `flag`.
double parse_bytes(const std::string& text, const std::string& flag);

// The command line as one string, for provenance.
std::string joined_command_line(int argc, char** argv);

}  // namespace lscan
