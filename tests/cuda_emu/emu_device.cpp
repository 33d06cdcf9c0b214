// The emulated device of emu_device.h: allocations, streams, events and the CUDA runtime calls of
// include/cuda_runtime.h. Single-threaded, like the host code it serves.
#include "emu_device.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>

struct lscan_emu_stream {
  int device = -1;  // the device current at its creation; -1: the null stream, of every device
  std::deque<std::function<void()>> pending;
  uint64_t enqueued = 0;  // work items ever enqueued
  uint64_t done = 0;      // work items run
  bool blocking = false;  // created without cudaStreamNonBlocking: ordered with the null stream
  bool alive = true;
  bool running = false;
};

struct lscan_emu_event {
  int device = 0;                      // current at its creation
  lscan_emu_stream* stream = nullptr;  // of the last record; null: never recorded
  uint64_t seq = 0;                    // work items of that stream before the record
};

namespace lscan::emu {
namespace {

constexpr size_t kAlignment = 256;  // cudaMalloc's guarantee

struct Allocation {
  size_t bytes = 0;    // as asked for: the extent that operands are checked against
  size_t charged = 0;  // rounded up to the alignment: what counts against the capacity
  bool device = true;
  int on = 0;                    // device only: the device current at the cudaMalloc
  std::vector<uint8_t> written;  // device only: per byte, 1 once written; empty: none written
};

struct Device {
  Config config;
  Counters counters;
  std::map<uintptr_t, Allocation> allocations;             // by base address
  size_t device_bytes = 0;                                 // on all devices
  int current = 0;                                         // cudaSetDevice's
  lscan_emu_stream null_stream;                            // the legacy default stream
  std::vector<std::unique_ptr<lscan_emu_stream>> streams;  // kept for work that names them
  std::set<lscan_emu_event*> events;
  std::vector<std::string> violations;
  cudaError_t sticky = cudaSuccess;
  cudaError_t last = cudaSuccess;
  std::string sticky_text;
  std::mt19937_64 rng{1};
};

Device& dev() {
  static Device d;
  return d;
}

cudaError_t fail(cudaError_t e) {
  dev().last = e;
  return e;
}

Allocation* find(const void* p, size_t bytes, uintptr_t* base = nullptr) {
  Device& d = dev();
  const auto a = reinterpret_cast<uintptr_t>(p);
  auto it = d.allocations.upper_bound(a);
  if (it == d.allocations.begin()) return nullptr;
  --it;
  if (a - it->first > it->second.bytes || bytes > it->second.bytes - (a - it->first))
    return nullptr;
  if (base) *base = it->first;
  return &it->second;
}

std::string describe(const void* p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%p", p);
  return buf;
}

size_t bytes_on(int device) {
  size_t bytes = 0;
  for (const auto& [base, a] : dev().allocations)
    if (a.device && a.on == device) bytes += a.charged;
  return bytes;
}

lscan_emu_stream* resolve(cudaStream_t s) {
  return s ? s : &dev().null_stream;
}

void run_until(lscan_emu_stream& s, uint64_t seq) {
  if (s.done >= seq) return;
  if (s.running) {
    violation("stream waits on its own unfinished work (deadlock)");
    return;
  }
  s.running = true;
  while (s.done < seq && !s.pending.empty()) {
    std::function<void()> work = std::move(s.pending.front());
    s.pending.pop_front();
    try {
      work();
    } catch (const std::exception& e) {  // a launcher's own checks, run inside the work
      violation(std::string("work on a stream failed: ") + e.what());
    }
    ++s.done;
  }
  s.running = false;
}

void run_all(lscan_emu_stream& s) {
  run_until(s, s.enqueued);
}

std::vector<lscan_emu_stream*> all_streams() {
  Device& d = dev();
  std::vector<lscan_emu_stream*> out = {&d.null_stream};
  for (auto& s : d.streams)
    if (s->alive) out.push_back(s.get());
  return out;
}

void synchronize_all() {
  for (lscan_emu_stream* s : all_streams()) run_all(*s);
}

void push(lscan_emu_stream& s, std::function<void()> work) {
  s.pending.push_back(std::move(work));
  ++s.enqueued;
}

void enqueue_on(lscan_emu_stream& s, std::function<void()> work) {
  Device& d = dev();
  // The legacy default stream and blocking streams wait for each other.
  if (&s == &d.null_stream) {
    for (auto& other : d.streams)
      if (other->alive && other->blocking) {
        lscan_emu_stream* o = other.get();
        const uint64_t seq = o->enqueued;
        push(s, [o, seq] { run_until(*o, seq); });
      }
  } else if (s.blocking) {
    lscan_emu_stream* n = &d.null_stream;
    const uint64_t seq = n->enqueued;
    push(s, [n, seq] { run_until(*n, seq); });
  }
  push(s, std::move(work));
  switch (d.config.schedule) {
    case Schedule::Eager:
      run_all(s);
      break;
    case Schedule::Lazy:
      break;
    case Schedule::Random: {
      if (d.rng() % 2) run_all(s);
      if (d.rng() % 2) {
        const auto streams = all_streams();
        run_all(*streams[d.rng() % streams.size()]);
      }
      break;
    }
  }
}

// Freed blocks of 1 MiB and more are kept for reuse (up to 512 MiB): tests create many backends,
// each with a 32 MiB cuBLAS workspace, and fresh pages from the kernel cost more than the tests.
// Blocks have the exact size asked for, so that AddressSanitizer sees an access past the end.
struct Pool : std::multimap<size_t, void*> {
  ~Pool() {
    for (auto& [bytes, p] : *this) std::free(p);
  }
};
std::multimap<size_t, void*>& pool() {
  static Pool blocks;
  return blocks;
}
size_t& pool_bytes() {
  static size_t bytes = 0;
  return bytes;
}

void* aligned(size_t bytes) {
  void* p = nullptr;
  auto it = pool().find(bytes);
  if (it != pool().end()) {
    p = it->second;
    pool().erase(it);
    pool_bytes() -= bytes;
  } else if (posix_memalign(&p, kAlignment, bytes) != 0) {
    return nullptr;
  }
  std::memset(p, 0xff, bytes);  // uninitialised: NaN in every float format
  return p;
}

void release(void* p, size_t bytes) {
  if (bytes >= (size_t(1) << 20) && pool_bytes() + bytes <= (size_t(512) << 20)) {
    pool().emplace(bytes, p);
    pool_bytes() += bytes;
  } else {
    std::free(p);
  }
}

}  // namespace

void configure(const Config& config) {
  Device& d = dev();
  if (config.devices < 1 || config.devices > kMaxDevices)
    throw std::invalid_argument("emu::configure: 1 to kMaxDevices devices");
  for (int i = 0; i < kMaxDevices; ++i)
    if (config.memory_bytes < bytes_on(i) || (i >= config.devices && bytes_on(i) > 0))
      throw std::invalid_argument("emu::configure: a device would hold less than it has now");
  if (d.current >= config.devices) d.current = 0;
  d.config = config;
  d.rng.seed(config.seed);
  d.violations.clear();
  d.sticky = cudaSuccess;
  d.last = cudaSuccess;
  d.sticky_text.clear();
}

const Config& config() {
  return dev().config;
}

Counters counters() {
  return dev().counters;
}

void reset_counters() {
  dev().counters = Counters{};
  dev().counters.peak_device_bytes = dev().device_bytes;
}

size_t live_device_bytes() {
  return dev().device_bytes;
}

size_t live_device_allocations() {
  size_t n = 0;
  for (const auto& [base, a] : dev().allocations) n += a.device;
  return n;
}

size_t live_host_allocations() {
  return dev().allocations.size() - live_device_allocations();
}

bool idle() {
  for (lscan_emu_stream* s : all_streams())
    if (!s->pending.empty()) return false;
  return true;
}

const std::vector<std::string>& violations() {
  return dev().violations;
}

void violation(const std::string& what) {
  Device& d = dev();
  d.violations.push_back(what);
  if (d.sticky == cudaSuccess) {
    d.sticky = cudaErrorIllegalAddress;
    d.sticky_text = "an illegal memory access was encountered (emulated device: " + what + ")";
  }
  d.last = d.sticky;
}

Launch::Launch(const char* kernel, cudaStream_t stream) : kernel_(kernel), stream_(stream) {
  if (!detail::stream_alive(stream)) {
    violation(kernel_ + ": launched on a destroyed or unknown stream");
    ok_ = false;
  }
}

void Launch::operand(const void* p, long long n, size_t size, const char* what, bool read) {
  if (n <= 0) return;
  const size_t bytes = static_cast<size_t>(n) * size;
  if (!detail::is_device(p, bytes)) {
    violation(kernel_ + ": operand " + what + " (" + std::to_string(n) + " elements at " +
              describe(p) + ") is not inside one device allocation");
    ok_ = false;
    return;
  }
  (read ? reads_ : writes_).push_back({p, bytes, what});
}

cudaError_t Launch::submit(std::function<void()> work) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (!ok_) return fail(cudaErrorIllegalAddress);
  std::vector<detail::Range> operands = reads_;
  operands.insert(operands.end(), writes_.begin(), writes_.end());
  if (!detail::on_one_device(kernel_, stream_, operands)) return fail(d.sticky);
  ++d.counters.kernel_launches;
  enqueue_on(*resolve(stream_), [kernel = kernel_, reads = std::move(reads_),
                                 writes = std::move(writes_), work = std::move(work)] {
    for (const detail::Range& r : reads)
      if (!detail::check_written(r, kernel)) return;
    work();
    for (const detail::Range& r : writes) detail::mark_written(r.p, r.bytes);
  });
  return cudaSuccess;
}

namespace detail {

// A violation is recorded, and the work not run, when it would read device bytes that nothing
// wrote: uninitialised memory, or memory whose producer has not run yet on this schedule.
bool check_written(const Range& r, const std::string& who) {
  uintptr_t base = 0;
  Allocation* a = find(r.p, r.bytes, &base);
  if (!a || !a->device || r.bytes == 0) return true;
  const size_t off = reinterpret_cast<uintptr_t>(r.p) - base;
  size_t at = 0;
  if (!a->written.empty()) {
    const void* hole = std::memchr(a->written.data() + off, 0, r.bytes);
    if (!hole) return true;
    at = static_cast<size_t>(static_cast<const uint8_t*>(hole) - a->written.data()) - off;
  }
  violation(who + " reads " + r.what + " at byte " + std::to_string(at) + " of " +
            std::to_string(r.bytes) + ", which nothing has written (uninitialised, or its " +
            "writer has not run: a missing wait or synchronize)");
  return false;
}

void mark_written(const void* p, size_t bytes) {
  uintptr_t base = 0;
  Allocation* a = find(p, bytes, &base);
  if (!a || !a->device || bytes == 0) return;
  if (a->written.empty()) a->written.assign(a->bytes, 0);
  std::memset(a->written.data() + (reinterpret_cast<uintptr_t>(p) - base), 1, bytes);
}

int current_device() {
  return dev().current;
}

bool on_one_device(const std::string& who, cudaStream_t stream,
                   const std::vector<Range>& operands) {
  Device& d = dev();
  const int runs_on = stream ? stream->device : d.current;
  if (runs_on != d.current) {
    violation(who + ": work on a stream of device " + std::to_string(runs_on) + " while device " +
              std::to_string(d.current) + " is current");
    return false;
  }
  for (const Range& r : operands) {
    const Allocation* a = find(r.p, r.bytes);
    if (a && a->device && a->on != runs_on) {
      violation(who + ": " + r.what + " lives on device " + std::to_string(a->on) +
                ", the work runs on device " + std::to_string(runs_on));
      return false;
    }
  }
  ++d.counters.work_on_device[runs_on];
  return true;
}

bool is_device(const void* p, size_t bytes) {
  const Allocation* a = find(p, bytes);
  return a && a->device;
}

const void* allocation_of(const void* p) {
  uintptr_t base = 0;
  const Allocation* a = find(p, 0, &base);
  return a && a->device ? reinterpret_cast<const void*>(base) : nullptr;
}

cudaError_t sticky() {
  return dev().sticky;
}

bool stream_alive(cudaStream_t s) {
  if (!s) return true;
  for (auto& owned : dev().streams)
    if (owned.get() == s) return owned->alive;
  return false;
}

void enqueue(cudaStream_t s, std::function<void()> work) {
  enqueue_on(*resolve(s), std::move(work));
}

void count_gemm(int64_t batches) {
  ++dev().counters.gemm_calls;
  dev().counters.gemm_batches += batches;
}

}  // namespace detail

namespace api {

cudaError_t malloc_device(void** p, size_t bytes) {
  Device& d = dev();
  *p = nullptr;
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (bytes == 0) return cudaSuccess;
  const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded > d.config.memory_bytes - bytes_on(d.current)) return fail(cudaErrorMemoryAllocation);
  void* q = aligned(bytes);
  if (!q) return fail(cudaErrorMemoryAllocation);
  d.allocations[reinterpret_cast<uintptr_t>(q)] = {bytes, rounded, true, d.current, {}};
  d.device_bytes += rounded;
  ++d.counters.allocations_on_device[d.current];
  d.counters.peak_device_bytes = std::max(d.counters.peak_device_bytes, d.device_bytes);
  *p = q;
  return cudaSuccess;
}

// cudaFree and cudaFreeHost wait for the device first, as the real ones do.
cudaError_t free_device(void* p) {
  Device& d = dev();
  if (!p) return cudaSuccess;
  synchronize_all();
  auto it = d.allocations.find(reinterpret_cast<uintptr_t>(p));
  if (it == d.allocations.end() || !it->second.device) {
    violation("cudaFree of " + describe(p) + ", which is not the start of a device allocation");
    return fail(d.sticky);
  }
  d.device_bytes -= it->second.charged;
  release(p, it->second.bytes);
  d.allocations.erase(it);
  return d.sticky != cudaSuccess ? fail(d.sticky) : cudaSuccess;
}

cudaError_t malloc_host(void** p, size_t bytes) {
  Device& d = dev();
  *p = nullptr;
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (bytes == 0) return cudaSuccess;
  void* q = aligned(bytes);
  if (!q) return fail(cudaErrorMemoryAllocation);
  d.allocations[reinterpret_cast<uintptr_t>(q)] = {bytes, 0, false, 0, {}};
  *p = q;
  return cudaSuccess;
}

cudaError_t free_host(void* p) {
  Device& d = dev();
  if (!p) return cudaSuccess;
  synchronize_all();
  auto it = d.allocations.find(reinterpret_cast<uintptr_t>(p));
  if (it == d.allocations.end() || it->second.device) {
    violation("cudaFreeHost of " + describe(p) + ", which is not the start of a pinned allocation");
    return fail(d.sticky);
  }
  release(p, it->second.bytes);
  d.allocations.erase(it);
  return d.sticky != cudaSuccess ? fail(d.sticky) : cudaSuccess;
}

// Host memory that is not pinned (cudaMallocHost) is pageable: a copy from it is staged at the
// call, a copy to it returns once it has landed, as with the real runtime.
cudaError_t memcpy_async(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind,
                         cudaStream_t stream) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (bytes == 0) return cudaSuccess;
  if (!detail::stream_alive(stream)) {
    violation("cudaMemcpyAsync on a destroyed or unknown stream");
    return fail(d.sticky);
  }
  const bool dst_device = detail::is_device(dst, bytes);
  const bool src_device = detail::is_device(src, bytes);
  const bool dst_in_device = detail::allocation_of(dst) != nullptr;
  const bool src_in_device = detail::allocation_of(src) != nullptr;
  const std::string range =
      std::to_string(bytes) + " bytes from " + describe(src) + " to " + describe(dst);
  auto bad = [&](const char* why) {
    violation(std::string("cudaMemcpyAsync ") + why + ": " + range);
    return fail(d.sticky);
  };
  switch (kind) {
    case cudaMemcpyHostToDevice:
      if (!dst_device) return bad("to the device past a device allocation");
      if (src_in_device) return bad("from the host reads device memory");
      break;
    case cudaMemcpyDeviceToHost:
      if (!src_device) return bad("from the device past a device allocation");
      if (dst_in_device) return bad("to the host writes device memory");
      break;
    case cudaMemcpyDeviceToDevice:
      if (!dst_device || !src_device) return bad("within the device past a device allocation");
      break;
    default:
      return bad("with a kind the CUDA backend does not use");
  }
  const Allocation* src_alloc = find(src, bytes);
  const Allocation* dst_alloc = find(dst, bytes);
  const bool src_pinned = src_alloc && !src_alloc->device;
  const bool dst_pinned = dst_alloc && !dst_alloc->device;
  lscan_emu_stream& s = *resolve(stream);
  if (kind == cudaMemcpyHostToDevice) {
    ++d.counters.copies_to_device;
    if (src_pinned) {
      enqueue_on(s, [dst, src, bytes] {
        std::memcpy(dst, src, bytes);
        detail::mark_written(dst, bytes);
      });
    } else {
      auto staged = std::make_shared<std::vector<unsigned char>>(
          static_cast<const unsigned char*>(src), static_cast<const unsigned char*>(src) + bytes);
      enqueue_on(s, [dst, staged] {
        std::memcpy(dst, staged->data(), staged->size());
        detail::mark_written(dst, staged->size());
      });
    }
  } else {
    if (kind == cudaMemcpyDeviceToHost) ++d.counters.copies_to_host;
    enqueue_on(s, [dst, src, bytes] {
      if (!detail::check_written({src, bytes, "its source"}, "cudaMemcpyAsync")) return;
      std::memcpy(dst, src, bytes);
      detail::mark_written(dst, bytes);
    });
    if (kind == cudaMemcpyDeviceToHost && !dst_pinned) run_all(s);
  }
  return d.sticky != cudaSuccess ? fail(d.sticky) : cudaSuccess;
}

cudaError_t memset_async(void* p, int value, size_t bytes, cudaStream_t stream) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (bytes == 0) return cudaSuccess;
  if (!detail::stream_alive(stream)) {
    violation("cudaMemsetAsync on a destroyed or unknown stream");
    return fail(d.sticky);
  }
  if (!detail::is_device(p, bytes)) {
    violation("cudaMemsetAsync of " + std::to_string(bytes) + " bytes at " + describe(p) +
              " past a device allocation");
    return fail(d.sticky);
  }
  if (!detail::on_one_device("cudaMemsetAsync", stream, {{p, bytes, "its destination"}}))
    return fail(d.sticky);
  enqueue_on(*resolve(stream), [p, value, bytes] {
    std::memset(p, value, bytes);
    detail::mark_written(p, bytes);
  });
  return cudaSuccess;
}

cudaError_t mem_get_info(size_t* free_bytes, size_t* total_bytes) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  *free_bytes = d.config.memory_bytes - bytes_on(d.current);
  *total_bytes = d.config.memory_bytes;
  return cudaSuccess;
}

cudaError_t stream_create(cudaStream_t* s, unsigned flags) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  d.streams.push_back(std::make_unique<lscan_emu_stream>());
  d.streams.back()->blocking = !(flags & cudaStreamNonBlocking);
  d.streams.back()->device = d.current;
  *s = d.streams.back().get();
  return cudaSuccess;
}

// The stream's work still runs; the handle is dead at once.
cudaError_t stream_destroy(cudaStream_t s) {
  Device& d = dev();
  if (!s || !detail::stream_alive(s)) {
    violation("cudaStreamDestroy of a destroyed or unknown stream");
    return fail(d.sticky);
  }
  run_all(*s);
  s->alive = false;
  return d.sticky != cudaSuccess ? fail(d.sticky) : cudaSuccess;
}

cudaError_t stream_synchronize(cudaStream_t s) {
  Device& d = dev();
  if (!detail::stream_alive(s)) {
    violation("cudaStreamSynchronize of a destroyed or unknown stream");
    return fail(d.sticky);
  }
  run_all(*resolve(s));
  return d.sticky != cudaSuccess ? fail(d.sticky) : cudaSuccess;
}

// Waits for the event's most recent record as of this call, as the real runtime does.
cudaError_t stream_wait_event(cudaStream_t s, cudaEvent_t e, unsigned) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (!detail::stream_alive(s) || !d.events.count(e)) {
    violation("cudaStreamWaitEvent with a destroyed or unknown stream or event");
    return fail(d.sticky);
  }
  if (!e->stream) return cudaSuccess;  // never recorded: nothing to wait for
  lscan_emu_stream* target = e->stream;
  const uint64_t seq = e->seq;
  enqueue_on(*resolve(s), [target, seq] { run_until(*target, seq); });
  return cudaSuccess;
}

cudaError_t event_create(cudaEvent_t* e, unsigned) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  *e = new lscan_emu_event;
  (*e)->device = d.current;
  d.events.insert(*e);
  return cudaSuccess;
}

cudaError_t event_destroy(cudaEvent_t e) {
  Device& d = dev();
  if (!d.events.erase(e)) {
    violation("cudaEventDestroy of a destroyed or unknown event");
    return fail(d.sticky);
  }
  delete e;
  return cudaSuccess;
}

cudaError_t event_record(cudaEvent_t e, cudaStream_t s) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (!detail::stream_alive(s) || !d.events.count(e)) {
    violation("cudaEventRecord with a destroyed or unknown stream or event");
    return fail(d.sticky);
  }
  const int stream_device = s ? s->device : d.current;
  if (stream_device != e->device) {  // the runtime's cudaErrorInvalidResourceHandle
    violation("cudaEventRecord of an event of device " + std::to_string(e->device) +
              " on a stream of device " + std::to_string(stream_device));
    return fail(d.sticky);
  }
  e->stream = resolve(s);
  e->seq = e->stream->enqueued;
  return cudaSuccess;
}

cudaError_t device_synchronize() {
  synchronize_all();
  return dev().sticky != cudaSuccess ? fail(dev().sticky) : cudaSuccess;
}

cudaError_t get_device_count(int* count) {
  *count = dev().config.devices;
  return dev().config.devices > 0 ? cudaSuccess : fail(cudaErrorNoDevice);
}

cudaError_t get_device_properties(cudaDeviceProp* prop, int device) {
  Device& d = dev();
  if (device < 0 || device >= d.config.devices) return fail(cudaErrorInvalidDevice);
  std::memset(prop, 0, sizeof *prop);
  std::snprintf(prop->name, sizeof prop->name, "lscan emulated device %d", device);
  prop->totalGlobalMem = d.config.memory_bytes;
  return cudaSuccess;
}

cudaError_t set_device(int device) {
  Device& d = dev();
  if (d.sticky != cudaSuccess) return fail(d.sticky);
  if (device < 0 || device >= d.config.devices) return fail(cudaErrorInvalidDevice);
  d.current = device;
  return cudaSuccess;
}

cudaError_t get_last_error() {
  Device& d = dev();
  const cudaError_t e = d.last;
  d.last = d.sticky;  // a sticky error stays
  return e;
}

cudaError_t peek_at_last_error() {
  return dev().last;
}

const char* error_string(cudaError_t e) {
  switch (e) {
    case cudaSuccess:
      return "no error";
    case cudaErrorInvalidValue:
      return "invalid argument";
    case cudaErrorMemoryAllocation:
      return "out of memory";
    case cudaErrorNoDevice:
      return "no CUDA-capable device is detected";
    case cudaErrorInvalidDevice:
      return "invalid device ordinal";
    case cudaErrorInvalidResourceHandle:
      return "invalid resource handle";
    case cudaErrorIllegalAddress:
      return dev().sticky_text.empty() ? "an illegal memory access was encountered"
                                       : dev().sticky_text.c_str();
  }
  return "unknown error";
}

}  // namespace api
}  // namespace lscan::emu
