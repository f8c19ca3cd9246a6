// Metrics of sequence classification and regression, defined as
// scikit-learn and scipy compute them (the GLUE scorers use those).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <bertlab/head.hpp>

namespace bertlab::heads {

// `gold` and `predicted` are class ids in [0, num_classes). Gives "accuracy"
// and "macro_f1" (the mean F1 over the classes that occur in gold or
// predicted, as sklearn's labels=None; a class without true or predicted
// positives has F1 0, sklearn's zero_division=0); with `positive`, also "f1"
// of that class and "mcc". Empty when there are no examples.
Metrics classification_metrics(std::span<const std::int64_t> gold, std::span<const std::int64_t> predicted,
                               std::int64_t num_classes, std::optional<std::int64_t> positive);

// "pearson", "spearman" (Pearson of average ranks) and "mse". A correlation
// with a constant side is 0 rather than scipy's NaN, so that a study can
// still compare trials. Empty when there are no examples.
Metrics regression_metrics(std::span<const double> gold, std::span<const double> predicted);

}  // namespace bertlab::heads
