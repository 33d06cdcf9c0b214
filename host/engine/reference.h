// The test oracle: a plain per-point fp64 evaluator with no BLAS, no tiling and no chunking.
// Not a user path; the engine's fast paths are checked against it.
#pragma once

#include <vector>

#include "host/data/dataset.h"
#include "host/grid/direction.h"
#include "host/model/model.h"
#include "host/model/targets.h"

namespace lscan {

// loss and accuracy at theta0 + sum_i c[i] d_i; c has directions.size() entries.
void reference_evaluate(const Model& model, const std::vector<Direction>& directions,
                        const Dataset& data, const Targets& targets, const double* c, double* loss,
                        double* acc);

}  // namespace lscan
