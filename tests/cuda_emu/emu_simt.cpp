// Warps of fibers for the kernels' own code (emu_simt.h): each lane of a warp runs on its own
// ucontext stack; a lane that reaches a collective hands control back to the warp, which resumes
// the next lane, and once all live lanes have arrived, works out every lane's result and resumes
// them. Without collectives a lane simply runs to its end.
#include "emu_simt.h"

#include <ucontext.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "emu_device.h"

dim3 blockIdx, threadIdx, blockDim, gridDim;

namespace lscan::emu::simt {
namespace {

constexpr int kWarp = 32;
constexpr size_t kStack = 256 * 1024;

struct Lane {
  ucontext_t context;
  std::unique_ptr<char[]> stack;
  dim3 index;
  bool done = false;
  bool waiting = false;
  int op = 0;
  unsigned mask = 0;
  uint64_t value = 0;
  int src = 0;
  uint64_t result = 0;
};

struct Warp {
  ucontext_t scheduler;
  std::vector<Lane> lanes;
  int current = -1;
  const std::function<void()>* body = nullptr;
};

Warp* g_warp = nullptr;
bool g_direct = false;          // threads run one after the other, without fibers
bool g_met_collective = false;  // in this launch

std::set<const void*>& collective_free() {
  static std::set<const void*> kernels;
  return kernels;
}

void lane_main() {
  Warp& w = *g_warp;
  (*w.body)();
  w.lanes[w.current].done = true;
  // returning ends the context; uc_link resumes the scheduler
}

void resume(Warp& w, int i) {
  w.current = i;
  threadIdx = w.lanes[i].index;
  swapcontext(&w.scheduler, &w.lanes[i].context);
}

// One warp of the lanes [first, first + count) of a block.
void run_warp(Warp& w, const dim3& block, unsigned first, unsigned count) {
  w.lanes.resize(count);
  for (unsigned i = 0; i < count; ++i) {
    Lane& lane = w.lanes[i];
    const unsigned t = first + i;
    lane.index = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
    lane.done = lane.waiting = false;
    if (!lane.stack) lane.stack.reset(new char[kStack]);
    getcontext(&lane.context);
    lane.context.uc_stack.ss_sp = lane.stack.get();
    lane.context.uc_stack.ss_size = kStack;
    lane.context.uc_link = &w.scheduler;
    makecontext(&lane.context, lane_main, 0);
  }
  for (;;) {
    for (unsigned i = 0; i < count; ++i)
      if (!w.lanes[i].done && !w.lanes[i].waiting) resume(w, static_cast<int>(i));
    unsigned waiting = 0, done = 0;
    for (const Lane& lane : w.lanes) {
      waiting += lane.waiting;
      done += lane.done;
    }
    if (waiting == 0) return;  // every lane has finished
    const Lane& first_waiting =
        *std::find_if(w.lanes.begin(), w.lanes.end(), [](const Lane& l) { return l.waiting; });
    bool ok = done == 0 && count == kWarp;
    for (const Lane& lane : w.lanes)
      if (lane.waiting && (lane.op != first_waiting.op || lane.mask != 0xffffffffu)) ok = false;
    if (!ok) {
      violation("a warp collective (" +
                std::string(first_waiting.op == 0 ? "__shfl_sync" : "__ballot_sync") +
                ") with the full mask that not every lane of the warp reaches alike");
      // Let the waiting lanes go on with zeros so that the launch ends.
      for (Lane& lane : w.lanes) lane.result = 0;
    } else if (first_waiting.op == 0) {
      for (Lane& lane : w.lanes) lane.result = w.lanes[lane.src & (kWarp - 1)].value;
    } else {
      uint64_t bits = 0;
      for (unsigned i = 0; i < count; ++i) bits |= (w.lanes[i].value ? 1ull : 0ull) << i;
      for (Lane& lane : w.lanes) lane.result = bits;
    }
    for (Lane& lane : w.lanes) lane.waiting = false;
  }
}

// The launch configurations a CUDA device accepts (compute capability 9.0): a launch outside them
// fails there with cudaErrorInvalidConfiguration and runs nothing.
bool valid_configuration(const dim3& grid, const dim3& block) {
  const unsigned long long threads = 1ull * block.x * block.y * block.z;
  return grid.x >= 1 && grid.x <= 2147483647u && grid.y >= 1 && grid.y <= 65535 && grid.z >= 1 &&
         grid.z <= 65535 && block.x >= 1 && block.x <= 1024 && block.y >= 1 && block.y <= 1024 &&
         block.z >= 1 && block.z <= 64 && threads <= 1024;
}

std::string text(const dim3& d) {
  return "(" + std::to_string(d.x) + ", " + std::to_string(d.y) + ", " + std::to_string(d.z) + ")";
}

}  // namespace

void run(dim3 grid, dim3 block, const std::function<void()>& body, const void* key) {
  if (!valid_configuration(grid, block)) {
    violation("a kernel launch with grid " + text(grid) + " and block " + text(block) +
              ", beyond what a CUDA device accepts (grid.x < 2^31, grid.y and grid.z <= 65535, " +
              "at most 1024 threads a block, block.z <= 64, no dimension 0)");
    return;
  }
  gridDim = grid;
  blockDim = block;
  if (collective_free().count(key)) {
    g_direct = true;
    for (unsigned bz = 0; bz < grid.z; ++bz)
      for (unsigned by = 0; by < grid.y; ++by)
        for (unsigned bx = 0; bx < grid.x; ++bx) {
          blockIdx = dim3(bx, by, bz);
          for (unsigned tz = 0; tz < block.z; ++tz)
            for (unsigned ty = 0; ty < block.y; ++ty)
              for (unsigned tx = 0; tx < block.x; ++tx) {
                threadIdx = dim3(tx, ty, tz);
                body();
              }
        }
    g_direct = false;
    return;
  }
  g_met_collective = false;
  // The lanes' stacks are kept from launch to launch (a launch inside a launch gets its own).
  static Warp outermost;
  Warp nested;
  Warp& w = g_warp ? nested : outermost;
  w.body = &body;
  Warp* outer = g_warp;
  g_warp = &w;
  const unsigned threads = block.x * block.y * block.z;
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        blockIdx = dim3(bx, by, bz);
        for (unsigned first = 0; first < threads; first += kWarp)
          run_warp(w, block, first, std::min<unsigned>(kWarp, threads - first));
      }
  g_warp = outer;
  if (!g_met_collective) collective_free().insert(key);
}

uint64_t collective(int op, unsigned mask, uint64_t value, int src) {
  if (g_direct) {
    violation("a kernel met a warp collective after a launch that met none (run without fibers)");
    return 0;
  }
  g_met_collective = true;
  Warp& w = *g_warp;
  Lane& lane = w.lanes[w.current];
  lane.waiting = true;
  lane.op = op;
  lane.mask = mask;
  lane.value = value;
  lane.src = src;
  const dim3 index = lane.index;
  swapcontext(&lane.context, &w.scheduler);
  threadIdx = index;
  return w.lanes[w.current].result;
}

}  // namespace lscan::emu::simt
