// Search-space dimensions as Optuna writes them in `trial_params`: a
// distribution as JSON ({"name": "FloatDistribution", "attributes": {...}})
// and each value in its internal representation (a float: the number itself,
// or the index of a categorical choice).
#pragma once

#include <nlohmann/json.hpp>

#include "bertlab/study.hpp"

namespace bertlab::interchange {

// A bertlab dimension as Optuna's distribution: uniform and log_uniform are
// FloatDistribution (with step for a quantized uniform), int_uniform is
// IntDistribution, categorical is CategoricalDistribution.
nlohmann::json to_optuna_distribution(const Distribution& distribution);

// A categorical distribution over `choices` (for parameters whose space is
// unknown: the values the study's trials took).
nlohmann::json categorical_distribution(const nlohmann::json& choices);

// `value` (a trial's param, as the store holds it) in the internal
// representation of `distribution`; nullopt when a categorical distribution
// lacks it or a numeric one gets a non-number.
std::optional<double> to_internal(const nlohmann::json& distribution, const nlohmann::json& value);

// The param value an internal representation stands for: an integer for
// IntDistribution (and Optuna's older IntUniform/IntLogUniform), a real for
// the float ones (and Uniform/LogUniform/DiscreteUniform), the choice for a
// categorical one. A malformed distribution or an index out of range throws
// InterchangeError.
nlohmann::json from_internal(const nlohmann::json& distribution, double internal);

}  // namespace bertlab::interchange
