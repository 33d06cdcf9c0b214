#include "host/io/surface_file.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "host/core/atomic_file.h"
#include "host/core/error.h"
#include "host/io/h5.h"

namespace lscan {

std::vector<int64_t> SurfaceFile::shape() const {
  std::vector<int64_t> dims;
  for (const auto& a : axes) dims.push_back(a.num);
  return dims;
}

int64_t SurfaceFile::num_points() const {
  int64_t n = 1;
  for (const auto& a : axes) n *= a.num;
  return n;
}

namespace {

const char* const kCoordinateNames[3] = {"xcoordinates", "ycoordinates", "zcoordinates"};
const char* const kDirectionGroups[3] = {"xdirection", "ydirection", "zdirection"};
const char* const kDirections = "directions";
const char* const kAccuracyUnitAttr = "accuracy_unit";
const char* const kTensorNameAttr = "name";
// HDF5 keeps an attribute in its object's header, whose messages hold at most 64 KiB.
const size_t kMaxTextAttrBytes = 60000;
// The most points per axis, as GridAxis::parse allows; it also bounds what a damaged file can make
// us allocate for a coordinate array.
const int64_t kMaxAxisPoints = 1000000;

template <typename T>
std::string shape_str(const std::vector<T>& dims) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < dims.size(); ++i) os << (i ? ", " : "") << dims[i];
  os << "]";
  return os.str();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool is_reserved_name(const std::string& name) {
  if (name == kDirections) return true;
  for (int i = 0; i < 3; ++i) {
    if (name == kCoordinateNames[i] || name == kDirectionGroups[i]) return true;
  }
  return false;
}

int64_t num_elements(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<int64_t>());
}

// ------------------------------------------------------------------------------------------------
// Writing

[[noreturn]] void invalid(const std::string& path, const std::string& what) {
  throw std::invalid_argument("write_surface(" + path + "): " + what);
}

void validate_for_write(const std::string& path, const SurfaceFile& s) {
  const size_t k = s.axes.size();
  if (k < 1 || k > 3) invalid(path, "1 to 3 axes expected, got " + std::to_string(k));
  for (const auto& a : s.axes) {
    if (a.num < 1 || !std::isfinite(a.min) || !std::isfinite(a.max) ||
        (a.num > 1 && !(a.max > a.min))) {
      invalid(path, "bad axis " + a.str());
    }
  }
  const int64_t points = s.num_points();
  for (const auto& [name, values] : s.maps) {
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.' ||
        is_reserved_name(name)) {
      invalid(path, "map name '" + name + "' is empty, reserved or contains '/'");
    }
    if (static_cast<int64_t>(values.size()) != points) {
      invalid(path, "map '" + name + "' has " + std::to_string(values.size()) +
                        " values, the grid " + shape_str(s.shape()) + " has " +
                        std::to_string(points));
    }
  }
  if (!s.directions.empty()) {
    if (s.directions.size() != k) {
      invalid(path, std::to_string(s.directions.size()) + " directions for " + std::to_string(k) +
                        " axes");
    }
    for (const auto& d : s.directions) {
      if (d.empty() || d.size() != s.directions[0].size()) {
        invalid(path, "directions must be non-empty and of equal length");
      }
    }
  }
  if (s.tensor_names.size() != s.tensor_shapes.size()) {
    invalid(path, "tensor_names and tensor_shapes differ in length");
  }
  if (!s.tensor_shapes.empty()) {
    if (s.directions.empty()) invalid(path, "tensor shapes given without directions");
    int64_t total = 0;
    for (const auto& shape : s.tensor_shapes) {
      for (int64_t n : shape) {
        if (n < 1) invalid(path, "tensor shape " + shape_str(shape) + " has an empty dimension");
      }
      total += num_elements(shape);
    }
    if (total != static_cast<int64_t>(s.directions[0].size())) {
      invalid(path, "tensor sizes add up to " + std::to_string(total) + ", directions have " +
                        std::to_string(s.directions[0].size()) + " parameters");
    }
  }
  for (const auto& [name, value] : s.text_attrs) {
    if (name.empty()) invalid(path, "empty attribute name");
    if (value.size() > kMaxTextAttrBytes) {
      invalid(path, "attribute '" + name + "' has " + std::to_string(value.size()) +
                        " bytes, more than the " + std::to_string(kMaxTextAttrBytes) +
                        " an HDF5 attribute holds");
    }
    if (s.number_attrs.count(name)) invalid(path, "attribute '" + name + "' is text and number");
    if (name == kAccuracyUnitAttr && value != kAccuracyUnit) {
      invalid(path,
              std::string("accuracy_unit must be '") + kAccuracyUnit + "', got '" + value + "'");
    }
  }
  for (const auto& entry : s.number_attrs) {
    if (entry.first.empty() || entry.first == kAccuracyUnitAttr) {
      invalid(path, "bad number attribute '" + entry.first + "'");
    }
  }
}

class Writer {
 public:
  explicit Writer(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(path_ + ": HDF5 failed to write " + what);
  }

  // An fp64 dataset of shape `dims` (rank 0: a scalar) from row-major `data`.
  void write_array(hid_t loc, const std::string& name, const std::vector<int64_t>& dims,
                   const double* data) const {
    std::vector<hsize_t> hdims(dims.begin(), dims.end());
    H5Id space(hdims.empty()
                   ? H5Screate(H5S_SCALAR)
                   : H5Screate_simple(static_cast<int>(hdims.size()), hdims.data(), nullptr));
    if (!space.valid()) fail("the dataspace of '" + name + "'");
    H5Id dset(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT));
    if (!dset.valid()) fail("dataset '" + name + "'");
    if (H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
      fail("the values of '" + name + "'");
    }
  }

  // A scalar fixed-length, null-terminated UTF-8 string attribute (h5py reads it as bytes). Not
  // variable-length: those live in HDF5's global heap, where HDF5 1.10 crashes or hangs on a
  // damaged file instead of returning an error.
  void write_text_attr(hid_t loc, const std::string& name, const std::string& value) const {
    H5Id type(H5Tcopy(H5T_C_S1));
    if (!type.valid() || H5Tset_size(type.get(), value.size() + 1) < 0 ||
        H5Tset_strpad(type.get(), H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(type.get(), H5T_CSET_UTF8) < 0) {
      fail("the string type of attribute '" + name + "'");
    }
    H5Id space(H5Screate(H5S_SCALAR));
    H5Id attr(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid() || H5Awrite(attr.get(), type.get(), value.c_str()) < 0) {
      fail("attribute '" + name + "'");
    }
  }

  void write_number_attr(hid_t loc, const std::string& name, double value) const {
    H5Id space(H5Screate(H5S_SCALAR));
    H5Id attr(H5Acreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid() || H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
      fail("attribute '" + name + "'");
    }
  }

  // loss-landscape's direction layout (h5_util.write_list): group `group` with datasets "0",
  // "1", ... holding consecutive slices of `direction`, each shaped as its tensor.
  void write_direction_group(hid_t file, const std::string& group,
                             const std::vector<double>& direction, const SurfaceFile& s) const {
    H5Id g(H5Gcreate2(file, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!g.valid()) fail("group '" + group + "'");
    int64_t offset = 0;
    for (size_t t = 0; t < s.tensor_shapes.size(); ++t) {
      const std::string name = std::to_string(t);
      write_array(g.get(), name, s.tensor_shapes[t], direction.data() + offset);
      if (!s.tensor_names[t].empty()) {
        H5Id dset(H5Dopen2(g.get(), name.c_str(), H5P_DEFAULT));
        if (!dset.valid()) fail("dataset '" + group + "/" + name + "'");
        write_text_attr(dset.get(), kTensorNameAttr, s.tensor_names[t]);
      }
      offset += num_elements(s.tensor_shapes[t]);
    }
  }

 private:
  std::string path_;
};

// ------------------------------------------------------------------------------------------------
// Reading

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    input_error(path_, field, what);
  }

  void open() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) fail("", "is a directory, not an HDF5 file");
    FILE* probe = std::fopen(path_.c_str(), "rb");
    if (!probe) fail("", "cannot open: " + std::string(std::strerror(errno)));
    std::fclose(probe);
#if H5_VERSION_GE(1, 12, 0)
    const htri_t is_hdf5 = H5Fis_accessible(path_.c_str(), H5P_DEFAULT);
#else
    const htri_t is_hdf5 = H5Fis_hdf5(path_.c_str());
#endif
    if (is_hdf5 <= 0) fail("", "not an HDF5 file");
    file_ = H5Id(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file_.valid()) fail("", "not an HDF5 file, or a damaged (truncated?) one");
    hsize_t size = 0;
    if (H5Fget_filesize(file_.get(), &size) < 0) fail("", "cannot read the file size");
    file_size_ = size;
  }

  hid_t file() const {
    return file_.get();
  }

  bool has_link(hid_t loc, const std::string& name) const {
    return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
  }

  // Opens `name` under `loc` if it is a dataset; an invalid id if it is something else.
  H5Id open_dataset(hid_t loc, const std::string& name) const {
    H5Id obj(H5Oopen(loc, name.c_str(), H5P_DEFAULT));
    if (!obj.valid() || H5Iget_type(obj.get()) != H5I_DATASET) return H5Id();
    return obj;
  }

  std::vector<int64_t> dims_of(hid_t dset, const std::string& field) const {
    H5Id space(H5Dget_space(dset));
    const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 0) fail(field, "cannot read the shape (damaged file?)");
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0) {
      fail(field, "cannot read the shape (damaged file?)");
    }
    return std::vector<int64_t>(dims.begin(), dims.end());
  }

  H5T_class_t class_of(hid_t dset) const {
    H5Id type(H5Dget_type(dset));
    return type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  }

  // All values converted to fp64 (HDF5 converts fp32 and integer datasets on the fly).
  std::vector<double> read_values(hid_t dset, int64_t count, const std::string& field) const {
    check_fits_in_file(dset, count, field);
    std::vector<double> values(static_cast<size_t>(count));
    if (count > 0 &&
        H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
      fail(field, "cannot read the values (damaged file?)");
    }
    return values;
  }

  // A damaged header can claim any shape; refuse one that the file cannot hold before allocating
  // memory for it. Uncompressed (contiguous) data needs its bytes in the file; compressed
  // (chunked) data at most ~1032 times fewer, deflate's best ratio.
  void check_fits_in_file(hid_t dset, int64_t count, const std::string& field) const {
    H5Id type(H5Dget_type(dset));
    H5Id plist(H5Dget_create_plist(dset));
    const size_t type_size = type.valid() ? H5Tget_size(type.get()) : 0;
    const H5D_layout_t layout = plist.valid() ? H5Pget_layout(plist.get()) : H5D_LAYOUT_ERROR;
    if (type_size == 0 || layout == H5D_LAYOUT_ERROR) fail(field, "cannot be read (damaged file?)");
    const double bytes = static_cast<double>(count) * static_cast<double>(type_size);
    const double limit = static_cast<double>(file_size_) * (layout == H5D_CHUNKED ? 1100.0 : 1.0);
    if (bytes > limit) {
      fail(field, "claims " + std::to_string(count) + " values, more than the file holds " +
                      "(damaged file?)");
    }
  }

  // Names of the links in a group, in name order.
  std::vector<std::string> link_names(hid_t group, const std::string& field) const {
    H5G_info_t info;
    if (H5Gget_info(group, &info) < 0) fail(field, "cannot list the group (damaged file?)");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t len =
          H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (len < 0) fail(field, "cannot list the group (damaged file?)");
      std::string name(static_cast<size_t>(len) + 1, '\0');
      H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &name[0], name.size(),
                         H5P_DEFAULT);
      name.resize(static_cast<size_t>(len));
      names.push_back(name);
    }
    return names;
  }

  GridAxis read_axis(const std::string& name) const {
    H5Id dset = open_dataset(file(), name);
    if (!dset.valid()) fail(name, "is not a dataset");
    const H5T_class_t cls = class_of(dset.get());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail(name, "expected numbers");
    const std::vector<int64_t> dims = dims_of(dset.get(), name);
    if (dims.size() != 1 || dims[0] < 1 || dims[0] > kMaxAxisPoints) {
      fail(name, "expected a 1-D array of 1 to " + std::to_string(kMaxAxisPoints) +
                     " values, found shape " + shape_str(dims));
    }
    const std::vector<double> x = read_values(dset.get(), dims[0], name);
    for (size_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(x[i])) {
        fail(name, "value " + std::to_string(i) + " is not finite (" + std::to_string(x[i]) + ")");
      }
    }
    GridAxis axis;
    axis.min = x.front();
    axis.max = x.back();
    axis.num = static_cast<int>(x.size());
    if (axis.num > 1 && !(axis.max > axis.min)) fail(name, "expected increasing values");
    // Curvature needs a uniform step. The tolerance leaves room for coordinates saved as fp32.
    const double tol = axis.num > 1 ? 1e-3 * (axis.max - axis.min) / (axis.num - 1) : 0.0;
    for (int i = 0; i < axis.num; ++i) {
      if (std::fabs(x[static_cast<size_t>(i)] - axis.at(i)) > tol) {
        std::ostringstream os;
        os << "expected evenly spaced increasing values (numpy.linspace(" << axis.min << ", "
           << axis.max << ", " << axis.num << ")); value " << i << " is "
           << x[static_cast<size_t>(i)] << ", not " << axis.at(i);
        fail(name, os.str());
      }
    }
    return axis;
  }

  // A scalar string or number attribute of the root group; anything else is skipped.
  void read_attribute(const std::string& name, SurfaceFile& s) const {
    const std::string field = "attribute '" + name + "'";
    H5Id attr(H5Aopen(file(), name.c_str(), H5P_DEFAULT));
    if (!attr.valid()) fail(field, "cannot be opened (damaged file?)");
    H5Id space(H5Aget_space(attr.get()));
    H5Id type(H5Aget_type(attr.get()));
    if (!space.valid() || !type.valid()) fail(field, "cannot be read (damaged file?)");
    if (H5Sget_simple_extent_npoints(space.get()) != 1) return;
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
      double value = 0;
      if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail(field, "cannot be read");
      s.number_attrs[name] = value;
    } else if (cls == H5T_STRING) {
      s.text_attrs[name] = read_string(attr.get(), type.get(), field);
    }
  }

  std::string read_string(hid_t attr, hid_t file_type, const std::string& field) const {
    const htri_t variable = H5Tis_variable_str(file_type);
    if (variable < 0) fail(field, "cannot be read (damaged file?)");
    if (variable > 0) {
      H5Id mem_type(H5Tcopy(H5T_C_S1));
      H5Tset_size(mem_type.get(), H5T_VARIABLE);
      H5Tset_cset(mem_type.get(), H5Tget_cset(file_type));
      char* text = nullptr;
      if (H5Aread(attr, mem_type.get(), &text) < 0) fail(field, "cannot be read");
      std::string value = text ? text : "";
      H5free_memory(text);
      return value;
    }
    // Fixed length (numpy bytes): null- or space-padded to the type's size.
    const size_t size = H5Tget_size(file_type);
    std::string value(size, '\0');
    H5Id mem_type(H5Tcopy(file_type));
    if (size > 0 && H5Aread(attr, mem_type.get(), &value[0]) < 0) fail(field, "cannot be read");
    value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
    if (H5Tget_strpad(file_type) == H5T_STR_SPACEPAD) {
      value.erase(value.find_last_not_of(' ') + 1);
    }
    return value;
  }

  // Directions: the (k, P) `directions` dataset when present, else the concatenated tensors of the
  // xdirection, ydirection, ... groups; the tensor layout from the xdirection group.
  void read_directions(SurfaceFile& s) const {
    const size_t k = s.axes.size();
    if (has_link(file(), kDirections)) {
      H5Id dset = open_dataset(file(), kDirections);
      if (!dset.valid() || class_of(dset.get()) != H5T_FLOAT) fail(kDirections, "expected floats");
      const std::vector<int64_t> dims = dims_of(dset.get(), kDirections);
      if (dims.size() != 2 || dims[0] != static_cast<int64_t>(k) || dims[1] < 1) {
        fail(kDirections, "expected shape [" + std::to_string(k) +
                              ", P] (one row per axis), found " + shape_str(dims));
      }
      const std::vector<double> all = read_values(dset.get(), dims[0] * dims[1], kDirections);
      for (int64_t i = 0; i < dims[0]; ++i) {
        s.directions.emplace_back(all.begin() + i * dims[1], all.begin() + (i + 1) * dims[1]);
      }
    }
    if (!has_link(file(), kDirectionGroups[0])) return;
    for (size_t d = 0; d < k; ++d) {
      const std::string group_name = kDirectionGroups[d];
      if (!has_link(file(), group_name)) {
        if (!s.directions.empty()) break;  // `directions` has them all
        fail(group_name, "missing: xdirection is present, so one group per axis is expected");
      }
      H5Id group(H5Gopen2(file(), group_name.c_str(), H5P_DEFAULT));
      if (!group.valid()) fail(group_name, "expected a group");
      const size_t count = link_names(group.get(), group_name).size();
      std::vector<double> direction;
      for (size_t t = 0; t < count; ++t) {
        const std::string field = group_name + "/" + std::to_string(t);
        H5Id dset = open_dataset(group.get(), std::to_string(t));
        if (!dset.valid() || class_of(dset.get()) != H5T_FLOAT) {
          fail(field, "expected a float dataset (datasets are named 0, 1, ... in parameter order)");
        }
        const std::vector<int64_t> shape = dims_of(dset.get(), field);
        if (d == 0) {
          s.tensor_shapes.push_back(shape);
          s.tensor_names.push_back(read_tensor_name(dset.get(), field));
        } else if (t >= s.tensor_shapes.size() || shape != s.tensor_shapes[t]) {
          fail(field, "shape " + shape_str(shape) + " differs from xdirection's tensors");
        }
        if (s.directions.size() < k) {
          const std::vector<double> v = read_values(dset.get(), num_elements(shape), field);
          direction.insert(direction.end(), v.begin(), v.end());
        }
      }
      if (d > 0 && count != s.tensor_shapes.size()) {
        fail(group_name, std::to_string(count) + " tensors, xdirection has " +
                             std::to_string(s.tensor_shapes.size()));
      }
      if (s.directions.size() < k) {
        if (direction.empty()) fail(group_name, "holds no tensors");
        s.directions.push_back(std::move(direction));
      }
      if (d == 0 && !s.directions.empty()) {
        int64_t total = 0;
        for (const auto& shape : s.tensor_shapes) total += num_elements(shape);
        if (total != static_cast<int64_t>(s.directions[0].size())) {
          fail(group_name, "tensors hold " + std::to_string(total) + " values, directions have " +
                               std::to_string(s.directions[0].size()));
        }
      }
    }
  }

  std::string read_tensor_name(hid_t dset, const std::string& field) const {
    if (H5Aexists(dset, kTensorNameAttr) <= 0) return "";
    H5Id attr(H5Aopen(dset, kTensorNameAttr, H5P_DEFAULT));
    H5Id type(attr.valid() ? H5Aget_type(attr.get()) : H5I_INVALID_HID);
    if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING) {
      fail(field, "attribute 'name' is not a string");
    }
    return read_string(attr.get(), type.get(), field + " attribute 'name'");
  }

 private:
  std::string path_;
  H5Id file_;
  hsize_t file_size_ = 0;
};

herr_t collect_attribute_name(hid_t, const char* name, const H5A_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

}  // namespace

void write_surface(const std::string& path, const SurfaceFile& s) {
  validate_for_write(path, s);
  h5_silence_errors();
  AtomicOutput out(path);
  {
    // The HDF5 1.8 file format: every reader since 2008 (any h5py) opens it, and its metadata
    // carries checksums, so that a damaged file fails to open instead of misleading HDF5.
    H5Id fapl(H5Pcreate(H5P_FILE_ACCESS));
    if (!fapl.valid() || H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_V18) < 0) {
      throw std::runtime_error(path + ": cannot set up the HDF5 file format");
    }
    H5Id file(H5Fcreate(out.tmp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    if (!file.valid()) {
      input_error(
          path, "",
          "cannot create '" + out.tmp_path() + "' (does the directory exist, and is it writable?)");
    }
    const Writer w(path);
    const std::vector<int64_t> shape = s.shape();
    for (size_t i = 0; i < s.axes.size(); ++i) {
      const std::vector<double> x = s.axes[i].coordinates();
      w.write_array(file.get(), kCoordinateNames[i], {shape[i]}, x.data());
    }
    for (const auto& [name, values] : s.maps) w.write_array(file.get(), name, shape, values.data());
    if (!s.directions.empty()) {
      const int64_t k = static_cast<int64_t>(s.directions.size());
      const int64_t p = static_cast<int64_t>(s.directions[0].size());
      std::vector<double> all;  // (k, P)
      all.reserve(static_cast<size_t>(k * p));
      for (const auto& d : s.directions) all.insert(all.end(), d.begin(), d.end());
      w.write_array(file.get(), kDirections, {k, p}, all.data());
      if (!s.tensor_shapes.empty()) {
        for (size_t d = 0; d < s.directions.size(); ++d) {
          w.write_direction_group(file.get(), kDirectionGroups[d], s.directions[d], s);
        }
      }
    }
    for (const auto& [name, value] : s.text_attrs) {
      if (name != kAccuracyUnitAttr) w.write_text_attr(file.get(), name, value);
    }
    w.write_text_attr(file.get(), kAccuracyUnitAttr, kAccuracyUnit);
    for (const auto& [name, value] : s.number_attrs) w.write_number_attr(file.get(), name, value);
    if (file.close() < 0) w.fail("the file (is the disk full?)");
  }
  out.commit();
}

SurfaceFile read_surface(const std::string& path) {
  h5_silence_errors();
  Reader r(path);
  r.open();
  SurfaceFile s;

  if (!r.has_link(r.file(), kCoordinateNames[0])) {
    r.fail(kCoordinateNames[0], "missing: not an lscan or loss-landscape surface file");
  }
  for (int i = 0; i < 3; ++i) {
    if (!r.has_link(r.file(), kCoordinateNames[i])) break;
    s.axes.push_back(r.read_axis(kCoordinateNames[i]));
  }
  if (s.axes.size() < 3 && r.has_link(r.file(), kCoordinateNames[2])) {
    r.fail(kCoordinateNames[2], "present without ycoordinates");
  }
  if (s.num_points() > kMaxGridPoints) {
    r.fail(kCoordinateNames[s.axes.size() - 1],
           "the grid has " + std::to_string(s.num_points()) + " points, more than the " +
               std::to_string(kMaxGridPoints) + " lscan reads");
  }
  const std::vector<int64_t> shape = s.shape();
  std::string expected = "expected shape " + shape_str(shape) + " (len(xcoordinates)";
  for (size_t i = 1; i < shape.size(); ++i) {
    expected += std::string(", len(") + kCoordinateNames[i] + ")";
  }
  expected += ")";

  std::vector<std::string> attr_names;
  hsize_t idx = 0;
  if (H5Aiterate2(r.file(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attribute_name, &attr_names) <
      0) {
    r.fail("", "cannot list the attributes (damaged file?)");
  }
  for (const auto& name : attr_names) r.read_attribute(name, s);
  const auto unit = s.text_attrs.find(kAccuracyUnitAttr);
  if (unit != s.text_attrs.end() && unit->second != kAccuracyUnit) {
    r.fail(std::string("attribute ") + kAccuracyUnitAttr,
           std::string("expected '") + kAccuracyUnit + "', found '" + unit->second + "'");
  }

  for (const auto& name : r.link_names(r.file(), "/")) {
    if (is_reserved_name(name)) continue;
    H5Id dset = r.open_dataset(r.file(), name);
    if (!dset.valid() || r.class_of(dset.get()) != H5T_FLOAT) continue;
    const std::string field = "dataset '" + name + "'";
    const std::vector<int64_t> dims = r.dims_of(dset.get(), field);
    const bool named_as_map = ends_with(name, "_loss") || ends_with(name, "_acc");
    if (dims.size() != shape.size() && !named_as_map) continue;
    if (dims != shape) r.fail(field, expected + ", found " + shape_str(dims));
    s.maps[name] = r.read_values(dset.get(), s.num_points(), field);
  }

  r.read_directions(s);
  return s;
}

}  // namespace lscan
