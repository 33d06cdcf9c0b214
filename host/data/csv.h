// Numeric CSV files: one sample per line, one column holding the label and every other column a
// feature. The separator is the most frequent of ',', ';' and tab on the first line; the first
// line is a header when any of its cells is not a number. Blank lines are skipped; cells may be
// wrapped in double quotes. Line and column numbers in messages count from 1, as editors do.
#pragma once

#include <string>

#include "host/data/dataset.h"

namespace lscan {

// label_column: a header name, or a 0-based index where negative counts from the end ("-1" is the
// last column). A name in the header wins over reading the text as an index. Labels follow the
// rule in host/data/reader.h (float storage). NaN and Inf are rejected unless allow_nonfinite.
// Throws InputError naming the file and the line (and column) at fault.
Dataset read_csv_dataset(const std::string& path, const std::string& label_column,
                         bool allow_nonfinite);

}  // namespace lscan
