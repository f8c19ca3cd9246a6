// A file mapped read-only into memory, unmapped when the object goes. Readers
// copy tensors straight out of the map instead of reading the file twice.
// The map reflects the file: truncating it while mapped makes reads past the
// new end fault (SIGBUS), as with any mmap.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace bertlab::checkpoint {

class MappedFile {
 public:
  // Throws CheckpointError naming the file when it cannot be opened, is not a
  // regular file, or cannot be mapped. An empty file maps to no bytes.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const std::byte> bytes() const { return {data_, size_}; }

 private:
  void unmap() noexcept;

  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace bertlab::checkpoint
