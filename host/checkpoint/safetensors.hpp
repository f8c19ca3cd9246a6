// Reading and writing safetensors files as LibTorch tensors. The header is
// parsed and validated by safetensors_header.hpp; this file maps the data and
// converts between the file's dtypes and LibTorch's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/ScalarType.h>

#include "checkpoint/mapped_file.hpp"
#include "checkpoint/safetensors_header.hpp"

namespace bertlab::checkpoint {

c10::ScalarType scalar_type(DType dtype);
// Throws CheckpointError naming `source` for a LibTorch dtype the format
// (as bertlab reads it) has no name for.
DType dtype_of(c10::ScalarType scalar_type, const std::string& source);

// A safetensors file, mapped and validated on construction; tensors are
// copied out of the map on request, so a large checkpoint costs memory only
// for the tensors taken.
class SafetensorsReader {
 public:
  // Throws CheckpointError naming the file: unreadable, empty, truncated,
  // or anything parse_header refuses.
  explicit SafetensorsReader(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::size_t size() const { return header_.tensors.size(); }
  bool contains(const std::string& name) const { return header_.tensors.count(name) != 0; }
  std::vector<std::string> names() const;  // sorted
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }

  // These throw CheckpointError naming the file and the tensor when the file
  // has no tensor `name`.
  std::vector<std::int64_t> shape(const std::string& name) const;
  c10::ScalarType dtype(const std::string& name) const;
  // An owned CPU tensor of the file's dtype, or converted to `to`.
  at::Tensor tensor(const std::string& name, std::optional<c10::ScalarType> to = std::nullopt) const;

 private:
  const TensorInfo& info(const std::string& name) const;

  std::filesystem::path path_;
  MappedFile file_;
  Header header_;
};

// Writes `tensors` (any device, any strides) as a safetensors file that Python
// safetensors and transformers read: keys sorted, the header padded with
// spaces to a multiple of 8 bytes, data in name order. Metadata gets
// "format": "pt" unless it has a "format", because transformers refuses a
// file without it. The file is written next to `path` under a temporary name
// and renamed over it, so `path` is either the old file or the whole new one.
// Throws CheckpointError naming the file (and the tensor, for an undefined,
// sparse or unsupported-dtype tensor or the reserved name "__metadata__").
void write_safetensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace bertlab::checkpoint
