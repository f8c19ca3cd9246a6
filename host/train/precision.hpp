// The compute precision a run asked for, resolved on the machine it runs on.
// "auto" is bf16 on a GPU and where the CPU computes bf16 natively
// (AVX512-BF16, AMX), fp32 elsewhere: on an AVX2 machine bf16 is emulated
// and several times slower than fp32, so a portable experiment file says
// "auto". fp16 is for GPUs only (CPU autocast computes in bf16); it needs
// loss scaling (train/loss_scaler.hpp), bf16 does not.
#pragma once

#include <string>

#include <c10/core/DeviceType.h>

namespace bertlab::train {

enum class Precision { fp32, bf16, fp16 };

const char* to_string(Precision precision);

// Why train.precision = "fp16" with train.device = "cpu" is refused.
inline constexpr const char* kFp16NeedsGpu =
    "fp16 runs on a GPU only (train.device = \"cuda\"); on the CPU use \"bf16\" or \"auto\"";

// `precision` (fp32 | bf16 | fp16 | auto) on a device of type `device`. An
// explicit bf16 on a CPU without native bf16 is honoured, with one warning
// on stderr per process; fp16 on the CPU is an error naming train.precision.
Precision resolve_precision(const std::string& precision, c10::DeviceType device);

// Whether `precision` runs under bf16 autocast on this machine's CPU (a
// model trained in fp16 on a GPU predicts in fp32 there).
inline bool use_bf16(const std::string& precision) {
  return precision != "fp16" && resolve_precision(precision, c10::DeviceType::CPU) == Precision::bf16;
}

}  // namespace bertlab::train
