// libFuzzer target for the safetensors header parser. Every input must either
// parse into a header whose tensors lie inside the file and tile its data
// exactly, or throw CheckpointError; any other exception, a crash, or a
// sanitizer report is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <vector>

#include "checkpoint/safetensors_header.hpp"

namespace {

using bertlab::checkpoint::CheckpointError;
using bertlab::checkpoint::Header;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// What SafetensorsReader relies on without checking again.
void check_consistent(const Header& header, std::uint64_t file_size) {
  require(header.data_start >= 8 && header.data_start + header.data_size == file_size);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, info] : header.tensors) {
    require(info.begin <= info.end && info.end <= header.data_size);
    std::uint64_t bytes = bertlab::checkpoint::dtype_size(info.dtype);
    for (const std::int64_t dim : info.shape) {
      require(dim >= 0);
      if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes)) bytes = dim == 0 ? 0 : UINT64_MAX;
    }
    if (std::find(info.shape.begin(), info.shape.end(), 0) != info.shape.end()) bytes = 0;
    require(bytes == info.end - info.begin);
    ranges.emplace_back(info.begin, info.end);
  }
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t covered_to = 0;
  for (const auto& [begin, end] : ranges) {
    require(begin == covered_to);
    covered_to = end;
  }
  require(covered_to == header.data_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = std::as_bytes(std::span(data, size));
  try {
    check_consistent(bertlab::checkpoint::parse_header(file, size, "fuzz-input"), size);
  } catch (const CheckpointError&) {
  }
  // Given only the first half of the file, in a buffer of its own so that
  // AddressSanitizer sees a read past it.
  const std::vector<std::byte> prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(size / 2));
  try {
    check_consistent(bertlab::checkpoint::parse_header(prefix, size, "fuzz-input"), size);
  } catch (const CheckpointError&) {
  }
  return 0;
}
