// Hugging Face's legacy checkpoint, pytorch_model.bin: a state dict written
// by Python's torch.save (the zip format with data.pkl, torch >= 1.6).
// torch.load runs arbitrary pickles; this reads only a dict or OrderedDict
// of tensors (see state_dict_pickle.hpp), so a hostile file can fail to
// load but not run code.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include <ATen/core/Tensor.h>

namespace bertlab::checkpoint {

// The state dict in `path`, name to CPU tensor; tensors that shared storage
// in Python share it here (tied weights stay tied). Throws CheckpointError
// naming the file for a file that cannot be read, the pre-1.6 format, a
// corrupt archive or pickle, a pickle that is not a dict, and (naming it) a
// key that is not a string or maps to something other than a tensor.
std::map<std::string, at::Tensor> load_pytorch_bin(const std::filesystem::path& path);

}  // namespace bertlab::checkpoint
