#include "checkpoint/safetensors_header.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

namespace bertlab::checkpoint {

namespace {

using nlohmann::json;

// Names and values come from an untrusted file: a message shows at most a
// line's worth of them.
std::string shown(std::string_view text) {
  constexpr std::size_t kMaxShown = 200;
  if (text.size() <= kMaxShown) return std::string(text);
  std::size_t cut = kMaxShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return std::string(text.substr(0, cut)) + "...";
}

std::string shown_json(const json& value) { return shown(value.dump(-1, ' ', false, json::error_handler_t::replace)); }

// Appends: "literal" + std::string&& makes GCC 12 warn about impossible sizes
// inside std::string (GCC bug 105329).
std::string range_text(std::uint64_t begin, std::uint64_t end) {
  std::string text = "[";
  text += std::to_string(begin);
  text += ", ";
  text += std::to_string(end);
  return text += ")";
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

constexpr std::string_view kMetadataKey = "__metadata__";

// What a top-level key holds, as messages name it.
std::string subject(std::string_view key) {
  return key == kMetadataKey ? std::string(kMetadataKey) : "tensor '" + shown(key) + "'";
}

class HeaderParser {
 public:
  HeaderParser(std::span<const std::byte> bytes, std::uint64_t file_size, const std::string& source)
      : bytes_(bytes), file_size_(file_size), source_(source) {}

  Header parse() {
    Header header;
    const std::uint64_t header_length = read_header_length();
    header.data_start = 8 + header_length;
    header.data_size = file_size_ - header.data_start;
    const std::string_view text(reinterpret_cast<const char*>(bytes_.data()) + 8, header_length);
    const json root = parse_json(text);
    for (const auto& [key, value] : root.items()) {
      if (key == kMetadataKey) {
        header.metadata = parse_metadata(value);
      } else {
        header.tensors.emplace(key, parse_entry(key, value, header.data_size));
      }
    }
    check_coverage(header);
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw CheckpointError(source_ + ": " + what); }
  [[noreturn]] void fail(std::string_view key, const std::string& what) const { fail(subject(key) + ": " + what); }

  std::uint64_t read_header_length() const {
    if (bytes_.size() > file_size_)
      fail("given " + std::to_string(bytes_.size()) + " bytes of a file of " + std::to_string(file_size_));
    if (file_size_ == 0) fail("the file is empty");
    if (file_size_ < 8)
      fail("the file is " + std::to_string(file_size_) + " bytes, too short for the 8-byte header length");
    if (bytes_.size() < 8)
      fail("the 8-byte header length is not in the " + std::to_string(bytes_.size()) + " bytes given");
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | std::to_integer<std::uint64_t>(bytes_[i]);
    if (length > kMaxHeaderBytes)
      fail("header length " + std::to_string(length) + " exceeds the format's limit of " +
           std::to_string(kMaxHeaderBytes) + " bytes");
    if (length > file_size_ - 8)
      fail("header length " + std::to_string(length) + " runs past the end of the file (" + std::to_string(file_size_) +
           " bytes)");
    if (length > bytes_.size() - 8)
      fail("the " + std::to_string(length) + "-byte header is not in the " + std::to_string(bytes_.size()) +
           " bytes given");
    return length;
  }

  // nlohmann keeps the last of duplicate keys silently, and a file whose
  // readers disagree on which one counts must not load, so the parse watches
  // every key. It also stops at the first value nested deeper than a valid
  // header nests (the top object, an entry, its shape array), before a hostile
  // header can build a deep tree.
  json parse_json(std::string_view text) const {
    if (text.empty() || text.front() != '{') fail("the header is not a JSON object (it must begin with '{')");
    // nlohmann stops at a NUL as if the input ended there, which would let
    // anything after one ride along unparsed; JSON has no raw NULs anyway.
    if (const auto nul = text.find('\0'); nul != std::string_view::npos)
      fail("the header is not valid JSON: a NUL byte at offset " + std::to_string(nul));
    struct OpenValue {
      std::set<std::string> keys;  // empty for arrays
      std::string last_key;
    };
    std::vector<OpenValue> open_values;
    constexpr std::size_t kMaxDepth = 3;
    const auto owner = [&] { return open_values.front().last_key; };
    json::parser_callback_t watch = [&](int, json::parse_event_t event, json& parsed) {
      switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
          if (open_values.size() == kMaxDepth) fail(owner(), "nested deeper than a safetensors header allows");
          open_values.emplace_back();
          break;
        case json::parse_event_t::object_end:
        case json::parse_event_t::array_end:
          open_values.pop_back();
          break;
        case json::parse_event_t::key: {
          OpenValue& object = open_values.back();
          object.last_key = parsed.get<std::string>();
          if (!object.keys.insert(object.last_key).second) {
            if (open_values.size() == 1) fail(subject(object.last_key) + " appears twice in the header");
            fail(owner(), "key '" + shown(object.last_key) + "' appears twice");
          }
          break;
        }
        case json::parse_event_t::value:
          break;
      }
      return true;
    };
    try {
      return json::parse(text.begin(), text.end(), watch);
    } catch (const json::exception& error) {
      fail(std::string("the header is not valid JSON: ") + error.what());
    }
  }

  std::map<std::string, std::string> parse_metadata(const json& value) const {
    if (!value.is_object()) fail(kMetadataKey, std::string("expected an object, got ") + value.type_name());
    std::map<std::string, std::string> metadata;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string())
        fail(kMetadataKey, "the value of '" + shown(key) + "' must be a string, got " + item.type_name());
      metadata.emplace(key, item.get<std::string>());
    }
    return metadata;
  }

  TensorInfo parse_entry(const std::string& name, const json& entry, std::uint64_t data_size) const {
    if (!entry.is_object())
      fail(name, std::string("expected an object with dtype, shape and data_offsets, got ") + entry.type_name());
    for (const auto& [key, item] : entry.items()) {
      if (key != "dtype" && key != "shape" && key != "data_offsets") fail(name, "unexpected key '" + shown(key) + "'");
    }
    for (const char* key : {"dtype", "shape", "data_offsets"}) {
      if (!entry.contains(key)) fail(name, std::string("missing '") + key + "'");
    }

    TensorInfo info;
    const json& dtype = entry["dtype"];
    if (!dtype.is_string()) fail(name, std::string("dtype must be a string, got ") + dtype.type_name());
    const auto known_dtype = dtype_from_name(dtype.get_ref<const std::string&>());
    if (!known_dtype) fail(name, "unsupported dtype " + shown(dtype.get_ref<const std::string&>()));
    info.dtype = *known_dtype;

    const json& shape = entry["shape"];
    if (!shape.is_array()) fail(name, std::string("shape must be an array, got ") + shape.type_name());
    for (std::size_t i = 0; i < shape.size(); ++i) {
      const json& dim = shape[i];
      if (!dim.is_number_unsigned())
        fail(name, "shape dimension " + std::to_string(i) + " must be a non-negative integer, got " + shown_json(dim));
      const auto size = dim.get<std::uint64_t>();
      if (size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        fail(name, "shape dimension " + std::to_string(i) + " is " + std::to_string(size) + ", past int64");
      info.shape.push_back(static_cast<std::int64_t>(size));
    }

    const json& offsets = entry["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      fail(name, "data_offsets must be two non-negative integers [begin, end), got " + shown_json(offsets));
    info.begin = offsets[0].get<std::uint64_t>();
    info.end = offsets[1].get<std::uint64_t>();
    const std::string offsets_text = "data_offsets " + range_text(info.begin, info.end);
    if (info.begin > info.end) fail(name, offsets_text + " begin after they end");

    const std::uint64_t expected_bytes = byte_size(name, info);
    if (expected_bytes != info.end - info.begin)
      fail(name, "shape " + shape_text(info.shape) + " of " + std::string(dtype_name(info.dtype)) + " is " +
                     std::to_string(expected_bytes) + " bytes but " + offsets_text + " hold " +
                     std::to_string(info.end - info.begin));
    if (info.end > data_size) fail(name, offsets_text + " end past the data (size " + std::to_string(data_size) + ")");
    return info;
  }

  std::uint64_t byte_size(const std::string& name, const TensorInfo& info) const {
    // A zero dimension makes the tensor empty whatever the others multiply to.
    if (std::find(info.shape.begin(), info.shape.end(), 0) != info.shape.end()) return 0;
    std::uint64_t bytes = dtype_size(info.dtype);
    for (const std::int64_t dim : info.shape) {
      if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes))
        fail(name, "shape " + shape_text(info.shape) + " of " + std::string(dtype_name(info.dtype)) +
                       " has more bytes than fit in 64 bits");
    }
    return bytes;
  }

  // The format requires the tensors to tile the data exactly: no overlap
  // (two tensors aliasing the same bytes) and no holes (bytes no reader
  // accounts for, room for a polyglot file).
  void check_coverage(const Header& header) const {
    std::vector<const std::pair<const std::string, TensorInfo>*> by_offset;
    by_offset.reserve(header.tensors.size());
    for (const auto& entry : header.tensors) by_offset.push_back(&entry);
    std::sort(by_offset.begin(), by_offset.end(), [](const auto* a, const auto* b) {
      return std::tie(a->second.begin, a->second.end, a->first) < std::tie(b->second.begin, b->second.end, b->first);
    });
    std::uint64_t covered_to = 0;
    const std::pair<const std::string, TensorInfo>* previous = nullptr;
    for (const auto* entry : by_offset) {
      const auto& [name, info] = *entry;
      const std::string offsets_text = "data_offsets " + range_text(info.begin, info.end);
      if (info.begin < covered_to)
        fail(name, offsets_text + " overlap tensor '" + shown(previous->first) + "' " +
                       range_text(previous->second.begin, previous->second.end));
      if (info.begin > covered_to)
        fail(name, offsets_text + " leave the data bytes " + range_text(covered_to, info.begin) +
                       " before them in no tensor");
      covered_to = info.end;
      previous = entry;
    }
    if (covered_to != header.data_size)
      fail("the data bytes " + range_text(covered_to, header.data_size) + " belong to no tensor");
  }

  std::span<const std::byte> bytes_;
  std::uint64_t file_size_;
  const std::string& source_;
};

}  // namespace

Header parse_header(std::span<const std::byte> bytes, std::uint64_t file_size, const std::string& source) {
  return HeaderParser(bytes, file_size, source).parse();
}

}  // namespace bertlab::checkpoint
