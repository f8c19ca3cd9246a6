// The user-attribute names under which an exported study carries what
// Optuna's schema has no column for, and which an import reads back.
#pragma once

namespace bertlab::interchange {

// Study user attributes.
inline constexpr const char* kMetricAttribute = "bertlab.metric";
inline constexpr const char* kExperimentAttribute = "bertlab.experiment";
inline constexpr const char* kExperimentFileAttribute = "bertlab.experiment_file";
inline constexpr const char* kExperimentHashAttribute = "bertlab.experiment_hash";
inline constexpr const char* kCreatedAtAttribute = "bertlab.created_at";
// Study attribute of an imported study: {"optuna": FILE, "study": NAME}.
inline constexpr const char* kImportedFromAttribute = "bertlab.imported_from";

// Trial user attributes.
inline constexpr const char* kSeedAttribute = "bertlab.seed";
inline constexpr const char* kPluginsAttribute = "bertlab.plugins";
inline constexpr const char* kDataFingerprintAttribute = "bertlab.data_fingerprint";
inline constexpr const char* kErrorAttribute = "bertlab.error";
inline constexpr const char* kArtifactsAttribute = "bertlab.artifacts";
inline constexpr const char* kOtherMetricsAttribute = "bertlab.intermediate_values";
inline constexpr const char* kOriginAttribute = "bertlab.origin";  // of a WAITING (queued) trial

// Trial attribute in the store: the Optuna distribution of each param of an
// imported trial ({name: distribution JSON}), exported again as they were.
inline constexpr const char* kDistributionsAttribute = "optuna_distributions";

}  // namespace bertlab::interchange
