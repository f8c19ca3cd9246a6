#include "checkpoint/pytorch_bin.hpp"

#include <vector>

#include <torch/csrc/jit/serialization/pickle.h>

#include "checkpoint/mapped_file.hpp"
#include "checkpoint/safetensors_header.hpp"

namespace bertlab::checkpoint {

std::map<std::string, at::Tensor> load_pytorch_bin(const std::filesystem::path& path) {
  std::vector<char> bytes;
  {
    const MappedFile file(path);
    const auto mapped = file.bytes();
    if (mapped.empty()) throw CheckpointError(path.string() + ": the file is empty");
    const auto* first = reinterpret_cast<const char*>(mapped.data());
    bytes.assign(first, first + mapped.size());
  }

  c10::IValue state;
  try {
    state = torch::jit::pickle_load(bytes);
  } catch (const c10::Error& error) {
    throw CheckpointError(path.string() + ": not a torch.save file LibTorch can read: " + error.what_without_backtrace());
  }
  if (!state.isGenericDict())
    throw CheckpointError(path.string() + ": expected a state dict (a dict of tensors), found " + state.tagKind());

  std::map<std::string, at::Tensor> tensors;
  for (const auto& entry : state.toGenericDict()) {
    if (!entry.key().isString())
      throw CheckpointError(path.string() + ": a state dict key is a " + entry.key().tagKind() + ", not a string");
    const std::string name = entry.key().toStringRef();
    if (!entry.value().isTensor())
      throw CheckpointError(path.string() + ": tensor '" + name + "': the value is a " + entry.value().tagKind() +
                            ", not a tensor");
    tensors.emplace(name, entry.value().toTensor());
  }
  return tensors;
}

}  // namespace bertlab::checkpoint
