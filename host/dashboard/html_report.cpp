#include "dashboard/html_report.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "dashboard/assets.hpp"
#include "dashboard/param_importance.hpp"
#include "dashboard/study_views.hpp"
#include "store/timestamp.hpp"

namespace bertlab::dashboard {

namespace {

// Text inside <script> ends at the first "</": JSON may write "<\/"
// for "</" (the same string), and "<!--" would open a comment.
std::string script_safe(std::string text) {
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) text.insert(at + 1, "\\");
  for (std::size_t at = text.find("<!--"); at != std::string::npos; at = text.find("<!--", at + 5)) text.replace(at, 1, "\\u003c");
  return text;
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string html_report(store::Store& store, const std::string& study_name) {
  const auto summary = find_summary(store, study_name);
  if (!summary)
    throw std::runtime_error(fmt::format("no study named '{}' in {}", study_name, store.location()));
  const auto trials = store.trials(summary->study.id);
  const nlohmann::json data = {{"generated_at", store::timestamp_utc()},
                               {"study", study_json(*summary, trials)},
                               {"trials", trials_json(summary->study, trials)},
                               {"importances", importances_json(summary->study, param_importances(trials))}};
  auto asset = [](std::string_view name) { return std::string(find_asset(name)->bytes); };
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>bertlab report: {}</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>\n{}</style>\n"
      "<script>\n{}</script>\n<script>window.BERTLAB_REPORT = {};</script>\n</head>\n"
      "<body>\n<header><a class=\"brand\">bertlab</a><span id=\"crumbs\"></span></header>\n<main id=\"app\"></main>\n"
      "<script>\n{}</script>\n</body>\n</html>\n",
      html_escape(study_name), asset("dashboard.css"), asset("plotly.min.js"), script_safe(data.dump()),
      asset("dashboard.js"));
}

}  // namespace bertlab::dashboard
