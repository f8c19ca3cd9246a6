// Builds safetensors files byte by byte, for tests that need files no correct
// writer produces. Torch-free: the sanitized corruption tests use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

namespace bertlab::test {

inline std::string little_endian_u64(std::uint64_t value) {
  std::string bytes(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

// A file with `header` as its JSON header (stated length = its size) and
// `data` after it.
inline std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return little_endian_u64(header.size()) + header + data;
}

inline std::span<const std::byte> byte_span(const std::string& bytes, std::size_t count) {
  return {reinterpret_cast<const std::byte*>(bytes.data()), count};
}

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace bertlab::test
