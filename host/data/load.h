// The one entry point from the command line to a data set, whatever its source.
#pragma once

#include <string>

#include "host/data/dataset.h"

namespace lscan {

struct DataSource {
  std::string path;                 // a generator spec or the feature / image file (--data)
  std::string labels;               // the label file for npy and idx (--labels)
  std::string label_column = "-1";  // csv: header name or 0-based index, negative from the end
  std::string format = "auto";      // auto, generator, npy, csv, idx (--data-format)
  bool allow_nonfinite = false;     // accept NaN and Inf in npy and csv files
  std::string flag = "--data";      // the options that gave path and labels, for messages
  std::string labels_flag = "--labels";
};

// format auto: a generator spec (host/data/generators.h) is generated; otherwise the file name
// decides: *.npy -> npy, *.csv / *.tsv -> csv, a name containing "idx" -> MNIST IDX. npy and idx
// need `labels`; csv and generators take none. Throws InputError on an unknown format, a missing
// or superfluous label file, and whatever the reader rejects.
Dataset load_dataset(const DataSource& src);

}  // namespace lscan
