// The threaded kernels for the TSan build (and every other): the ThreadPool runs each piece once
// per Run over many generations; the ops give bit-identical results at any num_threads; several
// nodes with their own pools run concurrently in several threads (the interpreter-per-thread
// case) and still match a single-threaded run.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "cc/kernels/thread_pool.h"
#include "cc/tflite/op_registry.h"
#include "tests/native/abi_test_util.h"

namespace {

using tro_test::FakeGraph;
using tro_test::FlexMap;
namespace abi = tflite_rnn_ops::abi;

TEST(ThreadPoolReliability, EveryPieceRunsOncePerRun) {
  for (int threads : {2, 3, 5}) {
    tflite_rnn_ops::ThreadPool pool(threads);
    const int pieces = threads * 7;
    std::vector<std::atomic<int>> counts(pieces);
    auto fn = [&counts](int p) { counts[p].fetch_add(1, std::memory_order_relaxed); };
    const int runs = 2000;
    for (int r = 0; r < runs; ++r) pool.Run(fn, pieces);
    for (int p = 0; p < pieces; ++p) EXPECT_EQ(counts[p].load(), runs) << "piece " << p;
  }
}

struct OpCase {
  const char* name;
  const abi::TfLiteRegistration* (*registration)();
  int gates;
  int outputs;  // sequence output(s) + final states
  bool bidirectional;
  bool int8 = false;  // int8 weight matrices: activation rows quantized once per step
};

const OpCase kCases[] = {
    {"lstm", tflite_rnn_ops::LstmRegistration, 4, 3, false},
    {"gru", tflite_rnn_ops::GruRegistration, 3, 2, false},
    {"rnn", tflite_rnn_ops::RnnRegistration, 1, 2, false},
    {"bidirectional_lstm", tflite_rnn_ops::LstmRegistration, 4, 5, true},
    {"lstm_int8", tflite_rnn_ops::LstmRegistration, 4, 3, false, true},
    {"gru_int8", tflite_rnn_ops::GruRegistration, 3, 2, false, true},
    {"rnn_int8", tflite_rnn_ops::RnnRegistration, 1, 2, false, true},
    {"bidirectional_lstm_int8", tflite_rnn_ops::LstmRegistration, 4, 5, true, true},
};

// int8 bytes in [-127, 127] for a weight matrix, carried in the graph's float storage (which
// holds 4 bytes per float: the first n bytes are the matrix).
std::vector<float> RandomInt8(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-127, 127);
  std::vector<float> v((n + 3) / 4);
  auto* bytes = reinterpret_cast<int8_t*>(v.data());
  for (size_t i = 0; i < n; ++i) bytes[i] = static_cast<int8_t>(d(rng));
  return v;
}

std::vector<float> Random(size_t n, uint32_t seed, float scale) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// B=3, T=9, F=5 and 40 units (several SIMD panels to split across threads). Returns every output.
std::vector<std::vector<float>> RunOp(const OpCase& c, int threads, uint32_t seed) {
  const int b = 3, t = 9, f = 5, u = 40, cols = c.gates * u;
  FakeGraph g;
  // Per-column scales giving weights of about the float cases' size (0.4 and 0.15 typical).
  tro_test::Affine kernel_q(std::vector<float>(cols, 0.4f / 64), std::vector<int>(cols, 0));
  tro_test::Affine recurrent_q(std::vector<float>(cols, 0.15f / 64), std::vector<int>(cols, 0));
  g.Input({b, t, f}, Random(static_cast<size_t>(b) * t * f, seed, 1.0f));
  for (int d = 0; d < (c.bidirectional ? 2 : 1); ++d) {
    if (c.int8) {
      g.Input({f, cols}, RandomInt8(static_cast<size_t>(f) * cols, 11 + d), abi::kTfLiteInt8);
      g.tensors().back().quantization = kernel_q.quantization();
      g.tensors().back().bytes = static_cast<size_t>(f) * cols;
      g.Input({u, cols}, RandomInt8(static_cast<size_t>(u) * cols, 13 + d), abi::kTfLiteInt8);
      g.tensors().back().quantization = recurrent_q.quantization();
      g.tensors().back().bytes = static_cast<size_t>(u) * cols;
    } else {
      g.Input({f, cols}, Random(static_cast<size_t>(f) * cols, 11 + d, 0.4f));
      g.Input({u, cols}, Random(static_cast<size_t>(u) * cols, 13 + d, 0.15f));
    }
    if (c.gates == 3) g.Input({2, cols}, Random(2 * static_cast<size_t>(cols), 17 + d, 0.3f));
    else g.Input({cols}, Random(cols, 17 + d, 0.3f));
  }
  g.Outputs(c.outputs);
  g.context()->recommended_num_threads = threads;
  FlexMap options =
      FlexMap().Int("version", c.int8 ? 3 : 1).Int("units", u).Bool("return_sequences", true);
  if (c.bidirectional) options.String("direction", "bidirectional");
  EXPECT_EQ(g.Run(c.registration(), options.Build()), abi::kTfLiteOk) << g.error();
  std::vector<std::vector<float>> out;
  for (int i = 0; i < c.outputs; ++i) out.push_back(g.OutputValues(i));
  return out;
}

class ThreadsReliability : public ::testing::TestWithParam<OpCase> {};

TEST_P(ThreadsReliability, BitIdenticalAtAnyThreadCount) {
  const auto one = RunOp(GetParam(), 1, 3);
  for (int threads : {2, 3, 4}) EXPECT_EQ(RunOp(GetParam(), threads, 3), one) << threads;
}

TEST_P(ThreadsReliability, ConcurrentNodesWithTheirOwnPools) {
  constexpr int kWorkers = 4;
  std::vector<std::vector<std::vector<float>>> expected, got(kWorkers);
  for (int w = 0; w < kWorkers; ++w) expected.push_back(RunOp(GetParam(), 1, 100 + w));
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      for (int round = 0; round < 3; ++round) got[w] = RunOp(GetParam(), 2, 100 + w);
    });
  }
  for (auto& t : workers) t.join();
  for (int w = 0; w < kWorkers; ++w) EXPECT_EQ(got[w], expected[w]) << "worker " << w;
}

INSTANTIATE_TEST_SUITE_P(Ops, ThreadsReliability, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<OpCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
