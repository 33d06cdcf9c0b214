#include "host/data/load.h"

#include <algorithm>
#include <cctype>

#include "host/core/error.h"
#include "host/data/csv.h"
#include "host/data/generators.h"
#include "host/data/idx.h"
#include "host/data/npy.h"

namespace lscan {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string detect_format(const std::string& path, const std::string& flag) {
  if (is_generator_spec(path)) return "generator";
  const std::string name = lower(path.substr(path.find_last_of('/') + 1));
  if (ends_with(name, ".npy")) return "npy";
  if (ends_with(name, ".csv") || ends_with(name, ".tsv")) return "csv";
  if (name.find("idx") != std::string::npos) return "idx";
  input_error("", flag,
              "cannot tell the format of '" + path +
                  "': expected a generator (blobs, spirals, xor, teacher, e.g. "
                  "blobs:n=1000,classes=3), a .npy feature file with --labels, a .csv file, or "
                  "MNIST IDX files (a name containing 'idx') with --labels; or name the format "
                  "with --data-format (npy, csv, idx, generator)");
}

}  // namespace

Dataset load_dataset(const DataSource& src) {
  if (src.path.empty()) input_error("", src.flag, "no data given");
  const std::string format = src.format == "auto" ? detect_format(src.path, src.flag) : src.format;
  const bool needs_labels = format == "npy" || format == "idx";
  if (needs_labels && src.labels.empty())
    input_error(src.path, src.labels_flag,
                format + " features need a label file beside them (" + src.labels_flag + " " +
                    (format == "npy" ? "y.npy" : "train-labels-idx1-ubyte") + ")");
  if (!needs_labels && !src.labels.empty() && (format == "csv" || format == "generator"))
    input_error(src.labels, src.labels_flag,
                format == "csv" ? "a csv file holds its own labels (choose them with "
                                  "--label-column); no label file is read"
                                : "a generator makes its own labels; no label file is read");

  if (format == "generator") return generate_dataset(src.path, src.flag);
  if (format == "npy") return read_npy_dataset(src.path, src.labels, src.allow_nonfinite);
  if (format == "csv") return read_csv_dataset(src.path, src.label_column, src.allow_nonfinite);
  if (format == "idx") return read_idx_dataset(src.path, src.labels);
  input_error("", "--data-format",
              "unknown format '" + src.format + "': expected auto, generator, npy, csv or idx");
}

}  // namespace lscan
