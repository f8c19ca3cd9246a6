// The safetensors header parser against valid, truncated, bit-flipped and
// tampered files. Torch-free: checkpoint_fuzz_cases_asan runs these cases
// under AddressSanitizer and UBSan too.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checkpoint/safetensors_header.hpp"
#include "safetensors_bytes.hpp"

namespace {

using bertlab::checkpoint::CheckpointError;
using bertlab::checkpoint::DType;
using bertlab::checkpoint::dtype_size;
using bertlab::checkpoint::Header;
using bertlab::checkpoint::parse_header;
using bertlab::test::byte_span;
using bertlab::test::little_endian_u64;
using bertlab::test::safetensors_bytes;

const std::string kSource = "/models/test.safetensors";

// Tensors a (F32 [2, 2]), b (I8 [3], which leaves c unaligned), c (BF16 0-dim)
// and e (F16 [0, 4], empty), with metadata and a space-padded header.
const std::string kValidHeader = R"({"__metadata__":{"format":"pt","note":"x"},)"
                                 R"("a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
                                 R"("b":{"dtype":"I8","shape":[3],"data_offsets":[16,19]},)"
                                 R"("c":{"dtype":"BF16","shape":[],"data_offsets":[19,21]},)"
                                 R"("e":{"dtype":"F16","shape":[0,4],"data_offsets":[21,21]}}     )";
const std::string kValidFile = safetensors_bytes(kValidHeader, std::string(21, '\x01'));

Header parse(const std::string& bytes) { return parse_header(byte_span(bytes, bytes.size()), bytes.size(), kSource); }

// The message of the one CheckpointError parsing `bytes[0, size)` as a file
// of that size throws, or "" when it parses. Any other exception fails the
// test case.
std::string parse_error(const std::string& bytes, std::size_t size) {
  try {
    parse_header(byte_span(bytes, size), size, kSource);
  } catch (const CheckpointError& error) {
    return error.what();
  }
  return "";
}

std::string parse_error(const std::string& bytes) { return parse_error(bytes, bytes.size()); }

// The same, given only the first `given` bytes of the file.
std::string prefix_error(const std::string& bytes, std::size_t given) {
  try {
    parse_header(byte_span(bytes, given), bytes.size(), kSource);
  } catch (const CheckpointError& error) {
    return error.what();
  }
  return "";
}

bool names_the_file(const std::string& message) { return message.rfind(kSource + ": ", 0) == 0; }

// What the reader relies on when a header parses: every tensor's bytes lie
// inside the file and match its shape.
void check_consistent(const Header& header, std::uint64_t file_size) {
  REQUIRE(header.data_start + header.data_size == file_size);
  std::uint64_t total = 0;
  for (const auto& [name, info] : header.tensors) {
    REQUIRE(info.begin <= info.end);
    REQUIRE(info.end <= header.data_size);
    std::uint64_t elements = 1;
    for (const std::int64_t dim : info.shape) elements *= static_cast<std::uint64_t>(dim);
    REQUIRE(elements * dtype_size(info.dtype) == info.end - info.begin);
    total += info.end - info.begin;
  }
  REQUIRE(total == header.data_size);
}

// A mutated file must either parse into a consistent header or fail with one
// CheckpointError naming the file.
void check_mutant(const std::string& bytes) {
  const std::string message = parse_error(bytes);
  if (message.empty()) {
    check_consistent(parse(bytes), bytes.size());
  } else {
    CHECK_MESSAGE(names_the_file(message), message);
  }
}

std::string tensor_file(const std::string& entries, std::size_t data_size) {
  return safetensors_bytes("{" + entries + "}", std::string(data_size, '\0'));
}

const std::string& minilm_bytes() {
  static const std::string bytes = bertlab::test::file_bytes(BERTLAB_MINILM_DIR "/model.safetensors");
  return bytes;
}

}  // namespace

TEST_CASE("safetensors header: a valid file gives its tensors, offsets and metadata") {
  const Header header = parse(kValidFile);
  CHECK(header.data_start == 8 + kValidHeader.size());
  CHECK(header.data_size == 21);
  CHECK(header.metadata == std::map<std::string, std::string>{{"format", "pt"}, {"note", "x"}});
  REQUIRE(header.tensors.size() == 4);
  CHECK(header.tensors.at("a").dtype == DType::F32);
  CHECK(header.tensors.at("a").shape == std::vector<std::int64_t>{2, 2});
  CHECK(header.tensors.at("b").begin == 16);
  CHECK(header.tensors.at("b").end == 19);
  CHECK(header.tensors.at("c").dtype == DType::BF16);
  CHECK(header.tensors.at("c").shape.empty());
  CHECK(header.tensors.at("e").shape == std::vector<std::int64_t>{0, 4});
  check_consistent(header, kValidFile.size());
}

TEST_CASE("safetensors header: a file of only empty tensors, or none, is valid") {
  CHECK(parse(safetensors_bytes("{}", "")).tensors.empty());
  const Header header =
      parse(tensor_file(R"("z":{"dtype":"I8","shape":[0,9223372036854775807],"data_offsets":[0,0]})", 0));
  CHECK(header.tensors.at("z").shape == std::vector<std::int64_t>{0, INT64_MAX});
}

TEST_CASE("safetensors header: the real all-MiniLM-L6-v2 header") {
  const std::string& bytes = minilm_bytes();
  const Header header = parse(bytes);
  CHECK(header.tensors.size() == 104);
  CHECK(header.metadata.at("format") == "pt");
  const auto& embeddings = header.tensors.at("embeddings.word_embeddings.weight");
  CHECK(embeddings.dtype == DType::F32);
  CHECK(embeddings.shape == std::vector<std::int64_t>{30522, 384});
  check_consistent(header, bytes.size());
}

TEST_CASE("safetensors header: every truncation is an error naming the file") {
  for (std::size_t size = 0; size < kValidFile.size(); ++size) {
    CAPTURE(size);
    const std::string message = parse_error(kValidFile, size);
    CHECK_MESSAGE(names_the_file(message), message);
  }
  const std::string& minilm = minilm_bytes();
  std::vector<std::size_t> sizes;
  for (std::size_t size = 0; size < 200; ++size) sizes.push_back(size);
  for (std::size_t size = 200; size < 8 + 11408 + 64; size += 97) sizes.push_back(size);
  for (std::size_t size = 8 + 11408; size < minilm.size(); size += minilm.size() / 101) sizes.push_back(size);
  sizes.push_back(minilm.size() - 1);
  for (const std::size_t size : sizes) {
    CAPTURE(size);
    const std::string message = parse_error(minilm, size);
    CHECK_MESSAGE(names_the_file(message), message);
  }
  CHECK(parse_error(minilm, 0) == kSource + ": the file is empty");
  CHECK(parse_error(minilm, 7).find("too short") != std::string::npos);
}

TEST_CASE("safetensors header: bit flips in the header length and JSON") {
  for (std::size_t bit = 0; bit < 8 * (8 + kValidHeader.size()); ++bit) {
    CAPTURE(bit);
    std::string flipped = kValidFile;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    check_mutant(flipped);
  }
  // The real header, sampled: one bit in every 13th byte.
  std::string minilm = minilm_bytes();
  for (std::size_t byte = 0; byte < 8 + 11408; byte += 13) {
    CAPTURE(byte);
    const char mask = static_cast<char>(1 << (byte % 8));
    minilm[byte] ^= mask;
    check_mutant(minilm);
    minilm[byte] ^= mask;
  }
}

TEST_CASE("safetensors header: a stated length the file does not hold") {
  const std::string json = R"({"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}})";
  const auto with_length = [&](std::uint64_t length) { return little_endian_u64(length) + json + "x"; };
  CHECK(parse_error(with_length(json.size() + 2)).find("runs past the end of the file") != std::string::npos);
  CHECK(parse_error(with_length(UINT64_MAX)).find("exceeds the format's limit") != std::string::npos);
  CHECK(parse_error(with_length(100'000'001)).find("exceeds the format's limit") != std::string::npos);
  CHECK(parse_error(with_length(0)).find("not a JSON object") != std::string::npos);
  // Bytes given that stop inside the header are the caller's mistake, still reported.
  const std::string whole = with_length(json.size());
  CHECK(prefix_error(whole, 8).find("header is not in the 8 bytes given") != std::string::npos);
  CHECK(prefix_error(whole, 4).find("length is not in the 4 bytes given") != std::string::npos);
  CHECK(prefix_error(whole, 8 + json.size()).empty());
}

TEST_CASE("safetensors header: tampered headers name the file, the tensor and the problem") {
  struct Case {
    std::string what;
    std::string file;
    std::string expected;  // a part of the message
  };
  const std::string f32_a = R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]})";
  const std::vector<Case> cases = {
      {"offsets past the end", tensor_file(f32_a, 8), "tensor 'a': data_offsets [0, 16) end past the data (size 8)"},
      {"overlapping tensors", tensor_file(f32_a + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]})", 16),
       "tensor 'b': data_offsets [8, 16) overlap tensor 'a' [0, 16)"},
      {"a hole between tensors",
       tensor_file(
           R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]})",
           20),
       "tensor 'b': data_offsets [12, 20) leave the data bytes [8, 12) before them in no tensor"},
      {"bytes after the last tensor", tensor_file(f32_a, 24), "the data bytes [16, 24) belong to no tensor"},
      {"data and no tensors", tensor_file("", 4), "the data bytes [0, 4) belong to no tensor"},
      {"shape and size mismatch", tensor_file(R"("a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]})", 16),
       "tensor 'a': shape [3] of F32 is 12 bytes but data_offsets [0, 16) hold 16"},
      {"dims whose product overflows",
       tensor_file(R"("a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]})", 16),
       "tensor 'a': shape [4294967296, 4294967296] of F32 has more bytes than fit in 64 bits"},
      {"dims whose byte size overflows",
       tensor_file(R"("a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,16]})", 16),
       "has more bytes than fit in 64 bits"},
      {"a dim past int64", tensor_file(R"("a":{"dtype":"I8","shape":[9223372036854775808],"data_offsets":[0,16]})", 16),
       "tensor 'a': shape dimension 0 is 9223372036854775808, past int64"},
      {"a dim past uint64",
       tensor_file(R"("a":{"dtype":"I8","shape":[18446744073709551616],"data_offsets":[0,16]})", 16),
       "tensor 'a': shape dimension 0 must be a non-negative integer"},
      {"a negative dim", tensor_file(R"("a":{"dtype":"F32","shape":[-1,4],"data_offsets":[0,16]})", 16),
       "tensor 'a': shape dimension 0 must be a non-negative integer, got -1"},
      {"a fractional dim", tensor_file(R"("a":{"dtype":"F32","shape":[4.0],"data_offsets":[0,16]})", 16),
       "shape dimension 0 must be a non-negative integer, got 4.0"},
      {"an unknown dtype", tensor_file(R"("a":{"dtype":"F8_E4M3","shape":[16],"data_offsets":[0,16]})", 16),
       "tensor 'a': unsupported dtype F8_E4M3"},
      {"a dtype that is not a string", tensor_file(R"("a":{"dtype":4,"shape":[4],"data_offsets":[0,16]})", 16),
       "tensor 'a': dtype must be a string, got number"},
      {"a shape that is not an array", tensor_file(R"("a":{"dtype":"F32","shape":4,"data_offsets":[0,16]})", 16),
       "tensor 'a': shape must be an array, got number"},
      {"three data offsets", tensor_file(R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16,16]})", 16),
       "tensor 'a': data_offsets must be two non-negative integers"},
      {"a negative data offset", tensor_file(R"("a":{"dtype":"F32","shape":[4],"data_offsets":[-16,0]})", 16),
       "tensor 'a': data_offsets must be two non-negative integers"},
      {"data offsets backwards", tensor_file(R"("a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]})", 16),
       "tensor 'a': data_offsets [8, 4) begin after they end"},
      {"a missing key", tensor_file(R"("a":{"dtype":"F32","data_offsets":[0,16]})", 16), "tensor 'a': missing 'shape'"},
      {"an extra key", tensor_file(R"("a":{"dtype":"F32","shape":[4],"data_offsets":[0,16],"x":1})", 16),
       "tensor 'a': unexpected key 'x'"},
      {"an entry that is not an object", tensor_file(R"("a":[0,16])", 16),
       "tensor 'a': expected an object with dtype, shape and data_offsets, got array"},
      {"a duplicate tensor", tensor_file(f32_a + "," + f32_a, 16), "tensor 'a' appears twice in the header"},
      {"a duplicate key in an entry",
       tensor_file(R"("a":{"dtype":"F32","dtype":"I8","shape":[4],"data_offsets":[0,16]})", 16),
       "tensor 'a': key 'dtype' appears twice"},
      {"a duplicate metadata key", tensor_file(R"("__metadata__":{"k":"1","k":"2"})", 0),
       "__metadata__: key 'k' appears twice"},
      {"metadata twice", tensor_file(R"("__metadata__":{},"__metadata__":{})", 0), "__metadata__ appears twice"},
      {"a metadata value that is not a string", tensor_file(R"("__metadata__":{"n":1})", 0),
       "__metadata__: the value of 'n' must be a string, got number"},
      {"metadata that is not an object", tensor_file(R"("__metadata__":"pt")", 0),
       "__metadata__: expected an object, got string"},
      {"deep nesting", tensor_file(R"("a":{"dtype":"F32","shape":[[[[4]]]],"data_offsets":[0,16]})", 16),
       "tensor 'a': nested deeper than a safetensors header allows"},
      {"a JSON array", safetensors_bytes("[1, 2]", ""), "not a JSON object"},
      {"a JSON string", safetensors_bytes(R"("text")", ""), "not a JSON object"},
      {"malformed JSON", safetensors_bytes(R"({"a":)", ""), "not valid JSON"},
      {"trailing garbage", safetensors_bytes(R"({} x)", ""), "not valid JSON"},
      {"invalid UTF-8", safetensors_bytes("{\"\xff\":{}}", ""), "not valid JSON"},
      {"a NUL-padded header", safetensors_bytes(std::string("{}\0\0\0\0\0\0", 8), ""), "not valid JSON"},
  };
  for (const Case& tampered : cases) {
    CAPTURE(tampered.what);
    const std::string message = parse_error(tampered.file);
    CHECK_MESSAGE(names_the_file(message), message);
    CHECK_MESSAGE(message.find(tampered.expected) != std::string::npos, message);
  }
}

TEST_CASE("safetensors header: a message shows at most 200 bytes of a name") {
  const std::string long_name(5000, 'n');
  const std::string message =
      parse_error(tensor_file("\"" + long_name + R"(":{"dtype":"X","shape":[],"data_offsets":[0,0]})", 0));
  CHECK(message == kSource + ": tensor '" + std::string(200, 'n') + "...': unsupported dtype X");
}
