// The engine's interface. Every evaluation is a batch of coefficient vectors: a backend returns the
// full-data loss and accuracy at theta0 + sum_i c_i d_i for each row c of a (B, k) matrix. Grid
// points, stencils, paths and ensembles all go through Backend::evaluate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/data/dataset.h"
#include "host/grid/direction.h"
#include "host/model/model.h"
#include "host/model/targets.h"

namespace lscan {

// fp32 (default): fp32 storage and GEMMs, fp64 loss accumulation. tf32 and bf16 are tensor-core
// modes of the CUDA backend.
enum class Precision { FP64, FP32, TF32, BF16 };
const char* precision_name(Precision p);
Precision parse_precision(const std::string& s);  // throws InputError naming --precision

// What is evaluated. The referenced objects must outlive the backend.
struct EvalSetup {
  const Model* model = nullptr;
  const std::vector<Direction>* directions = nullptr;  // k directions, each (P)
  const Dataset* data = nullptr;
  const Targets* targets = nullptr;
  Precision precision = Precision::FP32;
  double max_memory = 0;  // bytes for one tile's buffers; 0 picks a default from the machine
  int64_t tile = 0;       // points per tile; 0 sizes it from max_memory
  int64_t chunk = 0;      // samples per chunk; 0 sizes it from max_memory
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // The most points one evaluate() call takes, from the memory budget.
  virtual int64_t max_tile() const = 0;
  // Samples per chunk.
  virtual int64_t chunk() const = 0;
  // coeffs: (B, k) row-major, B <= max_tile(). loss[b]: mean loss over the samples;
  // acc[b]: fraction of samples classified correctly (0 for regression data).
  virtual void evaluate(const double* coeffs, int64_t B, double* loss, double* acc) = 0;
};

std::unique_ptr<Backend> make_cpu_backend(const EvalSetup& setup);

// Checks shapes common to every backend (directions of length P, targets of n rows, k >= 0) and
// throws InputError or std::invalid_argument.
void check_eval_setup(const EvalSetup& setup);

// Bytes of physical memory on this machine.
double physical_memory_bytes();

}  // namespace lscan
