// The CPU backend: the engine of DESIGN.md with OpenBLAS GEMMs and OpenMP loops over points.
//
// For a tile of B points and a chunk of Nc samples (k directions, layer widths n_0 = d, n_1..n_L):
//   Cext (B, k+1) = [1, C]
//   layer 1, factorised when k + 1 < d:
//     P  ((k+1) n_1, Nc) = [W0; D_1; ..; D_k] ((k+1) n_1, d) * Xc^T (d, Nc)      one GEMM per chunk
//     Z1[b] (n_1, Nc)    = sum_t Cext[b, t] P_t                                  per point
//   deeper layers (and layer 1 when not factorised), per tile:
//     Wp_l (B, n_l n_{l-1}) = Cext * [W0_l; D_1,l; ..]   then per point Z_l = Wp_l[b] * A_{l-1}
//   biases per tile: Bp_l (B, n_l) = Cext * [b0_l; db_1,l; ..]
//   (these two products have inner dimension k + 1 and are fixed-order loops, so that a point's
//   numbers do not depend on the tile it falls in)
//   loss: one fp64 running sum per point over the samples in order.
// On the CPU the (B, k+1) x (k+1, n_1 Nc) product of DESIGN.md is computed point by point, fused
// with the bias and activation: it has inner dimension k + 1, so it is pure memory traffic, and
// keeping each point's (n_1, Nc) block in cache instead of writing all B of them out makes it
// several times faster. The arithmetic is the same. Chunks are sized so that one point's
// activations stay in the L2 cache; tiles take what the memory budget leaves.
#include <cblas.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "host/core/error.h"
#include "host/core/format.h"
#include "host/engine/backend.h"
#include "kernels/activations.cuh"
#include "kernels/losses.cuh"

namespace lscan {

namespace {

// C (M, N) = op(A) * op(B), row-major; op(A) = A (M, K) or A^T with A (K, M), op(B) = B (K, N)
// or B^T with B (N, K).
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda,
          const float* Bm, int64_t ldb, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, M, N, K, 1.0f, A, lda, Bm, ldb, 0.0f, C, ldc);
}
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const double* A, int64_t lda,
          const double* Bm, int64_t ldb, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, M, N, K, 1.0, A, lda, Bm, ldb, 0.0, C, ldc);
}

template <class T>
class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const EvalSetup& s) : s_(s) {
    const Model& model = *s.model;
    const auto& layers = model.spec.layers;
    k_ = static_cast<int64_t>(s.directions->size());
    n_ = s.data->n;
    d_ = s.data->d;
    L_ = static_cast<int>(layers.size());
    threads_ = std::max(1, omp_get_max_threads());
    factorise_ = k_ + 1 < d_;

    Xt_.assign(s.data->X.begin(), s.data->X.end());  // (N, d)
    // Stacked weights and biases per layer: row 0 from theta0, row i from direction i.
    Wstack_.resize(L_);
    Bstack_.resize(L_);
    for (int l = 0; l < L_; ++l) {
      const DenseLayer& layer = layers[l];
      const int64_t wsize = static_cast<int64_t>(layer.out) * layer.in;
      Wstack_[l].resize(static_cast<size_t>((k_ + 1) * wsize));            // (k+1, n_l n_{l-1})
      Bstack_[l].assign(static_cast<size_t>((k_ + 1) * layer.out), T(0));  // (k+1, n_l)
      for (int64_t i = 0; i <= k_; ++i) {
        const double* src = i == 0 ? model.theta.data() : (*s.directions)[i - 1].v.data();
        std::copy_n(src + layer.w_offset, wsize, Wstack_[l].begin() + i * wsize);
        if (layer.b_offset >= 0)
          std::copy_n(src + layer.b_offset, layer.out, Bstack_[l].begin() + i * layer.out);
      }
    }
    max_width_ = 1;
    for (int l = 0; l < L_; ++l) max_width_ = std::max(max_width_, layers[l].out);
    size_tiles();
  }

  std::string name() const override { return "cpu"; }
  int64_t max_tile() const override { return tile_; }
  int64_t chunk() const override { return chunk_; }

  void evaluate(const double* coeffs, int64_t B, double* loss, double* acc) override {
    if (B <= 0) return;
    if (B > tile_) throw std::invalid_argument("evaluate: tile larger than max_tile()");
    const auto& layers = s_.model->spec.layers;
    const int64_t K1 = k_ + 1;
    std::vector<T> Cext(static_cast<size_t>(B * K1));  // (B, k+1)
    for (int64_t b = 0; b < B; ++b) {
      Cext[b * K1] = T(1);
      for (int64_t i = 0; i < k_; ++i) Cext[b * K1 + 1 + i] = static_cast<T>(coeffs[b * k_ + i]);
    }
    // Per-point weights of the materialised layers and per-point biases of all layers:
    // Wp_l (B, n_l n_{l-1}) = Cext * Wstack_l, Bp_l (B, n_l) = Cext * Bstack_l. Inner dimension
    // k + 1, so a loop with a fixed order of the terms instead of a BLAS call whose kernel (and
    // rounding) depends on B: a point's weights are then the same bits whatever the tile.
    std::vector<std::vector<T>> Wp(L_), Bp(L_);
    for (int l = 0; l < L_; ++l) {
      const int64_t wsize = static_cast<int64_t>(layers[l].out) * layers[l].in;
      if (l > 0 || !factorise_) Wp[l].resize(static_cast<size_t>(B * wsize));
      Bp[l].resize(static_cast<size_t>(B * layers[l].out));
#pragma omp parallel for schedule(static)
      for (int64_t b = 0; b < B; ++b) {
        if (!Wp[l].empty())
          combine(Wstack_[l].data(), wsize, Cext.data() + b * K1, K1, wsize,
                  Wp[l].data() + b * wsize);
        combine(Bstack_[l].data(), layers[l].out, Cext.data() + b * K1, K1, layers[l].out,
                Bp[l].data() + b * layers[l].out);
      }
    }

    const int n1 = layers[0].out;
    const int m = s_.model->spec.output_dim();
    const LossKind kind = s_.model->spec.loss;
    const int tw = s_.targets->width;
    std::vector<double> sums(static_cast<size_t>(B), 0.0), correct(static_cast<size_t>(B), 0.0);
    std::vector<T> P;
    if (factorise_) P.resize(static_cast<size_t>(K1 * n1 * chunk_));  // ((k+1) n_1, Nc)
    std::vector<T> scratch(static_cast<size_t>(threads_ * 2 * max_width_ * chunk_));

    for (int64_t s0 = 0; s0 < n_; s0 += chunk_) {
      const int64_t Nc = std::min(chunk_, n_ - s0);
      const T* Xc = Xt_.data() + s0 * d_;  // (Nc, d)
      if (factorise_)
        gemm(false, true, K1 * n1, Nc, d_, Wstack_[0].data(), d_, Xc, d_, P.data(), Nc);
#pragma omp parallel for schedule(dynamic, 1)
      for (int64_t b = 0; b < B; ++b) {
        T* buf[2];
        buf[0] = scratch.data() + static_cast<int64_t>(omp_get_thread_num()) * 2 * max_width_ * Nc;
        buf[1] = buf[0] + max_width_ * Nc;
        T* cur = buf[0];  // (n_l, Nc)
        if (factorise_) {
          first_layer(P.data(), Cext.data() + b * K1, K1, Bp[0].data() + b * n1, n1, Nc, layers[0],
                      cur);
        } else {
          gemm(false, true, n1, Nc, d_, Wp[0].data() + b * n1 * d_, d_, Xc, d_, cur, Nc);
          bias_activation(cur, Bp[0].data() + b * n1, n1, Nc, layers[0]);
        }
        for (int l = 1; l < L_ - 1; ++l) {
          const DenseLayer& layer = layers[l];
          T* out = cur == buf[0] ? buf[1] : buf[0];
          const int64_t wsize = static_cast<int64_t>(layer.out) * layer.in;
          gemm(false, false, layer.out, Nc, layer.in, Wp[l].data() + b * wsize, layer.in, cur, Nc,
               out, Nc);
          bias_activation(out, Bp[l].data() + b * layer.out, layer.out, Nc, layer);
          cur = out;
        }
        // The output layer sample-major, (Nc, m): the loss then reads each sample's outputs
        // contiguously. With one layer the outputs are transposed from the (m, Nc) block.
        T* outs = cur == buf[0] ? buf[1] : buf[0];  // (Nc, m)
        if (L_ > 1) {
          const DenseLayer& layer = layers[L_ - 1];
          const int64_t wsize = static_cast<int64_t>(layer.out) * layer.in;
          gemm(true, true, Nc, layer.out, layer.in, cur, Nc, Wp[L_ - 1].data() + b * wsize,
               layer.in, outs, layer.out);
          bias_activation_samples(outs, Bp[L_ - 1].data() + b * layer.out, layer.out, Nc, layer);
        } else {
          for (int i = 0; i < m; ++i)
            for (int64_t j = 0; j < Nc; ++j) outs[j * m + i] = cur[i * Nc + j];
        }
        cur = outs;
        const double* y = s_.targets->y.data() + s0 * tw;
        // One running fp64 sum per point, over samples in order: the result does not depend on
        // the tile or the chunk size.
        double sum = sums[b], ok_count = correct[b];
        for (int64_t j = 0; j < Nc; ++j) {
          int ok = 0;
          sum += sample_loss<T, T>(kind, cur + j * m, 1, m, y + j * tw, &ok);
          ok_count += ok;
        }
        sums[b] = sum;
        correct[b] = ok_count;
      }
    }
    const double n = static_cast<double>(n_);
    for (int64_t b = 0; b < B; ++b) {
      loss[b] = sums[b] / n;
      acc[b] = s_.data->classification ? correct[b] / n : 0.0;
    }
  }

 private:
  // Calls f(std::integral_constant<Activation, a>{}): row loops get the activation as a
  // compile-time constant, so the compiler drops the switch and vectorises them.
  template <class F>
  static void with_activation(Activation a, F&& f) {
    switch (a) {
      case Activation::Identity:
        return f(std::integral_constant<Activation, Activation::Identity>{});
      case Activation::Relu:
        return f(std::integral_constant<Activation, Activation::Relu>{});
      case Activation::LeakyRelu:
        return f(std::integral_constant<Activation, Activation::LeakyRelu>{});
      case Activation::Tanh:
        return f(std::integral_constant<Activation, Activation::Tanh>{});
      case Activation::Sigmoid:
        return f(std::integral_constant<Activation, Activation::Sigmoid>{});
      case Activation::Gelu:
        return f(std::integral_constant<Activation, Activation::Gelu>{});
      case Activation::Softplus:
        return f(std::integral_constant<Activation, Activation::Softplus>{});
    }
  }

  // out (size) = sum_t c[t] stack[t] for t = 0..K1-1 in that order; stack[t] starts at
  // stack + t * stride.
  static void combine(const T* stack, int64_t stride, const T* c, int64_t K1, int64_t size,
                      T* out) {
    const T c0 = c[0];
    for (int64_t e = 0; e < size; ++e) out[e] = c0 * stack[e];
    for (int64_t t = 1; t < K1; ++t) {
      const T ct = c[t];
      const T* st = stack + t * stride;
      for (int64_t e = 0; e < size; ++e) out[e] += ct * st[e];
    }
  }

  // The factorised first layer of one point, row by row so that each row stays in L1:
  // Z (n, Nc) = act(sum_t c[t] P_t + bias), P ((k+1), n, Nc), bias (n).
  static void first_layer(const T* P, const T* c, int64_t K1, const T* bias, int n, int64_t Nc,
                          const DenseLayer& layer, T* Z) {
    switch (K1) {  // one fused pass per row for the common 1-, 2- and 3-D scans
      case 2:
        return first_layer_fixed<2>(P, c, bias, n, Nc, layer, Z);
      case 3:
        return first_layer_fixed<3>(P, c, bias, n, Nc, layer, Z);
      case 4:
        return first_layer_fixed<4>(P, c, bias, n, Nc, layer, Z);
    }
    const T alpha = static_cast<T>(layer.alpha);
    const int64_t plane = static_cast<int64_t>(n) * Nc;
    with_activation(layer.act, [&](auto A) {
      for (int i = 0; i < n; ++i) {
        T* row = Z + i * Nc;
        combine(P + i * Nc, plane, c, K1, Nc, row);
        const T bi = bias[i];
        for (int64_t j = 0; j < Nc; ++j) row[j] = activate(A.value, row[j] + bi, alpha);
      }
    });
  }

  template <int K1>
  static void first_layer_fixed(const T* P, const T* c, const T* bias, int n, int64_t Nc,
                                const DenseLayer& layer, T* Z) {
    const T alpha = static_cast<T>(layer.alpha);
    const int64_t plane = static_cast<int64_t>(n) * Nc;
    with_activation(layer.act, [&](auto A) {
      for (int i = 0; i < n; ++i) {
        T* row = Z + i * Nc;
        const T* p0 = P + i * Nc;
        const T bi = bias[i];
        for (int64_t j = 0; j < Nc; ++j) {
          T z = c[0] * p0[j];
          for (int t = 1; t < K1; ++t) z += c[t] * p0[t * plane + j];
          row[j] = activate(A.value, z + bi, alpha);
        }
      }
    });
  }

  // Z (n, Nc) <- act(Z + bias), bias (n).
  static void bias_activation(T* Z, const T* bias, int n, int64_t Nc, const DenseLayer& layer) {
    const T alpha = static_cast<T>(layer.alpha);
    with_activation(layer.act, [&](auto A) {
      for (int i = 0; i < n; ++i) {
        T* row = Z + i * Nc;
        const T bi = bias[i];
        for (int64_t j = 0; j < Nc; ++j) row[j] = activate(A.value, row[j] + bi, alpha);
      }
    });
  }

  // Z (Nc, n) <- act(Z + bias), bias (n): the sample-major output layer.
  static void bias_activation_samples(T* Z, const T* bias, int n, int64_t Nc,
                                      const DenseLayer& layer) {
    const T alpha = static_cast<T>(layer.alpha);
    with_activation(layer.act, [&](auto A) {
      for (int64_t j = 0; j < Nc; ++j)
        for (int i = 0; i < n; ++i) Z[j * n + i] = activate(A.value, Z[j * n + i] + bias[i], alpha);
    });
  }

  // Bytes of one tile's buffers for B points and chunks of Nc samples.
  double tile_bytes(int64_t B, int64_t Nc) const {
    const auto& layers = s_.model->spec.layers;
    const double t = sizeof(T);
    double per_point = (k_ + 1) * t + 2 * sizeof(double);
    for (int l = 0; l < L_; ++l) {
      if (l > 0 || !factorise_) per_point += t * layers[l].out * static_cast<double>(layers[l].in);
      per_point += t * layers[l].out;
    }
    double fixed = t * threads_ * 2.0 * max_width_ * Nc;
    if (factorise_) fixed += t * (k_ + 1) * layers[0].out * static_cast<double>(Nc);
    return fixed + per_point * B;
  }

  void size_tiles() {
    double budget = s_.max_memory;
    if (budget <= 0) budget = std::min(physical_memory_bytes() / 4, 8.0 * (1ull << 30));
    // A core's working set for one point, its two activation blocks (2 max_width Nc values) and
    // the factorised products it reads ((k+1) n_1 Nc), should fill about half its L2 cache.
    long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (l2 <= 0) l2 = 1 << 20;
    const double per_sample =
        sizeof(T) *
        (2.0 * max_width_ + (factorise_ ? (k_ + 1.0) * s_.model->spec.layers[0].out : 0));
    const int64_t cache_chunk = std::max<int64_t>(16, static_cast<int64_t>(0.5 * l2 / per_sample));
    chunk_ = s_.chunk > 0 ? s_.chunk : cache_chunk;
    chunk_ = std::max<int64_t>(1, std::min(chunk_, n_));
    auto fit = [&](int64_t Nc) {
      const double one = tile_bytes(1, Nc) - tile_bytes(0, Nc);
      const double room = budget - tile_bytes(0, Nc);
      return room <= 0 ? int64_t(0) : static_cast<int64_t>(room / one);
    };
    if (s_.chunk <= 0)
      while (chunk_ > 1 && fit(chunk_) < 1) chunk_ = (chunk_ + 1) / 2;
    tile_ = s_.tile > 0 ? s_.tile : fit(chunk_);
    if (tile_ < 1 || fit(chunk_) < 1) {
      std::ostringstream os;
      os << "the memory budget of " << format_bytes(budget) << " holds no tile: one point with "
         << chunk_ << " samples per chunk needs " << format_bytes(tile_bytes(1, chunk_));
      input_error("", "--max-memory", os.str());
    }
  }

  EvalSetup s_;
  int64_t k_ = 0, n_ = 0, d_ = 0;
  int L_ = 0;
  int threads_ = 1;
  bool factorise_ = false;
  int max_width_ = 1;  // widest layer: per-thread scratch is 2 (max_width, Nc) blocks
  int64_t tile_ = 1, chunk_ = 1;
  std::vector<T> Xt_;                   // (N, d)
  std::vector<std::vector<T>> Wstack_;  // per layer (k+1, n_l n_{l-1})
  std::vector<std::vector<T>> Bstack_;  // per layer (k+1, n_l)
};

}  // namespace

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::FP64:
      return "fp64";
    case Precision::FP32:
      return "fp32";
    case Precision::TF32:
      return "tf32";
    case Precision::BF16:
      return "bf16";
  }
  return "?";
}

Precision parse_precision(const std::string& s) {
  if (s == "fp64") return Precision::FP64;
  if (s == "fp32") return Precision::FP32;
  if (s == "tf32") return Precision::TF32;
  if (s == "bf16") return Precision::BF16;
  input_error("", "--precision", "expected fp64, fp32, tf32 or bf16, got '" + s + "'");
}

double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * page : 4.0 * (1ull << 30);
}

void check_eval_setup(const EvalSetup& s) {
  if (!s.model || !s.directions || !s.data || !s.targets)
    throw std::invalid_argument("EvalSetup: model, directions, data and targets are required");
  const size_t P = s.model->theta.size();
  for (size_t i = 0; i < s.directions->size(); ++i)
    if ((*s.directions)[i].v.size() != P)
      input_error("", "direction " + std::to_string(i),
                  "expected " + std::to_string(P) +
                      " entries (the model's parameter count), found " +
                      std::to_string((*s.directions)[i].v.size()));
  if (s.data->n < 1) input_error(s.data->description, "samples", "the data set is empty");
  if (s.data->d != s.model->spec.input_dim)
    input_error(s.data->description, "features",
                "the model expects " + std::to_string(s.model->spec.input_dim) +
                    " features, the data has " + std::to_string(s.data->d));
  if (static_cast<int64_t>(s.targets->y.size()) != s.data->n * s.targets->width)
    throw std::invalid_argument("EvalSetup: targets do not match the data");
  if (s.model->spec.layers.empty()) input_error("", "model", "the model has no layers");
}

std::unique_ptr<Backend> make_cpu_backend(const EvalSetup& setup) {
  check_eval_setup(setup);
  switch (setup.precision) {
    case Precision::FP64:
      return std::make_unique<CpuBackend<double>>(setup);
    case Precision::FP32:
      return std::make_unique<CpuBackend<float>>(setup);
    default:
      input_error("", "--precision",
                  std::string(precision_name(setup.precision)) +
                      " runs on tensor cores and needs the CUDA backend; the CPU backend " +
                      "evaluates fp32 and fp64");
  }
}

}  // namespace lscan
