// The HDF5 surface file: exact round trips in 1-D, 2-D and 3-D, the loss-landscape layout checked
// with raw HDF5 calls, files written the way loss-landscape writes them (fp64 and fp32), and every
// kind of bad input turned into an InputError that names the file.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <stdlib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/core/error.h"
#include "host/io/h5.h"
#include "host/io/surface_file.h"

// HDF5 1.10 leaks memory inside itself when a metadata checksum fails (the damaged-file tests);
// keep LeakSanitizer builds of the tests from failing on that. Unused without a sanitizer.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libhdf5";
}

namespace lscan {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::path(::testing::TempDir()) / "lscan_surface_XXXXXX").string();
    ASSERT_NE(mkdtemp(&tmpl[0]), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

GridAxis axis(double min, double max, int num) {
  GridAxis a;
  a.min = min;
  a.max = max;
  a.num = num;
  return a;
}

// A surface whose every value is known: map values encode their grid index, direction d holds
// 1000 * d + i at parameter i, over two tensors "0.weight" [2, 3] and "0.bias" [2] (P = 8).
SurfaceFile make_surface(const std::vector<GridAxis>& axes) {
  SurfaceFile s;
  s.axes = axes;
  const int64_t n = s.num_points();
  for (const char* name : {"train_loss", "train_acc", "test_loss", "test_acc", "hessian_min_eig"}) {
    std::vector<double> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = 0.25 * static_cast<double>(i) + 0.5;
    s.maps[name] = v;
  }
  for (size_t d = 0; d < axes.size(); ++d) {
    std::vector<double> dir(8);
    for (size_t i = 0; i < dir.size(); ++i) dir[i] = 1000.0 * static_cast<double>(d) + i + 0.125;
    s.directions.push_back(dir);
  }
  s.tensor_names = {"0.weight", "0.bias"};
  s.tensor_shapes = {{2, 3}, {2}};
  s.text_attrs = {{"precision", "fp32"}, {"model_hash", "sha256:abc"}, {"data", "blobs(n=64)"}};
  s.number_attrs = {{"seed", 42}, {"num_samples", 64}, {"noise_floor", 1.5e-7}};
  return s;
}

void expect_same(const SurfaceFile& a, const SurfaceFile& b) {
  ASSERT_EQ(a.axes.size(), b.axes.size());
  for (size_t i = 0; i < a.axes.size(); ++i) {
    EXPECT_EQ(a.axes[i].min, b.axes[i].min) << i;
    EXPECT_EQ(a.axes[i].max, b.axes[i].max) << i;
    EXPECT_EQ(a.axes[i].num, b.axes[i].num) << i;
  }
  EXPECT_EQ(a.maps, b.maps);
  EXPECT_EQ(a.directions, b.directions);
  EXPECT_EQ(a.tensor_names, b.tensor_names);
  EXPECT_EQ(a.tensor_shapes, b.tensor_shapes);
  EXPECT_EQ(a.number_attrs, b.number_attrs);
  // The writer adds accuracy_unit.
  auto text = a.text_attrs;
  text["accuracy_unit"] = "percent";
  EXPECT_EQ(text, b.text_attrs);
}

// Raw HDF5 helpers, independent of the code under test, to build and inspect files.
void raw_write(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims,
               const std::vector<double>& values, hid_t file_type = H5T_IEEE_F64LE) {
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Id dset(
      H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  ASSERT_TRUE(dset.valid()) << name;
  ASSERT_GE(H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            0);
}

std::vector<double> raw_read(hid_t loc, const std::string& name, std::vector<hsize_t>* dims) {
  H5Id dset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
  EXPECT_TRUE(dset.valid()) << name;
  if (!dset.valid()) return {};
  H5Id space(H5Dget_space(dset.get()));
  dims->assign(static_cast<size_t>(H5Sget_simple_extent_ndims(space.get())), 0);
  H5Sget_simple_extent_dims(space.get(), dims->data(), nullptr);
  std::vector<double> v(static_cast<size_t>(H5Sget_simple_extent_npoints(space.get())));
  EXPECT_GE(H5Dread(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
  return v;
}

// A fixed-length string attribute, as lscan writes them.
std::string raw_string_attr(hid_t loc, const std::string& name) {
  H5Id attr(H5Aopen(loc, name.c_str(), H5P_DEFAULT));
  EXPECT_TRUE(attr.valid()) << name;
  if (!attr.valid()) return "";
  H5Id type(H5Aget_type(attr.get()));
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING);
  EXPECT_EQ(H5Tis_variable_str(type.get()), 0);
  std::string value(H5Tget_size(type.get()), '\0');
  EXPECT_GE(H5Aread(attr.get(), type.get(), &value[0]), 0);
  return value.substr(0, value.find('\0'));
}

std::vector<double> linspace(double a, double b, int n) {
  return axis(a, b, n).coordinates();
}

// A surface file as loss-landscape's plot_surface.py leaves it: coordinates from np.linspace,
// train_loss and train_acc (accuracy in percent) of shape (len(x), len(y)), and the path of its
// direction file as a string dataset. `type` is the file type of every float dataset.
void write_loss_landscape_file(const std::string& path, hid_t type, bool two_d) {
  H5Id f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  ASSERT_TRUE(f.valid());
  const std::vector<double> x = linspace(-0.7, 0.9, 5), y = linspace(-0.5, 0.5, 3);
  raw_write(f.get(), "xcoordinates", {5}, x, type);
  const size_t n = two_d ? 15 : 5;
  std::vector<double> loss(n), acc(n);
  for (size_t i = 0; i < n; ++i) {
    loss[i] = 2.5 + 0.5 * static_cast<double>(i);  // exact in fp32
    acc[i] = 100.0 - 4.0 * static_cast<double>(i);
  }
  if (two_d) {
    raw_write(f.get(), "ycoordinates", {3}, y, type);
    raw_write(f.get(), "train_loss", {5, 3}, loss, type);
    raw_write(f.get(), "train_acc", {5, 3}, acc, type);
  } else {
    raw_write(f.get(), "train_loss", {5}, loss, type);
    raw_write(f.get(), "train_acc", {5}, acc, type);
  }
  H5Id str(H5Tcopy(H5T_C_S1));
  H5Tset_size(str.get(), H5T_VARIABLE);
  H5Id space(H5Screate(H5S_SCALAR));
  H5Id dset(H5Dcreate2(f.get(), "dir_file", str.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT));
  const char* dir_file = "resnet56.t7_weights.h5";
  ASSERT_GE(H5Dwrite(dset.get(), str.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &dir_file), 0);
}

// Runs `f`, which must throw InputError whose message contains every one of `parts`.
void expect_input_error(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    for (const auto& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << msg << "\nlacks: " << p;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an InputError: " << e.what();
  }
}

// ------------------------------------------------------------------------------------------------

using SurfaceFileRoundTrip = TempDir;

TEST_F(SurfaceFileRoundTrip, OneDimensional) {
  const SurfaceFile s = make_surface({axis(-1, 1, 7)});
  write_surface(file("s.h5"), s);
  expect_same(s, read_surface(file("s.h5")));
}

TEST_F(SurfaceFileRoundTrip, TwoDimensionalAsymmetricBounds) {
  const SurfaceFile s = make_surface({axis(-0.5, 1.5, 5), axis(0, 2, 4)});
  write_surface(file("s.h5"), s);
  const SurfaceFile r = read_surface(file("s.h5"));
  expect_same(s, r);
  EXPECT_EQ(r.shape(), (std::vector<int64_t>{5, 4}));
}

TEST_F(SurfaceFileRoundTrip, ThreeDimensional) {
  const SurfaceFile s = make_surface({axis(-1, 1, 3), axis(0, 1, 2), axis(-2, 2, 5)});
  write_surface(file("s.h5"), s);
  expect_same(s, read_surface(file("s.h5")));
}

TEST_F(SurfaceFileRoundTrip, SinglePointAxisAndNoDirections) {
  SurfaceFile s;
  s.axes = {axis(0.5, 0.5, 1)};
  s.maps["train_loss"] = {0.75};
  write_surface(file("s.h5"), s);
  expect_same(s, read_surface(file("s.h5")));
}

using SurfaceFileLayout = TempDir;

// What loss-landscape's scripts index: coordinates, maps of shape (len(x), len(y)) indexed
// [ix, iy], and the accuracy unit.
TEST_F(SurfaceFileLayout, MapsAreIndexedXThenYAsLossLandscapeReadsThem) {
  SurfaceFile s;
  s.axes = {axis(-1, 1, 3), axis(0, 3, 4)};
  std::vector<double> loss(12);
  for (int ix = 0; ix < 3; ++ix) {
    for (int iy = 0; iy < 4; ++iy) loss[static_cast<size_t>(ix * 4 + iy)] = 10.0 * ix + iy;
  }
  s.maps["train_loss"] = loss;
  write_surface(file("s.h5"), s);

  H5Id f(H5Fopen(file("s.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(f.valid());
  std::vector<hsize_t> dims;
  EXPECT_EQ(raw_read(f.get(), "xcoordinates", &dims), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(dims, (std::vector<hsize_t>{3}));
  EXPECT_EQ(raw_read(f.get(), "ycoordinates", &dims), (std::vector<double>{0, 1, 2, 3}));
  const std::vector<double> v = raw_read(f.get(), "train_loss", &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{3, 4}));
  EXPECT_EQ(v[2 * 4 + 1], 21.0);  // train_loss[ix = 2, iy = 1]
  EXPECT_EQ(raw_string_attr(f.get(), "accuracy_unit"), "percent");
  EXPECT_EQ(H5Lexists(f.get(), "zcoordinates", H5P_DEFAULT), 0);
}

// net_plotter.load_directions reads xdirection/0, /1, ... as the tensors in parameter order.
TEST_F(SurfaceFileLayout, DirectionGroupsHoldTensorSlicesWithTheirShapes) {
  const SurfaceFile s = make_surface({axis(-1, 1, 3), axis(-1, 1, 3)});
  write_surface(file("s.h5"), s);

  H5Id f(H5Fopen(file("s.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(f.valid());
  std::vector<hsize_t> dims;
  const std::vector<double> all = raw_read(f.get(), "directions", &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{2, 8}));
  EXPECT_EQ(all[8 + 3], 1003.125);  // direction 1, parameter 3

  const char* groups[2] = {"xdirection", "ydirection"};
  for (int d = 0; d < 2; ++d) {
    H5Id g(H5Gopen2(f.get(), groups[d], H5P_DEFAULT));
    ASSERT_TRUE(g.valid()) << groups[d];
    H5G_info_t info;
    ASSERT_GE(H5Gget_info(g.get(), &info), 0);
    EXPECT_EQ(info.nlinks, 2u);
    const std::vector<double> w = raw_read(g.get(), "0", &dims);
    EXPECT_EQ(dims, (std::vector<hsize_t>{2, 3}));
    EXPECT_EQ(w, std::vector<double>(s.directions[static_cast<size_t>(d)].begin(),
                                     s.directions[static_cast<size_t>(d)].begin() + 6));
    const std::vector<double> b = raw_read(g.get(), "1", &dims);
    EXPECT_EQ(dims, (std::vector<hsize_t>{2}));
    EXPECT_EQ(b, std::vector<double>(s.directions[static_cast<size_t>(d)].begin() + 6,
                                     s.directions[static_cast<size_t>(d)].end()));
    H5Id w_dset(H5Dopen2(g.get(), "0", H5P_DEFAULT));
    EXPECT_EQ(raw_string_attr(w_dset.get(), "name"), "0.weight");
  }
  EXPECT_EQ(H5Lexists(f.get(), "zdirection", H5P_DEFAULT), 0);
}

using SurfaceFileFromLossLandscape = TempDir;

TEST_F(SurfaceFileFromLossLandscape, TwoDimensionalFp64) {
  write_loss_landscape_file(file("ll.h5"), H5T_IEEE_F64LE, true);
  const SurfaceFile s = read_surface(file("ll.h5"));
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[0].min, -0.7);
  EXPECT_EQ(s.axes[0].max, 0.9);
  EXPECT_EQ(s.axes[0].num, 5);
  EXPECT_EQ(s.axes[1].min, -0.5);
  EXPECT_EQ(s.axes[1].max, 0.5);
  EXPECT_EQ(s.axes[1].num, 3);
  ASSERT_EQ(s.maps.size(), 2u);  // dir_file, a string, is not a map
  EXPECT_EQ(s.maps.at("train_loss")[3 * 3 + 2], 2.5 + 0.5 * 11);  // [ix = 3, iy = 2]
  EXPECT_EQ(s.maps.at("train_acc")[0], 100.0);
  EXPECT_EQ(s.maps.at("train_acc")[14], 44.0);
  EXPECT_TRUE(s.directions.empty());
  EXPECT_TRUE(s.tensor_shapes.empty());
  EXPECT_TRUE(s.text_attrs.empty());
  EXPECT_TRUE(s.number_attrs.empty());
}

// PyTorch users often save float32: the coordinates are then linspace rounded to fp32.
TEST_F(SurfaceFileFromLossLandscape, TwoDimensionalFp32) {
  write_loss_landscape_file(file("ll32.h5"), H5T_IEEE_F32LE, true);
  const SurfaceFile s = read_surface(file("ll32.h5"));
  ASSERT_EQ(s.axes.size(), 2u);
  EXPECT_EQ(s.axes[0].num, 5);
  EXPECT_EQ(s.axes[0].min, static_cast<double>(-0.7f));
  EXPECT_EQ(s.axes[0].max, static_cast<double>(0.9f));
  EXPECT_NEAR(s.axes[0].at(1), -0.3, 1e-7);
  EXPECT_EQ(s.maps.at("train_loss")[3 * 3 + 2], 8.0);
  EXPECT_EQ(s.maps.at("train_acc")[1], 96.0);
}

TEST_F(SurfaceFileFromLossLandscape, OneDimensional) {
  write_loss_landscape_file(file("ll1.h5"), H5T_IEEE_F64LE, false);
  const SurfaceFile s = read_surface(file("ll1.h5"));
  ASSERT_EQ(s.axes.size(), 1u);
  EXPECT_EQ(s.shape(), (std::vector<int64_t>{5}));
  EXPECT_EQ(s.maps.at("train_loss"), (std::vector<double>{2.5, 3, 3.5, 4, 4.5}));
}

// A loss-landscape direction file merged into a surface: xdirection/ydirection groups in fp32,
// no `directions` dataset and no tensor names.
TEST_F(SurfaceFileFromLossLandscape, DirectionsFromGroupsAlone) {
  write_loss_landscape_file(file("ll.h5"), H5T_IEEE_F64LE, true);
  {
    H5Id f(H5Fopen(file("ll.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    ASSERT_TRUE(f.valid());
    for (int d = 0; d < 2; ++d) {
      H5Id g(H5Gcreate2(f.get(), d == 0 ? "xdirection" : "ydirection", H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT));
      raw_write(g.get(), "0", {2, 2, 1, 1}, {1.0 + d, 2, 3, 4}, H5T_IEEE_F32LE);  // a conv kernel
      raw_write(g.get(), "1", {2}, {-0.5, 0.25 * d}, H5T_IEEE_F32LE);
    }
  }
  const SurfaceFile s = read_surface(file("ll.h5"));
  ASSERT_EQ(s.directions.size(), 2u);
  EXPECT_EQ(s.directions[0], (std::vector<double>{1, 2, 3, 4, -0.5, 0}));
  EXPECT_EQ(s.directions[1], (std::vector<double>{2, 2, 3, 4, -0.5, 0.25}));
  EXPECT_EQ(s.tensor_shapes, (std::vector<std::vector<int64_t>>{{2, 2, 1, 1}, {2}}));
  EXPECT_EQ(s.tensor_names, (std::vector<std::string>{"", ""}));
}

TEST_F(SurfaceFileFromLossLandscape, FixedLengthStringAndIntegerAttributes) {
  write_loss_landscape_file(file("ll.h5"), H5T_IEEE_F64LE, false);
  {
    H5Id f(H5Fopen(file("ll.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    H5Id space(H5Screate(H5S_SCALAR));
    H5Id str(H5Tcopy(H5T_C_S1));
    H5Tset_size(str.get(), 8);
    H5Tset_strpad(str.get(), H5T_STR_NULLPAD);
    H5Id a(H5Acreate2(f.get(), "model", str.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    ASSERT_GE(H5Awrite(a.get(), str.get(), "vgg9\0\0\0\0"), 0);
    H5Id b(H5Acreate2(f.get(), "epochs", H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    const int64_t epochs = 300;
    ASSERT_GE(H5Awrite(b.get(), H5T_NATIVE_INT64, &epochs), 0);
  }
  const SurfaceFile s = read_surface(file("ll.h5"));
  EXPECT_EQ(s.text_attrs.at("model"), "vgg9");
  EXPECT_EQ(s.number_attrs.at("epochs"), 300.0);
}

using SurfaceFileBadInput = TempDir;

TEST_F(SurfaceFileBadInput, TextFileRenamedH5) {
  std::ofstream(file("notes.h5")) << "train_loss,train_acc\n0.5,90\n";
  testing::internal::CaptureStderr();
  expect_input_error([&] { read_surface(file("notes.h5")); },
                     {file("notes.h5"), "not an HDF5 file"});
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");  // HDF5's error stack stays quiet
}

TEST_F(SurfaceFileBadInput, MissingFile) {
  expect_input_error([&] { read_surface(file("absent.h5")); }, {file("absent.h5"), "cannot open"});
}

TEST_F(SurfaceFileBadInput, TruncatedCopyOfAValidFile) {
  write_surface(file("good.h5"), make_surface({axis(-1, 1, 21), axis(-1, 1, 21)}));
  std::ifstream in(file("good.h5"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4096u);
  std::ofstream(file("cut.h5"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  testing::internal::CaptureStderr();
  expect_input_error([&] { read_surface(file("cut.h5")); }, {file("cut.h5")});
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// lscan's files use the HDF5 1.8 format, whose metadata is checksummed: a damaged byte in the
// superblock or an object header is an InputError, not a crash or a wrong reading.
TEST_F(SurfaceFileBadInput, DamagedMetadataBytes) {
  write_surface(file("good.h5"), make_surface({axis(-1, 1, 5), axis(-1, 1, 3)}));
  std::ifstream in(file("good.h5"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 512u);
  testing::internal::CaptureStderr();
  for (size_t at = 0; at < 512; at += 5) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    std::ofstream(file("bad.h5"), std::ios::binary | std::ios::trunc) << damaged;
    SCOPED_TRACE("byte " + std::to_string(at));
    expect_input_error([&] { read_surface(file("bad.h5")); }, {file("bad.h5")});
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// After a checksum failure HDF5 1.10 keeps internal state that it reports on stderr at exit if its
// error printing is on; the reader leaves it off, so a damaged file costs the user one clean
// message.
using SurfaceFileDeathTest = TempDir;

TEST_F(SurfaceFileDeathTest, DamagedFilePrintsNothingAtExit) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "LeakSanitizer prints its report of HDF5's own leak at exit";
#endif
  write_surface(file("good.h5"), make_surface({axis(-1, 1, 5)}));
  std::ifstream in(file("good.h5"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 200u);
  bytes[100] = static_cast<char>(bytes[100] ^ 0x5a);  // the root group's object header
  std::ofstream(file("bad.h5"), std::ios::binary) << bytes;
  const std::string path = file("bad.h5");
  EXPECT_EXIT(
      {
        try {
          read_surface(path);
        } catch (const InputError&) {
        }
        std::exit(0);
      },
      testing::ExitedWithCode(0), "^$");
}

TEST_F(SurfaceFileBadInput, MapWithMismatchedShape) {
  write_loss_landscape_file(file("ll.h5"), H5T_IEEE_F64LE, true);
  {
    H5Id f(H5Fopen(file("ll.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    raw_write(f.get(), "test_loss", {3, 5}, std::vector<double>(15, 1.0));  // transposed
  }
  expect_input_error([&] { read_surface(file("ll.h5")); },
                     {file("ll.h5"), "test_loss", "expected shape [5, 3]", "found [3, 5]"});
}

TEST_F(SurfaceFileBadInput, MapOfAnotherRankNamedAsALoss) {
  write_loss_landscape_file(file("ll.h5"), H5T_IEEE_F64LE, true);
  {
    H5Id f(H5Fopen(file("ll.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    raw_write(f.get(), "test_loss", {15}, std::vector<double>(15, 1.0));
  }
  expect_input_error([&] { read_surface(file("ll.h5")); },
                     {file("ll.h5"), "test_loss", "expected shape [5, 3]", "found [15]"});
}

TEST_F(SurfaceFileBadInput, MissingXcoordinates) {
  {
    H5Id f(H5Fcreate(file("noX.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    raw_write(f.get(), "train_loss", {3}, {1, 2, 3});
  }
  expect_input_error([&] { read_surface(file("noX.h5")); }, {file("noX.h5"), "xcoordinates"});
}

TEST_F(SurfaceFileBadInput, NonFiniteCoordinates) {
  {
    H5Id f(H5Fcreate(file("nan.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    raw_write(f.get(), "xcoordinates", {3}, {-1, std::numeric_limits<double>::quiet_NaN(), 1});
    raw_write(f.get(), "train_loss", {3}, {1, 2, 3});
  }
  expect_input_error([&] { read_surface(file("nan.h5")); },
                     {file("nan.h5"), "xcoordinates", "not finite"});
}

// Three axes of 2000 points claim 8e9 grid points: refused before any map is allocated.
TEST_F(SurfaceFileBadInput, GridLargerThanLscanReads) {
  {
    H5Id f(H5Fcreate(file("huge.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    std::vector<double> axis(2000);
    for (size_t i = 0; i < axis.size(); ++i) axis[i] = static_cast<double>(i);
    for (const char* name : {"xcoordinates", "ycoordinates", "zcoordinates"})
      raw_write(f.get(), name, {axis.size()}, axis);
    raw_write(f.get(), "train_loss", {3}, {1, 2, 3});
  }
  expect_input_error([&] { read_surface(file("huge.h5")); },
                     {file("huge.h5"), "zcoordinates", "8000000000 points", "2147483647"});
}

TEST_F(SurfaceFileBadInput, UnevenlySpacedCoordinates) {
  {
    H5Id f(H5Fcreate(file("uneven.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    raw_write(f.get(), "xcoordinates", {4}, {0, 0.1, 0.5, 1});
  }
  expect_input_error([&] { read_surface(file("uneven.h5")); },
                     {file("uneven.h5"), "xcoordinates", "evenly spaced"});
}

TEST_F(SurfaceFileBadInput, AccuracyStoredAsAFraction) {
  write_loss_landscape_file(file("ll.h5"), H5T_IEEE_F64LE, false);
  {
    H5Id f(H5Fopen(file("ll.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    H5Id type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Id space(H5Screate(H5S_SCALAR));
    H5Id a(H5Acreate2(f.get(), "accuracy_unit", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    const char* unit = "fraction";
    ASSERT_GE(H5Awrite(a.get(), type.get(), &unit), 0);
  }
  expect_input_error([&] { read_surface(file("ll.h5")); },
                     {file("ll.h5"), "accuracy_unit", "percent", "fraction"});
}

using SurfaceFileWrite = TempDir;

TEST_F(SurfaceFileWrite, RejectsInconsistentSurfaces) {
  const SurfaceFile good = make_surface({axis(-1, 1, 3), axis(-1, 1, 3)});
  std::vector<std::function<void(SurfaceFile&)>> breakers = {
      [](SurfaceFile& s) { s.maps["train_loss"].pop_back(); },
      [](SurfaceFile& s) { s.maps["xcoordinates"] = s.maps["train_loss"]; },
      [](SurfaceFile& s) { s.maps["a/b"] = s.maps["train_loss"]; },
      [](SurfaceFile& s) { s.directions.pop_back(); },
      [](SurfaceFile& s) { s.directions[1].push_back(0); },
      [](SurfaceFile& s) {
        s.tensor_shapes[0] = {2, 2};
      },
      [](SurfaceFile& s) { s.tensor_names.pop_back(); },
      [](SurfaceFile& s) { s.text_attrs["accuracy_unit"] = "fraction"; },
      [](SurfaceFile& s) { s.number_attrs["precision"] = 1; },
      [](SurfaceFile& s) { s.axes.clear(); },
  };
  for (size_t i = 0; i < breakers.size(); ++i) {
    SurfaceFile s = good;
    breakers[i](s);
    EXPECT_THROW(write_surface(file("bad.h5"), s), std::invalid_argument) << i;
    EXPECT_FALSE(fs::exists(file("bad.h5"))) << i;
    EXPECT_FALSE(fs::exists(file("bad.h5.tmp"))) << i;
  }
}

TEST_F(SurfaceFileWrite, MissingDirectoryFailsCleanly) {
  const std::string path = file("no/such/dir/s.h5");
  testing::internal::CaptureStderr();
  expect_input_error([&] { write_surface(path, make_surface({axis(-1, 1, 3)})); },
                     {path, "cannot create"});
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_FALSE(fs::exists(file("no")));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(SurfaceFileWrite, ReplacesAnExistingFileOnlyAfterASuccessfulWrite) {
  const std::string path = file("s.h5");
  const SurfaceFile first = make_surface({axis(-1, 1, 3)});
  write_surface(path, first);

  // A failed write (the temporary path is taken by a directory) leaves the old file as it was.
  fs::create_directory(path + ".tmp");
  SurfaceFile second = make_surface({axis(0, 2, 5), axis(0, 1, 2)});
  EXPECT_THROW(write_surface(path, second), InputError);
  expect_same(first, read_surface(path));
  EXPECT_TRUE(fs::is_directory(path + ".tmp"));  // not ours: left alone
  fs::remove(path + ".tmp");

  // So does one that is rejected before any file is created.
  second.maps["train_loss"].pop_back();
  EXPECT_THROW(write_surface(path, second), std::invalid_argument);
  expect_same(first, read_surface(path));

  second.maps["train_loss"].push_back(1.0);
  write_surface(path, second);
  expect_same(second, read_surface(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));
}

}  // namespace
}  // namespace lscan
