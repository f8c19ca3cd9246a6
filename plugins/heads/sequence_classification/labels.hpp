// How example labels (strings or numbers) become class names and targets.
#pragma once

#include <span>
#include <string>

#include <bertlab/head.hpp>

namespace bertlab::heads {

// The class name of a label: a string as it is, a number in its shortest
// round-trip form, so integer 1 and 1.0 are both "1", as when read from text.
// Throws std::invalid_argument for any other type.
std::string label_name(const Value& label);

// A regression target: a number, or a string holding one (tsv columns).
// Throws std::invalid_argument otherwise.
double label_target(const Value& label);

// True when every labelled example has a numeric label and some label has a
// fraction: 0/1 data stays classification, STS-B-style scores do not.
bool looks_like_regression(std::span<const Example> examples);

}  // namespace bertlab::heads
