// The compute precision a run asked for, resolved on the machine it runs on.
// "auto" is bf16 where the CPU computes bf16 natively (AVX512-BF16, AMX) and
// fp32 elsewhere: on an AVX2 machine bf16 is emulated and several times
// slower than fp32, so a portable experiment file says "auto".
#pragma once

#include <string>

namespace bertlab::train {

// Whether to run under bf16 autocast for `precision` (fp32 | bf16 | auto).
// An explicit bf16 on a CPU without native bf16 is honoured, with one
// warning on stderr per process.
bool use_bf16(const std::string& precision);

}  // namespace bertlab::train
