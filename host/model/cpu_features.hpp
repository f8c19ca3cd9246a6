// What this CPU can do in bfloat16. The LibTorch wheel runs everywhere from
// AVX2 up, but bf16 is fast only with native bf16 dot products (AVX512-BF16,
// AMX), and oneDNN builds bf16 primitives only from AVX-512 (or AVX-NE-CONVERT)
// on: elsewhere it refuses to create them, and bf16 matmuls fall back to
// slow emulation.
#pragma once

namespace bertlab::model {

// oneDNN can create bf16 primitives here (PyTorch's mkldnn_bf16_device_check).
bool onednn_bf16_supported();
// bf16 arithmetic runs natively (AVX512-BF16 or AMX-BF16): bf16 beats fp32.
bool native_bf16();

}  // namespace bertlab::model
