// The store's timestamps: ISO 8601 UTC with milliseconds
// ("2026-11-30T01:09:24.527Z"), which sort and compare as text, so that both
// backends find stale heartbeats with a string comparison.
#pragma once

#include <chrono>
#include <string>

namespace bertlab::store {

// Now, or `ago` before now.
std::string timestamp_utc(std::chrono::milliseconds ago = std::chrono::milliseconds(0));

}  // namespace bertlab::store
