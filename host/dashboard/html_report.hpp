// `bertlab report STUDY --html OUT.html`: the dashboard's study page as one
// file that opens anywhere, offline — plotly.js, the page's script and
// style and the study's data all inlined, no requests made.
#pragma once

#include <string>

#include "store/store.hpp"

namespace bertlab::dashboard {

// The page for `study_name` in `store`; throws std::runtime_error when the
// store has no such study.
std::string html_report(store::Store& store, const std::string& study_name);

}  // namespace bertlab::dashboard
