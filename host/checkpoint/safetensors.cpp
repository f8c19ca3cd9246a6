#include "checkpoint/safetensors.hpp"

#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

namespace bertlab::checkpoint {

// The format is little-endian and tensors are copied byte for byte.
static_assert(std::endian::native == std::endian::little, "bertlab reads safetensors on little-endian hosts only");

namespace {

constexpr std::array<std::pair<DType, c10::ScalarType>, 10> kScalarTypes{{
    {DType::F64, c10::kDouble},
    {DType::F32, c10::kFloat},
    {DType::F16, c10::kHalf},
    {DType::BF16, c10::kBFloat16},
    {DType::I64, c10::kLong},
    {DType::I32, c10::kInt},
    {DType::I16, c10::kShort},
    {DType::I8, c10::kChar},
    {DType::U8, c10::kByte},
    {DType::BOOL, c10::kBool},
}};

std::string tensor_subject(const std::filesystem::path& path, const std::string& name) {
  return path.string() + ": tensor '" + name + "'";
}

// The temporary file a write goes to, removed unless it was renamed into place.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target) : target_(target) {
    std::random_device random;
    for (int attempt = 0; attempt < 16 && descriptor_ < 0; ++attempt) {
      std::string name = ".";  // appended to: "literal" + std::string&& trips GCC 12 bug 105329 warnings
      name += target.filename().string();
      name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
      path_ = target.parent_path() / name;
      descriptor_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (descriptor_ < 0 && errno != EEXIST) break;
    }
    if (descriptor_ < 0) fail("cannot create " + path_.string());
  }
  ~TempFile() {
    if (descriptor_ >= 0) ::close(descriptor_);
    if (!committed_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t written = ::write(descriptor_, bytes, size);
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) fail("cannot write " + path_.string());
      bytes += written;
      size -= static_cast<std::size_t>(written);
    }
  }

  // fsync before the rename: otherwise a crash soon after could leave the
  // new name pointing at a file whose data never reached the disk.
  void commit() {
    if (::fsync(descriptor_) != 0) fail("cannot sync " + path_.string());
    const int descriptor = std::exchange(descriptor_, -1);
    if (::close(descriptor) != 0) fail("cannot close " + path_.string());
    if (::rename(path_.c_str(), target_.c_str()) != 0) fail("cannot rename " + path_.string() + " to it");
    committed_ = true;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError(target_.string() + ": " + what + ": " + std::strerror(errno));
  }

  std::filesystem::path target_;
  std::filesystem::path path_;
  int descriptor_ = -1;
  bool committed_ = false;
};

}  // namespace

c10::ScalarType scalar_type(DType dtype) {
  for (const auto& [file_dtype, torch_dtype] : kScalarTypes) {
    if (file_dtype == dtype) return torch_dtype;
  }
  throw CheckpointError("no LibTorch dtype for " + std::string(dtype_name(dtype)));
}

DType dtype_of(c10::ScalarType scalar_type, const std::string& source) {
  for (const auto& [file_dtype, torch_dtype] : kScalarTypes) {
    if (torch_dtype == scalar_type) return file_dtype;
  }
  throw CheckpointError(source + ": unsupported dtype " + std::string(c10::toString(scalar_type)));
}

SafetensorsReader::SafetensorsReader(const std::filesystem::path& path)
    : path_(path), file_(path), header_(parse_header(file_.bytes(), file_.bytes().size(), path.string())) {}

std::vector<std::string> SafetensorsReader::names() const {
  std::vector<std::string> names;
  names.reserve(header_.tensors.size());
  for (const auto& [name, info] : header_.tensors) names.push_back(name);
  return names;
}

const TensorInfo& SafetensorsReader::info(const std::string& name) const {
  const auto found = header_.tensors.find(name);
  if (found == header_.tensors.end()) throw CheckpointError(tensor_subject(path_, name) + ": not in the file");
  return found->second;
}

std::vector<std::int64_t> SafetensorsReader::shape(const std::string& name) const { return info(name).shape; }

c10::ScalarType SafetensorsReader::dtype(const std::string& name) const { return scalar_type(info(name).dtype); }

at::Tensor SafetensorsReader::tensor(const std::string& name, std::optional<c10::ScalarType> to) const {
  const TensorInfo& tensor_info = info(name);
  // A byte other than 0 or 1 is not a valid C++ bool; read bools as bytes
  // and compare, as Python does for any nonzero byte.
  const bool is_bool = tensor_info.dtype == DType::BOOL;
  at::Tensor tensor =
      at::empty(tensor_info.shape, at::TensorOptions().dtype(is_bool ? c10::kByte : scalar_type(tensor_info.dtype)));
  const std::size_t byte_count = tensor_info.end - tensor_info.begin;
  // memcpy, not a cast of the mapped pointer: data_offsets need not be aligned.
  if (byte_count > 0)
    std::memcpy(tensor.data_ptr(), file_.bytes().data() + header_.data_start + tensor_info.begin, byte_count);
  if (is_bool) tensor = tensor.ne(0);
  if (to && *to != tensor.scalar_type()) tensor = tensor.to(*to);
  return tensor;
}

void write_safetensors(const std::filesystem::path& path, const std::map<std::string, at::Tensor>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  std::map<std::string, std::string> full_metadata = metadata;
  full_metadata.emplace("format", "pt");
  header["__metadata__"] = full_metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (name == "__metadata__")
      throw CheckpointError(tensor_subject(path, name) + ": the name is reserved for metadata");
    if (!tensor.defined()) throw CheckpointError(tensor_subject(path, name) + ": undefined tensor");
    if (tensor.layout() != c10::kStrided)
      throw CheckpointError(tensor_subject(path, name) + ": only dense (strided) tensors can be saved");
    const DType dtype = dtype_of(tensor.scalar_type(), tensor_subject(path, name));
    const std::uint64_t byte_count = static_cast<std::uint64_t>(tensor.numel()) * dtype_size(dtype);
    header[name] = {{"dtype", std::string(dtype_name(dtype))},
                    {"shape", tensor.sizes().vec()},
                    {"data_offsets", {offset, offset + byte_count}}};
    offset += byte_count;
  }

  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const nlohmann::json::exception&) {
    throw CheckpointError(path.string() + ": a tensor name or metadata string is not valid UTF-8");
  }
  header_text.resize((header_text.size() + 7) / 8 * 8, ' ');
  std::array<unsigned char, 8> length_bytes{};
  for (std::size_t i = 0; i < length_bytes.size(); ++i)
    length_bytes[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(header_text.size()) >> (8 * i));

  TempFile file(path);
  file.write(length_bytes.data(), length_bytes.size());
  file.write(header_text.data(), header_text.size());
  // One CPU copy at a time, so saving a GPU model needs memory for its
  // largest tensor, not all of them.
  for (const auto& [name, tensor] : tensors) {
    at::Tensor bytes;
    try {
      bytes = tensor.detach().to(c10::kCPU).contiguous();
    } catch (const c10::Error& error) {
      throw CheckpointError(tensor_subject(path, name) + ": cannot copy to the CPU: " + error.what_without_backtrace());
    }
    if (bytes.numel() > 0) file.write(bytes.const_data_ptr(), bytes.nbytes());
  }
  file.commit();
}

}  // namespace bertlab::checkpoint
