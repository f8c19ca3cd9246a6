#include "train/precision.hpp"

#include <atomic>
#include <iostream>

#include "model/cpu_features.hpp"

namespace bertlab::train {

bool use_bf16(const std::string& precision) {
  if (precision == "auto") return model::native_bf16();
  if (precision != "bf16") return false;
  static std::atomic<bool> warned{false};
  if (!model::native_bf16() && !warned.exchange(true))
    std::cerr << "bertlab: warning: precision bf16 on a CPU without native bf16 arithmetic (AVX512-BF16 or "
                 "AMX): it is emulated and slower than fp32 here; precision \"auto\" picks fp32 on such CPUs\n";
  return true;
}

}  // namespace bertlab::train
