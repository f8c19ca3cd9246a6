#include "tag_constraints.hpp"

#include <ATen/ATen.h>

namespace bertlab::heads {

namespace {

// "I-PER" -> "PER"; "" when the tag is not an inside tag.
std::string inside_type(const std::string& tag) { return tag.rfind("I-", 0) == 0 ? tag.substr(2) : std::string(); }

// The type a tag opens or continues: "B-PER" and "I-PER" -> "PER".
std::string entity_type(const std::string& tag) {
  return tag.size() > 2 && tag[1] == '-' && (tag[0] == 'B' || tag[0] == 'I') ? tag.substr(2) : std::string();
}

}  // namespace

AllowedTransitions bio_allowed_transitions(const std::vector<std::string>& labels) {
  const auto n = static_cast<std::int64_t>(labels.size());
  AllowedTransitions out{at::ones({n, n}, at::kBool), at::ones({n}, at::kBool), at::ones({n}, at::kBool)};
  auto transitions = out.transitions.accessor<bool, 2>();
  auto start = out.start.accessor<bool, 1>();
  for (std::int64_t j = 0; j < n; ++j) {
    const auto type = inside_type(labels[static_cast<std::size_t>(j)]);
    if (type.empty()) continue;
    start[j] = false;
    for (std::int64_t i = 0; i < n; ++i) transitions[i][j] = entity_type(labels[static_cast<std::size_t>(i)]) == type;
  }
  return out;
}

}  // namespace bertlab::heads
