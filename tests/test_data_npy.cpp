// .npy files: every readable type round-trips with exact values, files written by numpy itself
// read back exactly, labels become classes or targets by the documented rule, and every malformed
// file is rejected with a message naming the file and the field.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "host/data/npy.h"
#include "tests/data_test_util.h"

namespace lscan {
namespace {

class NpyFiles : public test::ScratchDir {};

// A version `major` file with the given header dict (padded as numpy pads it) and data bytes.
std::string npy_bytes(const std::string& dict, const std::string& data, int major = 1) {
  const size_t pre = major == 1 ? 10 : 12;
  std::string header = dict;
  header.append((64 - (pre + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < pre - 8; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

template <class T>
std::string bytes_of(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(&s[0], v.data(), s.size());
  return s;
}

TEST_F(NpyFiles, EveryTypeRoundTripsExactly) {
  struct Case {
    std::string dtype;
    std::vector<double> values;
  };
  const std::vector<Case> cases = {
      {"<f8", {0.1, -2.5, 1e300, 4.9e-324}},
      {"<f4", {0.5, -1.25, 3.0, 1024.75}},
      {"|i1", {-128, -1, 0, 127}},
      {"<i2", {-32768, 0, 5, 32767}},
      {"<i4", {-2147483648.0, 0, 7, 2147483647.0}},
      {"<i8", {-9007199254740992.0, 0, 9, 9007199254740992.0}},
      {"|u1", {0, 1, 200, 255}},
      {"<u2", {0, 1, 300, 65535}},
      {"<u4", {0, 1, 70000, 4294967295.0}},
      {"<u8", {0, 1, 5, 18446744073709551616.0 / 2}},
      {"|b1", {0, 1, 1, 0}},
      {">f8", {0.1, -2.5, 1e300, 7}},
      {">f4", {0.5, -1.25, 3.0, 1024.75}},
      {">i4", {-5, 0, 7, 2147483647.0}},
      {">u2", {0, 1, 300, 65535}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dtype);
    const std::string p = path("a.npy");
    write_npy(p, {2, 2}, c.values, c.dtype);
    const NpyArray a = read_npy(p);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(a.dtype, c.dtype);
    EXPECT_EQ(a.values, c.values);
    EXPECT_EQ(a.is_integer(), c.dtype[1] != 'f');
  }
}

TEST_F(NpyFiles, WritesNumpysLayout) {
  const std::string p = path("a.npy");
  write_npy(p, {3, 2}, {1, 2, 3, 4, 5, 6});
  const std::string bytes = test::read_file(p);
  const size_t header_len =
      static_cast<unsigned char>(bytes[8]) + 256u * static_cast<unsigned char>(bytes[9]);
  const size_t data_start = 10 + header_len;
  EXPECT_EQ(data_start % 64, 0u);  // aligned as numpy aligns it
  ASSERT_EQ(bytes.size(), data_start + 6 * 8);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(bytes.substr(10, header_len)
                .find("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }"),
            0u);
  EXPECT_EQ(bytes[data_start - 1], '\n');
  double first = 0;
  std::memcpy(&first, bytes.data() + data_start, 8);
  EXPECT_EQ(first, 1.0);

  // Big-endian data is stored most significant byte first; one-byte types get '|'.
  write_npy(p, {1}, {1}, ">i4");
  const std::string be = test::read_file(p);
  EXPECT_EQ(be.substr(be.size() - 4), std::string("\x00\x00\x00\x01", 4));
  write_npy(p, {}, {3}, "<u1");
  EXPECT_EQ(read_npy(p).dtype, "|u1");
  EXPECT_EQ(read_npy(p).shape, std::vector<int64_t>{});
  EXPECT_EQ(read_npy(p).values, std::vector<double>{3});
}

TEST_F(NpyFiles, ReadsFilesWrittenByNumpy) {
  const std::string python = testing_util::python_path();
  if (python.empty()) FAIL() << "no Python interpreter was found when lscan was configured";
  const std::string script = path("write.py");
  test::write_file(
      script,
      "import sys\n"
      "import numpy as np\n"
      "d = sys.argv[1]\n"
      "np.save(d + '/x_f4.npy', (np.arange(6).reshape(3, 2) / 4).astype('<f4'))\n"
      "np.save(d + '/y_i8.npy', np.array([0, 2, 1], dtype='<i8'))\n"
      "np.save(d + '/y_col_i1.npy', np.array([[1], [0], [1]], dtype='i1'))\n"
      "np.save(d + '/be_f8.npy', np.array([1.5, -2.0, 0.25], dtype='>f8'))\n"
      "np.save(d + '/fortran.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3)))\n"
      "with open(d + '/v2_u1.npy', 'wb') as f:\n"
      "    np.lib.format.write_array(f, np.array([[0, 255], [7, 8]], dtype='u1'),\n"
      "                              version=(2, 0))\n"
      "with open(d + '/v3_b1.npy', 'wb') as f:\n"
      "    np.lib.format.write_array(f, np.array([True, False, True]), version=(3, 0))\n");
  const std::string dir = path("");
  const std::string cmd = python + " " + script + " " + dir;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;

  const NpyArray x = read_npy(path("x_f4.npy"));
  EXPECT_EQ(x.dtype, "<f4");
  EXPECT_EQ(x.shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(x.values, (std::vector<double>{0, 0.25, 0.5, 0.75, 1.0, 1.25}));
  const NpyArray be = read_npy(path("be_f8.npy"));
  EXPECT_EQ(be.dtype, ">f8");
  EXPECT_EQ(be.values, (std::vector<double>{1.5, -2.0, 0.25}));
  const NpyArray v2 = read_npy(path("v2_u1.npy"));
  EXPECT_EQ(v2.dtype, "|u1");
  EXPECT_EQ(v2.values, (std::vector<double>{0, 255, 7, 8}));
  const NpyArray v3 = read_npy(path("v3_b1.npy"));
  EXPECT_EQ(v3.dtype, "|b1");
  EXPECT_EQ(v3.values, (std::vector<double>{1, 0, 1}));
  EXPECT_INPUT_ERROR(read_npy(path("fortran.npy")), "fortran.npy", "fortran_order",
                     "expected C order (fortran_order False)");

  const Dataset ds = read_npy_dataset(path("x_f4.npy"), path("y_i8.npy"), false);
  EXPECT_EQ(ds.n, 3);
  EXPECT_EQ(ds.d, 2);
  EXPECT_EQ(ds.X, x.values);
  EXPECT_EQ(ds.Y, (std::vector<double>{0, 2, 1}));
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 3);
  EXPECT_NE(ds.description.find("x_f4.npy"), std::string::npos);
  EXPECT_NE(ds.description.find("y_i8.npy"), std::string::npos);

  const Dataset col = read_npy_dataset(path("x_f4.npy"), path("y_col_i1.npy"), false);
  EXPECT_EQ(col.ty, 1);
  EXPECT_EQ(col.Y, (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(col.num_classes, 2);
}

TEST_F(NpyFiles, LabelsBecomeClassesOrTargets) {
  const std::string xp = path("x.npy"), yp = path("y.npy");
  write_npy(xp, {4}, {1, 2, 3, 4});  // 1-D features: d = 1
  const auto load = [&](const std::vector<int64_t>& shape, const std::vector<double>& y,
                        const std::string& dtype) {
    write_npy(yp, shape, y, dtype);
    return read_npy_dataset(xp, yp, false);
  };

  Dataset ds = load({4}, {0, 3, 1, 1}, "<i4");
  EXPECT_EQ(ds.d, 1);
  EXPECT_EQ(ds.X, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 4);

  ds = load({4}, {1, 0, 0, 1}, "|b1");
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 2);

  ds = load({4}, {0, 2, 1, 2}, "<f4");  // whole floats >= 0: classes
  EXPECT_TRUE(ds.classification);
  EXPECT_EQ(ds.num_classes, 3);

  ds = load({4}, {0, 2.5, 1, 2}, "<f8");  // a fraction: regression
  EXPECT_FALSE(ds.classification);
  EXPECT_EQ(ds.num_classes, 0);
  EXPECT_EQ(ds.Y, (std::vector<double>{0, 2.5, 1, 2}));

  ds = load({4}, {-1, 1, 1, -1}, "<f8");  // negative floats: regression targets
  EXPECT_FALSE(ds.classification);

  ds = load({4}, {2e6, 0, 1, 3}, "<f8");  // beyond the class limit: regression targets
  EXPECT_FALSE(ds.classification);

  ds = load({4, 2}, {0, 1, 2, 3, 4, 5, 6, 7}, "<f8");  // (N, m): m float targets
  EXPECT_FALSE(ds.classification);
  EXPECT_EQ(ds.ty, 2);
  EXPECT_EQ(ds.Y.size(), 8u);

  ds = load({4, 1}, {0.5, 1, 2, 3}, "<f4");
  EXPECT_FALSE(ds.classification);
  EXPECT_EQ(ds.ty, 1);
}

TEST_F(NpyFiles, RejectsBadMagicVersionAndTruncation) {
  const std::string p = path("bad.npy");
  test::write_file(p, "PK\x03\x04 this is a zip file, not an array");
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "magic", "\\x93NUMPY");

  test::write_file(p, std::string("\x93NUMPY\x01", 7));
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "header", "truncated");

  const std::string good = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                     bytes_of<double>({1, 2}));
  std::string v4 = good;
  v4[6] = 4;
  test::write_file(p, v4);
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "version", "4.0", "expected 1.0, 2.0 or 3.0");

  test::write_file(p, good.substr(0, 30));  // the preamble promises a longer header
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "header", "runs past the end of the file (30 bytes)");

  std::string long_header = good;
  long_header[8] = '\x00';
  long_header[9] = '\x10';  // 4096
  test::write_file(p, long_header);
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "header", "4096");

  test::write_file(p, "");
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "magic");
  EXPECT_INPUT_ERROR(read_npy(path("missing.npy")), "missing.npy", "cannot open");
}

TEST_F(NpyFiles, RejectsUnparsableHeaders) {
  const std::string p = path("bad.npy");
  const std::string data = bytes_of<double>({1, 2});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"descr: '<f8', 'fortran_order': False, 'shape': (2,)}", "expected '{'"},
      {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }", "expected True or False"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", "non-negative integer"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", "non-negative integer"},
      {"{'descr': '<f8', 'fortran_order': False }", "'shape' is missing"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected key 'x'"},
      {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", "structured"},
      {"{'descr': '<f8, 'fortran_order': False, 'shape': (2,), }", "expected ',' or '}'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } junk", "unexpected text"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large"},
  };
  for (const auto& c : cases) {
    test::write_file(p, npy_bytes(c.first, data));
    EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "header", c.second);
  }
}

TEST_F(NpyFiles, RejectsUnsupportedTypesAndFortranOrder) {
  const std::string p = path("bad.npy");
  for (const std::string descr : {"<c16", "<U3", "|O", "<f2", "<i3", "|f8", "<f8x"}) {
    test::write_file(
        p, npy_bytes("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }",
                     std::string(16, '\0')));
    EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "descr", "unsupported type '" + descr + "'",
                       "<f4, <f8");
  }
  test::write_file(p, npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }",
                                bytes_of<double>({1, 2, 3, 4})));
  EXPECT_INPUT_ERROR(read_npy(p), "bad.npy", "fortran_order",
                     "expected C order (fortran_order False)");
  // One dimension: Fortran and C order are the same bytes.
  test::write_file(p, npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }",
                                bytes_of<double>({1, 2})));
  EXPECT_EQ(read_npy(p).values, (std::vector<double>{1, 2}));
}

TEST_F(NpyFiles, RejectsDataThatDisagreesWithTheShape) {
  const std::string p = path("x.npy");
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 2), }";
  test::write_file(p, npy_bytes(dict, std::string(7996, '\0')));
  EXPECT_INPUT_ERROR(read_npy(p), "x.npy", "data",
                     "header says shape (1000, 2) = 8000 bytes, file has 7996");
  test::write_file(p, npy_bytes(dict, std::string(8004, '\0')));
  EXPECT_INPUT_ERROR(read_npy(p), "x.npy", "data",
                     "header says shape (1000, 2) = 8000 bytes, file has 8004");
  test::write_file(p, npy_bytes(dict, std::string(8000, '\0'), 2));
  EXPECT_EQ(read_npy(p).values.size(), 2000u);
  test::write_file(p, npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                "(4294967296, 4294967296, 4294967296), }",
                                ""));
  EXPECT_INPUT_ERROR(read_npy(p), "x.npy", "data", "more than 2^63 elements");
}

TEST_F(NpyFiles, RejectsShapesThatAreNotFeaturesOrLabels) {
  const std::string xp = path("x.npy"), yp = path("y.npy");
  write_npy(yp, {2}, {0, 1}, "<i8");
  write_npy(xp, {2, 1, 2}, {1, 2, 3, 4});
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "x.npy", "shape", "features must be 2-D",
                     "(2, 1, 2)");
  write_npy(xp, {}, {1});
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "x.npy", "shape", "features must be 2-D");
  write_npy(xp, {0, 3}, {});
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "x.npy", "shape", "empty");

  write_npy(xp, {2, 2}, {1, 2, 3, 4});
  write_npy(yp, {2, 1, 1}, {0, 1}, "<i8");
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "y.npy", "shape", "labels must be 1-D",
                     "(2, 1, 1)");
  write_npy(yp, {2, 0}, {}, "<f8");
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "y.npy", "shape", "(2, 0)");
}

TEST_F(NpyFiles, RejectsSampleCountMismatch) {
  const std::string xp = path("features.npy"), yp = path("labels.npy");
  write_npy(xp, {100, 1}, std::vector<double>(100, 0.5));
  write_npy(yp, {99}, std::vector<double>(99, 1), "<i8");
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "features.npy", "labels.npy", "shape",
                     "has 100 samples", "has 99");
}

TEST_F(NpyFiles, RejectsNegativeIntegerLabels) {
  const std::string xp = path("x.npy"), yp = path("y.npy");
  write_npy(xp, {3, 1}, {1, 2, 3});
  write_npy(yp, {3}, {0, -1, 2}, "<i4");
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "y.npy", "label 1", "-1", "negative");
  write_npy(yp, {3}, {0, 5000000, 2}, "<i8");
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "y.npy", "label 1", "5000000", "too large");
}

TEST_F(NpyFiles, RejectsNonFiniteValuesUnlessAllowed) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::string xp = path("x.npy"), yp = path("y.npy");
  write_npy(xp, {3, 2}, {1, 2, 3, nan, 5, 6}, "<f4");
  write_npy(yp, {3}, {0, 1, 0}, "<i8");
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "x.npy", "element 3 (row 1, column 1)", "NaN",
                     "--allow-nonfinite");
  const Dataset ds = read_npy_dataset(xp, yp, true);
  EXPECT_TRUE(std::isnan(ds.X[3]));
  EXPECT_EQ(ds.X[4], 5.0);

  write_npy(xp, {3, 2}, {1, 2, 3, 4, 5, 6});
  write_npy(yp, {3}, {0.5, 1, -inf});
  EXPECT_INPUT_ERROR(read_npy_dataset(xp, yp, false), "y.npy", "element 2 (row 2)", "-Inf");
  const Dataset targets = read_npy_dataset(xp, yp, true);
  EXPECT_FALSE(targets.classification);
  EXPECT_EQ(targets.Y[2], -inf);
}

TEST_F(NpyFiles, WriteRejectsValuesThatDoNotFit) {
  const std::string p = path("out.npy");
  EXPECT_INPUT_ERROR(write_npy(p, {2}, {1, -1}, "|u1"), "out.npy", "values[1]", "|u1");
  EXPECT_INPUT_ERROR(write_npy(p, {2}, {1, 0.5}, "<i4"), "out.npy", "values[1]");
  EXPECT_INPUT_ERROR(write_npy(p, {2}, {1, 128}, "<i1"), "out.npy", "values[1]");
  EXPECT_INPUT_ERROR(write_npy(p, {2}, {1, 2}, "|b1"), "out.npy", "values[1]");
  EXPECT_INPUT_ERROR(write_npy(p, {3}, {1, 2}), "out.npy", "shape", "(3,)");
  EXPECT_INPUT_ERROR(write_npy(p, {2}, {1, 2}, "<c8"), "out.npy", "dtype", "<c8");
  EXPECT_INPUT_ERROR(write_npy(path("no/such/dir/out.npy"), {1}, {1}), "out.npy", "cannot write");
}

}  // namespace
}  // namespace lscan
