#include "host/analysis/critical_points.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "host/analysis/grid_view.h"

namespace lscan {

namespace {

// The 3^dims - 1 neighbour offsets of a grid (padded axes never move).
struct Neighbourhood {
  int count = 0;
  int d[26][3];        // (count, 3) index steps
  int64_t offset[26];  // flat index step
  int shell[26];       // 3-D shell cell number (d0 + 1) * 9 + (d1 + 1) * 3 + (d2 + 1)
  int ring[8];         // 2-D: neighbour numbers in cyclic order around the centre

  explicit Neighbourhood(const GridView& g) {
    for (int a = -1; a <= 1; ++a)
      for (int b = -1; b <= 1; ++b)
        for (int c = -1; c <= 1; ++c) {
          const int step[3] = {a, b, c};
          bool ok = !(a == 0 && b == 0 && c == 0);
          for (int ax = g.dims; ax < 3; ++ax) ok = ok && step[ax] == 0;
          if (!ok) continue;
          for (int ax = 0; ax < 3; ++ax) d[count][ax] = step[ax];
          offset[count] = a * g.stride[0] + b * g.stride[1] + c * g.stride[2];
          shell[count] = (a + 1) * 9 + (b + 1) * 3 + (c + 1);
          ++count;
        }
    if (g.dims == 2) {
      const int order[8][2] = {{-1, -1}, {-1, 0}, {-1, 1}, {0, 1},
                               {1, 1},   {1, 0},  {1, -1}, {0, -1}};
      for (int r = 0; r < 8; ++r)
        for (int j = 0; j < count; ++j)
          if (d[j][0] == order[r][0] && d[j][1] == order[r][1]) ring[r] = j;
    }
  }

  bool inside(const GridView& g, const int64_t* ijk, int j) const {
    for (int ax = 0; ax < g.dims; ++ax) {
      const int64_t x = ijk[ax] + d[j][ax];
      if (x < 0 || x >= g.n[ax]) return false;
    }
    return true;
  }
};

struct Edge {
  int64_t a, b;  // basin minima, a < b
  double h;      // saddle candidate height, max(f(p), f(q))
  int64_t loc;   // its point
};

bool edge_below(const Edge& x, const Edge& y) {
  return point_below(x.h, x.loc, y.h, y.loc);
}

int64_t find_root(std::vector<int64_t>& parent, int64_t x) {
  while (parent[static_cast<size_t>(x)] != x) {
    parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    x = parent[static_cast<size_t>(x)];
  }
  return x;
}

}  // namespace

CriticalPoints critical_points(const Grid& grid, const std::vector<double>& f,
                               const NoiseModel& noise) {
  const GridView g(grid, f.size(), "critical_points");
  const Neighbourhood nb(g);
  const double* fv = f.data();
  const size_t np = static_cast<size_t>(g.size);
  CriticalPoints out;
  out.kind.assign(np, CriticalKind::Regular);
  std::vector<int64_t> next(np);  // (npoints) lowest neighbour below the point, or the point

  int64_t minima = 0, maxima = 0, saddles = 0, boundary_minima = 0;
#pragma omp parallel for schedule(static) reduction(+ : minima, maxima, saddles, boundary_minima)
  for (int64_t i = 0; i < g.size; ++i) {
    int64_t ijk[3];
    g.index_to_ijk(i, ijk);
    const bool interior = g.interior(ijk, 1);
    double fn[26];     // (count) neighbour values
    long long qn[26];  // (count) neighbour indices, -1 off the grid
    for (int j = 0; j < nb.count; ++j) {
      qn[j] = interior || nb.inside(g, ijk, j) ? i + nb.offset[j] : -1;
      fn[j] = qn[j] >= 0 ? fv[qn[j]] : 0.0;
    }
    long long lowest = i;
    const CriticalKind kind =
        classify_point(fv[i], i, fn, qn, nb.count, g.dims, nb.shell, nb.ring, &lowest);
    next[static_cast<size_t>(i)] = lowest;
    out.kind[static_cast<size_t>(i)] = kind;
    minima += kind == CriticalKind::Minimum;
    maxima += kind == CriticalKind::Maximum;
    saddles += kind == CriticalKind::Saddle;
    boundary_minima += kind == CriticalKind::BoundaryMinimum;
  }
  out.minima = minima;
  out.maxima = maxima;
  out.saddles = saddles;
  out.boundary_minima = boundary_minima;

  // Basins: pointer jumping on the descent forest, basin <- basin[basin] until every point
  // points at its root (about log2 of the longest descent path rounds).
  out.basin = next;
  std::vector<int64_t> jumped(np);
  for (bool changed = true; changed;) {
    changed = false;
#pragma omp parallel for schedule(static) reduction(|| : changed)
    for (int64_t i = 0; i < g.size; ++i) {
      const int64_t b = out.basin[static_cast<size_t>(i)];
      const int64_t bb = out.basin[static_cast<size_t>(b)];
      jumped[static_cast<size_t>(i)] = bb;
      changed = changed || bb != b;
    }
    out.basin.swap(jumped);
  }

  // Sinks, by (value, index), and their position in that list per point.
  for (int64_t i = 0; i < g.size; ++i)
    if (next[static_cast<size_t>(i)] == i) {
      Minimum m;
      m.index = i;
      m.value = fv[i];
      m.boundary = out.kind[static_cast<size_t>(i)] == CriticalKind::BoundaryMinimum;
      out.sinks.push_back(m);
    }
  std::sort(out.sinks.begin(), out.sinks.end(), [](const Minimum& x, const Minimum& y) {
    return point_below(x.value, x.index, y.value, y.index);
  });
  std::vector<int64_t> sink_of(np, -1);  // flat index of a sink -> its rank in out.sinks
  for (size_t s = 0; s < out.sinks.size(); ++s)
    sink_of[static_cast<size_t>(out.sinks[s].index)] = static_cast<int64_t>(s);

  // Edges between basins: each neighbour pair once (positive offsets), the lowest per basin pair.
  std::vector<Edge> edges;
#pragma omp parallel
  {
    std::vector<Edge> mine;
#pragma omp for schedule(static) nowait
    for (int64_t i = 0; i < g.size; ++i) {
      int64_t ijk[3];
      g.index_to_ijk(i, ijk);
      const int64_t li = out.basin[static_cast<size_t>(i)];
      for (int j = 0; j < nb.count; ++j) {
        if (nb.offset[j] < 0 || !nb.inside(g, ijk, j)) continue;
        const int64_t q = i + nb.offset[j];
        const int64_t lq = out.basin[static_cast<size_t>(q)];
        if (lq == li) continue;
        const bool q_higher = point_below(fv[i], i, fv[q], q);
        Edge e{std::min(li, lq), std::max(li, lq), q_higher ? fv[q] : fv[i], q_higher ? q : i};
        // Keep only the lowest edge of a run for the same basin pair seen from this point.
        if (!mine.empty() && mine.back().a == e.a && mine.back().b == e.b) {
          if (edge_below(e, mine.back())) mine.back() = e;
        } else {
          mine.push_back(e);
        }
      }
    }
#pragma omp critical(lscan_basin_edges)
    edges.insert(edges.end(), mine.begin(), mine.end());
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    if (x.a != y.a) return x.a < y.a;
    if (x.b != y.b) return x.b < y.b;
    return edge_below(x, y);
  });
  for (const Edge& e : edges)
    if (out.adjacent.empty() || out.adjacent.back().a != e.a || out.adjacent.back().b != e.b)
      out.adjacent.push_back(BasinPair{e.a, e.b, e.h, e.loc});

  // Persistence: join basins in saddle order; the root of a component is its deepest sink.
  std::vector<size_t> order(out.adjacent.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const BasinPair& p = out.adjacent[x];
    const BasinPair& q = out.adjacent[y];
    return point_below(p.saddle, p.saddle_index, q.saddle, q.saddle_index);
  });
  const int64_t nsinks = static_cast<int64_t>(out.sinks.size());
  std::vector<int64_t> parent(static_cast<size_t>(nsinks));  // ranks in out.sinks
  std::iota(parent.begin(), parent.end(), int64_t{0});
  for (Minimum& m : out.sinks) {
    m.persistence = std::numeric_limits<double>::infinity();
    m.saddle_value = std::numeric_limits<double>::infinity();
  }
  for (size_t e : order) {
    const BasinPair& p = out.adjacent[e];
    const int64_t ra = find_root(parent, sink_of[static_cast<size_t>(p.a)]);
    const int64_t rb = find_root(parent, sink_of[static_cast<size_t>(p.b)]);
    if (ra == rb) continue;
    const int64_t older = std::min(ra, rb), younger = std::max(ra, rb);  // ranks: lower is deeper
    Minimum& y = out.sinks[static_cast<size_t>(younger)];
    y.persistence = p.saddle - y.value;
    y.saddle_index = p.saddle_index;
    y.saddle_value = p.saddle;
    y.merged_into = out.sinks[static_cast<size_t>(older)].index;
    const double ss = noise.sigma(p.saddle), sm = noise.sigma(y.value);
    y.tau = noise.k_tau * std::sqrt(ss * ss + sm * sm);
    parent[static_cast<size_t>(younger)] = older;
  }

  // Significant minima, and where each insignificant one's basin ends up: merged_into is always
  // deeper, so walking the sinks from the deepest resolves every chain in one pass.
  std::vector<int64_t> target(static_cast<size_t>(nsinks));  // sink rank -> flat index
  for (int64_t s = 0; s < nsinks; ++s) {
    Minimum& m = out.sinks[static_cast<size_t>(s)];
    m.significant = m.merged_into < 0 || m.persistence > m.tau;
    if (m.significant) {
      target[static_cast<size_t>(s)] = m.index;
      (m.boundary ? out.significant_boundary_minima : out.significant_minima) += 1;
    } else {
      target[static_cast<size_t>(s)] =
          target[static_cast<size_t>(sink_of[static_cast<size_t>(m.merged_into)])];
    }
  }
  out.merged_basin.resize(np);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < g.size; ++i)
    out.merged_basin[static_cast<size_t>(i)] = target[static_cast<size_t>(
        sink_of[static_cast<size_t>(out.basin[static_cast<size_t>(i)])])];
  return out;
}

}  // namespace lscan
