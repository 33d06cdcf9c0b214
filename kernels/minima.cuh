// The neighbour tests of critical-point detection on a grid, written once for the CPU reducers and
// CUDA kernels.
//
// Order: grid values are compared as (f, flat index) pairs, so that equal values (plateaus, exact
// ties in a symmetric function) still give a strict total order and every point has a well-defined
// class (simulation of simplicity, Edelsbrunner & Muecke 1990). NaN compares above every number.
//
// Neighbourhoods: 2 points in 1-D, the 8-ring in 2-D, the 26-cell shell of the 3 x 3 x 3 cube in
// 3-D. Shell cells are numbered t = (dx + 1) * 9 + (dy + 1) * 3 + (dz + 1), t != 13 (the centre).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/hd.cuh"

namespace lscan {

enum class CriticalKind : int8_t {
  Regular = 0,
  Minimum = 1,          // interior: below every neighbour
  Maximum = 2,          // interior: above every neighbour
  Saddle = 3,           // interior: see classify_ring8 and classify_shell26
  BoundaryMinimum = 4,  // on the grid's boundary, below every neighbour the grid has
};

// Whether (fa, ia) comes before (fb, ib) in the total order above.
LSCAN_HD LSCAN_INLINE bool point_below(double fa, long long ia, double fb, long long ib) {
  using std::isnan;
  const bool na = isnan(fa), nb = isnan(fb);
  if (na || nb) return na == nb ? ia < ib : nb;
  return fa < fb || (fa == fb && ia < ib);
}

// 2-D: upper[r] says whether ring neighbour r (in cyclic order around the centre) lies above the
// centre. No neighbour above: maximum; all above: minimum; otherwise the upper and lower arcs
// alternate, and 4 or more sign changes around the ring (two or more separate upper arcs) make a
// saddle, 2 a regular point.
LSCAN_HD LSCAN_INLINE CriticalKind classify_ring8(const bool* upper) {
  int above = 0, changes = 0;
  for (int r = 0; r < 8; ++r) {
    above += upper[r];
    changes += upper[r] != upper[(r + 1) % 8];
  }
  if (above == 8) return CriticalKind::Minimum;
  if (above == 0) return CriticalKind::Maximum;
  return changes >= 4 ? CriticalKind::Saddle : CriticalKind::Regular;
}

// Cells of the 26-shell that share a face with cell t (differ by one step in exactly one
// coordinate) and are not the centre, as a 27-bit mask.
LSCAN_HD LSCAN_INLINE uint32_t shell_neighbours(int t) {
  const int c[3] = {t / 9, (t / 3) % 3, t % 3};
  const int weight[3] = {9, 3, 1};
  uint32_t mask = 0;
  for (int axis = 0; axis < 3; ++axis) {
    for (int d = -1; d <= 1; d += 2) {
      const int x = c[axis] + d;
      if (x < 0 || x > 2) continue;
      const int u = t + d * weight[axis];
      if (u != 13) mask |= 1u << u;
    }
  }
  return mask;
}

// Connected components of the shell cells in `mask` under face adjacency.
LSCAN_HD LSCAN_INLINE int shell_components(uint32_t mask) {
  int count = 0;
  while (mask) {
    uint32_t comp = mask & (~mask + 1u);  // lowest set cell
    for (;;) {
      uint32_t grown = comp;
      for (int t = 0; t < 27; ++t)
        if (comp & (1u << t)) grown |= shell_neighbours(t) & mask;
      if (grown == comp) break;
      comp = grown;
    }
    mask &= ~comp;
    ++count;
  }
  return count;
}

// 3-D: upper is the mask of shell cells above the centre. Minimum: all 26 above; maximum: none.
// Otherwise a saddle when the cells above, or the cells below, fall into two or more face-connected
// components of the shell: the sublevel or superlevel set changes its number of components there,
// which is the 3-D reading of the 2-D rule (in the 8-ring, face adjacency is the cyclic order, and
// 4 or more sign changes means two or more upper arcs).
LSCAN_HD LSCAN_INLINE CriticalKind classify_shell26(uint32_t upper) {
  const uint32_t all = ((1u << 27) - 1u) & ~(1u << 13);
  upper &= all;
  const uint32_t lower = all & ~upper;
  if (lower == 0) return CriticalKind::Minimum;
  if (upper == 0) return CriticalKind::Maximum;
  return shell_components(upper) >= 2 || shell_components(lower) >= 2 ? CriticalKind::Saddle
                                                                      : CriticalKind::Regular;
}

// Class of point i (value fi) from its `count` neighbours: values fn[j], flat indices qn[j]
// (qn[j] < 0 for a neighbour off the grid, which makes i a boundary point). shell[j] is neighbour
// j's shell cell; in 2-D ring[r] lists the 8 neighbours in cyclic order. *lowest receives the
// lowest neighbour when it is below i, else i itself: the next step of the steepest-descent flow.
LSCAN_HD LSCAN_INLINE CriticalKind classify_point(double fi, long long i, const double* fn,
                                                  const long long* qn, int count, int dims,
                                                  const int* shell, const int* ring,
                                                  long long* lowest) {
  bool interior = true;
  bool upper[26];
  uint32_t upper_mask = 0;
  long long low = i;
  double flow = fi;
  for (int j = 0; j < count; ++j) {
    upper[j] = true;
    if (qn[j] < 0) {
      interior = false;
      continue;
    }
    upper[j] = point_below(fi, i, fn[j], qn[j]);
    if (upper[j]) upper_mask |= 1u << shell[j];
    if (point_below(fn[j], qn[j], flow, low)) {
      low = qn[j];
      flow = fn[j];
    }
  }
  *lowest = low;
  if (!interior) return low == i ? CriticalKind::BoundaryMinimum : CriticalKind::Regular;
  if (dims == 1) {
    if (upper[0] && upper[1]) return CriticalKind::Minimum;
    if (!upper[0] && !upper[1]) return CriticalKind::Maximum;
    return CriticalKind::Regular;
  }
  if (dims == 2) {
    bool cyc[8];
    for (int r = 0; r < 8; ++r) cyc[r] = upper[ring[r]];
    return classify_ring8(cyc);
  }
  return classify_shell26(upper_mask);
}

}  // namespace lscan
