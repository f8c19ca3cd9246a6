// The header of a safetensors file (https://github.com/huggingface/safetensors):
// its tensors' dtypes, shapes and byte ranges, checked against the file so
// that a reader can copy each tensor's bytes without any further checks.
// Torch-free on purpose: the fuzzer and the sanitized corruption tests
// compile it (with dtype.cpp) alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "checkpoint/checkpoint_error.hpp"
#include "checkpoint/dtype.hpp"

namespace bertlab::checkpoint {

// The format caps the header so that a reader never allocates for a length
// field that lies.
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

struct TensorInfo {
  DType dtype = DType::F32;
  std::vector<std::int64_t> shape;
  // data_offsets [begin, end), relative to the first byte after the header.
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

struct Header {
  std::uint64_t data_start = 0;  // 8 + header length: where tensor data begins in the file
  std::uint64_t data_size = 0;   // file size - data_start; the tensors cover it exactly
  std::map<std::string, std::string> metadata;
  std::map<std::string, TensorInfo> tensors;
};

// Parses and validates the header of a file of `file_size` bytes whose first
// bytes are `bytes` (the whole file, or at least the 8-byte length and the
// header). `source` names the file in messages. Throws CheckpointError for
// anything the format does not allow: a short file, a header length past the
// file or the 100 MB cap, JSON that is not well-formed UTF-8 or not an object,
// duplicate keys, entries with missing, extra or mistyped keys, unsupported
// dtypes, negative dimensions, element counts that overflow, byte sizes that
// do not match the shape, data ranges outside the data, overlapping tensors,
// and data bytes that belong to no tensor.
Header parse_header(std::span<const std::byte> bytes, std::uint64_t file_size, const std::string& source);

}  // namespace bertlab::checkpoint
