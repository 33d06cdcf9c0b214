// The subcommands. Each add_* registers its options on the parent app; each run_* returns the
// exit code and throws InputError for bad input.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "host/cli/options.h"

namespace lscan {

// Options of the reductions, shared by scan and analyze.
struct AnalysisCliOptions {
  std::vector<int> stencils = {1, 2, 4};
  double k_tau = 10;
  int64_t jensen_pairs = 100000;
};
void add_analysis_options(CLI::App& app, AnalysisCliOptions& o);
// Throws InputError for a --tau-factor that is not a finite number >= 0 or a --jensen-pairs
// outside 0..kMaxJensenPairs (NaN fails every check).
void check_analysis_options(const AnalysisCliOptions& o);
constexpr int64_t kMaxJensenPairs = 1000000000;

struct ScanOptions {
  std::string model, weights, out, summary;
  DataOptions data;
  RunOptions run;
  std::string x, y, z;
  uint64_t seed = 0;
  std::string norm = "filter", bias = "ignore";
  std::string model_b, directions;
  bool no_analyze = false;
  AnalysisCliOptions analysis;
  int curvature_dirs = 0;
  double curvature_step = 0;
  int curvature_every = 1;
  std::string curvature_kind = "rademacher";
  int64_t noise_check = 8;
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

struct AnalyzeOptions {
  std::string file, out, summary;
  AnalysisCliOptions analysis;
  double noise_relative = -1, noise_absolute = -1;  // < 0: from the file
  bool quiet = false;
};
CLI::App* add_analyze_command(CLI::App& app, AnalyzeOptions& o);
int run_analyze_command(const AnalyzeOptions& o);

struct PlotOptions {
  std::string file, prefix;
  bool quiet = false;
};
CLI::App* add_plot_command(CLI::App& app, PlotOptions& o);
int run_plot_command(const PlotOptions& o);

struct PermuteOptions {
  std::string model, weights, out;
  int layer = -1;  // -1: every hidden layer
  uint64_t seed = 0;
  bool quiet = false;
};
CLI::App* add_permute_command(CLI::App& app, PermuteOptions& o);
int run_permute_command(const PermuteOptions& o);

}  // namespace lscan
