// `bertlab augment`: shows what an experiment's example-level augmentations
// make of its training rows — each original followed by its augmentations,
// as a trial with that seed trains on them (augment/augmenter.hpp seeds per
// original, so the first N rows come out the same as in a full run).
//
//   bertlab augment EXP.toml [--show N] [--set key=value]... [--seed S] [--json]
#include <algorithm>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "augment/augmenter.hpp"
#include "cli/commands.hpp"
#include "data/dataset.hpp"
#include "experiment/experiment.hpp"
#include "plugin/plugin_host.hpp"
#include "util/json_value.hpp"

namespace bertlab::cli {

namespace {

struct AugmentArgs {
  std::string experiment;
  std::int64_t show = 10;
  std::vector<std::string> overrides;
  std::int64_t seed = -1;  // -1: train.seed
  bool json = false;
};

bool is_tagged(const Example& example) { return !example.words.empty() && example.label.is_array(); }

// Tagged words as "EU/B-ORG rejects German/B-MISC call": tags shown where not O.
std::string tagged_text(const Example& example) {
  std::string out;
  const auto& tags = example.label.as_array();
  for (std::size_t i = 0; i < example.words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += example.words[i];
    if (i < tags.size() && tags[i].is_string() && tags[i].as_string() != "O") out += "/" + tags[i].as_string();
  }
  return out;
}

std::string display_text(const Example& example) {
  if (is_tagged(example)) return tagged_text(example);
  return example.is_pair ? example.text + " ||| " + example.text_pair : example.text;
}

nlohmann::json json_row(const Example& example) {
  if (!is_tagged(example)) return example.text;
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& tag : example.label.as_array()) tags.push_back(util::to_json(tag));
  return {{"words", example.words}, {"tags", tags}};
}

void augment(const AugmentArgs& args) {
  auto e = experiment::load(args.experiment, args.overrides);
  plugin::PluginHost host;
  for (const auto& dir : e.plugin_paths) host.load_from(dir, /*required=*/true);
  host.load_defaults();
  auto augmentations = augment::example_augmentations(host, e.augment);
  if (augmentations.empty())
    throw ExitError(kExitError, fmt::format("{}: no example-level augmentation in [[augment.plugins]]", e.file.string()));

  data::Columns columns{.format = e.data.format,
                        .text = e.data.text_column,
                        .text_pair = e.data.text_pair_column,
                        .label = e.data.label_column,
                        .articles = e.data.train_articles,
                        .tag_column = e.data.tag_column,
                        .tag_scheme = e.data.tag_scheme};
  const auto train = data::read_dataset(e.data.train, columns, e.data.train_limit, /*require_labels=*/false);
  const std::size_t shown = std::min<std::size_t>(train.examples.size(), static_cast<std::size_t>(args.show));
  const std::uint64_t seed = static_cast<std::uint64_t>(args.seed >= 0 ? args.seed : e.train.seed);
  const std::span<const Example> originals(train.examples.data(), shown);
  const auto added = augment::augment_examples(originals, augmentations, seed);

  std::size_t next = 0;
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& original = originals[i];
    if (args.json) {
      nlohmann::json row{{"id", original.id}, {"line", train.lines[i]}, {"original", json_row(original)},
                         {"augmented", nlohmann::json::array()}};
      if (!original.label.is_null() && !is_tagged(original)) row["label"] = util::to_json(original.label);
      for (; next < added.size() && added[next].original == i; ++next) {
        nlohmann::json item{{"plugin", augmentations[added[next].step].plugin}};
        item[is_tagged(original) ? "tagged" : "text"] = json_row(added[next].example);
        row["augmented"].push_back(std::move(item));
      }
      std::cout << row.dump() << '\n';
      continue;
    }
    std::string header = fmt::format("#{} {}:{}", i + 1, train.file.filename().string(), train.lines[i]);
    if (!original.label.is_null() && !is_tagged(original)) header += " label " + util::to_json(original.label).dump();
    std::cout << header << '\n' << fmt::format("  {:<10} {}\n", "original", display_text(original));
    for (; next < added.size() && added[next].original == i; ++next)
      std::cout << fmt::format("  {:<10} {}\n", augmentations[added[next].step].plugin, display_text(added[next].example));
    std::cout << '\n';
  }
  std::cerr << fmt::format("bertlab: {} of {} training rows shown (seed {}); augmentation added {} ({})\n", shown,
                           train.examples.size(), seed, added.size(), augment::describe_added(added, augmentations));
}

}  // namespace

void add_augment_command(CLI::App& app) {
  auto args = std::make_shared<AugmentArgs>();
  auto* command = app.add_subcommand(
      "augment", "Show an experiment's training rows beside the examples its [[augment.plugins]] make of them");
  command->add_option("experiment", args->experiment, "The experiment file (TOML)")->required();
  command->add_option("--show", args->show, "How many training rows to show (default 10)")->check(CLI::PositiveNumber);
  command->add_option("--set", args->overrides,
                      "Override a key: --set augment.eda.alpha_rd=0.2 (augment.<plugin>.<option>)");
  command->add_option("--seed", args->seed, "The trial seed to augment with (default: train.seed)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--json", args->json, "One JSON object a row: {\"original\": ..., \"augmented\": [...]}");
  command->callback([args] { augment(*args); });
}

}  // namespace bertlab::cli
