// The tensor element types bertlab's checkpoint files hold, named as
// safetensors names them. Torch-free, for the fuzzer and sanitized tests.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace bertlab::checkpoint {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::string_view dtype_name(DType dtype);
std::size_t dtype_size(DType dtype);
std::optional<DType> dtype_from_name(std::string_view name);

}  // namespace bertlab::checkpoint
