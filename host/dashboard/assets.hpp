// The dashboard's files, compiled into bertlab so that it serves them (and
// `bertlab report` inlines them) with no network and no install folder:
// index.html, dashboard.js, dashboard.css, openapi.json and plotly.min.js
// (plotly.js, MIT licence, taken from the plotly wheel at build time).
#pragma once

#include <string_view>

namespace bertlab::dashboard {

struct Asset {
  std::string_view name;          // "dashboard.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view bytes;
};

// The asset of that exact name, or nullptr: names are looked up, never
// joined to a path, so no request reaches a file outside this list.
const Asset* find_asset(std::string_view name);

}  // namespace bertlab::dashboard
