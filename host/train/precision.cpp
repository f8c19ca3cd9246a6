#include "train/precision.hpp"

#include <atomic>
#include <iostream>
#include <stdexcept>

#include "model/cpu_features.hpp"

namespace bertlab::train {

const char* to_string(Precision precision) {
  switch (precision) {
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
    case Precision::fp32: break;
  }
  return "fp32";
}

Precision resolve_precision(const std::string& precision, c10::DeviceType device) {
  const bool cpu = device == c10::DeviceType::CPU;
  if (precision == "auto") return !cpu || model::native_bf16() ? Precision::bf16 : Precision::fp32;
  if (precision == "fp16") {
    if (cpu)
      throw std::invalid_argument(std::string("train.precision: ") + kFp16NeedsGpu);
    return Precision::fp16;
  }
  if (precision != "bf16") return Precision::fp32;
  static std::atomic<bool> warned{false};
  if (cpu && !model::native_bf16() && !warned.exchange(true))
    std::cerr << "bertlab: warning: precision bf16 on a CPU without native bf16 arithmetic (AVX512-BF16 or "
                 "AMX): it is emulated and slower than fp32 here; precision \"auto\" picks fp32 on such CPUs\n";
  return Precision::bf16;
}

}  // namespace bertlab::train
