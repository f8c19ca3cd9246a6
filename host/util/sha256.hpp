// SHA-256 (FIPS 180-4), for content fingerprints such as a study's
// experiment_hash. Small and dependency-free so the store needs no crypto
// library.
#pragma once

#include <string>
#include <string_view>

namespace bertlab::util {

// The digest of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace bertlab::util
