// The state-dict unpickler against pickles built opcode by opcode: what
// torch.save writes, and truncated, bit-flipped and hostile variants.
// Torch-free: checkpoint_fuzz_cases_asan runs these cases under
// AddressSanitizer and UBSan too.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "checkpoint/state_dict_pickle.hpp"
#include "safetensors_bytes.hpp"

namespace {

using bertlab::checkpoint::CheckpointError;
using bertlab::checkpoint::DType;
using bertlab::checkpoint::PickledStateDict;
using bertlab::checkpoint::read_state_dict_pickle;
using namespace std::string_literals;  // pickles hold NUL bytes

const std::string kSource = "/models/pytorch_model.bin";

std::string unicode(const std::string& text) {
  return "X" + bertlab::test::little_endian_u64(text.size()).substr(0, 4) + text;
}

std::string small_int(unsigned value) { return std::string("K") + static_cast<char>(value); }

std::string int_tuple(const std::vector<unsigned>& numbers) {
  std::string tuple = "(";
  for (const unsigned number : numbers) tuple += small_int(number);
  return tuple + "t";
}

// The pickle torch.save writes for one tensor: _rebuild_tensor_v2 of a
// storage and the view's offset, size and stride.
std::string tensor(const std::string& storage_class, const std::string& key, unsigned numel, unsigned offset,
                   const std::vector<unsigned>& size, const std::vector<unsigned>& stride) {
  return "ctorch._utils\n_rebuild_tensor_v2\n((" + unicode("storage") + "ctorch\n" + storage_class + "\n" +
         unicode(key) + unicode("cpu") + small_int(numel) + "tQ" + small_int(offset) + int_tuple(size) +
         int_tuple(stride) + "\x89" + "ccollections\nOrderedDict\n)RtR";
}

// An OrderedDict state dict with _metadata set by BUILD, as
// torch.save(module.state_dict()) writes it.
std::string state_dict(const std::string& items) {
  return "\x80\x02"
         "ccollections\nOrderedDict\nq\x00)Rq\x01("s +
         items + "u}" + unicode("_metadata") + "h\x00)R("s + unicode("") + "}" + unicode("version") + small_int(1) +
         "sus" + "b.";
}

const std::string kValid = state_dict(unicode("weight") + tensor("FloatStorage", "0", 6, 0, {2, 3}, {3, 1}) +
                                      unicode("row") + tensor("FloatStorage", "0", 6, 3, {3}, {1}) + unicode("mask") +
                                      tensor("BoolStorage", "1", 2, 0, {2}, {1}));

PickledStateDict read(const std::string& pickle) {
  return read_state_dict_pickle(bertlab::test::byte_span(pickle, pickle.size()), kSource);
}

// The one CheckpointError's message, or "" when the pickle reads. Any other
// exception fails the test case.
std::string read_error(const std::string& pickle, std::size_t size) {
  try {
    read_state_dict_pickle(bertlab::test::byte_span(pickle, size), kSource);
  } catch (const CheckpointError& error) {
    return error.what();
  }
  return "";
}

std::string read_error(const std::string& pickle) { return read_error(pickle, pickle.size()); }

bool names_the_file(const std::string& message) { return message.rfind(kSource + ": ", 0) == 0; }

}  // namespace

TEST_CASE("state dict pickle: torch.save's OrderedDict of tensors, with _metadata and shared storage") {
  const PickledStateDict state = read(kValid);
  REQUIRE(state.storages.size() == 2);
  CHECK(state.storages.at("0").dtype == DType::F32);
  CHECK(state.storages.at("0").numel == 6);
  CHECK(state.storages.at("1").dtype == DType::BOOL);
  REQUIRE(state.tensors.size() == 3);
  const auto& weight = state.tensors.at("weight");
  CHECK(weight.storage_key == "0");
  CHECK((weight.size == std::vector<std::int64_t>{2, 3}));
  CHECK((weight.stride == std::vector<std::int64_t>{3, 1}));
  CHECK(state.tensors.at("row").storage_offset == 3);
  CHECK(state.tensors.at("mask").storage_key == "1");
}

TEST_CASE("state dict pickle: every truncation is an error naming the file") {
  for (std::size_t size = 0; size < kValid.size(); ++size) {
    CAPTURE(size);
    const std::string message = read_error(kValid, size);
    CHECK_MESSAGE(names_the_file(message), message);
  }
}

TEST_CASE("state dict pickle: bit flips read or fail cleanly") {
  for (std::size_t bit = 0; bit < 8 * kValid.size(); ++bit) {
    CAPTURE(bit);
    std::string flipped = kValid;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    const std::string message = read_error(flipped);
    if (!message.empty()) CHECK_MESSAGE(names_the_file(message), message);
  }
}

TEST_CASE("state dict pickle: hostile and foreign pickles name the file and the problem") {
  struct Case {
    std::string what;
    std::string pickle;
    std::string expected;  // a part of the message
  };
  const std::vector<Case> cases = {
      {"a global that runs code",
       "\x80\x02"
       "cposix\nsystem\n" +
           unicode("echo") + "\x85R.",
       "data.pkl byte 2: unsupported global 'posix.system'"},
      {"a view past its storage", state_dict(unicode("w") + tensor("FloatStorage", "0", 5, 0, {2, 3}, {3, 1})),
       "a tensor on storage '0' reaches element 5 of a storage of 5"},
      {"an offset past its storage", state_dict(unicode("w") + tensor("FloatStorage", "0", 6, 6, {1}, {1})),
       "reaches element 6 of a storage of 6"},
      {"sizes and strides that disagree", state_dict(unicode("w") + tensor("FloatStorage", "0", 6, 0, {2, 3}, {1})),
       "has 2 sizes but 1 strides"},
      {"a storage class bertlab does not read",
       state_dict(unicode("w") + tensor("ComplexFloatStorage", "0", 1, 0, {1}, {1})),
       "unsupported global 'torch.ComplexFloatStorage'"},
      {"one storage described two ways",
       state_dict(unicode("a") + tensor("FloatStorage", "0", 6, 0, {6}, {1}) + unicode("b") +
                  tensor("FloatStorage", "0", 4, 0, {4}, {1})),
       "storage '0' is described twice, differently"},
      {"an unknown opcode",
       "\x80\x02"
       "\xff.",
       "data.pkl byte 2: unsupported pickle opcode 0xff"},
      {"a memo entry never stored", "\x80\x02h\x07.", "memo entry 7 was never stored"},
      {"REDUCE on an empty stack", "\x80\x02R.", "the pickle's stack is empty"},
      {"SETITEMS with a lone key", "\x80\x02}(" + unicode("k") + "u.", "SETITEMS with a key and no value"},
      {"TUPLE without MARK", "\x80\x02t.", "no MARK to pop to"},
      {"an integer wider than 64 bits", "\x80\x02\x8a\x09" + std::string(9, '\x01') + ".", "wider than 64 bits"},
      {"a string longer than the pickle",
       "\x80\x02X\xff\xff\xff\x7f"
       "abc.",
       "truncated"},
      {"no STOP", "\x80\x02}", "truncated"},
      {"a newer protocol", "\x80\x06}.", "pickle protocol newer than 5"},
      {"a list, not a dict", "\x80\x02].", "expected a state dict (a dict of tensors), found type list"},
      {"a key that is not a string", "\x80\x02}" + small_int(1) + tensor("FloatStorage", "0", 1, 0, {1}, {1}) + "s.",
       "a state dict key is of type int, not str"},
      {"a value that is not a tensor", "\x80\x02}" + unicode("step") + small_int(3) + "s.",
       "tensor 'step': the value is of type int, not a tensor"},
      {"a dict that holds itself", "\x80\x02}q\x00"s + unicode("self") + "h\x00s."s,
       "tensor 'self': the value is of type dict, not a tensor"},
  };
  for (const Case& hostile : cases) {
    CAPTURE(hostile.what);
    const std::string message = read_error(hostile.pickle);
    CHECK_MESSAGE(names_the_file(message), message);
    CHECK_MESSAGE(message.find(hostile.expected) != std::string::npos, message);
  }
}
