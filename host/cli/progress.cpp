#include "host/cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace lscan {

Progress::Progress(std::string label, std::string unit, bool enabled)
    : label_(std::move(label)), unit_(std::move(unit)), enabled_(enabled) {
  start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  finish();
}

bool Progress::wanted(bool quiet) {
  return !quiet && isatty(STDERR_FILENO);
}

void Progress::update(int64_t done, int64_t total) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  // At most ten redraws a second, and always the last one.
  if (done < total && now - last_ < std::chrono::milliseconds(100) && open_) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  const double left = rate > 0 ? (total - done) / rate : 0;
  std::fprintf(stderr, "\r%s %lld/%lld %s | %.1f %s/s | %s %.0f s   ", label_.c_str(),
               static_cast<long long>(done), static_cast<long long>(total), unit_.c_str(), rate,
               unit_.c_str(), done < total ? "left" : "took", done < total ? left : elapsed);
  std::fflush(stderr);
  open_ = true;
}

void Progress::finish() {
  if (enabled_ && open_) {
    std::fputc('\n', stderr);
    open_ = false;
  }
}

}  // namespace lscan
