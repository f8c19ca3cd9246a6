#include "checkpoint/state_dict_pickle.hpp"

#include <array>
#include <deque>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace bertlab::checkpoint {

namespace {

// The opcodes torch.save's pickles use (protocol 2, and 4 when asked for).
enum Opcode : unsigned char {
  kMark = '(',
  kStop = '.',
  kBinPersId = 'Q',
  kReduce = 'R',
  kBuild = 'b',
  kGlobal = 'c',
  kStackGlobal = 0x93,
  kEmptyDict = '}',
  kEmptyList = ']',
  kEmptyTuple = ')',
  kTuple = 't',
  kTuple1 = 0x85,
  kTuple2 = 0x86,
  kTuple3 = 0x87,
  kSetItem = 's',
  kSetItems = 'u',
  kAppend = 'a',
  kAppends = 'e',
  kBinPut = 'q',
  kLongBinPut = 'r',
  kMemoize = 0x94,
  kBinGet = 'h',
  kLongBinGet = 'j',
  kBinInt = 'J',
  kBinInt1 = 'K',
  kBinInt2 = 'M',
  kLong1 = 0x8a,
  kLong4 = 0x8b,
  kNone = 'N',
  kNewTrue = 0x88,
  kNewFalse = 0x89,
  kBinUnicode = 'X',
  kShortBinUnicode = 0x8c,
  kBinUnicode8 = 0x8d,
  kProto = 0x80,
  kFrame = 0x95,
};

constexpr std::string_view kOrderedDict = "collections.OrderedDict";
constexpr std::string_view kRebuildTensor = "torch._utils._rebuild_tensor_v2";
constexpr std::string_view kRebuildParameter = "torch._utils._rebuild_parameter";

struct StorageClass {
  std::string_view global;
  DType dtype;
};

constexpr std::array<StorageClass, 10> kStorageClasses{{
    {"torch.DoubleStorage", DType::F64},
    {"torch.FloatStorage", DType::F32},
    {"torch.HalfStorage", DType::F16},
    {"torch.BFloat16Storage", DType::BF16},
    {"torch.LongStorage", DType::I64},
    {"torch.IntStorage", DType::I32},
    {"torch.ShortStorage", DType::I16},
    {"torch.CharStorage", DType::I8},
    {"torch.ByteStorage", DType::U8},
    {"torch.BoolStorage", DType::BOOL},
}};

std::optional<DType> storage_dtype(std::string_view global) {
  for (const StorageClass& storage_class : kStorageClasses) {
    if (storage_class.global == global) return storage_class.dtype;
  }
  return std::nullopt;
}

enum class Kind { None, Bool, Int, String, Tuple, List, Dict, Global, Storage, Tensor };

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::String:
      return "str";
    case Kind::Tuple:
      return "tuple";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return "dict";
    case Kind::Global:
      return "global";
    case Kind::Storage:
      return "storage";
    case Kind::Tensor:
      return "tensor";
  }
  return "?";
}

// One pickled object. Objects refer to each other by index into the
// unpickler's arena, so a pickle that makes a container hold itself builds a
// harmless cycle of indices rather than leaking reference-counted nodes.
struct Value {
  Kind kind = Kind::None;
  std::int64_t integer = 0;        // Bool, Int
  std::string text;                // String; Global as "module.name"; Storage key
  std::vector<std::size_t> items;  // Tuple, List; Dict as key, value, key, value...
  PickledTensor tensor;            // Tensor
};

class StateDictUnpickler {
 public:
  StateDictUnpickler(std::span<const std::byte> pickle, const std::string& source) : pickle_(pickle), source_(source) {}

  PickledStateDict read() {
    while (step()) {
    }
    if (stack_.empty()) fail("the pickle holds nothing");
    collect_state_dict(stack_.back());
    return std::move(result_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw CheckpointError(source_ + ": data.pkl byte " + std::to_string(opcode_at_) + ": " + what);
  }

  // Returns false after STOP.
  bool step() {
    opcode_at_ = position_;
    const auto opcode = static_cast<unsigned char>(read_unsigned(1));
    switch (opcode) {
      case kProto:
        if (read_unsigned(1) > 5) fail("pickle protocol newer than 5");
        break;
      case kFrame:
        read_unsigned(8);  // a size hint; the opcodes that follow carry their own lengths
        break;
      case kStop:
        return false;
      case kMark:
        marks_.push_back(stack_.size());
        break;
      case kNone:
        push(Value());
        break;
      case kNewTrue:
      case kNewFalse:
        push_number(Kind::Bool, opcode == kNewTrue);
        break;
      case kBinInt:
        push_int(static_cast<std::int32_t>(read_unsigned(4)));
        break;
      case kBinInt1:
        push_int(static_cast<std::int64_t>(read_unsigned(1)));
        break;
      case kBinInt2:
        push_int(static_cast<std::int64_t>(read_unsigned(2)));
        break;
      case kLong1:
        push_int(read_long(read_unsigned(1)));
        break;
      case kLong4:
        push_int(read_long(read_unsigned(4)));
        break;
      case kBinUnicode:
        push_string(read_bytes(read_unsigned(4)));
        break;
      case kShortBinUnicode:
        push_string(read_bytes(read_unsigned(1)));
        break;
      case kBinUnicode8:
        push_string(read_bytes(read_unsigned(8)));
        break;
      case kEmptyDict:
        push_container(Kind::Dict);
        break;
      case kEmptyList:
        push_container(Kind::List);
        break;
      case kEmptyTuple:
        push_container(Kind::Tuple);
        break;
      case kTuple:
        push_container(Kind::Tuple, pop_to_mark());
        break;
      case kTuple1:
      case kTuple2:
      case kTuple3:
        push_container(Kind::Tuple, pop_items(opcode - kTuple1 + 1));
        break;
      case kSetItem:
        append_to(Kind::Dict, pop_items(2));
        break;
      case kSetItems: {
        auto items = pop_to_mark();
        if (items.size() % 2 != 0) fail("SETITEMS with a key and no value");
        append_to(Kind::Dict, items);
        break;
      }
      case kAppend:
        append_to(Kind::List, pop_items(1));
        break;
      case kAppends:
        append_to(Kind::List, pop_to_mark());
        break;
      case kBinPut:
        memo_[read_unsigned(1)] = top();
        break;
      case kLongBinPut:
        memo_[read_unsigned(4)] = top();
        break;
      case kMemoize:
        memo_[memo_.size()] = top();
        break;
      case kBinGet:
        stack_.push_back(memo_get(read_unsigned(1)));
        break;
      case kLongBinGet:
        stack_.push_back(memo_get(read_unsigned(4)));
        break;
      case kGlobal: {
        std::string module = read_line();
        push_global(module + "." + read_line());
        break;
      }
      case kStackGlobal: {
        const std::string name = expect(pop(), Kind::String, "STACK_GLOBAL's name").text;
        push_global(expect(pop(), Kind::String, "STACK_GLOBAL's module").text + "." + name);
        break;
      }
      case kBinPersId:
        push_storage(pop());
        break;
      case kReduce:
        reduce();
        break;
      case kBuild:
        // torch.save pickles an OrderedDict's attributes (a state dict's
        // _metadata) with BUILD; they carry nothing bertlab needs.
        pop();
        expect(top(), Kind::Dict, "BUILD's object");
        break;
      default:
        fail("unsupported pickle opcode " + hex(opcode) + " (bertlab reads torch.save state dicts only)");
    }
    return true;
  }

  static std::string hex(unsigned value) {
    constexpr const char* kDigits = "0123456789abcdef";
    return std::string("0x") + kDigits[(value >> 4) & 0xF] + kDigits[value & 0xF];
  }

  std::uint64_t read_unsigned(std::size_t byte_count) {
    const std::string_view bytes = read_bytes(byte_count);
    std::uint64_t value = 0;
    for (std::size_t i = byte_count; i-- > 0;) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    return value;
  }

  // Python's LONG opcodes: little-endian two's complement of any width;
  // anything wider than 64 bits is no size, stride or offset bertlab can use.
  std::int64_t read_long(std::uint64_t byte_count) {
    if (byte_count > 8) fail("an integer of " + std::to_string(byte_count) + " bytes, wider than 64 bits");
    if (byte_count == 0) return 0;
    std::uint64_t value = read_unsigned(byte_count);
    const unsigned width = static_cast<unsigned>(byte_count) * 8;
    if (width < 64 && (value >> (width - 1)) != 0) value |= ~std::uint64_t{0} << width;  // sign-extend
    return static_cast<std::int64_t>(value);
  }

  std::string_view read_bytes(std::uint64_t count) {
    if (count > pickle_.size() - position_) fail("the pickle ends inside an opcode (truncated)");
    const std::string_view bytes(reinterpret_cast<const char*>(pickle_.data()) + position_, count);
    position_ += count;
    return bytes;
  }

  std::string read_line() {
    const std::string_view rest(reinterpret_cast<const char*>(pickle_.data()) + position_, pickle_.size() - position_);
    const std::size_t end = rest.find('\n');
    if (end == std::string_view::npos) fail("the pickle ends inside a GLOBAL (truncated)");
    position_ += end + 1;
    return std::string(rest.substr(0, end));
  }

  void push(Value value) {
    values_.push_back(std::move(value));
    stack_.push_back(values_.size() - 1);
  }
  void push_number(Kind kind, std::int64_t number) {
    Value value;
    value.kind = kind;
    value.integer = number;
    push(std::move(value));
  }
  void push_int(std::int64_t number) { push_number(Kind::Int, number); }
  void push_text(Kind kind, std::string text) {
    Value value;
    value.kind = kind;
    value.text = std::move(text);
    push(std::move(value));
  }
  void push_string(std::string_view text) { push_text(Kind::String, std::string(text)); }
  void push_container(Kind kind, std::vector<std::size_t> items = {}) {
    Value value;
    value.kind = kind;
    value.items = std::move(items);
    push(std::move(value));
  }

  void push_global(const std::string& name) {
    if (name != kOrderedDict && name != kRebuildTensor && name != kRebuildParameter && !storage_dtype(name))
      fail("unsupported global '" + name + "' (bertlab reads state dicts of plain tensors)");
    push_text(Kind::Global, name);
  }

  std::size_t top() const {
    if (stack_.empty()) fail("the pickle's stack is empty");
    return stack_.back();
  }

  std::size_t pop() {
    const std::size_t id = top();
    stack_.pop_back();
    return id;
  }

  std::vector<std::size_t> pop_items(std::size_t count) {
    if (stack_.size() < count) fail("the pickle's stack holds fewer than " + std::to_string(count) + " items");
    std::vector<std::size_t> items(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
    stack_.resize(stack_.size() - count);
    return items;
  }

  std::vector<std::size_t> pop_to_mark() {
    if (marks_.empty() || marks_.back() > stack_.size()) fail("no MARK to pop to");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    return pop_items(stack_.size() - mark);
  }

  std::size_t memo_get(std::uint64_t index) const {
    const auto found = memo_.find(index);
    if (found == memo_.end()) fail("memo entry " + std::to_string(index) + " was never stored");
    return found->second;
  }

  const Value& expect(std::size_t id, Kind kind, const std::string& role) const {
    const Value& value = values_[id];
    if (value.kind != kind) fail(role + " is of type " + kind_name(value.kind) + ", expected " + kind_name(kind));
    return value;
  }

  void append_to(Kind kind, const std::vector<std::size_t>& items) {
    const std::size_t target = top();
    expect(target, kind, kind == Kind::Dict ? "SETITEM's target" : "APPEND's target");
    auto& target_items = values_[target].items;
    target_items.insert(target_items.end(), items.begin(), items.end());
  }

  std::int64_t expect_int(std::size_t id, const std::string& role) const { return expect(id, Kind::Int, role).integer; }

  // A persistent id names a storage: ('storage', torch.<Type>Storage, key,
  // location, numel). The location is ignored: tensors load to the CPU.
  void push_storage(std::size_t pid) {
    const auto& fields = expect(pid, Kind::Tuple, "a persistent id").items;
    if (fields.size() != 5 || values_[fields[0]].kind != Kind::String || values_[fields[0]].text != "storage")
      fail("a persistent id that is not ('storage', type, key, location, numel)");
    const auto dtype = storage_dtype(expect(fields[1], Kind::Global, "a storage's type").text);
    if (!dtype) fail("a storage's type is '" + values_[fields[1]].text + "', not a storage class");
    const std::string& key = expect(fields[2], Kind::String, "a storage's key").text;
    expect(fields[3], Kind::String, "a storage's location");
    const std::int64_t numel = expect_int(fields[4], "a storage's size");
    std::uint64_t byte_count = 0;
    if (numel < 0 || __builtin_mul_overflow(static_cast<std::uint64_t>(numel), dtype_size(*dtype), &byte_count))
      fail("storage '" + key + "' has an impossible size of " + std::to_string(numel) + " elements");
    const PickledStorage storage{*dtype, static_cast<std::uint64_t>(numel)};
    const auto [existing, inserted] = result_.storages.emplace(key, storage);
    if (!inserted && (existing->second.dtype != storage.dtype || existing->second.numel != storage.numel))
      fail("storage '" + key + "' is described twice, differently");
    push_text(Kind::Storage, key);
  }

  void reduce() {
    const auto& arguments = expect(pop(), Kind::Tuple, "REDUCE's arguments").items;
    const std::string callable = expect(pop(), Kind::Global, "REDUCE's callable").text;
    if (callable == kOrderedDict) {
      if (!arguments.empty()) fail("OrderedDict built from arguments");
      push_container(Kind::Dict);
    } else if (callable == kRebuildTensor) {
      if (arguments.size() != 6 && arguments.size() != 7)
        fail("_rebuild_tensor_v2 with " + std::to_string(arguments.size()) + " arguments, expected 6 or 7");
      Value tensor;
      tensor.kind = Kind::Tensor;
      tensor.tensor = rebuild_tensor(arguments);
      push(std::move(tensor));
    } else if (callable == kRebuildParameter) {
      if (arguments.size() != 3) fail("_rebuild_parameter with " + std::to_string(arguments.size()) + " arguments");
      expect(arguments[0], Kind::Tensor, "a parameter's data");
      stack_.push_back(arguments[0]);
    } else {
      fail("REDUCE of '" + callable + "'");
    }
  }

  std::vector<std::int64_t> int_tuple(std::size_t id, const std::string& role) const {
    std::vector<std::int64_t> numbers;
    for (const std::size_t item : expect(id, Kind::Tuple, role).items)
      numbers.push_back(expect_int(item, role + "'s item"));
    return numbers;
  }

  // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  PickledTensor rebuild_tensor(const std::vector<std::size_t>& arguments) {
    PickledTensor tensor;
    tensor.storage_key = expect(arguments[0], Kind::Storage, "a tensor's storage").text;
    tensor.storage_offset = expect_int(arguments[1], "a tensor's storage offset");
    tensor.size = int_tuple(arguments[2], "a tensor's size");
    tensor.stride = int_tuple(arguments[3], "a tensor's stride");
    check_inside_storage(tensor);
    return tensor;
  }

  // A view must not reach past its storage: the loader turns it into
  // as_strided on exactly the storage's bytes.
  void check_inside_storage(const PickledTensor& tensor) const {
    const std::string what = "a tensor on storage '" + tensor.storage_key + "'";
    if (tensor.size.size() != tensor.stride.size())
      fail(what + " has " + std::to_string(tensor.size.size()) + " sizes but " + std::to_string(tensor.stride.size()) +
           " strides");
    if (tensor.storage_offset < 0) fail(what + " has a negative storage offset");
    bool empty = false;
    for (std::size_t i = 0; i < tensor.size.size(); ++i) {
      if (tensor.size[i] < 0 || tensor.stride[i] < 0) fail(what + " has a negative size or stride");
      empty = empty || tensor.size[i] == 0;
    }
    if (empty) return;
    std::int64_t last = tensor.storage_offset;
    for (std::size_t i = 0; i < tensor.size.size(); ++i) {
      std::int64_t reach = 0;
      if (__builtin_mul_overflow(tensor.size[i] - 1, tensor.stride[i], &reach) ||
          __builtin_add_overflow(last, reach, &last))
        fail(what + " reaches past 64-bit element indices");
    }
    const std::uint64_t numel = result_.storages.at(tensor.storage_key).numel;
    if (static_cast<std::uint64_t>(last) >= numel)
      fail(what + " reaches element " + std::to_string(last) + " of a storage of " + std::to_string(numel));
  }

  void collect_state_dict(std::size_t root) {
    const Value& dict = values_[root];
    if (dict.kind != Kind::Dict)
      throw CheckpointError(source_ + ": expected a state dict (a dict of tensors), found type " +
                            kind_name(dict.kind));
    for (std::size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      const Value& key = values_[dict.items[i]];
      const Value& value = values_[dict.items[i + 1]];
      if (key.kind != Kind::String)
        throw CheckpointError(source_ + ": a state dict key is of type " + kind_name(key.kind) + ", not str");
      if (value.kind != Kind::Tensor)
        throw CheckpointError(source_ + ": tensor '" + key.text + "': the value is of type " + kind_name(value.kind) +
                              ", not a tensor");
      result_.tensors.insert_or_assign(key.text, value.tensor);
    }
  }

  std::span<const std::byte> pickle_;
  const std::string& source_;
  std::size_t position_ = 0;
  std::size_t opcode_at_ = 0;
  std::deque<Value> values_;
  std::vector<std::size_t> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint64_t, std::size_t> memo_;
  PickledStateDict result_;
};

}  // namespace

PickledStateDict read_state_dict_pickle(std::span<const std::byte> pickle, const std::string& source) {
  return StateDictUnpickler(pickle, source).read();
}

}  // namespace bertlab::checkpoint
