#include "tests/native/support/oracle.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>

namespace tro_test {
namespace {

double Act(Activation a, double z) {
  switch (a) {
    case Activation::kTanh:
      return std::tanh(z);
    case Activation::kSigmoid:
      return 1.0 / (1.0 + std::exp(-z));
    case Activation::kHardSigmoid:
      return std::min(std::max(z + 3.0, 0.0), 6.0) / 6.0;
    case Activation::kRelu:
      return std::max(z, 0.0);
    case Activation::kLinear:
      return z;
    default:
      std::fprintf(stderr, "oracle: activation %d not implemented\n", static_cast<int>(a));
      std::abort();
  }
}

double Clip(double v, double limit) { return limit > 0 ? std::min(std::max(v, -limit), limit) : v; }

// The scheme's activation quantization (cc/kernels/isa/microkernels.h, applied to rows the
// drivers centred first: cc/kernels/packed_weights.h), written again from its definition: the row rounded to float32, m = max |x| (NaN if any is NaN), q = rint(x *
// (127 / m)) clamped to +-127, scale m / 127; rows that cannot be scaled get q = 0, scale m.
struct QuantizedRow {
  std::vector<int> q;
  float scale = 0.0f;
};

QuantizedRow QuantizeRow(const double* row, int k) {
  QuantizedRow r;
  r.q.assign(k, 0);
  float m = 0.0f;
  bool nan = false;
  for (int i = 0; i < k; ++i) {
    const float a = std::fabs(static_cast<float>(row[i]));
    nan = nan || std::isnan(a);
    m = std::max(m, a);
  }
  if (nan) m = NAN;
  const float inv = 127.0f / m;
  r.scale = m;
  if (!(m > 0.0f) || !std::isfinite(m) || !std::isfinite(inv)) return r;
  r.scale = m / 127.0f;
  for (int i = 0; i < k; ++i) {
    const float y = static_cast<float>(row[i]) * inv;
    r.q[i] = static_cast<int>(std::nearbyint(std::min(std::max(y, -127.0f), 127.0f)));
  }
  return r;
}

// row @ m, m [rows, cols] row-major, only columns [col0, col0 + n). int8 weights: the integer
// product of the quantized row and q, times (row scale * column scale) in float32; float16:
// m already holds the widened weights.
struct Matrix {
  const std::vector<float>& values;  // float32, or what float16 / int8 storage represents
  const StoredMatrix& stored;
};
Matrix Kernel(const Direction& d) { return {d.kernel, d.kernel_stored}; }
Matrix Recurrent(const Direction& d) { return {d.recurrent, d.recurrent_stored}; }
Matrix Projection(const Direction& d) { return {d.projection, d.projection_stored}; }

std::vector<double> RowTimes(const CellSpec& s, const double* row, int rows, const Matrix& w,
                             int cols, int col0, int n) {
  const std::vector<float>& m = w.values;
  const StoredMatrix& stored = w.stored;
  std::vector<double> out(n, 0.0);
  if (s.weights == WeightType::kInt8) {
    // Centred first: the row in float32 minus the midpoint of its range (0 if a value is not
    // finite); the midpoint comes back times each column's sum of dequantized weights.
    std::vector<double> centred(rows);
    float lo = rows > 0 ? static_cast<float>(row[0]) : 0.0f, hi = lo;
    bool finite = rows > 0;
    for (int k = 0; k < rows; ++k) {
      const float v = static_cast<float>(row[k]);
      finite = finite && std::isfinite(v);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    const float centre = finite && s.centre_rows ? 0.5f * lo + 0.5f * hi : 0.0f;
    for (int k = 0; k < rows; ++k) centred[k] = static_cast<float>(row[k]) - centre;
    const QuantizedRow qr = QuantizeRow(centred.data(), rows);
    for (int j = 0; j < n; ++j) {
      int64_t acc = 0, column = 0;
      for (int k = 0; k < rows; ++k) {
        const int w = stored.q[static_cast<size_t>(k) * cols + col0 + j];
        acc += qr.q[k] * w;
        column += w;
      }
      const float scale = stored.scales[col0 + j];
      out[j] = static_cast<double>(acc) * static_cast<double>(qr.scale * scale) +
               static_cast<double>(centre) * static_cast<double>(static_cast<float>(column) * scale);
    }
    return out;
  }
  for (int k = 0; k < rows; ++k) {
    for (int j = 0; j < n; ++j) out[j] += row[k] * m[static_cast<size_t>(k) * cols + col0 + j];
  }
  return out;
}

double At(const std::vector<float>& v, size_t i) { return v.empty() ? 0.0 : v[i]; }

// The states of one row: h [H], c [U] (LSTM only).
struct State {
  std::vector<double> h, c;
};

State LstmStep(const CellSpec& s, const Direction& d, const double* x, const State& st) {
  const int u = s.units, cols = 4 * u, h_w = s.out_units();
  std::vector<double> z = RowTimes(s, x, s.input, Kernel(d), cols, 0, cols);
  const std::vector<double> zr = RowTimes(s, st.h.data(), h_w, Recurrent(d), cols, 0, cols);
  for (int j = 0; j < cols; ++j) z[j] += zr[j] + At(d.bias, j);
  State next;
  next.c.resize(u);
  std::vector<double> m(u);
  for (int j = 0; j < u; ++j) {
    const double c = st.c[j];
    const double zi = z[j] + (s.peepholes ? d.w_i_diag[j] * c : 0.0);
    const double zf = z[u + j] + (s.peepholes ? d.w_f_diag[j] * c : 0.0);
    double c_new = Act(s.recurrent_activation, zf) * c +
                   Act(s.recurrent_activation, zi) * Act(s.activation, z[2 * u + j]);
    c_new = Clip(c_new, s.cell_clip);
    const double zo = z[3 * u + j] + (s.peepholes ? d.w_o_diag[j] * c_new : 0.0);
    next.c[j] = c_new;
    m[j] = Act(s.recurrent_activation, zo) * Act(s.activation, c_new);
  }
  if (s.num_proj == 0) {
    next.h = m;
    return next;
  }
  next.h = RowTimes(s, m.data(), u, Projection(d), s.num_proj, 0, s.num_proj);
  for (double& v : next.h) v = Clip(v, s.proj_clip);
  return next;
}

State GruStep(const CellSpec& s, const Direction& d, const double* x, const State& st) {
  const int u = s.units, cols = 3 * u;
  // bias: [2, 3U] (input row, recurrent row) with reset_after, else [3U] input only.
  const size_t rec_bias = s.reset_after ? cols : 0;
  const bool has_rec_bias = s.reset_after && !d.bias.empty();
  std::vector<double> xz = RowTimes(s, x, s.input, Kernel(d), cols, 0, cols);
  for (int j = 0; j < cols; ++j) xz[j] += At(d.bias, j);
  const std::vector<double> hz = RowTimes(s, st.h.data(), u, Recurrent(d), cols, 0, 2 * u);
  std::vector<double> z(u), r(u);
  for (int j = 0; j < u; ++j) {
    const double rb_z = has_rec_bias ? d.bias[rec_bias + j] : 0.0;
    const double rb_r = has_rec_bias ? d.bias[rec_bias + u + j] : 0.0;
    z[j] = Act(s.recurrent_activation, xz[j] + hz[j] + rb_z);
    r[j] = Act(s.recurrent_activation, xz[u + j] + hz[u + j] + rb_r);
  }
  std::vector<double> hh_in(u);
  if (s.reset_after) {
    const std::vector<double> hr = RowTimes(s, st.h.data(), u, Recurrent(d), cols, 2 * u, u);
    for (int j = 0; j < u; ++j) {
      const double rb_h = has_rec_bias ? d.bias[rec_bias + 2 * u + j] : 0.0;
      hh_in[j] = r[j] * (hr[j] + rb_h);
    }
  } else {
    std::vector<double> rh(u);
    for (int j = 0; j < u; ++j) rh[j] = r[j] * st.h[j];
    hh_in = RowTimes(s, rh.data(), u, Recurrent(d), cols, 2 * u, u);
  }
  State next;
  next.h.resize(u);
  for (int j = 0; j < u; ++j) {
    const double hh = Act(s.activation, xz[2 * u + j] + hh_in[j]);
    next.h[j] = z[j] * st.h[j] + (1.0 - z[j]) * hh;
  }
  return next;
}

State RnnStep(const CellSpec& s, const Direction& d, const double* x, const State& st) {
  const int u = s.units;
  std::vector<double> z = RowTimes(s, x, s.input, Kernel(d), u, 0, u);
  const std::vector<double> zr = RowTimes(s, st.h.data(), u, Recurrent(d), u, 0, u);
  State next;
  next.h.resize(u);
  for (int j = 0; j < u; ++j) next.h[j] = Act(s.activation, z[j] + zr[j] + At(d.bias, j));
  return next;
}

State Step(const CellSpec& s, const Direction& d, const double* x, const State& st) {
  switch (s.cell) {
    case Cell::kLstm:
      return LstmStep(s, d, x, st);
    case Cell::kGru:
      return GruStep(s, d, x, st);
    case Cell::kRnn:
      break;
  }
  return RnnStep(s, d, x, st);
}

size_t RowIndex(const CellSpec& s, int b, int t) {
  return s.time_major ? static_cast<size_t>(t) * s.batch + b : static_cast<size_t>(b) * s.time + t;
}

State Initial(const CellSpec& s, const Direction& d, int b) {
  const int h = s.out_units();
  State st;
  st.h.assign(h, 0.0);
  for (int j = 0; j < h && !d.h0.empty(); ++j) st.h[j] = d.h0[static_cast<size_t>(b) * h + j];
  if (s.cell == Cell::kLstm) {
    st.c.assign(s.units, 0.0);
    for (int j = 0; j < s.units && !d.c0.empty(); ++j) {
      st.c[j] = d.c0[static_cast<size_t>(b) * s.units + j];
    }
  }
  return st;
}

// Per iteration s of one row: where x is read, whether the step runs, where its output goes.
struct Visit {
  int x_time = 0;
  bool valid = true;
  int out_time = 0;
};

// Keras mask loop, or TF1 dynamic_rnn with sequence_length (go_backwards = reverse_sequence
// within the valid length), see cc/kernels/sequence.h.
Visit VisitOf(const Case& c, int b, int s, bool go_backwards, bool time_order) {
  const int t_n = c.spec.time;
  Visit v;
  if (!c.lengths.empty()) {
    const int len = c.lengths[b];
    v.valid = s < len;
    v.x_time = go_backwards && v.valid ? len - 1 - s : s;
    v.out_time = go_backwards && time_order && v.valid ? len - 1 - s : s;
    return v;
  }
  v.x_time = go_backwards ? t_n - 1 - s : s;
  v.valid = c.mask.empty() || c.mask[RowIndex(c.spec, b, v.x_time)] != 0;
  v.out_time = time_order ? v.x_time : s;
  return v;
}

}  // namespace

Expected Oracle(const Case& c, const Direction& d, bool go_backwards, bool time_order) {
  const CellSpec& s = c.spec;
  const int h = s.out_units();
  Expected e;
  e.output.assign(static_cast<size_t>(s.batch) * h * (s.return_sequences ? s.time : 1), 0.0);
  for (int b = 0; b < s.batch; ++b) {
    State st = Initial(s, d, b);
    std::vector<double> prev_out(h, 0.0), last(h, 0.0);
    std::vector<double> x(s.input);
    for (int i = 0; i < s.time; ++i) {
      const Visit v = VisitOf(c, b, i, go_backwards, time_order);
      std::vector<double> out(h, 0.0);
      if (v.valid) {
        const float* xr = c.x.data() + RowIndex(s, b, v.x_time) * s.input;
        std::copy(xr, xr + s.input, x.begin());
        st = Step(s, d, x.data(), st);
        out = st.h;
        last = out;
      } else if (c.lengths.empty() && !s.zero_output_for_mask) {
        out = prev_out;  // a masked Keras step repeats the previous output
      }
      if (c.lengths.empty()) last = out;
      prev_out = out;
      if (s.return_sequences) {
        std::copy(out.begin(), out.end(), e.output.begin() + RowIndex(s, b, v.out_time) * h);
      }
    }
    if (!s.return_sequences) std::copy(last.begin(), last.end(), e.output.begin() + b * h);
    e.h.insert(e.h.end(), st.h.begin(), st.h.end());
    e.c.insert(e.c.end(), st.c.begin(), st.c.end());
  }
  return e;
}

ExpectedBidirectional OracleBidirectional(const Case& c) {
  const int h = c.spec.out_units();
  ExpectedBidirectional e;
  e.forward = Oracle(c, c.forward, false, false);
  e.backward = Oracle(c, c.backward, true, true);
  const size_t rows = e.forward.output.size() / h;
  e.output.resize(rows * 2 * h);
  for (size_t r = 0; r < rows; ++r) {
    std::copy_n(e.forward.output.begin() + r * h, h, e.output.begin() + r * 2 * h);
    std::copy_n(e.backward.output.begin() + r * h, h, e.output.begin() + r * 2 * h + h);
  }
  return e;
}

}  // namespace tro_test
