// Minima, maxima and saddles of a gridded surface, its basins of attraction, and minima merged by
// persistence so that rounding noise does not create minima.
//
// Neighbours: 2 in 1-D, the 8 around a point in 2-D, the 26 of the 3 x 3 x 3 cube in 3-D, fewer
// on the boundary. Values are compared as (f, flat index), a strict total order (ties go to the
// lower index; NaN is above everything), see kernels/minima.cuh.
//
// Classes (interior points, those with every neighbour on the grid):
//   minimum   below all neighbours; maximum: above all neighbours
//   saddle    2-D: 4 or more sign changes of f(neighbour) - f(centre) around the 8-ring;
//             3-D: the neighbours above, or those below, form 2 or more face-connected groups in
//             the 26-shell (the same rule read in 3-D); 1-D: none
// A boundary point below all of its neighbours is a boundary minimum, counted apart: it is a
// minimum of the window, not necessarily of the loss.
//
// Basins: every point flows to its lowest neighbour while that neighbour is below it; the basin
// label of a point is the (interior or boundary) minimum where the flow ends.
// Saddle between two adjacent basins: over the neighbour pairs (p, q) with p in one and q in the
// other, the lowest max(f(p), f(q)); the saddle point is the higher end of that pair.
// Persistence: sweeping the basin adjacencies by saddle height (union-find, Kruskal order), two
// basins join at their saddle; the one with the higher minimum dies there with persistence
// f(saddle) - f(its minimum) and merges into the other. A minimum is significant when its
// persistence exceeds tau = k_tau sqrt(sigma(saddle)^2 + sigma(minimum)^2); the deepest minimum
// never dies and is always significant. Merged basins: an insignificant minimum's basin goes where
// it merged, repeatedly, until a significant minimum is reached.
#pragma once

#include <cstdint>
#include <vector>

#include "host/analysis/noise.h"
#include "host/grid/grid.h"
#include "kernels/minima.cuh"

namespace lscan {

struct Minimum {
  int64_t index = -1;     // flat grid index
  double value = 0;       // f there
  bool boundary = false;  // a boundary minimum
  // f(saddle) - value, where the basin joins one with a deeper minimum; +inf for the deepest.
  double persistence = 0;
  int64_t saddle_index = -1;  // that saddle's flat index (-1 for the deepest)
  double saddle_value = 0;    // f there (+inf for the deepest)
  int64_t merged_into = -1;   // flat index of the deeper minimum it joins there (-1: none)
  double tau = 0;             // k_tau sqrt(sigma(saddle)^2 + sigma(value)^2); 0 for the deepest
  bool significant = false;   // persistence > tau
};

struct BasinPair {
  int64_t a = -1, b = -1;     // the two basins' minima (flat indices), a < b
  double saddle = 0;          // saddle height between them
  int64_t saddle_index = -1;  // its flat index
};

struct CriticalPoints {
  std::vector<CriticalKind> kind;  // (npoints) class of every point
  int64_t minima = 0;              // interior minima
  int64_t maxima = 0;
  int64_t saddles = 0;
  int64_t boundary_minima = 0;
  std::vector<Minimum> sinks;         // every minimum, interior and boundary, by (value, index)
  std::vector<int64_t> basin;         // (npoints) flat index of the minimum each point flows to
  std::vector<BasinPair> adjacent;    // every pair of adjacent basins, sorted by (a, b)
  std::vector<int64_t> merged_basin;  // (npoints) the significant minimum after merging
  int64_t significant_minima = 0;     // significant interior minima
  int64_t significant_boundary_minima = 0;  // significant boundary minima
};

// f: (npoints) of `grid` (1 to 3 axes).
CriticalPoints critical_points(const Grid& grid, const std::vector<double>& f,
                               const NoiseModel& noise);

}  // namespace lscan
