// load_pytorch_bin against files Python's torch.save writes: plain and
// module state dicts compared with the same tensors saved by Python
// safetensors, pickles that are not state dicts, and corrupt files.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

// LibTorch before doctest: c10's logging defines a CHECK macro of its own,
// and doctest's must be the one defined last.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include "checkpoint/pytorch_bin.hpp"
#include "checkpoint/safetensors.hpp"
#include "run_python.hpp"
#include "support.hpp"

namespace {

using bertlab::checkpoint::CheckpointError;
using bertlab::checkpoint::load_pytorch_bin;
using bertlab::checkpoint::SafetensorsReader;
using bertlab::test::ScratchDir;

// Writes, into the directory argv[1], torch.save files and, for the state
// dicts, the same tensors as safetensors for reference.
const char* const kMakeFiles = R"(
import json, os, sys, torch
from safetensors.torch import save_file
directory = sys.argv[1]
def path(name):
    return os.path.join(directory, name)
torch.manual_seed(0)
shared = torch.randn(4, 3)
state = {
    "f32": torch.randn(2, 3),
    "f16": torch.randn(5).half(),
    "bf16": torch.randn(2, 2).bfloat16(),
    "i64": torch.arange(-3, 4),
    "bool": torch.tensor([True, False]),
    "scalar": torch.tensor(2.5),
    "empty": torch.empty(0, 3),
    "transposed": torch.randn(3, 5).t(),
    "shared": shared,
    "shared_rows": shared[1:3],
    "parameter": torch.nn.Parameter(torch.randn(3)),
}
torch.save(state, path("state.bin"))
torch.save(state, path("state_protocol4.bin"), pickle_protocol=4)
torch.save(state, path("legacy.bin"), _use_new_zipfile_serialization=False)
save_file({k: v.detach().contiguous().clone() for k, v in state.items()}, path("state.safetensors"))
module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
module_state = module.state_dict()  # an OrderedDict with a _metadata attribute
torch.save(module_state, path("module.bin"))
save_file({k: v.contiguous() for k, v in module_state.items()}, path("module.safetensors"))
torch.save([torch.ones(2)], path("list.bin"))
torch.save({"w": torch.ones(2), "step": 3}, path("int_value.bin"))
torch.save({1: torch.ones(2)}, path("int_key.bin"))
print(json.dumps({"ok": True}))
)";

struct BinFiles {
  ScratchDir scratch;
  BinFiles() { bertlab::test::run_python(kMakeFiles, {scratch.path().string()}); }
};

const BinFiles& bin_files() {
  static const BinFiles files;
  return files;
}

std::string load_error(const std::filesystem::path& path) {
  try {
    load_pytorch_bin(path);
  } catch (const CheckpointError& error) {
    return error.what();
  }
  return "";
}

void check_same_as_safetensors(const std::filesystem::path& bin, const std::filesystem::path& reference) {
  const auto loaded = load_pytorch_bin(bin);
  const SafetensorsReader reader(reference);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : loaded) names.push_back(name);
  REQUIRE(names == reader.names());
  for (const auto& [name, tensor] : loaded) {
    CAPTURE(name);
    const at::Tensor expected = reader.tensor(name);
    CHECK(tensor.device() == at::Device(at::kCPU));
    CHECK((tensor.scalar_type() == expected.scalar_type()));
    CHECK(tensor.sizes() == expected.sizes());
    CHECK(at::equal(tensor, expected));
  }
}

}  // namespace

TEST_CASE("pytorch_model.bin: a dict of tensors, views and shared storage included") {
  check_same_as_safetensors(bin_files().scratch / "state.bin", bin_files().scratch / "state.safetensors");
}

TEST_CASE("pytorch_model.bin: tensors that share storage in Python share it when loaded") {
  const auto loaded = load_pytorch_bin(bin_files().scratch / "state.bin");
  CHECK(loaded.at("shared").storage().is_alias_of(loaded.at("shared_rows").storage()));
  CHECK(loaded.at("shared_rows").storage_offset() == 3);
}

TEST_CASE("pytorch_model.bin: pickle protocol 4") {
  check_same_as_safetensors(bin_files().scratch / "state_protocol4.bin", bin_files().scratch / "state.safetensors");
}

TEST_CASE("pytorch_model.bin: a module's state dict (an OrderedDict with _metadata)") {
  check_same_as_safetensors(bin_files().scratch / "module.bin", bin_files().scratch / "module.safetensors");
}

TEST_CASE("pytorch_model.bin: all-MiniLM-L6-v2 saved by torch.save(model.state_dict()), as transformers once did") {
  ScratchDir scratch;
  const std::filesystem::path original = BERTLAB_MINILM_DIR;
  bertlab::test::run_python(R"(
import json, sys, torch
from transformers import AutoModel
torch.save(AutoModel.from_pretrained(sys.argv[1]).state_dict(), sys.argv[2])
print(json.dumps({"ok": True}))
)",
                            {original.string(), (scratch / "pytorch_model.bin").string()});
  const auto loaded = load_pytorch_bin(scratch / "pytorch_model.bin");
  const SafetensorsReader reference(original / "model.safetensors");
  CHECK(loaded.size() >= 100);
  for (const auto& [name, tensor] : loaded) {
    CAPTURE(name);
    REQUIRE(reference.contains(name));
    CHECK(at::equal(tensor, reference.tensor(name)));
  }
}

TEST_CASE("pytorch_model.bin: pickles that are not state dicts name the file and the problem") {
  const auto& dir = bin_files().scratch;
  CHECK(load_error(dir / "list.bin") ==
        (dir / "list.bin").string() + ": expected a state dict (a dict of tensors), found type list");
  CHECK(load_error(dir / "int_value.bin") ==
        (dir / "int_value.bin").string() + ": tensor 'step': the value is of type int, not a tensor");
  CHECK(load_error(dir / "int_key.bin") ==
        (dir / "int_key.bin").string() + ": a state dict key is of type int, not str");
}

TEST_CASE("pytorch_model.bin: corrupt, truncated, empty and missing files are errors naming the file") {
  ScratchDir scratch;
  const std::string whole = bertlab::test::read_file(bin_files().scratch / "state.bin");
  const auto path = scratch / "pytorch_model.bin";
  std::vector<std::size_t> sizes = {1, 4, 30, 64, 200};
  for (std::size_t size = 256; size < whole.size(); size += whole.size() / 23) sizes.push_back(size);
  sizes.push_back(whole.size() - 1);
  for (const std::size_t size : sizes) {
    CAPTURE(size);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << whole.substr(0, size);
    const std::string message = load_error(path);
    CHECK_MESSAGE(message.rfind(path.string() + ": ", 0) == 0, message);
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << "this is text, not a torch.save zip archive\n";
  CHECK(load_error(path) == path.string() + ": not a torch.save zip archive");
  std::ofstream(path, std::ios::binary | std::ios::trunc);
  CHECK(load_error(path) == path.string() + ": the file is empty");
  CHECK(load_error(bin_files().scratch / "legacy.bin") ==
        (bin_files().scratch / "legacy.bin").string() +
            ": a legacy torch.save file (before torch 1.6, not a zip archive); re-save it with a newer torch or "
            "convert it to safetensors");
  CHECK(load_error(scratch / "missing.bin") ==
        (scratch / "missing.bin").string() + ": cannot open: No such file or directory");
}
