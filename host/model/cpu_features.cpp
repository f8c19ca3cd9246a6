#include "model/cpu_features.hpp"

#include <string>
#include <unordered_map>

#include <ATen/cpu/Utils.h>

namespace bertlab::model {

namespace {

bool has(const char* capability) {
  static const auto capabilities = at::cpu::get_cpu_capabilities();
  auto it = capabilities.find(capability);
  return it != capabilities.end() && it->second.isBool() && it->second.toBool();
}

}  // namespace

bool onednn_bf16_supported() {
  return (has("avx512_bw") && has("avx512_vl") && has("avx512_dq")) || has("avx_ne_convert") || has("amx_bf16");
}

bool native_bf16() { return has("avx512_bf16") || has("amx_bf16"); }

}  // namespace bertlab::model
