// read_surface on arbitrary bytes as an .h5 file (lscan analyze, plot and --directions read
// these). Accepted files: every map covers the grid and the directions have one length.
#include <cstdio>

#include "fuzz/fuzz_util.h"
#include "host/core/error.h"
#include "host/io/surface_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lscan;
  const std::string path = fuzz::write_temp("input", ".h5", fuzz::as_string(data, size));
  SurfaceFile s;
  try {
    s = read_surface(path);
  } catch (const InputError&) {
    std::remove(path.c_str());
    return 0;
  }
  std::remove(path.c_str());
  fuzz::check(!s.axes.empty() && s.axes.size() <= 3, "1 to 3 axes");
  fuzz::check(s.num_points() >= 1 && s.num_points() <= kMaxGridPoints, "a grid lscan reads");
  for (const auto& [name, values] : s.maps)
    fuzz::check(static_cast<int64_t>(values.size()) == s.num_points(), "a map covers the grid");
  fuzz::check(s.directions.empty() || s.directions.size() == s.axes.size(),
              "one direction per axis, or none");
  for (const auto& d : s.directions)
    fuzz::check(d.size() == s.directions[0].size(), "the directions have one length");
  return 0;
}
