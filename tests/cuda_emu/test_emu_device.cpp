// The emulated device itself (emu_device.h): its GEMMs against plain row-major products through
// the backend's own wrapper (host/engine/cuda/cuda_blas.h) and against a product worked by hand,
// its bfloat16 rounding, and that each misuse it exists to catch is caught: operands past an
// allocation, reads of memory nothing wrote, missing waits between streams (Lazy and Random
// schedules), out-of-memory as a plain, non-sticky error, and work that mixes devices.
#include "emu_names.h"
// clang-format off
#include <cuda_bf16.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "emu_device.h"
#include "emu_test_util.h"
#include "host/engine/cuda/cuda_blas.h"
#include "host/engine/cuda/device_buffer.h"
#include "kernels/backprop_kernels.h"
#include "random_problems.h"
// clang-format on

namespace lscan::testing {
namespace {

class EmuDevice : public ::testing::Test {
 protected:
  void SetUp() override { emu::configure(emu_config(emu::Schedule::Lazy)); }
  void TearDown() override { emu::configure(emu_config(emu::Schedule::Lazy)); }
};

template <class T>
std::vector<T> download(const DeviceBuffer<T>& d) {
  std::vector<T> h(d.size());
  d.download(h.data(), h.size());
  return h;
}

bool has_violation(const std::string& part) {
  for (const std::string& v : emu::violations())
    if (v.find(part) != std::string::npos) return true;
  return false;
}

// C (2 x 2) = A (2 x 3) B (3 x 2) in cuBLAS's column-major terms, by hand: A = [1 2 3; 4 5 6]
// stored by columns {1, 4, 2, 5, 3, 6}, B = [1 0; 0 1; 1 1] stored {1, 0, 1, 0, 1, 1}, so
// C = [4 5; 10 11], stored {4, 10, 5, 11}; beta = 0 leaves C's poison unread.
TEST_F(EmuDevice, GemmOfAProductWorkedByHand) {
  const double a[] = {1, 4, 2, 5, 3, 6}, b[] = {1, 0, 1, 0, 1, 1};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double c0[] = {nan, nan, nan, nan};
  DeviceBuffer<double> A(6), B(6), C(4);
  A.upload(a, 6);
  B.upload(b, 6);
  C.upload(c0, 4);
  cuda_emu::BlasHandle h;
  h.create();
  const double one = 1, zero = 0;
  ASSERT_EQ(
      cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, A.data(), CUDA_R_64F,
                                 2, 0, B.data(), CUDA_R_64F, 3, 0, &zero, C.data(), CUDA_R_64F, 2,
                                 0, 1, CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT),
      CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(download(C), (std::vector<double>{4, 10, 5, 11}));
  // lda below the rows of A is refused, as cuBLAS does.
  EXPECT_EQ(
      cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, A.data(), CUDA_R_64F,
                                 1, 0, B.data(), CUDA_R_64F, 3, 0, &zero, C.data(), CUDA_R_64F, 2,
                                 0, 1, CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT),
      CUBLAS_STATUS_INVALID_VALUE);
  // fp64 data with an fp32 compute type is not a combination cuBLAS offers.
  EXPECT_EQ(
      cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 3, &one, A.data(), CUDA_R_64F,
                                 2, 0, B.data(), CUDA_R_64F, 3, 0, &zero, C.data(), CUDA_R_64F, 2,
                                 0, 1, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
      CUBLAS_STATUS_NOT_SUPPORTED);
  EXPECT_TRUE(emu::violations().empty());
}

// The backend's row-major wrapper on the emulated cuBLAS against a plain fp64 row-major product,
// for every transpose pair, batched with strides, beta 0 and 1, in fp64 (1e-13 relative to the
// sum of |terms|), fp32 (1e-5) and bf16 inputs with fp32 output (bf16 operands are exact in fp32;
// the sums are fp32: 1e-5).
TEST_F(EmuDevice, RowMajorGemmMatchesAPlainProduct) {
  const uint64_t seed = fresh_seed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  cuda_emu::BlasHandle h;
  h.create();
  const int64_t M = 5, N = 7, K = 4, batch = 3;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (double beta : {0.0, 1.0})
        for (int type = 0; type < 3; ++type) {
          SCOPED_TRACE("ta " + std::to_string(ta) + " tb " + std::to_string(tb) + " beta " +
                       std::to_string(beta) + " type " + std::to_string(type));
          // Row-major A_i (M, K) or its transpose stored (K, M); likewise B; C_i (M, N).
          const int64_t sA = M * K + 3, sB = K * N + 2, sC = M * N + 1;
          std::vector<double> a(batch * sA), b(batch * sB), c(batch * sC);
          for (double& v : a) v = u(rng);
          for (double& v : b) v = u(rng);
          for (double& v : c) v = u(rng);
          if (type == 2) {  // bf16 inputs: use values bf16 holds exactly
            for (double& v : a) v = __bfloat162float(__double2bfloat16(v));
            for (double& v : b) v = __bfloat162float(__double2bfloat16(v));
          }
          if (type != 0)
            for (double& v : c) v = static_cast<float>(v);
          std::vector<double> want = c, scale(batch * sC, 0.0);
          for (int64_t i = 0; i < batch; ++i)
            for (int64_t r = 0; r < M; ++r)
              for (int64_t col = 0; col < N; ++col) {
                double sum = 0, mag = 0;
                for (int64_t p = 0; p < K; ++p) {
                  const double x = ta ? a[i * sA + p * M + r] : a[i * sA + r * K + p];
                  const double y = tb ? b[i * sB + col * K + p] : b[i * sB + p * N + col];
                  sum += x * y;
                  mag += std::fabs(x * y);
                }
                double& w = want[i * sC + r * N + col];
                w = sum + beta * w;
                scale[i * sC + r * N + col] = mag + std::fabs(beta * c[i * sC + r * N + col]);
              }
          const int64_t lda = ta ? M : K, ldb = tb ? K : N;
          std::vector<double> got(c.size());
          const cublasComputeType_t compute = type == 0 ? CUBLAS_COMPUTE_64F : CUBLAS_COMPUTE_32F;
          if (type == 0) {
            DeviceBuffer<double> A(a.size()), B(b.size()), C(c.size());
            A.upload(a.data(), a.size());
            B.upload(b.data(), b.size());
            C.upload(c.data(), c.size());
            cuda_emu::gemm(h, compute, ta, tb, M, N, K, A.data(), CUDA_R_64F, lda, sA, B.data(),
                           CUDA_R_64F, ldb, sB, C.data(), CUDA_R_64F, N, sC, batch, beta);
            got = download(C);
          } else {
            std::vector<float> cf(c.begin(), c.end());
            DeviceBuffer<float> C(cf.size());
            C.upload(cf.data(), cf.size());
            if (type == 1) {
              std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end());
              DeviceBuffer<float> A(af.size()), B(bf.size());
              A.upload(af.data(), af.size());
              B.upload(bf.data(), bf.size());
              cuda_emu::gemm(h, compute, ta, tb, M, N, K, A.data(), CUDA_R_32F, lda, sA, B.data(),
                             CUDA_R_32F, ldb, sB, C.data(), CUDA_R_32F, N, sC, batch, beta);
            } else {
              std::vector<__nv_bfloat16> ah(a.size()), bh(b.size());
              for (size_t i = 0; i < a.size(); ++i) ah[i] = __double2bfloat16(a[i]);
              for (size_t i = 0; i < b.size(); ++i) bh[i] = __double2bfloat16(b[i]);
              DeviceBuffer<__nv_bfloat16> A(ah.size()), B(bh.size());
              A.upload(ah.data(), ah.size());
              B.upload(bh.data(), bh.size());
              cuda_emu::gemm(h, compute, ta, tb, M, N, K, A.data(), CUDA_R_16BF, lda, sA, B.data(),
                             CUDA_R_16BF, ldb, sB, C.data(), CUDA_R_32F, N, sC, batch, beta);
            }
            const std::vector<float> g = download(C);
            got.assign(g.begin(), g.end());
          }
          const double tol = type == 0 ? 1e-13 : 1e-5;
          for (int64_t i = 0; i < batch; ++i)
            for (int64_t e = 0; e < M * N; ++e) {
              const int64_t at = i * sC + e;
              EXPECT_LE(std::fabs(got[at] - want[at]), tol * scale[at]) << "entry " << at;
            }
          for (int64_t i = 0; i < batch; ++i)  // the gaps between the strided outputs stay
            for (int64_t e = M * N; e < sC; ++e)
              EXPECT_EQ(got[i * sC + e],
                        type == 0 ? c[i * sC + e] : static_cast<float>(c[i * sC + e]));
        }
  EXPECT_TRUE(emu::violations().empty());
}

// A batch past cuBLAS's trusted 65535 entries per call: the wrapper splits it into calls of at most
// kMaxGemmBatch, each entry's product lands at its own place (the second call's operands start at
// entry kMaxGemmBatch, bf16 A and B but fp32 C: three element sizes), and the emulated cuBLAS
// refuses a single call that large.
TEST_F(EmuDevice, LargeBatchesGoInSeveralCalls) {
  const int64_t batch = 2 * cuda_emu::kMaxGemmBatch + 1234;
  ASSERT_GT(cuda_emu::kMaxGemmBatch, 60000);
  ASSERT_LE(cuda_emu::kMaxGemmBatch, 65535);
  // C_i (1, 2) = A_i (1, 1) B_i (1, 2) with a_i = i mod 251 and B_i = (1, 2): small integers,
  // exact in bf16 and fp32.
  std::vector<__nv_bfloat16> a(batch), b(2 * batch);
  for (int64_t i = 0; i < batch; ++i) {
    a[i] = __double2bfloat16(static_cast<double>(i % 251));
    b[2 * i] = __double2bfloat16(1.0);
    b[2 * i + 1] = __double2bfloat16(2.0);
  }
  DeviceBuffer<__nv_bfloat16> A(a.size()), B(b.size());
  DeviceBuffer<float> C(2 * batch);
  A.upload(a.data(), a.size());
  B.upload(b.data(), b.size());
  cuda_emu::BlasHandle h;
  h.create();
  emu::reset_counters();
  cuda_emu::gemm(h, CUBLAS_COMPUTE_32F, false, false, 1, 2, 1, A.data(), CUDA_R_16BF, 1, 1,
                 B.data(), CUDA_R_16BF, 2, 2, C.data(), CUDA_R_32F, 2, 2, batch);
  EXPECT_EQ(emu::counters().gemm_calls, 3);
  EXPECT_EQ(emu::counters().gemm_batches, batch);
  const std::vector<float> c = download(C);
  for (int64_t i = 0; i < batch; ++i) {
    ASSERT_EQ(c[2 * i], static_cast<float>(i % 251)) << "entry " << i;
    ASSERT_EQ(c[2 * i + 1], static_cast<float>(2 * (i % 251))) << "entry " << i;
  }
  EXPECT_TRUE(emu::violations().empty());

  const float one = 1, zero = 0;
  EXPECT_EQ(
      cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, &one, B.data(), CUDA_R_16BF,
                                 2, 2, A.data(), CUDA_R_16BF, 1, 1, &zero, C.data(), CUDA_R_32F, 2,
                                 2, 65536, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
      CUBLAS_STATUS_EXECUTION_FAILED);
  EXPECT_TRUE(has_violation("65536 entries in one call"));
}

TEST_F(EmuDevice, OperandPastItsAllocationIsAViolation) {
  DeviceBuffer<float> A(10), B(12), C(4);
  const float zeros[12] = {};
  A.upload(zeros, 10);
  B.upload(zeros, 12);
  cuda_emu::BlasHandle h;
  h.create();
  // (2, 6) x (6, 2) needs 12 elements of A: two past its end.
  try {
    cuda_emu::gemm(h, CUBLAS_COMPUTE_32F, false, false, 2, 2, 6, A.data(), CUDA_R_32F, 6, 0,
                   B.data(), CUDA_R_32F, 2, 0, C.data(), CUDA_R_32F, 2, 0, 1);
    FAIL() << "expected the GEMM to fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is not inside one device allocation"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(has_violation("operand B"));  // row-major A is cuBLAS's B
  // The fault is sticky, like a real one.
  void* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, 16), cudaErrorIllegalAddress);
}

TEST_F(EmuDevice, KernelOperandPastItsAllocationIsAViolation) {
  DeviceBuffer<double> Z(10), A(9);
  EXPECT_THROW(emu_launch_activate(Z.data(), A.data(), 10, Activation::Tanh, 0.0, nullptr),
               std::runtime_error);
  EXPECT_TRUE(has_violation("activate_kernel: operand A (10 elements"));
}

TEST_F(EmuDevice, ReadingWhatNothingWroteIsAViolation) {
  DeviceBuffer<double> Z(10), A(10);
  emu_launch_activate(Z.data(), A.data(), 10, Activation::Tanh, 0.0, nullptr);
  EXPECT_THROW(LSCAN_CUDA_CHECK(cudaStreamSynchronize(nullptr)), std::runtime_error);
  EXPECT_TRUE(has_violation("activate_kernel reads Z at byte 0 of 80, which nothing has written"));
}

TEST_F(EmuDevice, HostAndDevicePointersSwappedIsAViolation) {
  DeviceBuffer<double> d(4);
  std::vector<double> h(4, 1.0);
  EXPECT_NE(cudaMemcpyAsync(h.data(), d.data(), 32, cudaMemcpyHostToDevice, nullptr), cudaSuccess);
  EXPECT_TRUE(has_violation("to the device past a device allocation"));
}

// A copy on one stream and a kernel on another that reads its result: without an event between
// them, the Lazy schedule runs the kernel first (the copy has not run: a violation); with the
// event, the values arrive.
TEST_F(EmuDevice, LazyScheduleCatchesAMissingWait) {
  for (bool wait : {false, true}) {
    SCOPED_TRACE(wait ? "with the wait" : "without");
    emu::configure(emu_config(emu::Schedule::Lazy));
    cuda_emu::Stream copy, compute;
    copy.create();
    compute.create();
    cuda_emu::Event copied;
    copied.create();
    PinnedBuffer<double> host(4);
    for (int i = 0; i < 4; ++i) host[i] = i;
    DeviceBuffer<double> x(4), y(4);
    x.upload_async(host.data(), 4, copy);
    LSCAN_CUDA_CHECK(cudaEventRecord(copied, copy));
    if (wait) LSCAN_CUDA_CHECK(cudaStreamWaitEvent(compute, copied, 0));
    emu_launch_activate(x.data(), y.data(), 4, Activation::Identity, 0.0, compute);
    const cudaError_t e = cudaStreamSynchronize(compute);
    if (wait) {
      ASSERT_EQ(e, cudaSuccess);
      EXPECT_EQ(download(y), (std::vector<double>{0, 1, 2, 3}));
    } else {
      EXPECT_EQ(e, cudaErrorIllegalAddress);
      EXPECT_TRUE(has_violation("activate_kernel reads Z"));
    }
  }
}

// The other direction: a copy that overwrites a buffer while a kernel on another stream still
// has to read it. The Random schedule runs the copy stream ahead in some interleavings; the
// kernel then reads the new values. With the wait, never.
TEST_F(EmuDevice, RandomScheduleCatchesAMissingWaitBeforeOverwriting) {
  int wrong[2] = {0, 0};
  for (bool wait : {false, true})
    for (uint64_t seed = 1; seed <= 40; ++seed) {
      emu::Config c = emu_config(emu::Schedule::Random);
      c.seed = seed;
      emu::configure(c);
      cuda_emu::Stream copy, compute;
      copy.create();
      compute.create();
      cuda_emu::Event used;
      used.create();
      PinnedBuffer<double> first(4), second(4);
      for (int i = 0; i < 4; ++i) {
        first[i] = 1;
        second[i] = 2;
      }
      DeviceBuffer<double> x(4), y(4);
      x.upload_async(first.data(), 4, compute);
      emu_launch_activate(x.data(), y.data(), 4, Activation::Identity, 0.0, compute);
      LSCAN_CUDA_CHECK(cudaEventRecord(used, compute));
      if (wait) LSCAN_CUDA_CHECK(cudaStreamWaitEvent(copy, used, 0));
      x.upload_async(second.data(), 4, copy);
      LSCAN_CUDA_CHECK(cudaStreamSynchronize(copy));
      LSCAN_CUDA_CHECK(cudaStreamSynchronize(compute));
      wrong[wait] += download(y)[0] != 1.0;
    }
  EXPECT_GT(wrong[0], 0) << "no interleaving ran the copy first";
  EXPECT_EQ(wrong[1], 0);
}

TEST_F(EmuDevice, OutOfMemoryIsAPlainErrorThatClears) {
  emu::configure(emu_config(emu::Schedule::Lazy, 1 << 20));
  void* p = nullptr;
  EXPECT_EQ(cudaMalloc(&p, 2 << 20), cudaErrorMemoryAllocation);
  EXPECT_EQ(cudaGetLastError(), cudaErrorMemoryAllocation);
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  DeviceBuffer<char> fits(512 << 10);
  size_t free_bytes = 0, total = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total), cudaSuccess);
  EXPECT_EQ(total, size_t(1) << 20);
  EXPECT_EQ(free_bytes, size_t(512) << 10);
  EXPECT_EQ(DeviceBuffer<char>().try_allocate(768 << 10), cudaErrorMemoryAllocation);
  EXPECT_EQ(cudaPeekAtLastError(), cudaSuccess);  // try_allocate cleared it
}

// Two devices: memory is counted per device, and work must run on the current device, on its
// streams and handles, with operands that live there.
class EmuTwoDevices : public EmuDevice {
 protected:
  void SetUp() override {
    emu::Config c = emu_config(emu::Schedule::Lazy, 1 << 20);
    c.devices = 2;
    emu::configure(c);
    emu::reset_counters();
    LSCAN_CUDA_CHECK(cudaSetDevice(0));
  }
};

TEST_F(EmuTwoDevices, MemoryIsCountedPerDevice) {
  DeviceBuffer<char> on0(768 << 10);
  LSCAN_CUDA_CHECK(cudaSetDevice(1));
  size_t free_bytes = 0, total = 0;
  ASSERT_EQ(cudaMemGetInfo(&free_bytes, &total), cudaSuccess);
  EXPECT_EQ(free_bytes, size_t(1) << 20);
  DeviceBuffer<char> on1(768 << 10);  // would not fit beside on0
  EXPECT_EQ(emu::counters().allocations_on_device[0], 1);
  EXPECT_EQ(emu::counters().allocations_on_device[1], 1);
  EXPECT_EQ(cudaSetDevice(2), cudaErrorInvalidDevice);
}

TEST_F(EmuTwoDevices, KernelOnAnotherDevicesStreamIsAViolation) {
  LSCAN_CUDA_CHECK(cudaSetDevice(1));
  cuda_emu::Stream s1;
  s1.create();
  DeviceBuffer<double> x(4), y(4);
  x.zero_async(4, s1);
  LSCAN_CUDA_CHECK(cudaSetDevice(0));
  EXPECT_THROW(emu_launch_activate(x.data(), y.data(), 4, Activation::Identity, 0.0, s1),
               std::runtime_error);
  EXPECT_TRUE(has_violation("work on a stream of device 1 while device 0 is current"));
}

TEST_F(EmuTwoDevices, OperandOnAnotherDeviceIsAViolation) {
  DeviceBuffer<double> x(4);  // device 0
  x.zero_async(4, nullptr);
  LSCAN_CUDA_CHECK(cudaSetDevice(1));
  DeviceBuffer<double> y(4);
  EXPECT_THROW(emu_launch_activate(x.data(), y.data(), 4, Activation::Identity, 0.0, nullptr),
               std::runtime_error);
  EXPECT_TRUE(has_violation("Z lives on device 0, the work runs on device 1"));
}

TEST_F(EmuTwoDevices, BlasHandleOfAnotherDeviceIsAViolation) {
  cuda_emu::BlasHandle h;  // device 0
  h.create();
  LSCAN_CUDA_CHECK(cudaSetDevice(1));
  DeviceBuffer<float> A(4), B(4), C(4);
  A.zero_async(4, nullptr);
  B.zero_async(4, nullptr);
  EXPECT_THROW(cuda_emu::gemm(h, CUBLAS_COMPUTE_32F, false, false, 2, 2, 2, A.data(), CUDA_R_32F, 2,
                              0, B.data(), CUDA_R_32F, 2, 0, C.data(), CUDA_R_32F, 2, 0, 1),
               std::runtime_error);
  EXPECT_TRUE(has_violation("a cuBLAS handle of device 0 used while device 1 is current"));
}

TEST_F(EmuTwoDevices, EventOfAnotherDeviceIsAViolation) {
  cuda_emu::Event e;  // device 0
  e.create();
  LSCAN_CUDA_CHECK(cudaSetDevice(1));
  cuda_emu::Stream s1;
  s1.create();
  EXPECT_NE(cudaEventRecord(e, s1), cudaSuccess);
  EXPECT_TRUE(has_violation("cudaEventRecord of an event of device 0 on a stream of device 1"));
}

// Round to nearest even from float and, with a single rounding, from double.
TEST(EmuBf16, RoundsToNearestEven) {
  auto f = [](float x) { return __bfloat162float(__float2bfloat16(x)); };
  auto d = [](double x) { return __bfloat162float(__double2bfloat16(x)); };
  const double u = std::ldexp(1.0, -7);                          // bf16's ulp at 1
  EXPECT_EQ(f(1.0f + 0.5f * u), 1.0f);                           // tie: to the even 1
  EXPECT_EQ(f(1.0f + 1.5f * u), static_cast<float>(1 + 2 * u));  // tie: to the even 1 + 2u
  EXPECT_EQ(f(1.0f + 0.75f * u), static_cast<float>(1 + u));
  EXPECT_EQ(d(1.0 + 0.5 * u + std::ldexp(1.0, -40)), static_cast<float>(1 + u));  // just past a tie
  EXPECT_EQ(d(1.0 + 0.5 * u), 1.0f);
  EXPECT_EQ(d(-3.0), -3.0f);
  EXPECT_TRUE(std::isinf(d(1e39)));
  EXPECT_TRUE(std::isnan(f(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isinf(f(std::numeric_limits<float>::infinity())));
}

}  // namespace
}  // namespace lscan::testing
