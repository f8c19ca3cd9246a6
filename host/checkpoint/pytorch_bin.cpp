#include "checkpoint/pytorch_bin.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include "checkpoint/mapped_file.hpp"
#include "checkpoint/safetensors.hpp"
#include "checkpoint/state_dict_pickle.hpp"

namespace bertlab::checkpoint {

namespace {

// The archive read straight out of the map, so the file is opened once and
// the errors for a missing or odd file are MappedFile's.
class MappedAdapter final : public caffe2::serialize::ReadAdapterInterface {
 public:
  explicit MappedAdapter(MappedFile file) : file_(std::move(file)) {}
  size_t size() const override { return file_.bytes().size(); }
  size_t read(uint64_t pos, void* buf, size_t n, const char*) const override {
    const auto bytes = file_.bytes();
    if (pos >= bytes.size()) return 0;
    n = std::min<uint64_t>(n, bytes.size() - pos);
    std::memcpy(buf, bytes.data() + pos, n);
    return n;
  }

 private:
  MappedFile file_;
};

std::string record_text(caffe2::serialize::PyTorchStreamReader& archive, const std::string& name) {
  const auto [data, size] = archive.getRecord(name);
  return std::string(static_cast<const char*>(data.get()), size);
}

// Each storage as a flat tensor of its dtype, read from data/<key>.
at::Tensor read_storage(caffe2::serialize::PyTorchStreamReader& archive, const std::string& source,
                        const std::string& key, const PickledStorage& storage) {
  const std::string record = "data/" + key;
  if (!archive.hasRecord(record)) throw CheckpointError(source + ": storage '" + key + "' has no record " + record);
  const std::uint64_t byte_count = storage.numel * dtype_size(storage.dtype);
  const std::uint64_t record_size = archive.getRecordSize(record);
  if (record_size != byte_count)
    throw CheckpointError(source + ": storage '" + key + "' is " + std::to_string(storage.numel) + " " +
                          std::string(dtype_name(storage.dtype)) + " elements (" + std::to_string(byte_count) +
                          " bytes) but " + record + " holds " + std::to_string(record_size));
  // A byte other than 0 or 1 is not a valid C++ bool: read bools as bytes and compare.
  const bool is_bool = storage.dtype == DType::BOOL;
  at::Tensor flat = at::empty({static_cast<std::int64_t>(storage.numel)},
                              at::TensorOptions().dtype(is_bool ? c10::kByte : scalar_type(storage.dtype)));
  if (byte_count > 0) archive.getRecord(record, flat.data_ptr(), byte_count);
  return is_bool ? flat.ne(0) : flat;
}

}  // namespace

std::map<std::string, at::Tensor> load_pytorch_bin(const std::filesystem::path& path) {
  const std::string source = path.string();
  MappedFile file(path);
  const auto bytes = file.bytes();
  if (bytes.empty()) throw CheckpointError(source + ": the file is empty");
  const std::string_view start(reinterpret_cast<const char*>(bytes.data()), std::min<std::size_t>(bytes.size(), 4));
  if (start != std::string_view("PK\x03\x04", 4)) {
    // torch.save before torch 1.6 wrote a bare pickle (protocol 2 begins 0x80 0x02).
    if (start.rfind("\x80\x02", 0) == 0)
      throw CheckpointError(source +
                            ": a legacy torch.save file (before torch 1.6, not a zip archive); "
                            "re-save it with a newer torch or convert it to safetensors");
    throw CheckpointError(source + ": not a torch.save zip archive");
  }

  try {
    caffe2::serialize::PyTorchStreamReader archive(std::make_shared<MappedAdapter>(std::move(file)));
    if (archive.hasRecord("byteorder") && record_text(archive, "byteorder") != "little")
      throw CheckpointError(source + ": saved on a big-endian machine, which bertlab does not read");
    const auto [pickle, pickle_size] = archive.getRecord("data.pkl");
    const PickledStateDict state = read_state_dict_pickle(
        std::span<const std::byte>(static_cast<const std::byte*>(pickle.get()), pickle_size), source);

    std::map<std::string, at::Tensor> storages;
    for (const auto& [key, storage] : state.storages)
      storages.emplace(key, read_storage(archive, source, key, storage));
    std::map<std::string, at::Tensor> tensors;
    for (const auto& [name, tensor] : state.tensors) {
      tensors.emplace(name,
                      storages.at(tensor.storage_key).as_strided(tensor.size, tensor.stride, tensor.storage_offset));
    }
    return tensors;
  } catch (const c10::Error& error) {
    throw CheckpointError(source + ": not a torch.save archive LibTorch can read: " + error.what_without_backtrace());
  }
}

}  // namespace bertlab::checkpoint
