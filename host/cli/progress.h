// Progress of long work on a terminal: points done, points per second, time left. Silent when
// stderr is not a terminal or --quiet was given.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace lscan {

class Progress {
 public:
  // `unit` names what is counted ("points", "epochs").
  Progress(std::string label, std::string unit, bool enabled);
  ~Progress();
  void update(int64_t done, int64_t total);
  // Ends the line; the next update starts a new one.
  void finish();

  // Whether progress should be shown: stderr is a terminal and not quiet.
  static bool wanted(bool quiet);

 private:
  std::string label_, unit_;
  bool enabled_;
  bool open_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace lscan
