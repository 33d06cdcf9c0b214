#include "host/cli/options.h"

#include <cctype>
#include <cmath>

#include "host/core/error.h"
#include "host/data/split.h"

namespace lscan {

void add_data_options(CLI::App& app, DataOptions& o) {
  app.add_option("--data", o.train.path,
                 "Training data: a .npy/.csv/IDX file, or a generator such as "
                 "blobs:n=1000,dim=2,classes=3,seed=0 (blobs, spirals, xor, teacher)")
      ->required();
  app.add_option("--labels", o.train.labels, "Label file for .npy or IDX features");
  app.add_option("--label-column", o.train.label_column,
                 "CSV label column: header name or 0-based index, negative from the end")
      ->capture_default_str();
  app.add_option("--data-format", o.train.format, "auto, generator, npy, csv or idx")
      ->capture_default_str();
  app.add_flag("--allow-nonfinite", o.train.allow_nonfinite,
               "Accept NaN and Inf in data and weights instead of rejecting them");
  app.add_option("--test-data", o.test_path, "Test data, same formats as --data");
  app.add_option("--test-labels", o.test_labels, "Label file for --test-data");
  app.add_option("--test-fraction", o.test_fraction,
                 "Hold out this fraction of --data as test data (seeded split)");
  app.add_option("--split-seed", o.split_seed, "Seed of the train/test split")
      ->capture_default_str();
}

LoadedData load_data(const DataOptions& o) {
  LoadedData d;
  // Any --test-fraction but the default 0 is split, so that split_dataset rejects a negative or
  // NaN one instead of ignoring it.
  const bool split = o.test_fraction != 0 || std::isnan(o.test_fraction);
  if (!o.test_path.empty() && split)
    input_error("", "--test-fraction", "give either --test-data or --test-fraction, not both");
  Dataset all = load_dataset(o.train);
  if (split) {
    auto parts = split_dataset(all, o.test_fraction, o.split_seed);
    d.train = std::move(parts.first);
    d.test = std::move(parts.second);
  } else {
    d.train = std::move(all);
  }
  if (!o.test_path.empty()) {
    DataSource t = o.train;
    t.path = o.test_path;
    t.labels = o.test_labels;
    t.flag = "--test-data";
    t.labels_flag = "--test-labels";
    d.test = load_dataset(t);
    if (d.test->d != d.train.d)
      input_error(o.test_path, "features",
                  "the test data has " + std::to_string(d.test->d) +
                      " features per sample, the training data " + std::to_string(d.train.d));
  }
  return d;
}

void add_run_options(CLI::App& app, RunOptions& o, RunKind kind) {
  app.add_option("--device", o.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  if (kind == RunKind::Train) {
    app.add_option("--max-memory", o.max_memory,
                   "CUDA only: device memory budget for the data and the pass's buffers, e.g. "
                   "512M or 4G (default: 70% of the device's free memory)");
  } else {
    app.add_option("--precision", o.precision,
                   "fp32 (fp64 loss accumulation), fp64, tf32 or bf16 (tensor cores, CUDA only)")
        ->capture_default_str();
    app.add_option("--max-memory", o.max_memory,
                   "Memory budget for one tile's buffers, e.g. 512M or 4G (default: on the CPU a "
                   "quarter of the machine's memory, at most 8G; on CUDA 70% of the device's free "
                   "memory)");
    app.add_option("--tile", o.tile, "Points per tile (default: from the memory budget)");
  }
  app.add_flag("-q,--quiet", o.quiet, "No progress and no tables; errors only");
}

double parse_bytes(const std::string& text, const std::string& flag) {
  if (text.empty()) return 0;
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::logic_error&) {
    input_error("", flag, "expected a size such as 512M or 4G, got '" + text + "'");
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double scale = 1;
  if (unit.empty() || unit == "B") {
    scale = 1;
  } else if (unit == "K" || unit == "KB" || unit == "KIB") {
    scale = 1024.0;
  } else if (unit == "M" || unit == "MB" || unit == "MIB") {
    scale = 1024.0 * 1024;
  } else if (unit == "G" || unit == "GB" || unit == "GIB") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "T" || unit == "TB" || unit == "TIB") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else {
    input_error(
        "", flag,
        "unknown unit '" + text.substr(used) + "' in '" + text + "': expected B, K, M, G or T");
  }
  if (!(v > 0) || !std::isfinite(v))
    input_error("", flag, "expected a positive size, got '" + text + "'");
  // Beyond a pebibyte the budget means nothing, and tile sizes computed from it would overflow.
  if (v * scale > 1024.0 * 1024 * 1024 * 1024 * 1024)
    input_error("", flag, "expected a size up to 1024T, got '" + text + "'");
  return v * scale;
}

std::string joined_command_line(int argc, char** argv) {
  std::string s;
  for (int i = 0; i < argc; ++i) {
    if (i) s += ' ';
    s += argv[i];
  }
  return s;
}

}  // namespace lscan
