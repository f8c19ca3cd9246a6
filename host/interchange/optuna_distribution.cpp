#include "interchange/optuna_distribution.hpp"

#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "interchange/optuna_storage.hpp"
#include "util/json_value.hpp"

namespace bertlab::interchange {

namespace {

using nlohmann::json;

bool is_int_distribution(const std::string& name) {
  return name == "IntDistribution" || name == "IntUniformDistribution" || name == "IntLogUniformDistribution";
}

bool is_float_distribution(const std::string& name) {
  return name == "FloatDistribution" || name == "UniformDistribution" || name == "LogUniformDistribution" ||
         name == "DiscreteUniformDistribution";
}

const json& choices_of(const json& distribution) {
  const auto attributes = distribution.find("attributes");
  if (attributes == distribution.end() || !attributes->contains("choices") || !(*attributes)["choices"].is_array())
    throw InterchangeError(fmt::format("a CategoricalDistribution without choices: {}", distribution.dump()));
  return (*attributes)["choices"];
}

std::string name_of(const json& distribution) {
  if (!distribution.is_object() || !distribution.contains("name") || !distribution["name"].is_string())
    throw InterchangeError(fmt::format("not an Optuna distribution: {}", distribution.dump()));
  return distribution["name"].get<std::string>();
}

}  // namespace

json to_optuna_distribution(const Distribution& d) {
  switch (d.kind) {
    case Distribution::Kind::uniform:
      return {{"name", "FloatDistribution"},
              {"attributes", {{"step", d.step > 0 ? json(d.step) : json(nullptr)}, {"low", d.low}, {"high", d.high},
                              {"log", false}}}};
    case Distribution::Kind::log_uniform:
      return {{"name", "FloatDistribution"},
              {"attributes", {{"step", nullptr}, {"low", d.low}, {"high", d.high}, {"log", true}}}};
    case Distribution::Kind::int_uniform:
      return {{"name", "IntDistribution"},
              {"attributes", {{"log", d.log},
                              {"step", static_cast<std::int64_t>(d.step >= 1 ? d.step : 1)},
                              {"low", static_cast<std::int64_t>(d.low)},
                              {"high", static_cast<std::int64_t>(d.high)}}}};
    case Distribution::Kind::categorical: {
      json choices = json::array();
      for (const auto& choice : d.choices) choices.push_back(util::to_json(choice));
      return categorical_distribution(choices);
    }
  }
  return nullptr;
}

json categorical_distribution(const json& choices) {
  return {{"name", "CategoricalDistribution"}, {"attributes", {{"choices", choices}}}};
}

std::optional<double> to_internal(const json& distribution, const json& value) {
  const std::string name = name_of(distribution);
  if (name == "CategoricalDistribution") {
    const auto& choices = choices_of(distribution);
    // JSON equality: 16 matches 16.0, and Optuna's None choice matches null.
    for (std::size_t i = 0; i < choices.size(); ++i)
      if (choices[i] == value) return static_cast<double>(i);
    return std::nullopt;
  }
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

json from_internal(const json& distribution, double internal) {
  const std::string name = name_of(distribution);
  if (name == "CategoricalDistribution") {
    const auto& choices = choices_of(distribution);
    const double index = std::nearbyint(internal);
    if (!(index >= 0 && index < static_cast<double>(choices.size())))
      throw InterchangeError(fmt::format("choice index {} outside the {} choices of {}", internal, choices.size(),
                                         distribution.dump()));
    return choices[static_cast<std::size_t>(index)];
  }
  if (is_int_distribution(name)) return static_cast<std::int64_t>(std::llround(internal));
  if (is_float_distribution(name)) return internal;
  throw InterchangeError(fmt::format("unknown Optuna distribution '{}'", name));
}

}  // namespace bertlab::interchange
