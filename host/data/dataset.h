// A data set held in fp64 on the host: features X (N, d) row-major and targets Y (N, ty).
// Classification data has ty = 1 and integer class labels 0..num_classes-1 stored as doubles;
// regression data has float targets (ty >= 1) and num_classes = 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lscan {

struct Dataset {
  int64_t n = 0;
  int d = 0;
  std::vector<double> X;  // (n, d)
  int ty = 1;
  std::vector<double> Y;  // (n, ty)
  bool classification = true;
  int num_classes = 0;      // classification only: 1 + max label
  std::string description;  // "blobs(n=1000, dim=2, classes=3, seed=0)" or the file names
};

}  // namespace lscan
