// The cell forms every driver test runs: LSTM, both GRU forms, SimpleRNN.
#ifndef TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_CELL_VARIANTS_H_
#define TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_CELL_VARIANTS_H_

#include <gtest/gtest.h>

#include <string>

#include "tests/native/support/cases.h"

namespace tro_test {

struct CellVariant {
  Cell cell;
  bool reset_after;
  const char* name;

  CellSpec Spec() const {
    CellSpec s;
    s.cell = cell;
    s.reset_after = reset_after;
    return s;
  }
};

inline const CellVariant kCellVariants[] = {
    {Cell::kLstm, true, "lstm"},
    {Cell::kGru, true, "gru_reset_after"},
    {Cell::kGru, false, "gru_reset_before"},
    {Cell::kRnn, true, "rnn"},
};

inline std::string VariantName(const testing::TestParamInfo<CellVariant>& info) {
  return info.param.name;
}

}  // namespace tro_test

#endif  // TFLITE_RNN_OPS_TESTS_NATIVE_SUPPORT_CELL_VARIANTS_H_
