// The subcommands. Each add_* registers its options on the parent app; each run_* returns the
// exit code and throws InputError for bad input.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "host/cli/options.h"

namespace lscan {

struct ScanOptions {
  std::string model, weights, out, summary;
  DataOptions data;
  RunOptions run;
  std::string x, y, z;
  uint64_t seed = 0;
  std::string norm = "filter", bias = "ignore";
  std::string model_b, directions;
};
CLI::App* add_scan_command(CLI::App& app, ScanOptions& o);
int run_scan_command(const ScanOptions& o, const std::string& command_line);

struct TrainCommandOptions {
  std::string model, weights, out;
  DataOptions data;
  RunOptions run;
  std::string optimizer = "adam";
  double lr = 1e-2;
  int epochs = 500;
  double weight_decay = 0;
  double tol = 0;
  uint64_t seed = 0;
  std::string dtype = "f32";
};
CLI::App* add_train_command(CLI::App& app, TrainCommandOptions& o);
int run_train_command(const TrainCommandOptions& o);

struct DemoOptions {
  std::string out_dir = "lscan-demo";
  RunOptions run;
  int grid = 31;
};
CLI::App* add_demo_command(CLI::App& app, DemoOptions& o);
int run_demo_command(const DemoOptions& o);

struct PermuteOptions {
  std::string model, weights, out;
  int layer = -1;  // -1: every hidden layer
  uint64_t seed = 0;
  bool quiet = false;
};
CLI::App* add_permute_command(CLI::App& app, PermuteOptions& o);
int run_permute_command(const PermuteOptions& o);

}  // namespace lscan
