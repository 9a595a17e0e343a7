// N vectors of a wrapper V (VecAvx512, VecAvx2, VecNeon) as one wrapper whose every operation
// runs on all N before the next one starts. The shared math of vec_math.h written against it
// is emitted breadth first: N independent dependency chains side by side, where one vector at
// a time gives the out-of-order core a single long chain (a sigmoid is about 20 dependent
// operations) and leaves the FMA ports idle. Per element the operations and their order are
// those of V, so the results are the same bits. Only the operations VSigmoid and VTanh use are
// defined. Include after the wrapper header.
#ifndef TFLITE_RNN_OPS_KERNELS_ISA_VEC_GROUP_H_
#define TFLITE_RNN_OPS_KERNELS_ISA_VEC_GROUP_H_

namespace tflite_rnn_ops {
namespace mk {
namespace {

template <class V, int N>
struct VecGroup {
  using E = typename V::T;
  struct T {
    E v[N];
  };

  template <class F>
  static T Map(F&& f) {
    T r;
    for (int i = 0; i < N; ++i) r.v[i] = f(i);
    return r;
  }
  static T Set1(float x) { return Map([&](int) { return V::Set1(x); }); }
  static T Zero() { return Map([&](int) { return V::Zero(); }); }
  static T Add(T a, T b) { return Map([&](int i) { return V::Add(a.v[i], b.v[i]); }); }
  static T Sub(T a, T b) { return Map([&](int i) { return V::Sub(a.v[i], b.v[i]); }); }
  static T Mul(T a, T b) { return Map([&](int i) { return V::Mul(a.v[i], b.v[i]); }); }
  static T Recip(T x) { return Map([&](int i) { return V::Recip(x.v[i]); }); }
  static T Min(T a, T b) { return Map([&](int i) { return V::Min(a.v[i], b.v[i]); }); }
  static T Max(T a, T b) { return Map([&](int i) { return V::Max(a.v[i], b.v[i]); }); }
  static T Fma(T a, T b, T c) {
    return Map([&](int i) { return V::Fma(a.v[i], b.v[i], c.v[i]); });
  }
  static T Fnma(T a, T b, T c) {
    return Map([&](int i) { return V::Fnma(a.v[i], b.v[i], c.v[i]); });
  }
  static T Abs(T x) { return Map([&](int i) { return V::Abs(x.v[i]); }); }
  static T OrSign(T mag, T sign) {
    return Map([&](int i) { return V::OrSign(mag.v[i], sign.v[i]); });
  }
  static T ShiftIntoExponent(T x) {
    return Map([&](int i) { return V::ShiftIntoExponent(x.v[i]); });
  }
  static T SelectLess(T a, T b, T if_less, T otherwise) {
    return Map([&](int i) { return V::SelectLess(a.v[i], b.v[i], if_less.v[i], otherwise.v[i]); });
  }
};

}  // namespace
}  // namespace mk
}  // namespace tflite_rnn_ops

#endif  // TFLITE_RNN_OPS_KERNELS_ISA_VEC_GROUP_H_
