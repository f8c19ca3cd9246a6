// `bertlab store copy`: studies copied from one store to another (an SQLite
// file to another, and to or from a server store once there is one), with
// their trials in number order, so the numbers stay, and every detail of
// each: intermediate values, attributes, artifacts, queued trials and the
// study's attributes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace bertlab::store {

struct CopiedStudy {
  std::string name;
  std::size_t trials = 0;
  std::size_t queued = 0;
};

// Copies the studies named in `names` (every study of `from` when empty).
// Before anything is written, a name missing from `from` or present in `to`
// is an error naming it.
std::vector<CopiedStudy> copy_studies(Store& from, Store& to, const std::vector<std::string>& names);

}  // namespace bertlab::store
