#include "experiment/saved_task.hpp"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/json_value.hpp"

namespace bertlab::experiment {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json plugin_json(const PluginRef& ref) { return {{"plugin", ref.plugin}, {"options", util::to_json(ref.options)}}; }

PluginRef plugin_from(const json& j) { return {j.at("plugin").get<std::string>(), util::table_from_json(j.at("options"))}; }

}  // namespace

SavedTask saved_task_of(const Experiment& e, const std::vector<std::string>& labels) {
  SavedTask task;
  task.tokenizer = e.tokenizer;
  task.max_length = e.max_length;
  task.head = e.head;
  task.data.format = e.data.format;
  task.data.text_column = e.data.text_column;
  task.data.text_pair_column = e.data.text_pair_column;
  task.data.label_column = e.data.label_column;
  task.data.tag_column = e.data.tag_column;
  task.data.tag_scheme = e.data.tag_scheme;
  task.labels = labels;
  task.precision = e.train.precision;
  task.batch_size = e.train.batch_size;
  task.plugin_paths = e.plugin_paths;
  return task;
}

void write_saved_task(const fs::path& model_dir, const SavedTask& task) {
  json paths = json::array();
  for (const auto& p : task.plugin_paths) paths.push_back(p.string());
  const json out = {{"format_version", 1},
                    {"tokenizer", plugin_json(task.tokenizer)},
                    {"max_length", task.max_length},
                    {"head", plugin_json(task.head)},
                    {"data",
                     {{"format", task.data.format},
                      {"text_column", task.data.text_column},
                      {"text_pair_column", task.data.text_pair_column},
                      {"label_column", task.data.label_column},
                      {"tag_column", task.data.tag_column},
                      {"tag_scheme", task.data.tag_scheme}}},
                    {"labels", task.labels},
                    {"precision", task.precision},
                    {"batch_size", task.batch_size},
                    {"plugin_paths", paths}};
  fs::create_directories(model_dir);
  const auto target = model_dir / kSavedTaskFile;
  const auto temporary = model_dir / (std::string(kSavedTaskFile) + ".tmp");
  {
    std::ofstream file(temporary);
    file << out.dump(2) << '\n';
    if (!file.flush()) throw ExperimentError(fmt::format("{}: cannot write", temporary.string()));
  }
  fs::rename(temporary, target);
}

SavedTask read_saved_task(const fs::path& model_dir) {
  const auto file = model_dir / kSavedTaskFile;
  std::ifstream in(file);
  if (!in)
    throw ExperimentError(fmt::format("{}: not found (bertlab writes it beside every model a trial saves; is "
                                      "this a bertlab model directory?)",
                                      file.string()));
  try {
    const auto j = json::parse(in);
    if (j.at("format_version").get<int>() != 1)
      throw ExperimentError(fmt::format("{}: format_version {} is not one this bertlab reads (1)", file.string(),
                                        j.at("format_version").dump()));
    SavedTask task;
    task.tokenizer = plugin_from(j.at("tokenizer"));
    task.max_length = j.at("max_length").get<std::int64_t>();
    task.head = plugin_from(j.at("head"));
    const auto& data = j.at("data");
    task.data.format = data.at("format").get<std::string>();
    task.data.text_column = data.at("text_column").get<std::string>();
    task.data.text_pair_column = data.at("text_pair_column").get<std::string>();
    task.data.label_column = data.at("label_column").get<std::string>();
    // Absent from files written before the tagged formats existed.
    task.data.tag_column = data.value("tag_column", std::int64_t{-1});
    task.data.tag_scheme = data.value("tag_scheme", std::string("auto"));
    task.labels = j.at("labels").get<std::vector<std::string>>();
    task.precision = j.at("precision").get<std::string>();
    task.batch_size = j.at("batch_size").get<std::int64_t>();
    for (const auto& p : j.at("plugin_paths")) task.plugin_paths.emplace_back(p.get<std::string>());
    return task;
  } catch (const json::exception& error) {
    throw ExperimentError(fmt::format("{}: malformed: {}", file.string(), error.what()));
  }
}

}  // namespace bertlab::experiment
