// write_safetensors: round trips through SafetensorsReader, Python
// safetensors and transformers, the file's layout, and failures that must
// leave no half-written file.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

// LibTorch before doctest: c10's logging defines a CHECK macro of its own,
// and doctest's must be the one defined last.
#include <ATen/ATen.h>
#include <doctest/doctest.h>

#include "checkpoint/safetensors.hpp"
#include "run_python.hpp"
#include "safetensors_bytes.hpp"
#include "support.hpp"
#include "tensor_digest.hpp"

namespace {

using bertlab::checkpoint::CheckpointError;
using bertlab::checkpoint::SafetensorsReader;
using bertlab::checkpoint::write_safetensors;
using bertlab::test::ScratchDir;

std::map<std::string, at::Tensor> sample_tensors() {
  at::manual_seed(7);
  return {
      {"f32", at::randn({2, 3})},
      {"f32_transposed", at::randn({3, 4}).t()},
      {"f16", at::randn({5}).to(at::kHalf)},
      {"bf16", at::randn({2, 2}).to(at::kBFloat16)},
      {"f64", at::randn({3}, at::kDouble)},
      {"i64", at::arange(-3, 4, at::kLong)},
      {"i32", at::tensor({1, -2, 2147483647}, at::kInt)},
      {"i16", at::tensor({-32768, 5}, at::kShort)},
      {"i8", at::tensor({-128, 127, 0}, at::kChar)},
      {"u8", at::tensor({0, 255}, at::kByte)},
      {"bool", at::tensor({1, 0, 1}).to(at::kBool)},
      {"scalar", at::scalar_tensor(3.25)},
      {"scalar_bf16", at::scalar_tensor(-1.5, at::kBFloat16)},
      {"empty", at::empty({0, 3})},
      {"empty_i64", at::empty({4, 0, 2}, at::kLong)},
  };
}

const std::map<std::string, std::string> kMetadata = {{"source", "bertlab test"}, {"accented", "caf\xC3\xA9"}};

std::vector<std::string> directory_entries(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("safetensors writer: round trip of every dtype, 0-dim and empty tensors, and metadata") {
  ScratchDir scratch;
  const auto path = scratch / "round.safetensors";
  const auto tensors = sample_tensors();
  write_safetensors(path, tensors, kMetadata);
  const SafetensorsReader reader(path);
  auto expected_metadata = kMetadata;
  expected_metadata["format"] = "pt";
  CHECK(reader.metadata() == expected_metadata);
  REQUIRE(reader.size() == tensors.size());
  for (const auto& [name, tensor] : tensors) {
    CAPTURE(name);
    const at::Tensor read = reader.tensor(name);
    CHECK((read.scalar_type() == tensor.scalar_type()));
    CHECK(read.sizes() == tensor.sizes());
    CHECK(at::equal(read, tensor));
  }
}

TEST_CASE("safetensors writer: a caller's format wins over the default") {
  ScratchDir scratch;
  write_safetensors(scratch / "flax.safetensors", {{"x", at::ones({1})}}, {{"format", "flax"}});
  CHECK((SafetensorsReader(scratch / "flax.safetensors").metadata() ==
         std::map<std::string, std::string>{{"format", "flax"}}));
}

TEST_CASE("safetensors writer: sorted keys, a space-padded header of 8-byte multiples, data in name order") {
  ScratchDir scratch;
  const auto path = scratch / "layout.safetensors";
  write_safetensors(path, {{"b", at::ones({3}, at::kChar)}, {"a", at::ones({1}, at::kChar)}, {"c", at::ones({2})}}, {});
  const std::string bytes = bertlab::test::read_file(path);
  std::uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | static_cast<unsigned char>(bytes[i]);
  CHECK(header_length % 8 == 0);
  const std::string header = bytes.substr(8, header_length);
  const std::string json = R"({"__metadata__":{"format":"pt"},"a":{"data_offsets":[0,1],"dtype":"I8","shape":[1]},)"
                           R"("b":{"data_offsets":[1,4],"dtype":"I8","shape":[3]},)"
                           R"("c":{"data_offsets":[4,12],"dtype":"F32","shape":[2]}})";
  CHECK(header.substr(0, json.size()) == json);
  CHECK(header.find_first_not_of(' ', json.size()) == std::string::npos);
  CHECK(header.size() - json.size() < 8);
  CHECK(bytes.size() == 8 + header_length + 12);
}

TEST_CASE("safetensors writer: Python safetensors reads the same values") {
  ScratchDir scratch;
  const auto path = scratch / "for_python.safetensors";
  const auto tensors = sample_tensors();
  write_safetensors(path, tensors, kMetadata);
  const nlohmann::json python =
      bertlab::test::run_python(std::string("import json, sys, torch\n") + bertlab::test::kPythonTensorSha256 + R"(
from safetensors import safe_open
from safetensors.torch import load_file
loaded = load_file(sys.argv[1])
with safe_open(sys.argv[1], framework="pt") as f:
    metadata = f.metadata()
print(json.dumps({"metadata": metadata, "tensors": {name: {"dtype": str(t.dtype), "shape": list(t.shape),
                                                          "sha256": tensor_sha256(t)} for name, t in loaded.items()}}))
)",
                                {path.string()});
  auto expected_metadata = kMetadata;
  expected_metadata["format"] = "pt";
  CHECK(python["metadata"].get<std::map<std::string, std::string>>() == expected_metadata);
  const std::map<at::ScalarType, std::string> python_dtypes = {
      {at::kFloat, "torch.float32"},  {at::kHalf, "torch.float16"}, {at::kBFloat16, "torch.bfloat16"},
      {at::kDouble, "torch.float64"}, {at::kLong, "torch.int64"},   {at::kInt, "torch.int32"},
      {at::kShort, "torch.int16"},    {at::kChar, "torch.int8"},    {at::kByte, "torch.uint8"},
      {at::kBool, "torch.bool"}};
  REQUIRE(python["tensors"].size() == tensors.size());
  for (const auto& [name, tensor] : tensors) {
    CAPTURE(name);
    const nlohmann::json& facts = python["tensors"].at(name);
    CHECK(facts["dtype"].get<std::string>() == python_dtypes.at(tensor.scalar_type()));
    CHECK(facts["shape"].get<std::vector<std::int64_t>>() == tensor.sizes().vec());
    CHECK(facts["sha256"].get<std::string>() == bertlab::test::tensor_sha256(tensor));
  }
}

TEST_CASE("safetensors writer: transformers loads all-MiniLM-L6-v2 as written by bertlab") {
  ScratchDir scratch;
  const std::filesystem::path original = BERTLAB_MINILM_DIR;
  const SafetensorsReader reader(original / "model.safetensors");
  std::map<std::string, at::Tensor> tensors;
  for (const auto& name : reader.names()) tensors.emplace(name, reader.tensor(name));
  write_safetensors(scratch / "model.safetensors", tensors);
  std::filesystem::copy_file(original / "config.json", scratch / "config.json");
  const nlohmann::json python = bertlab::test::run_python(R"(
import json, sys, torch
from transformers import AutoModel
ours, info = AutoModel.from_pretrained(sys.argv[1], output_loading_info=True)
reference = AutoModel.from_pretrained(sys.argv[2])
ours_state, reference_state = ours.state_dict(), reference.state_dict()
print(json.dumps({
    "problems": {key: [str(item) for item in value] for key, value in info.items() if value},
    "same_keys": sorted(ours_state) == sorted(reference_state),
    "differing": [name for name in reference_state if not torch.equal(ours_state[name], reference_state[name])],
}))
)",
                                                          {scratch.path().string(), original.string()});
  CHECK(python["problems"].empty());
  CHECK(python["same_keys"].get<bool>());
  CHECK(python["differing"].empty());
}

TEST_CASE("safetensors writer: replaces an existing file and leaves no temporary file") {
  ScratchDir scratch;
  const auto path = scratch / "model.safetensors";
  write_safetensors(path, {{"old", at::zeros({2})}});
  write_safetensors(path, {{"new", at::ones({3})}});
  const SafetensorsReader reader(path);
  CHECK((reader.names() == std::vector<std::string>{"new"}));
  CHECK((directory_entries(scratch.path()) == std::vector<std::string>{"model.safetensors"}));
}

TEST_CASE("safetensors writer: refused tensors name the file and the tensor and leave the old file") {
  ScratchDir scratch;
  const auto path = scratch / "model.safetensors";
  write_safetensors(path, {{"old", at::zeros({2})}});
  const std::string before = bertlab::test::read_file(path);
  const std::string prefix = path.string() + ": tensor ";
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"z", at::zeros({2}, at::kComplexFloat)}}),
                       (prefix + "'z': unsupported dtype ComplexFloat").c_str(), CheckpointError);
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"__metadata__", at::zeros({2})}}),
                       (prefix + "'__metadata__': the name is reserved for metadata").c_str(), CheckpointError);
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"u", at::Tensor()}}), (prefix + "'u': undefined tensor").c_str(),
                       CheckpointError);
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"s", at::eye(2).to_sparse()}}),
                       (prefix + "'s': only dense (strided) tensors can be saved").c_str(), CheckpointError);
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"bad\xFF", at::zeros({2})}}),
                       (path.string() + ": a tensor name or metadata string is not valid UTF-8").c_str(),
                       CheckpointError);
  // A meta tensor fails only when its data is copied, after the temporary file exists.
  CHECK_THROWS_AS(write_safetensors(path, {{"a", at::zeros({2})}, {"m", at::empty({2}, at::Device(at::kMeta))}}),
                  CheckpointError);
  CHECK(bertlab::test::read_file(path) == before);
  CHECK((directory_entries(scratch.path()) == std::vector<std::string>{"model.safetensors"}));
}

TEST_CASE("safetensors writer: a directory that does not exist is an error naming the file") {
  ScratchDir scratch;
  const auto path = scratch / "no" / "such" / "model.safetensors";
  CHECK_THROWS_WITH_AS(write_safetensors(path, {{"x", at::ones({1})}}),
                       doctest::Contains((path.string() + ": cannot create ").c_str()), CheckpointError);
}
