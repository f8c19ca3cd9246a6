// libFuzzer target for the state-dict unpickler (pytorch_model.bin's
// data.pkl). Every input must either read into tensors that are views inside
// storages it describes, or throw CheckpointError; any other exception, a
// crash, or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "checkpoint/state_dict_pickle.hpp"

namespace {

using bertlab::checkpoint::CheckpointError;
using bertlab::checkpoint::PickledStateDict;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

// What load_pytorch_bin relies on before as_strided.
void check_consistent(const PickledStateDict& state) {
  for (const auto& [name, tensor] : state.tensors) {
    const auto storage = state.storages.find(tensor.storage_key);
    require(storage != state.storages.end());
    require(tensor.size.size() == tensor.stride.size() && tensor.storage_offset >= 0);
    bool empty = false;
    __int128 last = tensor.storage_offset;
    for (std::size_t i = 0; i < tensor.size.size(); ++i) {
      require(tensor.size[i] >= 0 && tensor.stride[i] >= 0);
      empty = empty || tensor.size[i] == 0;
      if (tensor.size[i] > 0) last += static_cast<__int128>(tensor.size[i] - 1) * tensor.stride[i];
    }
    require(empty || last < static_cast<__int128>(storage->second.numel));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    check_consistent(bertlab::checkpoint::read_state_dict_pickle(std::as_bytes(std::span(data, size)), "fuzz-input"));
  } catch (const CheckpointError&) {
  }
  return 0;
}
