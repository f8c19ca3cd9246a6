#include "checkpoint/dtype.hpp"

#include <algorithm>
#include <array>

namespace bertlab::checkpoint {

namespace {

struct DTypeSpec {
  DType dtype;
  std::string_view name;
  std::size_t size;
};

constexpr std::array<DTypeSpec, 10> kDTypes{{
    {DType::F64, "F64", 8},
    {DType::F32, "F32", 4},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8},
    {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
}};

const DTypeSpec& spec_of(DType dtype) {
  return *std::find_if(kDTypes.begin(), kDTypes.end(), [dtype](const DTypeSpec& spec) { return spec.dtype == dtype; });
}

}  // namespace

std::string_view dtype_name(DType dtype) { return spec_of(dtype).name; }

std::size_t dtype_size(DType dtype) { return spec_of(dtype).size; }

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const DTypeSpec& spec : kDTypes) {
    if (spec.name == name) return spec.dtype;
  }
  return std::nullopt;
}

}  // namespace bertlab::checkpoint
