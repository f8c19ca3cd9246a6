// A tensor's bytes as a SHA-256, to compare tensors with what Python sees
// exactly, bit for bit, without moving the bytes between processes.
#pragma once

#include <string>
#include <string_view>

#include <ATen/ATen.h>

#include "util/sha256.hpp"

namespace bertlab::test {

inline std::string tensor_sha256(const at::Tensor& tensor) {
  const at::Tensor contiguous = tensor.contiguous();
  return util::sha256_hex(std::string_view(static_cast<const char*>(contiguous.const_data_ptr()), contiguous.nbytes()));
}

// The Python side of tensor_sha256, for the scripts the tests run.
inline constexpr const char* kPythonTensorSha256 = R"(
import hashlib
def tensor_sha256(t):
    return hashlib.sha256(t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()).hexdigest()
)";

}  // namespace bertlab::test
