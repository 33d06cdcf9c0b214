// The HDF5 surface file: the output of a scan, and the input of `lscan analyze`.
//
// The names and layout follow the Python tool loss-landscape (Li et al. 2018, plot_surface.py and
// h5_util.py), so that its plotting scripts read our files and we read theirs:
//
//   xcoordinates, ycoordinates, zcoordinates   (nx,), (ny,), (nz,) fp64: one per axis
//   train_loss, train_acc, test_loss, ...      (nx,) / (nx, ny) / (nx, ny, nz) fp64, indexed
//                                              [ix, iy, iz]: row-major, last axis fastest, as
//                                              Grid numbers its points
//   xdirection/0, xdirection/1, ...            direction 0 cut into the model's tensors, in
//   ydirection/..., zdirection/...             parameter order, each shaped as its tensor and
//                                              with its tensor name in the attribute "name"
//
// Beside them (ignored by loss-landscape):
//
//   directions                                 (k, P) fp64: the same directions, one row each
//   root attributes                            precision, model_hash, seed, ... (strings are
//                                              fixed-length UTF-8 of at most 60000 bytes, which
//                                              h5py reads as bytes; numbers are fp64)
//
// Files are written in the HDF5 1.8 format (any h5py reads it), whose metadata is checksummed, so
// a damaged file is reported instead of read wrongly or crashing HDF5.
//
// Accuracy maps (names ending in "_acc") hold percentages in [0, 100], in the file and in
// SurfaceFile::maps, as loss-landscape's evaluation.py stores them (`100. * correct / total`) and
// its plot_1D.py plots them (an axis from 0 to 100, error = 100 - acc). The root attribute
// accuracy_unit = "percent" says so; code that holds accuracy as a fraction multiplies by 100
// before writing.
//
// Any other map (curvature, labels, noise floors) is written and read back the same way. On
// reading, a map is any float dataset at the root whose rank is the grid's, apart from the
// coordinates and `directions`, or whose name ends in "_loss" or "_acc"; it must have the grid's
// shape.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "host/grid/grid.h"

namespace lscan {

struct SurfaceFile {
  std::vector<GridAxis> axes;                       // 1 to 3 (x, y, z)
  std::map<std::string, std::vector<double>> maps;  // each (nx, ny, nz) row-major, *_acc in %
  std::vector<std::vector<double>> directions;      // (k, P) with k = axes.size(), or empty
  // The model's tensors in parameter order, for the xdirection/... groups; empty, or with sizes
  // adding up to P. Names may be empty (loss-landscape's direction groups carry none).
  std::vector<std::string> tensor_names;
  std::vector<std::vector<int64_t>> tensor_shapes;
  std::map<std::string, std::string> text_attrs;  // precision, model_hash, lscan_version, ...
  std::map<std::string, double> number_attrs;     // seed, num_samples, ...

  // Axis sizes: (nx), (nx, ny) or (nx, ny, nz).
  std::vector<int64_t> shape() const;
  int64_t num_points() const;
};

// The value of the root attribute accuracy_unit, the only one lscan writes or accepts.
inline constexpr const char* kAccuracyUnit = "percent";

// Writes `s` to `path` through AtomicOutput: `path` is replaced only once the whole file is
// written. Throws std::invalid_argument if `s` is inconsistent (map sizes, direction lengths,
// tensor sizes, names), InputError naming `path` if the file cannot be created or renamed, and
// std::runtime_error if HDF5 fails while writing.
void write_surface(const std::string& path, const SurfaceFile& s);

// Reads an lscan surface file or a loss-landscape one (xcoordinates, optional ycoordinates and
// zcoordinates, maps; directions optional, from `directions` or else from the xdirection/...
// groups). Coordinates must be finite, increasing and evenly spaced (numpy.linspace). Throws
// InputError naming `path` and the dataset on anything wrong with the file.
SurfaceFile read_surface(const std::string& path);

}  // namespace lscan
