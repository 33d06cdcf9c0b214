// The safetensors reader and writer: round trips, exact f16 / bf16 decoding, files written by the
// reference implementation and read by it, and every kind of malformed file.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "host/model/safetensors.h"
#include "tests/file_test_util.h"

namespace lscan {
namespace {

using testing_util::read_bytes;
using testing_util::run_python_fixture;
using testing_util::ScratchDir;
using testing_util::throws_input_error;
using testing_util::write_bytes;

std::string le_bytes(uint64_t v, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}

std::string f32_bytes(std::initializer_list<float> values) {
  std::string s;
  for (float f : values) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    s += le_bytes(bits, 4);
  }
  return s;
}

std::string u16_bytes(std::initializer_list<uint16_t> values) {
  std::string s;
  for (uint16_t v : values) s += le_bytes(v, 2);
  return s;
}

// A safetensors file from a header text and a buffer, the length prefix computed.
std::string st_file(const std::string& header, const std::string& buffer) {
  return le_bytes(header.size(), 8) + header + buffer;
}

std::vector<std::pair<std::string, StTensor>> sample_tensors() {
  return {{"0.weight", {"", {2, 3}, {1.0, -2.5, 0.1, 1.0 / 3.0, 1e-30, -7.0}}},
          {"0.bias", {"", {2}, {0.0, -0.0}}},
          {"scalar", {"", {}, {42.0}}},
          {"empty", {"", {0, 3}, {}}}};
}

TEST(Safetensors, RoundTripF64IsExact) {
  ScratchDir dir;
  const std::string path = dir.file("m.safetensors");
  const auto tensors = sample_tensors();
  write_safetensors(path, tensors, "F64", {{"format", "pt"}, {"note", "x y"}});
  const StFile f = read_safetensors(path);
  ASSERT_EQ(f.tensors.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    const StTensor& r = f.tensors.at(name);
    EXPECT_EQ(r.dtype, "F64");
    EXPECT_EQ(r.shape, t.shape) << name;
    ASSERT_EQ(r.values.size(), t.values.size()) << name;
    for (size_t i = 0; i < t.values.size(); ++i) {
      EXPECT_EQ(r.values[i], t.values[i]) << name << "[" << i << "]";
      EXPECT_EQ(std::signbit(r.values[i]), std::signbit(t.values[i]));
    }
  }
  EXPECT_EQ(f.metadata, (std::map<std::string, std::string>{{"format", "pt"}, {"note", "x y"}}));
}

TEST(Safetensors, RoundTripF32RoundsToFloat) {
  ScratchDir dir;
  const std::string path = dir.file("m.safetensors");
  const auto tensors = sample_tensors();
  write_safetensors(path, tensors, "F32");
  const StFile f = read_safetensors(path);
  EXPECT_TRUE(f.metadata.empty());
  for (const auto& [name, t] : tensors) {
    const StTensor& r = f.tensors.at(name);
    EXPECT_EQ(r.dtype, "F32");
    EXPECT_EQ(r.shape, t.shape);
    ASSERT_EQ(r.values.size(), t.values.size());
    for (size_t i = 0; i < t.values.size(); ++i)
      EXPECT_EQ(r.values[i], static_cast<double>(static_cast<float>(t.values[i])));
  }
}

TEST(Safetensors, WriterLayoutFollowsTheReference) {
  ScratchDir dir;
  const std::string path = dir.file("m.safetensors");
  const auto tensors = sample_tensors();
  write_safetensors(path, tensors, "F32", {{"format", "pt"}});
  const std::string bytes = read_bytes(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  const std::string header = bytes.substr(8, n);
  // Metadata first, then the tensors in the order given, then space padding.
  EXPECT_EQ(header.rfind("{\"__metadata__\":{\"format\":\"pt\"}", 0), 0u) << header;
  size_t last = 0;
  for (const auto& [name, t] : tensors) {
    const size_t at = header.find("\"" + name + "\":{\"dtype\":\"F32\",\"shape\":");
    ASSERT_NE(at, std::string::npos) << header;
    EXPECT_GT(at, last);
    last = at;
  }
  const size_t end = header.find_last_not_of(' ');
  EXPECT_EQ(header[end], '}');
  EXPECT_LT(n - 1 - end, 8u);
  // 6 + 2 + 1 + 0 floats.
  EXPECT_EQ(bytes.size(), 8 + n + 9 * 4);
}

TEST(Safetensors, WriteIsAtomic) {
  ScratchDir dir;
  const std::string path = dir.file("m.safetensors");
  write_bytes(path, "old");
  write_safetensors(path, sample_tensors(), "F32");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(read_safetensors(path).tensors.size(), 4u);

  // The rename onto a directory fails after the data was written: nothing is left behind.
  const std::string blocked = dir.file("blocked");
  std::filesystem::create_directory(blocked);
  write_bytes(blocked + "/keep", "x");
  EXPECT_TRUE(throws_input_error([&] { write_safetensors(blocked, sample_tensors(), "F32"); },
                                 {blocked, "cannot replace file"}));
  EXPECT_FALSE(std::filesystem::exists(blocked + ".tmp"));
  EXPECT_TRUE(std::filesystem::is_directory(blocked));

  const std::string nowhere = dir.file("missing/m.safetensors");
  EXPECT_TRUE(throws_input_error([&] { write_safetensors(nowhere, sample_tensors(), "F32"); },
                                 {nowhere, "cannot open"}));
  EXPECT_FALSE(std::filesystem::exists(nowhere));
}

TEST(Safetensors, WriterRejectsBadArguments) {
  ScratchDir dir;
  const std::string path = dir.file("m.safetensors");
  EXPECT_TRUE(throws_input_error([&] { write_safetensors(path, sample_tensors(), "F16"); },
                                 {path, "dtype", "F16"}));
  EXPECT_THROW(write_safetensors(path, {{"w", {"", {2, 2}, {1, 2, 3}}}}, "F32"),
               std::invalid_argument);
  EXPECT_THROW(write_safetensors(path, {{"w", {"", {1}, {1}}}, {"w", {"", {1}, {2}}}}, "F32"),
               std::invalid_argument);
  EXPECT_THROW(write_safetensors(path, {{"__metadata__", {"", {1}, {1}}}}, "F32"),
               std::invalid_argument);
  // Finite values beyond float's range (3.4e38) cannot be written as F32; F64 takes them.
  const StTensor big{"", {3}, {1, -1e300, 2}};
  EXPECT_TRUE(throws_input_error(
      [&] {
        write_safetensors(path, {{"w", big}}, "F32");
      },
      {path, "tensor 'w'", "-1e+300", "flat index 1", "F32"}));
  EXPECT_FALSE(std::filesystem::exists(path));
  const StTensor edge{"", {2}, {std::numeric_limits<float>::max(), -1e38}};
  write_safetensors(path, {{"w", edge}}, "F32");
  EXPECT_EQ(read_safetensors(path).tensors.at("w").values,
            (std::vector<double>{std::numeric_limits<float>::max(), static_cast<float>(-1e38)}));
  std::filesystem::remove(path);
  write_safetensors(path, {{"w", big}}, "F64");
  EXPECT_EQ(read_safetensors(path).tensors.at("w").values, big.values);
  std::filesystem::remove(path);
}

// The value of an f16 pattern by its definition, independent of the bit-level decoder.
double f16_by_definition(uint16_t bits) {
  const int s = bits >> 15, e = (bits >> 10) & 0x1F, m = bits & 0x3FF;
  double v;
  if (e == 0)
    v = std::ldexp(m, -24);
  else if (e == 31)
    v = m == 0 ? std::numeric_limits<double>::infinity() : std::nan("");
  else
    v = std::ldexp(1024 + m, e - 25);
  return s ? -v : v;
}

TEST(Safetensors, F16DecodesKnownPatterns) {
  EXPECT_EQ(f16_bits_to_double(0x3C00), 1.0);
  EXPECT_EQ(f16_bits_to_double(0xC000), -2.0);
  EXPECT_EQ(f16_bits_to_double(0x3555), 0.333251953125);
  EXPECT_EQ(f16_bits_to_double(0x7BFF), 65504.0);               // largest finite
  EXPECT_EQ(f16_bits_to_double(0x0400), std::ldexp(1.0, -14));  // smallest normal
  EXPECT_EQ(f16_bits_to_double(0x0001), std::ldexp(1.0, -24));  // smallest subnormal
  EXPECT_EQ(f16_bits_to_double(0x03FF), std::ldexp(1023.0, -24));
  EXPECT_EQ(f16_bits_to_double(0x0000), 0.0);
  EXPECT_TRUE(std::signbit(f16_bits_to_double(0x8000)));
  EXPECT_EQ(f16_bits_to_double(0x7C00), std::numeric_limits<double>::infinity());
  EXPECT_EQ(f16_bits_to_double(0xFC00), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(f16_bits_to_double(0x7E00)));
  EXPECT_TRUE(std::isnan(f16_bits_to_double(0xFC01)));
}

TEST(Safetensors, F16DecodesEveryPatternByDefinition) {
  for (uint32_t b = 0; b <= 0xFFFF; ++b) {
    const auto bits = static_cast<uint16_t>(b);
    const double got = f16_bits_to_double(bits);
    const double want = f16_by_definition(bits);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << std::hex << b;
    } else {
      EXPECT_EQ(got, want) << std::hex << b;
      EXPECT_EQ(std::signbit(got), std::signbit(want)) << std::hex << b;
    }
  }
}

TEST(Safetensors, Bf16DecodesKnownPatterns) {
  EXPECT_EQ(bf16_bits_to_double(0x3F80), 1.0);
  EXPECT_EQ(bf16_bits_to_double(0xC000), -2.0);
  EXPECT_EQ(bf16_bits_to_double(0x4049), 3.140625);
  EXPECT_EQ(bf16_bits_to_double(0x0080), std::ldexp(1.0, -126));   // smallest normal
  EXPECT_EQ(bf16_bits_to_double(0x0001), std::ldexp(1.0, -133));   // smallest subnormal
  EXPECT_EQ(bf16_bits_to_double(0x7F7F), std::ldexp(255.0, 120));  // largest finite
  EXPECT_EQ(bf16_bits_to_double(0x7F80), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(bf16_bits_to_double(0x7FC0)));
  EXPECT_TRUE(std::signbit(bf16_bits_to_double(0x8000)));
}

TEST(Safetensors, ReadsHalfPrecisionFiles) {
  ScratchDir dir;
  const std::string path = dir.file("h.safetensors");
  const std::string header =
      "{\"a\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}}";
  write_bytes(path, st_file(header, u16_bytes({0x3C00, 0x0001, 0x7BFF, 0xC000}) +
                                        u16_bytes({0x3F80, 0x4049, 0x8000})));
  const StFile f = read_safetensors(path);
  EXPECT_EQ(f.tensors.at("a").dtype, "F16");
  EXPECT_EQ(f.tensors.at("a").shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(f.tensors.at("a").values,
            (std::vector<double>{1.0, std::ldexp(1.0, -24), 65504.0, -2.0}));
  EXPECT_EQ(f.tensors.at("b").dtype, "BF16");
  EXPECT_EQ(f.tensors.at("b").values, (std::vector<double>{1.0, 3.140625, -0.0}));
}

TEST(Safetensors, ReadsIntegerDtypes) {
  ScratchDir dir;
  const std::string path = dir.file("i.safetensors");
  const std::string header =
      "{\"i8\":{\"dtype\":\"I8\",\"shape\":[3],\"data_offsets\":[0,3]},"
      "\"u16\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[3,5]},"
      "\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[5,13]},"
      "\"i32\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[13,17]}}";
  const std::string buffer = std::string("\xFF\x7F\x80", 3) + le_bytes(65535, 2) +
                             le_bytes(static_cast<uint64_t>(-5), 8) +
                             le_bytes(static_cast<uint32_t>(-123456), 4);
  write_bytes(path, st_file(header, buffer));
  const StFile f = read_safetensors(path);
  EXPECT_EQ(f.tensors.at("i8").values, (std::vector<double>{-1, 127, -128}));
  EXPECT_EQ(f.tensors.at("u16").values, (std::vector<double>{65535}));
  EXPECT_EQ(f.tensors.at("i64").values, (std::vector<double>{-5}));
  EXPECT_EQ(f.tensors.at("i32").values, (std::vector<double>{-123456}));
}

TEST(Safetensors, AcceptsGapsAndUnalignedPadding) {
  ScratchDir dir;
  const std::string path = dir.file("g.safetensors");
  // 4 unused bytes between the tensors, a header not padded to 8, null metadata.
  const std::string header =
      "{\"__metadata__\":null,\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
  write_bytes(path, st_file(header, f32_bytes({1.5f, 0.0f, -3.0f})));
  const StFile f = read_safetensors(path);
  EXPECT_EQ(f.tensors.at("a").values, std::vector<double>{1.5});
  EXPECT_EQ(f.tensors.at("b").values, std::vector<double>{-3.0});
}

// --- Files the reference implementation wrote or reads ----------------------------------------

TEST(SafetensorsInterop, ReferenceReadsOurFiles) {
  ScratchDir dir;
  const auto tensors = sample_tensors();
  for (const std::string dtype : {"F32", "F64"}) {
    const std::string path = dir.file("ours_" + dtype + ".safetensors");
    const std::string dump = dir.file("dump_" + dtype + ".json");
    write_safetensors(path, tensors, dtype, {{"format", "pt"}});
    const std::string err = run_python_fixture("read_with_safetensors.py", path + " " + dump);
    ASSERT_TRUE(err.empty()) << err;
    const auto j = nlohmann::json::parse(read_bytes(dump));
    EXPECT_EQ(j["metadata"], (nlohmann::json{{"format", "pt"}}));
    ASSERT_EQ(j["tensors"].size(), tensors.size());
    for (const auto& [name, t] : tensors) {
      const auto& r = j["tensors"][name];
      EXPECT_EQ(r["dtype"], dtype == "F32" ? "float32" : "float64");
      EXPECT_EQ(r["shape"].get<std::vector<int64_t>>(), t.shape) << name;
      const auto values = r["values"].get<std::vector<double>>();
      ASSERT_EQ(values.size(), t.values.size());
      for (size_t i = 0; i < values.size(); ++i)
        EXPECT_EQ(values[i], dtype == "F32" ? static_cast<float>(t.values[i]) : t.values[i]);
    }
  }
}

TEST(SafetensorsInterop, ReadsReferenceFiles) {
  ScratchDir dir;
  const std::string err = run_python_fixture("write_torch_style.py", dir.path());
  ASSERT_TRUE(err.empty()) << err;
  for (const char* name : {"model_f32", "model_f16", "model_bf16"}) {
    const StFile f = read_safetensors(dir.file(std::string(name) + ".safetensors"));
    EXPECT_EQ(f.metadata.at("format"), "pt");
    EXPECT_EQ(f.tensors.at("0.weight").shape, (std::vector<int64_t>{4, 3}));
    EXPECT_EQ(f.tensors.at("0.bias").values, (std::vector<double>{-0.5, -0.25, 0.0, 0.25}));
    EXPECT_EQ(f.tensors.at("2.weight").shape, (std::vector<int64_t>{2, 4}));
  }
}

// --- Malformed files ---------------------------------------------------------------------------

class SafetensorsBadInput : public ::testing::Test {
 protected:
  // A file with one tensor "w" and the given header entry, plus `buffer`.
  std::string write_entry(const std::string& entry, const std::string& buffer) {
    write_bytes(path_, st_file("{\"w\":" + entry + "}", buffer));
    return path_;
  }
  // read_safetensors throws InputError naming the file and every one of `parts`.
  ::testing::AssertionResult rejects(std::initializer_list<std::string> parts) {
    std::vector<std::string> all{path_};
    all.insert(all.end(), parts);
    return throws_input_error([&] { read_safetensors(path_); }, all);
  }

  ScratchDir dir_;
  std::string path_ = dir_.file("bad.safetensors");
};

TEST_F(SafetensorsBadInput, TruncatedFile) {
  const std::string good = dir_.file("good.safetensors");
  write_safetensors(good, sample_tensors(), "F32", {{"format", "pt"}});
  const std::string bytes = read_bytes(good);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  for (size_t cut : {size_t{0}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, 8 + n / 2, 8 + n - 1,
                     8 + n, 8 + n + 1, bytes.size() - 1}) {
    write_bytes(path_, bytes.substr(0, cut));
    const char* field = cut < 8 + n ? "header length" : "data_offsets";
    EXPECT_TRUE(rejects({field})) << "cut at " << cut << " of " << bytes.size();
  }
}

TEST_F(SafetensorsBadInput, HeaderLengthLargerThanFile) {
  write_bytes(path_, le_bytes(1000, 8) + "{}");
  EXPECT_TRUE(rejects({"header length", "1000"}));
  write_bytes(path_, le_bytes(uint64_t{1} << 40, 8) + "{}");
  EXPECT_TRUE(rejects({"header length", "limit"}));
}

TEST_F(SafetensorsBadInput, InvalidJsonHeader) {
  write_bytes(path_, st_file("{\"w\": {\"dtype\": ", ""));
  EXPECT_TRUE(rejects({"header", "not valid JSON"}));
  write_bytes(path_, st_file("[1, 2]  ", ""));
  EXPECT_TRUE(rejects({"header", "expected a JSON object"}));
  // A number beyond double's range is an error of the file, not of lscan.
  write_bytes(path_, st_file("{\"w\": 1e999}", ""));
  EXPECT_TRUE(rejects({"header", "not valid JSON", "number overflow", "1e999"}));
}

TEST_F(SafetensorsBadInput, MissingFields) {
  write_entry("{\"shape\":[1],\"data_offsets\":[0,4]}", f32_bytes({1}));
  EXPECT_TRUE(rejects({"tensor 'w' dtype", "missing"}));
  write_entry("{\"dtype\":\"F32\",\"data_offsets\":[0,4]}", f32_bytes({1}));
  EXPECT_TRUE(rejects({"tensor 'w' shape", "missing"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[1]}", f32_bytes({1}));
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "missing"}));
}

TEST_F(SafetensorsBadInput, WrongTypedFields) {
  const std::string buf = f32_bytes({1, 2});
  write_entry("[1, 2]", buf);
  EXPECT_TRUE(rejects({"tensor 'w'", "expected an object"}));
  write_entry("{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' dtype", "expected a string"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' shape", "non-negative integers"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' shape", "non-negative integers"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' shape", "non-negative integers", "[-2]"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "two non-negative integers"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":\"0-8\"}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "two non-negative integers"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,-8]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "two non-negative integers"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0.0,8]}", buf);
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "two non-negative integers"}));
  write_bytes(path_, st_file("{\"__metadata__\":{\"format\":1}}", ""));
  EXPECT_TRUE(rejects({"__metadata__.format", "expected a string"}));
  write_bytes(path_, st_file("{\"__metadata__\":[\"pt\"]}", ""));
  EXPECT_TRUE(rejects({"__metadata__", "expected an object"}));
}

TEST_F(SafetensorsBadInput, UnknownDtype) {
  write_entry("{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}", "ab");
  EXPECT_TRUE(rejects({"tensor 'w' dtype", "F8_E4M3", "expected one of"}));
  write_entry("{\"dtype\":\"float32\",\"shape\":[2],\"data_offsets\":[0,8]}", f32_bytes({1, 2}));
  EXPECT_TRUE(rejects({"tensor 'w' dtype", "float32"}));
}

TEST_F(SafetensorsBadInput, SpanDoesNotMatchShape) {
  write_entry("{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}", f32_bytes({1, 2, 3}));
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "12 bytes", "[2, 2]", "needs 16"}));
  write_entry("{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}", f32_bytes({1, 2}));
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "needs 16"}));
}

TEST_F(SafetensorsBadInput, OffsetsOutOfRange) {
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,1000]}", f32_bytes({1, 2}));
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "past the end", "8 bytes"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}", f32_bytes({1, 2}));
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "begin 8 is after end 0"}));
  write_entry("{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}", f32_bytes({1, 2}));
  EXPECT_TRUE(rejects({"tensor 'w' data_offsets", "past the end"}));
}

TEST_F(SafetensorsBadInput, OverlappingTensors) {
  write_bytes(path_, st_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                             "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                             f32_bytes({1, 2, 3, 4, 5, 6})));
  EXPECT_TRUE(rejects({"tensor 'b' data_offsets", "overlap tensor 'a'"}));
}

TEST_F(SafetensorsBadInput, NonFiniteValuesRejectedUnlessAllowed) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const std::string dtype : {"F32", "F64"}) {
    write_safetensors(path_, {{"ok", {"", {1}, {1}}}, {"w", {"", {2, 3}, {0, 1, 2, 3, nan, 5}}}},
                      dtype);
    EXPECT_TRUE(rejects({"tensor 'w'", "flat index 4", "[1, 1]", "NaN"})) << dtype;
    EXPECT_TRUE(std::isnan(read_safetensors(path_, true).tensors.at("w").values[4]));

    write_safetensors(path_, {{"w", {"", {3}, {0, -inf, 2}}}}, dtype);
    EXPECT_TRUE(rejects({"tensor 'w'", "flat index 1", "-Inf"})) << dtype;
    EXPECT_EQ(read_safetensors(path_, true).tensors.at("w").values[1], -inf);
  }
  write_bytes(path_, st_file("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                             u16_bytes({0x3C00, 0x7C00})));
  EXPECT_TRUE(rejects({"tensor 'w'", "flat index 1", "+Inf"}));
  EXPECT_EQ(read_safetensors(path_, true).tensors.at("w").values, (std::vector<double>{1.0, inf}));
}

TEST_F(SafetensorsBadInput, MissingFile) {
  path_ = dir_.file("absent.safetensors");
  EXPECT_TRUE(rejects({"cannot open"}));
}

}  // namespace
}  // namespace lscan
