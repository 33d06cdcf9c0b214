// MNIST IDX files (LeCun et al.), big-endian:
//   images: magic 0x00000803 (unsigned bytes, 3 dimensions), n, rows, cols, then n*rows*cols bytes
//   labels: magic 0x00000801 (unsigned bytes, 1 dimension), n, then n bytes
// Pixels become features in [0, 1] (value / 255), d = rows * cols; labels are class indices.
// Gzip-compressed files (as downloaded) must be decompressed with gunzip first.
#pragma once

#include <string>

#include "host/data/dataset.h"

namespace lscan {

// Throws InputError naming the file at fault on a gzip file, a wrong magic number, a size that
// differs from the header's, or a sample count that differs between the two files.
Dataset read_idx_dataset(const std::string& images, const std::string& labels);

}  // namespace lscan
