// The CUDA backend: the engine of DESIGN.md with cuBLAS GEMMs and the kernels of
// kernels/elementwise.cu, mirroring the CPU backend (host/engine/cpu_backend.cpp).
//
// For a tile of B points and a chunk of Nc samples (k directions, K1 = k + 1, layer widths
// n_0 = d, n_1..n_L, m = n_L):
//   Cext (B, K1) = [1, C]
//   per tile, inner dimension K1 (launch_combine):
//     Wp_l (B, n_l n_{l-1}) = Cext * Wstack_l (K1, n_l n_{l-1})   layers with materialised weights
//     Bp_l (B, n_l)         = Cext * Bstack_l (K1, n_l)
//   layer 1, factorised when K1 < d:
//     P  (K1 n_1, Nc) = Wstack_1 (K1 n_1, d) * Xc^T (d, Nc)         one cuBLAS GEMM per chunk
//     Z1 (B, n_1, Nc) = act(Cext * P + Bp_1)                        one launch for the whole tile
//   otherwise Z1[b] (n_1, Nc) = Wp_1[b] (n_1, d) * Xc^T             strided-batched GEMM, X shared
//                                                                   (fp64: one GEMM per point)
//   deeper layers:
//     Z_l[b] (n_l, Nc) = Wp_l[b] (n_l, n_{l-1}) * A_{l-1}[b] (n_{l-1}, Nc)
//                                                   one strided-batched GEMM over the B points
//                                                   (fp64: one GEMM per point)
//     A_l = act(Z_l + Bp_l)
//   loss: one warp per point adds the per-sample losses to an fp64 running sum in sample order.
//
// Where it differs from the CPU backend, and why:
//   - The products with inner dimension K1 (Wp, Bp and the (B, K1) x (K1, n_1 Nc) product of
//     layer 1) run in one fused kernel instead of a GEMM. They are pure memory traffic: the fused
//     kernel writes Z1, the largest buffer, once, where a GEMM writes it, bias + activation reads
//     it and writes it again. And it adds the K1 terms in one fixed order, so these products do
//     not depend on the tile size, where cuBLAS would choose its kernel, and so its rounding, by
//     the shape (B, K1) x (K1, n). The batched GEMMs keep their per-point shape whatever B, but
//     cuBLAS may choose another kernel for another batch count; fp64, where a point's numbers must
//     not depend on its tile to the bit, makes one GEMM call per point instead (point_gemms).
//   - Every layer is feature-major, (n_l, Nc) per point, the output layer included: the loss
//     kernel's 32 lanes read 32 consecutive samples of an output row, coalesced.
//
// Precision modes (storage S of weights, data and activations / GEMM compute type):
//   fp64  double / CUBLAS_COMPUTE_64F
//   fp32  float / CUBLAS_COMPUTE_32F (default math mode: no TF32)
//   tf32  float / CUBLAS_COMPUTE_32F_FAST_TF32; every GEMM operand (data, weights, hidden
//         activations) is stored already rounded to the nearest TF32 value: tensor cores would
//         otherwise truncate it, a bias towards zero that adds up through the layers (on the
//         test problems, benchmarks/emulate_precision.py: a median loss error of 4e-5 instead of
//         3.6e-4, a maximum of 1.9e-3 instead of 6.4e-3)
//   bf16  __nv_bfloat16 / CUBLAS_COMPUTE_32F (fp32 accumulation); element math in float
// Coefficients, biases and the network outputs are held in the compute type E = compute_t<S>
// (double for fp64, float otherwise); per-sample losses are computed in E and summed in fp64,
// as on the CPU.
//
// Memory: the budget is EvalSetup::max_memory, else 70% of the device's free memory; it holds the
// stacked weights, the data when it takes at most half of what is left (else the data streams
// through two chunk slots from pinned host memory, the copy of chunk c + 1 overlapping the compute
// of chunk c on a second stream), and the tile's buffers. Buffers are allocated at the first
// evaluate() for the points it is given; when cudaMalloc runs out of memory, the tile is halved
// and evaluated in pieces (a point's arithmetic is the same in any piece).
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "host/core/error.h"
#include "host/core/format.h"
#include "host/engine/cuda/cuda_backend.h"
#include "host/engine/cuda/cuda_blas.h"
#include "host/engine/cuda/device_buffer.h"
#include "kernels/cuda_check.cuh"
#include "kernels/elementwise.h"
#include "kernels/elementwise_math.cuh"
#include "kernels/rounding.cuh"

namespace lscan {
namespace {

using cuda_detail::BlasHandle;
using cuda_detail::Event;
using cuda_detail::gemm;
using cuda_detail::Stream;
using cuda_detail::to_int;

constexpr double kFreeMemoryFraction = 0.7;   // of cudaMemGetInfo's free bytes, by default
constexpr int64_t kDefaultChunk = 4096;       // samples: wide enough for full-rate batched GEMMs
constexpr int64_t kMaxElements = INT_MAX;     // per buffer, to stay inside 32-bit indexing
constexpr size_t kBlasWorkspace = 32u << 20;  // bytes; cuBLAS's recommendation for Hopper

template <class T>
cudaDataType_t data_type() {
  if constexpr (std::is_same_v<T, double>) {
    return CUDA_R_64F;
  } else if constexpr (std::is_same_v<T, float>) {
    return CUDA_R_32F;
  } else {
    static_assert(std::is_same_v<T, __nv_bfloat16>);
    return CUDA_R_16BF;
  }
}

template <class S>
class CudaBackend final : public Backend {
 public:
  using E = compute_t<S>;

  CudaBackend(const EvalSetup& s, int device, cublasComputeType_t compute)
      : s_(s), device_(device), compute_(compute), tf32_(compute == CUBLAS_COMPUTE_32F_FAST_TF32) {
    const auto& layers = s.model->spec.layers;
    k_ = static_cast<int64_t>(s.directions->size());
    K1_ = k_ + 1;
    n_ = s.data->n;
    d_ = s.data->d;
    L_ = static_cast<int>(layers.size());
    m_ = s.model->spec.output_dim();
    tw_ = s.targets->width;
    factorise_ = K1_ < d_;
    for (int l = 0; l + 1 < L_; ++l) max_hidden_ = std::max<int64_t>(max_hidden_, layers[l].out);
    hidden_buffers_ = std::min(2, L_ - 1);

    LSCAN_CUDA_CHECK(cudaSetDevice(device_));
    size_t free_bytes = 0, total_bytes = 0;
    LSCAN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    const double free_at_start = static_cast<double>(free_bytes);
    total_bytes_ = static_cast<double>(total_bytes);
    bool planned = false;
    try {
      compute_stream_.create();
      copy_stream_.create();
      for (int i = 0; i < 2; ++i) {
        copied_[i].create();
        slot_free_[i].create();
      }
      blas_.create();
      LSCAN_CUDA_CHECK(cublasSetStream(blas_, compute_stream_));
      // A workspace of our own (after cublasSetStream, which resets it): cuBLAS then allocates
      // nothing while the tile's buffers fill the device.
      blas_workspace_.allocate(kBlasWorkspace);
      LSCAN_CUDA_CHECK(cublasSetWorkspace(blas_, blas_workspace_.data(), kBlasWorkspace));
      LSCAN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
      free_bytes_ = static_cast<double>(free_bytes);
      plan();
      planned = true;
      upload_model();
      upload_data();
      if (factorise_) P_.allocate(static_cast<size_t>(K1_ * layers[0].out * chunk_));
    } catch (const OutOfMemoryError&) {
      // The budget promised more than the device had: a --max-memory above its free memory, or
      // another process allocating meanwhile.
      std::ostringstream os;
      os << "cuda:" << device_ << " is out of memory: ";
      if (planned) {
        const double data = resident_ ? data_bytes(n_) : 2 * data_bytes(chunk_);
        const double products = fixed_bytes(chunk_) - (resident_ ? 0.0 : data);  // P
        os << "cuBLAS's workspace, the stacked weights, the data and the first layer's products "
           << "need " << format_bytes(kBlasWorkspace + model_bytes() + data + products) << " ("
           << format_bytes(kBlasWorkspace) << ", " << format_bytes(model_bytes()) << ", "
           << format_bytes(data) << ", " << format_bytes(products) << ")";
      } else {
        os << "cuBLAS's handle and workspace need more than " << format_bytes(kBlasWorkspace);
      }
      os << ", and " << format_bytes(free_at_start) << " of " << format_bytes(total_bytes_)
         << " were free";
      out_of_memory(os.str());
    }
  }

  ~CudaBackend() override {
    compute_stream_.synchronize();
    copy_stream_.synchronize();
  }

  std::string name() const override { return "cuda:" + std::to_string(device_); }
  int64_t max_tile() const override { return tile_; }
  int64_t chunk() const override { return chunk_; }

  void evaluate(const double* coeffs, int64_t B, double* loss, double* acc) override {
    if (B <= 0) return;
    if (B > tile_) throw std::invalid_argument("evaluate: tile larger than max_tile()");
    LSCAN_CUDA_CHECK(cudaSetDevice(device_));
    for (int64_t p0 = 0; p0 < B;) {
      const int64_t b = std::min(B - p0, alloc_tile_);
      if (!reserve_tile(b)) continue;  // out of memory: alloc_tile_ was halved
      run_tile(k_ > 0 ? coeffs + p0 * k_ : nullptr, b, loss + p0, acc + p0);
      p0 += b;
    }
  }

 private:
  bool materialised(int l) const { return l > 0 || !factorise_; }

  // v in the storage format; in tf32 mode rounded to TF32, as every GEMM operand is.
  S to_storage(double v) const {
    const S s = from_double<S>(v);
    if constexpr (std::is_same_v<S, float>) return tf32_ ? round_to_tf32(s) : s;
    return s;
  }

  double model_bytes() const {
    double bytes = 0;
    for (const DenseLayer& layer : s_.model->spec.layers)
      bytes += K1_ * (sizeof(S) * static_cast<double>(layer.out) * layer.in +
                      sizeof(E) * static_cast<double>(layer.out));
    return bytes;
  }
  double data_bytes(int64_t samples) const {
    return static_cast<double>(samples) * (sizeof(S) * d_ + sizeof(double) * tw_);
  }
  // Device bytes that do not grow with the tile, for chunks of Nc samples.
  double fixed_bytes(int64_t Nc) const {
    double bytes = resident_ ? 0.0 : 2 * data_bytes(Nc);  // two chunk slots
    if (factorise_)
      bytes += sizeof(S) * K1_ * static_cast<double>(s_.model->spec.layers[0].out) * Nc;
    return bytes;
  }
  // Device bytes of one more point in the tile.
  double point_bytes(int64_t Nc) const {
    const auto& layers = s_.model->spec.layers;
    double bytes = sizeof(E) * K1_ + 2 * sizeof(double);  // Cext row, sums, correct
    for (int l = 0; l < L_; ++l) {
      if (materialised(l)) bytes += sizeof(S) * static_cast<double>(layers[l].out) * layers[l].in;
      bytes += sizeof(E) * layers[l].out;
    }
    bytes += sizeof(S) * static_cast<double>(hidden_buffers_) * max_hidden_ * Nc;
    bytes += sizeof(E) * static_cast<double>(m_) * Nc;
    return bytes;
  }
  // The largest buffer of one point, in elements.
  int64_t point_elements(int64_t Nc) const {
    int64_t e = std::max(max_hidden_, static_cast<int64_t>(m_)) * Nc;
    for (int l = 0; l < L_; ++l)
      if (materialised(l))
        e = std::max(
            e, static_cast<int64_t>(s_.model->spec.layers[l].out) * s_.model->spec.layers[l].in);
    return e;
  }

  void plan() {
    const bool from_flag = s_.max_memory > 0;
    const double budget = from_flag ? s_.max_memory : kFreeMemoryFraction * free_bytes_;
    double room = budget - model_bytes();
    resident_ = data_bytes(n_) <= room / 2;
    if (resident_) room -= data_bytes(n_);
    chunk_ = s_.chunk > 0 ? s_.chunk : kDefaultChunk;
    chunk_ = std::max<int64_t>(1, std::min(chunk_, n_));
    auto fit = [&](int64_t Nc) {
      const double left = room - fixed_bytes(Nc);
      return left <= 0 ? int64_t(0) : static_cast<int64_t>(left / point_bytes(Nc));
    };
    if (s_.chunk <= 0)
      while (chunk_ > 1 && fit(chunk_) < 1) chunk_ = (chunk_ + 1) / 2;
    // Beyond kMaxElements per buffer a tile is evaluated in pieces anyway.
    const int64_t cap = std::max<int64_t>(1, kMaxElements / point_elements(chunk_));
    tile_ = s_.tile > 0 ? s_.tile : std::min(fit(chunk_), cap);
    if (tile_ < 1 || fit(chunk_) < 1) {
      std::ostringstream os;
      os << "--max-memory: "
         << (from_flag ? "the memory budget of " + format_bytes(budget)
                       : "70% of the free memory of cuda:" + std::to_string(device_) + " (" +
                             format_bytes(budget) + " of " + format_bytes(total_bytes_) + ")")
         << " holds no tile: the stacked weights take " << format_bytes(model_bytes())
         << ", the data " << format_bytes(resident_ ? data_bytes(n_) : 2 * data_bytes(chunk_))
         << ", and one point with " << chunk_ << " samples per chunk needs "
         << format_bytes(fixed_bytes(chunk_) + point_bytes(chunk_)) << " more";
      throw InputError(os.str());
    }
    alloc_tile_ = std::min(tile_, cap);
  }

  void upload_model() {
    const Model& model = *s_.model;
    Wstack_.resize(L_);
    Bstack_.resize(L_);
    for (int l = 0; l < L_; ++l) {
      const DenseLayer& layer = model.spec.layers[l];
      const int64_t wsize = static_cast<int64_t>(layer.out) * layer.in;
      std::vector<S> w(static_cast<size_t>(K1_ * wsize));               // (K1, n_l n_{l-1})
      std::vector<E> bias(static_cast<size_t>(K1_ * layer.out), E(0));  // (K1, n_l)
      for (int64_t i = 0; i < K1_; ++i) {
        const double* src = i == 0 ? model.theta.data() : (*s_.directions)[i - 1].v.data();
        for (int64_t e = 0; e < wsize; ++e) w[i * wsize + e] = to_storage(src[layer.w_offset + e]);
        if (layer.b_offset >= 0)
          for (int e = 0; e < layer.out; ++e)
            bias[i * layer.out + e] = static_cast<E>(src[layer.b_offset + e]);
      }
      Wstack_[l].allocate(w.size());
      Wstack_[l].upload(w.data(), w.size());
      Bstack_[l].allocate(bias.size());
      Bstack_[l].upload(bias.data(), bias.size());
    }
  }

  void upload_data() {
    const std::vector<double>& X = s_.data->X;     // (N, d)
    const std::vector<double>& y = s_.targets->y;  // (N, tw)
    if (resident_) {
      std::vector<S> xs(X.size());
      for (size_t i = 0; i < X.size(); ++i) xs[i] = to_storage(X[i]);
      X_.allocate(xs.size());
      X_.upload(xs.data(), xs.size());
      y_.allocate(y.size());
      y_.upload(y.data(), y.size());
      return;
    }
    host_X_.allocate(X.size());
    for (size_t i = 0; i < X.size(); ++i) host_X_[i] = to_storage(X[i]);
    host_y_.allocate(y.size());
    std::copy(y.begin(), y.end(), host_y_.data());
    X_.allocate(static_cast<size_t>(2 * chunk_ * d_));   // (2, Nc, d)
    y_.allocate(static_cast<size_t>(2 * chunk_ * tw_));  // (2, Nc, tw)
  }

  void release_tile() {
    Cext_.release();
    for (auto& w : Wp_) w.release();
    for (auto& b : Bp_) b.release();
    for (auto& a : act_) a.release();
    logits_.release();
    sums_.release();
    correct_.release();
    capacity_ = 0;
  }

  cudaError_t allocate_tile(int64_t B) {
    const auto& layers = s_.model->spec.layers;
    auto size = [](int64_t n) { return static_cast<size_t>(n); };
    cudaError_t e = Cext_.try_allocate(size(B * K1_));  // (B, K1)
    Wp_.resize(L_);
    Bp_.resize(L_);
    for (int l = 0; l < L_ && e == cudaSuccess; ++l) {
      if (materialised(l))
        e = Wp_[l].try_allocate(size(B * layers[l].out * static_cast<int64_t>(layers[l].in)));
      if (e == cudaSuccess) e = Bp_[l].try_allocate(size(B * layers[l].out));  // (B, n_l)
    }
    for (int i = 0; i < hidden_buffers_ && e == cudaSuccess; ++i)
      e = act_[i].try_allocate(size(B * max_hidden_ * chunk_));             // (B, n_l, Nc)
    if (e == cudaSuccess) e = logits_.try_allocate(size(B * m_ * chunk_));  // (B, m, Nc)
    if (e == cudaSuccess) e = sums_.try_allocate(size(B));                  // (B)
    if (e == cudaSuccess) e = correct_.try_allocate(size(B));               // (B)
    return e;
  }

  // Buffers for B points; false when the device is out of memory (alloc_tile_ is then halved).
  bool reserve_tile(int64_t B) {
    if (B <= capacity_) return true;
    release_tile();
    if (allocate_tile(B) == cudaSuccess) {
      host_Cext_.allocate(static_cast<size_t>(B * K1_));
      host_out_.allocate(static_cast<size_t>(2 * B));
      capacity_ = B;
      return true;
    }
    release_tile();
    if (B > 1) {
      alloc_tile_ = B / 2;
      return false;
    }
    size_t free_bytes = 0, total_bytes = 0;
    LSCAN_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    std::ostringstream os;
    os << "cuda:" << device_ << " is out of memory: one point with " << chunk_
       << " samples per chunk needs " << format_bytes(point_bytes(chunk_)) << ", and "
       << format_bytes(static_cast<double>(free_bytes)) << " of "
       << format_bytes(static_cast<double>(total_bytes)) << " are free";
    out_of_memory(os.str());
  }

  // Ends an out-of-memory message with what the user can do, and names the flag that set the
  // budget: --max-memory when given, else --device. Exit code 2, as for any input error.
  [[noreturn]] void out_of_memory(const std::string& what) const {
    const bool from_flag = s_.max_memory > 0;
    input_error("", from_flag ? "--max-memory" : "--device",
                what + "; " + (from_flag ? "lower --max-memory or " : "") +
                    "free the device, or use --device cpu");
  }

  void run_tile(const double* coeffs, int64_t B, double* loss, double* acc) {
    const auto& layers = s_.model->spec.layers;
    const cudaStream_t cs = compute_stream_;
    for (int64_t b = 0; b < B; ++b) {  // Cext (B, K1) = [1, C]
      host_Cext_[b * K1_] = E(1);
      for (int64_t i = 0; i < k_; ++i)
        host_Cext_[b * K1_ + 1 + i] = static_cast<E>(coeffs[b * k_ + i]);
    }
    Cext_.upload_async(host_Cext_.data(), static_cast<size_t>(B * K1_), cs);
    for (int l = 0; l < L_; ++l) {
      const int64_t wsize = static_cast<int64_t>(layers[l].out) * layers[l].in;
      if (materialised(l))  // Wp_l (B, n_l n_{l-1}) = Cext * Wstack_l
        launch_combine<S, S>(Cext_.data(), static_cast<int>(K1_), Wstack_[l].data(), 1, wsize,
                             nullptr, Activation::Identity, 0.0, B, Wp_[l].data(), tf32_, cs);
      // Bp_l (B, n_l) = Cext * Bstack_l
      launch_combine<E, E>(Cext_.data(), static_cast<int>(K1_), Bstack_[l].data(), 1, layers[l].out,
                           nullptr, Activation::Identity, 0.0, B, Bp_[l].data(), false, cs);
    }
    sums_.zero_async(static_cast<size_t>(B), cs);
    correct_.zero_async(static_cast<size_t>(B), cs);

    const int64_t nchunks = (n_ + chunk_ - 1) / chunk_;
    if (!resident_) prefetch(0);
    for (int64_t c = 0; c < nchunks; ++c) {
      const int64_t s0 = c * chunk_;
      const int64_t Nc = std::min(chunk_, n_ - s0);
      const int slot = static_cast<int>(c % 2);
      // The chunk's features Xc (Nc, d) and targets yc (Nc, tw), resident or in their slot.
      const int64_t row0 = resident_ ? s0 : slot * chunk_;
      const S* Xc = X_.data() + row0 * d_;
      const double* yc = y_.data() + row0 * tw_;
      if (!resident_) {
        if (c + 1 < nchunks) prefetch(c + 1);
        LSCAN_CUDA_CHECK(cudaStreamWaitEvent(cs, copied_[slot], 0));
      }
      forward(Xc, B, Nc);
      launch_loss_accuracy<E>(logits_.data(), yc, tw_, B, m_, Nc, s_.model->spec.loss, sums_.data(),
                              correct_.data(), cs);
      if (!resident_) LSCAN_CUDA_CHECK(cudaEventRecord(slot_free_[slot], cs));
    }
    sums_.download_async(host_out_.data(), static_cast<size_t>(B), cs);
    correct_.download_async(host_out_.data() + B, static_cast<size_t>(B), cs);
    LSCAN_CUDA_CHECK(cudaStreamSynchronize(cs));
    const double n = static_cast<double>(n_);
    for (int64_t b = 0; b < B; ++b) {
      loss[b] = host_out_[b] / n;
      acc[b] = s_.data->classification ? host_out_[B + b] / n : 0.0;
    }
  }

  // Copies chunk c of the data into slot c % 2 on the copy stream, once the compute stream is
  // done with the chunk that used the slot before.
  void prefetch(int64_t c) {
    const int slot = static_cast<int>(c % 2);
    const int64_t s0 = c * chunk_;
    const int64_t Nc = std::min(chunk_, n_ - s0);
    LSCAN_CUDA_CHECK(cudaStreamWaitEvent(copy_stream_, slot_free_[slot], 0));
    X_.upload_async(host_X_.data() + s0 * d_, static_cast<size_t>(Nc * d_), copy_stream_,
                    static_cast<size_t>(slot * chunk_ * d_));
    y_.upload_async(host_y_.data() + s0 * tw_, static_cast<size_t>(Nc * tw_), copy_stream_,
                    static_cast<size_t>(slot * chunk_ * tw_));
    LSCAN_CUDA_CHECK(cudaEventRecord(copied_[slot], copy_stream_));
  }

  // The per-point products C_b (M, N) = op(A_b) op(B_b) of a tile, b < batch, with A_b = A + b sA
  // (likewise B_b, C_b; see gemm). One strided-batched call, except in fp64, where each point gets
  // a call of its own: cuBLAS chooses its kernel, and with it the order of a product's sums, by the
  // shape of the whole call, the batch count included; with one call per point, a point's fp64
  // numbers do not depend on the tile it is evaluated in. fp64 pays a launch per point and layer.
  template <class TA, class TB, class TC>
  void point_gemms(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const TA* A, int64_t lda,
                   int64_t sA, const TB* Bm, int64_t ldb, int64_t sB, TC* C, int64_t ldc,
                   int64_t sC, int64_t batch) {
    if (compute_ == CUBLAS_COMPUTE_64F) {
      for (int64_t b = 0; b < batch; ++b)
        gemm(blas_, compute_, ta, tb, M, N, K, A + b * sA, data_type<TA>(), lda, 0, Bm + b * sB,
             data_type<TB>(), ldb, 0, C + b * sC, data_type<TC>(), ldc, 0, 1);
      return;
    }
    gemm(blas_, compute_, ta, tb, M, N, K, A, data_type<TA>(), lda, sA, Bm, data_type<TB>(), ldb,
         sB, C, data_type<TC>(), ldc, sC, batch);
  }

  // The network on one chunk Xc (Nc, d) for all B points; leaves logits_ (B, m, Nc).
  void forward(const S* Xc, int64_t B, int64_t Nc) {
    const auto& layers = s_.model->spec.layers;
    const cudaStream_t cs = compute_stream_;
    // Runs f(out, tf32) with layer l's output buffer: logits_ (E) for the last layer, else
    // the hidden buffer act_[l % 2] (S), whose values feed the next GEMM (rounded to TF32 in tf32
    // mode).
    auto with_output = [&](int l, auto&& f) {
      if (l == L_ - 1) {
        f(logits_.data(), false);
      } else {
        f(act_[l % 2].data(), tf32_);
      }
    };
    const DenseLayer& first = layers[0];
    const int64_t n1 = first.out;
    with_output(0, [&](auto* out, bool round) {
      if (factorise_) {
        // P (K1 n_1, Nc) = Wstack_1 (K1 n_1, d) * Xc^T
        gemm(blas_, compute_, false, true, K1_ * n1, Nc, d_, Wstack_[0].data(), data_type<S>(), d_,
             0, Xc, data_type<S>(), d_, 0, P_.data(), data_type<S>(), Nc, 0, 1);
        // Z1 (B, n_1, Nc) = act(Cext * P + Bp_1)
        launch_combine<S>(Cext_.data(), static_cast<int>(K1_), P_.data(), n1, Nc, Bp_[0].data(),
                          first.act, first.alpha, B, out, round, cs);
      } else {
        // Z1[b] (n_1, Nc) = Wp_1[b] (n_1, d) * Xc^T, then bias + activation
        point_gemms(false, true, n1, Nc, d_, Wp_[0].data(), d_, n1 * d_, Xc, d_, 0, out, Nc,
                    n1 * Nc, B);
        launch_bias_activation(out, Bp_[0].data(), B * n1, Nc, first.act, first.alpha, round, cs);
      }
    });
    for (int l = 1; l < L_; ++l) {
      const DenseLayer& layer = layers[l];
      const S* in = act_[(l - 1) % 2].data();  // (B, n_{l-1}, Nc)
      with_output(l, [&](auto* out, bool round) {
        // Z_l[b] (n_l, Nc) = Wp_l[b] (n_l, n_{l-1}) * A_{l-1}[b] (n_{l-1}, Nc)
        point_gemms(false, false, layer.out, Nc, layer.in, Wp_[l].data(), layer.in,
                    static_cast<int64_t>(layer.out) * layer.in, in, Nc, layer.in * Nc, out, Nc,
                    layer.out * Nc, B);
        launch_bias_activation(out, Bp_[l].data(), B * layer.out, Nc, layer.act, layer.alpha, round,
                               cs);
      });
    }
  }

  EvalSetup s_;
  int device_ = 0;
  cublasComputeType_t compute_;
  bool tf32_ = false;  // GEMM operands are rounded to TF32 (see round_to_tf32)
  int64_t k_ = 0, K1_ = 1, n_ = 0, d_ = 0;
  int L_ = 0, m_ = 0, tw_ = 1;
  bool factorise_ = false;
  int64_t max_hidden_ = 0;  // widest hidden layer; the hidden buffers are (B, max_hidden, Nc)
  int hidden_buffers_ = 0;  // 0, 1 or 2 (ping-pong)
  double free_bytes_ = 0, total_bytes_ = 0;
  bool resident_ = true;  // the data lives on the device; else it streams by chunk
  int64_t tile_ = 1, chunk_ = 1;
  int64_t alloc_tile_ = 1;  // points per piece of a tile: tile_, halved on out-of-memory
  int64_t capacity_ = 0;    // points the tile buffers hold now

  Stream compute_stream_, copy_stream_;
  Event copied_[2], slot_free_[2];  // per data slot: copy finished, compute done with it
  DeviceBuffer<unsigned char> blas_workspace_;  // (kBlasWorkspace) bytes, outlives blas_
  BlasHandle blas_;

  std::vector<DeviceBuffer<S>> Wstack_;  // per layer (K1, n_l n_{l-1})
  std::vector<DeviceBuffer<E>> Bstack_;  // per layer (K1, n_l)
  DeviceBuffer<S> X_;                    // (N, d) resident, or (2, Nc, d) slots
  DeviceBuffer<double> y_;               // (N, tw) resident, or (2, Nc, tw) slots
  PinnedBuffer<S> host_X_;               // (N, d), streamed data only
  PinnedBuffer<double> host_y_;          // (N, tw), streamed data only
  DeviceBuffer<S> P_;                    // (K1 n_1, Nc), factorised layer 1 only
  // The tile's buffers, for capacity_ points.
  DeviceBuffer<E> Cext_;                 // (B, K1)
  std::vector<DeviceBuffer<S>> Wp_;      // per materialised layer (B, n_l n_{l-1})
  std::vector<DeviceBuffer<E>> Bp_;      // per layer (B, n_l)
  DeviceBuffer<S> act_[2];               // (B, max_hidden, Nc) ping-pong
  DeviceBuffer<E> logits_;               // (B, m, Nc)
  DeviceBuffer<double> sums_, correct_;  // (B) running loss sums and correct counts
  PinnedBuffer<E> host_Cext_;            // (B, K1)
  PinnedBuffer<double> host_out_;        // (2, B): sums, then correct counts
};

}  // namespace

namespace cuda_detail {

std::unique_ptr<Backend> create_cuda_backend(const EvalSetup& setup, int device_index) {
  switch (setup.precision) {
    case Precision::FP64:
      return std::make_unique<CudaBackend<double>>(setup, device_index, CUBLAS_COMPUTE_64F);
    case Precision::FP32:
      return std::make_unique<CudaBackend<float>>(setup, device_index, CUBLAS_COMPUTE_32F);
    case Precision::TF32:
      return std::make_unique<CudaBackend<float>>(setup, device_index,
                                                  CUBLAS_COMPUTE_32F_FAST_TF32);
    case Precision::BF16:
      return std::make_unique<CudaBackend<__nv_bfloat16>>(setup, device_index, CUBLAS_COMPUTE_32F);
  }
  throw std::invalid_argument("create_cuda_backend: unknown precision");
}

}  // namespace cuda_detail

}  // namespace lscan
