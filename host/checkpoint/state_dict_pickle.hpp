// The pickle inside a torch.save archive (data.pkl), read as a state dict:
// each name's tensor as a view of a storage whose bytes are the archive's
// record data/<key>. LibTorch's own unpickler turns an OrderedDict into None,
// so it cannot read `torch.save(model.state_dict())`, the way most
// pytorch_model.bin files were written; this one understands exactly what
// torch.save writes for a dict or OrderedDict of tensors and refuses any other
// opcode or global. Torch-free, so it can be fuzzed alone.
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

struct PickledStorage {
  DType dtype = DType::F32;
  std::uint64_t numel = 0;  // elements; numel * dtype_size fits in 64 bits
};

// A view into a storage, checked to stay inside it.
struct PickledTensor {
  std::string storage_key;
  std::int64_t storage_offset = 0;
  std::vector<std::int64_t> size;
  std::vector<std::int64_t> stride;
};

struct PickledStateDict {
  std::map<std::string, PickledStorage> storages;  // by key
  std::map<std::string, PickledTensor> tensors;    // by name
};

// Throws CheckpointError naming `source` (and the byte of the pickle where it
// stopped) for a pickle that is malformed, uses anything beyond torch.save's
// state-dict subset, or does not hold a dict of string to tensor.
PickledStateDict read_state_dict_pickle(std::span<const std::byte> pickle, const std::string& source);

}  // namespace bertlab::checkpoint
