#include "host/data/csv.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "host/core/error.h"
#include "host/data/reader.h"

namespace lscan {

namespace {

// Trimmed cells, one pair of surrounding double quotes removed.
std::vector<std::string> split_cells(const std::string& line, char sep) {
  std::vector<std::string> cells;
  std::string cur;
  std::istringstream in(line);
  while (std::getline(in, cur, sep)) {
    cur = trim(cur);
    if (cur.size() >= 2 && cur.front() == '"' && cur.back() == '"')
      cur = trim(cur.substr(1, cur.size() - 2));
    cells.push_back(cur);
  }
  if (!line.empty() && line.back() == sep) cells.emplace_back();
  return cells;
}

bool parse_number(const std::string& cell, double* v) {
  if (cell.empty()) return false;
  char* end = nullptr;
  *v = std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size();
}

char detect_separator(const std::string& line) {
  char best = ',';
  long best_count = 0;
  for (char sep : {',', ';', '\t'}) {
    const long c = std::count(line.begin(), line.end(), sep);
    if (c > best_count) {
      best = sep;
      best_count = c;
    }
  }
  return best;
}

struct Line {
  int number;  // 1-based line in the file
  std::string text;
};

std::vector<Line> read_lines(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) reject_file(path, "open");
  std::vector<Line> lines;
  std::string text;
  for (int number = 1; std::getline(f, text); ++number) {
    if (number == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // UTF-8 BOM
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (trim(text).empty()) continue;
    lines.push_back({number, text});
  }
  return lines;
}

// The 0-based column that holds the label.
int resolve_label_column(const std::string& label_column, const std::vector<std::string>& header,
                         int ncols, const std::string& path) {
  const auto named = std::find(header.begin(), header.end(), label_column);
  if (named != header.end()) return static_cast<int>(named - header.begin());
  char* end = nullptr;
  const long index = std::strtol(label_column.c_str(), &end, 10);
  const bool is_index = !label_column.empty() && end == label_column.c_str() + label_column.size();
  if (!is_index) {
    if (header.empty())
      input_error(path, "label column",
                  "the file has no header row, so the label column '" + label_column +
                      "' must be a 0-based index (negative counts from the end)");
    std::string names;
    for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
    input_error(path, "label column",
                "no column named '" + label_column + "'; the header has: " + names);
  }
  const long resolved = index < 0 ? index + ncols : index;
  if (resolved < 0 || resolved >= ncols)
    input_error(path, "label column",
                "index " + label_column + " is out of range: the file has " +
                    std::to_string(ncols) + " columns (0.." + std::to_string(ncols - 1) +
                    ", or -1..-" + std::to_string(ncols) + " from the end)");
  return static_cast<int>(resolved);
}

}  // namespace

Dataset read_csv_dataset(const std::string& path, const std::string& label_column,
                         bool allow_nonfinite) {
  const std::vector<Line> lines = read_lines(path);
  if (lines.empty()) input_error(path, "", "the file is empty");
  const char sep = detect_separator(lines[0].text);

  std::vector<std::string> header = split_cells(lines[0].text, sep);
  const auto ncols = static_cast<int>(header.size());
  const bool has_header = std::any_of(header.begin(), header.end(), [](const std::string& c) {
    double v;
    return !parse_number(c, &v);
  });
  if (!has_header) header.clear();
  if (ncols < 2)
    input_error(
        path, "line " + std::to_string(lines[0].number),
        "expected at least 2 columns (features and a label), found " + std::to_string(ncols));
  const int label = resolve_label_column(label_column, header, ncols, path);

  Dataset ds;
  ds.d = ncols - 1;
  std::vector<double> y;
  for (size_t li = has_header ? 1 : 0; li < lines.size(); ++li) {
    const Line& line = lines[li];
    const std::string where = "line " + std::to_string(line.number);
    const std::vector<std::string> cells = split_cells(line.text, sep);
    if (static_cast<int>(cells.size()) != ncols)
      input_error(path, where,
                  "expected " + std::to_string(ncols) + " columns (as on line " +
                      std::to_string(lines[0].number) + "), found " + std::to_string(cells.size()));
    for (int c = 0; c < ncols; ++c) {
      const std::string& cell = cells[static_cast<size_t>(c)];
      double v = 0;
      const auto field = [&] {
        std::string f = where + ", column " + std::to_string(c + 1);
        if (has_header) f += " ('" + header[static_cast<size_t>(c)] + "')";
        return f;
      };
      if (!parse_number(cell, &v))
        input_error(path, field(), "expected a number, found '" + cell + "'");
      if (!allow_nonfinite && !std::isfinite(v)) reject_nonfinite(path, field(), v);
      if (c == label)
        y.push_back(v);
      else
        ds.X.push_back(v);
    }
  }
  ds.n = static_cast<int64_t>(y.size());
  if (ds.n == 0) input_error(path, "", "the file has a header row but no data rows");
  const std::string label_name =
      has_header ? header[static_cast<size_t>(label)] : std::to_string(label);
  assign_targets(ds, std::move(y), 1, false, path);
  ds.description = path + " (label column '" + label_name + "')";
  return ds;
}

}  // namespace lscan
