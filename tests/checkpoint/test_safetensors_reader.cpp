// SafetensorsReader against Python safetensors on the real all-MiniLM-L6-v2
// checkpoint, and against files on disk that are crafted, truncated or not
// files at all.
#include <cstring>
#include <filesystem>
#include <fstream>
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
using bertlab::test::ScratchDir;

const std::filesystem::path kMiniLM = std::filesystem::path(BERTLAB_MINILM_DIR) / "model.safetensors";

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The message of the CheckpointError opening `path` throws, "" if it opens.
std::string open_error(const std::filesystem::path& path) {
  try {
    SafetensorsReader reader(path);
  } catch (const CheckpointError& error) {
    return error.what();
  }
  return "";
}

bool names_file(const std::string& message, const std::filesystem::path& path) {
  return message.rfind(path.string() + ": ", 0) == 0;
}

}  // namespace

TEST_CASE("safetensors reader: all-MiniLM-L6-v2 matches Python safetensors bit for bit") {
  const SafetensorsReader reader(kMiniLM);
  CHECK(reader.size() == 104);
  CHECK(reader.metadata().at("format") == "pt");
  CHECK((reader.shape("embeddings.word_embeddings.weight") == std::vector<std::int64_t>{30522, 384}));
  // Doubled parentheses: doctest cannot print a ScalarType (ADL finds c10::toString).
  CHECK((reader.dtype("embeddings.word_embeddings.weight") == at::kFloat));
  CHECK((reader.shape("encoder.layer.0.attention.self.query.weight") == std::vector<std::int64_t>{384, 384}));
  CHECK((reader.shape("encoder.layer.5.intermediate.dense.weight") == std::vector<std::int64_t>{1536, 384}));
  CHECK((reader.dtype("embeddings.position_ids") == at::kLong));

  const nlohmann::json expected =
      bertlab::test::run_python(std::string("import json, sys, torch\n") + bertlab::test::kPythonTensorSha256 + R"(
from safetensors import safe_open
tensors = {}
with safe_open(sys.argv[1], framework="pt") as f:
    for name in f.keys():
        piece = f.get_slice(name)
        tensors[name] = {"dtype": piece.get_dtype(), "shape": piece.get_shape(), "sha256": tensor_sha256(f.get_tensor(name))}
    metadata = f.metadata()
print(json.dumps({"tensors": tensors, "metadata": metadata}))
)",
                                {kMiniLM.string()});
  CHECK(reader.metadata() == expected["metadata"].get<std::map<std::string, std::string>>());
  std::vector<std::string> python_names;
  for (const auto& [name, facts] : expected["tensors"].items()) python_names.push_back(name);
  std::sort(python_names.begin(), python_names.end());
  REQUIRE(reader.names() == python_names);
  for (const auto& [name, facts] : expected["tensors"].items()) {
    CAPTURE(name);
    const at::Tensor tensor = reader.tensor(name);
    CHECK(bertlab::checkpoint::dtype_name(bertlab::checkpoint::dtype_of(tensor.scalar_type(), name)) ==
          facts["dtype"].get<std::string>());
    CHECK(tensor.sizes().vec() == facts["shape"].get<std::vector<std::int64_t>>());
    CHECK(bertlab::test::tensor_sha256(tensor) == facts["sha256"].get<std::string>());
  }
}

TEST_CASE("safetensors reader: converts to a requested dtype") {
  const SafetensorsReader reader(kMiniLM);
  const at::Tensor weight = reader.tensor("embeddings.LayerNorm.weight");
  const at::Tensor half = reader.tensor("embeddings.LayerNorm.weight", at::kHalf);
  CHECK((half.scalar_type() == at::kHalf));
  CHECK(at::equal(half, weight.to(at::kHalf)));
  CHECK((reader.tensor("embeddings.position_ids", at::kLong).scalar_type() == at::kLong));
}

TEST_CASE("safetensors reader: unaligned data, bools and 0-dim tensors") {
  ScratchDir scratch;
  const auto path = scratch / "crafted.safetensors";
  // b (3 bytes) pushes f to an odd offset; t holds a 2, which is not a valid C++ bool.
  const float floats[2] = {1.5f, -2.25f};
  std::string data = {'\x07', '\xF9', '\x00'};
  data.append(reinterpret_cast<const char*>(floats), sizeof floats);
  data += std::string{'\x00', '\x01', '\x02'};
  const std::int16_t scalar = -300;
  data.append(reinterpret_cast<const char*>(&scalar), sizeof scalar);
  write_bytes(path, bertlab::test::safetensors_bytes(R"({"b":{"dtype":"I8","shape":[3],"data_offsets":[0,3]},)"
                                                     R"("f":{"dtype":"F32","shape":[2],"data_offsets":[3,11]},)"
                                                     R"("t":{"dtype":"BOOL","shape":[3],"data_offsets":[11,14]},)"
                                                     R"("s":{"dtype":"I16","shape":[],"data_offsets":[14,16]}})",
                                                     data));
  const SafetensorsReader reader(path);
  CHECK(reader.metadata().empty());
  CHECK(at::equal(reader.tensor("b"), at::tensor({7, -7, 0}, at::kChar)));
  CHECK(at::equal(reader.tensor("f"), at::tensor({1.5f, -2.25f})));
  CHECK(at::equal(reader.tensor("t"), at::tensor({0, 1, 1}).to(at::kBool)));
  const at::Tensor s = reader.tensor("s");
  CHECK(s.dim() == 0);
  CHECK(s.item<std::int16_t>() == -300);
}

TEST_CASE("safetensors reader: a tensor the file lacks is an error naming both") {
  const SafetensorsReader reader(kMiniLM);
  CHECK_THROWS_WITH_AS(reader.tensor("no.such.weight"),
                       (kMiniLM.string() + ": tensor 'no.such.weight': not in the file").c_str(), CheckpointError);
  CHECK_THROWS_AS(reader.shape("no.such.weight"), CheckpointError);
}

TEST_CASE("safetensors reader: missing, empty, short and non-regular files") {
  ScratchDir scratch;
  const auto missing = scratch / "missing.safetensors";
  CHECK(open_error(missing) == missing.string() + ": cannot open: No such file or directory");
  CHECK(open_error(scratch.path()) == scratch.path().string() + ": not a regular file");
  const auto empty = scratch / "empty.safetensors";
  write_bytes(empty, "");
  CHECK(open_error(empty) == empty.string() + ": the file is empty");
  const auto short_file = scratch / "short.safetensors";
  write_bytes(short_file, std::string("\x10\x00\x00", 3));
  CHECK(open_error(short_file) ==
        short_file.string() + ": the file is 3 bytes, too short for the 8-byte header length");
}

TEST_CASE("safetensors reader: every truncation of a file on disk is an error naming it") {
  ScratchDir scratch;
  // The first layer's vectors of all-MiniLM-L6-v2: real names in a file small enough to rewrite many times.
  const SafetensorsReader minilm(kMiniLM);
  std::map<std::string, at::Tensor> layer;
  for (const auto& name : minilm.names()) {
    if (name.rfind("encoder.layer.0.", 0) == 0 && minilm.shape(name).size() == 1)
      layer.emplace(name, minilm.tensor(name));
  }
  const auto complete = scratch / "complete.safetensors";
  bertlab::checkpoint::write_safetensors(complete, layer);
  const std::string whole = bertlab::test::read_file(complete);
  std::vector<std::size_t> sizes;
  for (std::size_t size = 0; size < 200; ++size) sizes.push_back(size);
  for (std::size_t size = 200; size < whole.size(); size += 97) sizes.push_back(size);
  sizes.push_back(whole.size() - 1);
  const auto path = scratch / "truncated.safetensors";
  for (const std::size_t size : sizes) {
    CAPTURE(size);
    write_bytes(path, whole.substr(0, size));
    const std::string message = open_error(path);
    CHECK_MESSAGE(names_file(message, path), message);
  }
}

TEST_CASE("safetensors reader: a tampered header on disk is an error naming file and tensor") {
  ScratchDir scratch;
  const auto path = scratch / "tampered.safetensors";
  std::string bytes = bertlab::test::file_bytes(kMiniLM.string());
  // Stretch the first tensor's end offset: its size no longer matches its shape.
  const std::string original = R"("data_offsets":[0,4096])";
  const auto at = bytes.find(original);
  REQUIRE(at != std::string::npos);
  bytes.replace(at, original.size(), R"("data_offsets":[0,4097])");
  write_bytes(path, bytes);
  CHECK(open_error(path) == path.string() +
                                ": tensor 'embeddings.position_ids': shape [1, 512] of I64 is 4096 bytes but "
                                "data_offsets [0, 4097) hold 4097");
}
