// An experiment file: one TOML document describing a study — the model, the
// tokenizer, the data, the task head, training, augmentation, the search and
// the store. experiments/README.md documents every key.
//
// Loading validates everything before any work starts: an unknown key, a
// wrong type or a value out of range is an ExperimentError naming the file,
// the line and the key. Relative paths resolve against the file's folder.
// `--set key=value` overrides (dotted keys) apply before validation, and a
// trial's search parameters are applied the same way (with_params).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bertlab/study.hpp"
#include "bertlab/value.hpp"

namespace bertlab::experiment {

class ExperimentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PluginRef {
  std::string plugin;
  Table options;
};

struct DataSection {
  std::string format = "tsv";  // csv | tsv | jsonl | squad | conll | chars | text (pretraining corpora)
  std::filesystem::path train, eval, test;
  // squad: the slice of each file's articles to read ("0:38"); empty: all.
  // Splits one SQuAD-style file into train and eval parts by article.
  std::string train_articles, eval_articles, test_articles;
  std::string text_column = "sentence";
  std::string text_pair_column;  // empty: single sentences
  std::string label_column = "label";
  std::int64_t tag_column = -1;      // conll/chars: 0-based tag column, -1: the last
  std::string tag_scheme = "auto";   // conll/chars: auto | iob1 | bio | bioes | bmes
  std::vector<std::string> labels;  // empty: collected from train
  std::int64_t train_limit = 0;     // 0: every row
  std::int64_t eval_limit = 0;
};

struct TrainSection {
  double epochs = 3;
  std::int64_t max_steps = 0;  // > 0 overrides epochs
  std::int64_t batch_size = 32;
  double learning_rate = 5e-5;
  double warmup_ratio = 0.1;
  double weight_decay = 0.01;
  double max_grad_norm = 1.0;
  std::int64_t gradient_accumulation = 1;
  std::int64_t seed = 42;
  std::string precision = "fp32";  // fp32 | bf16 | fp16 (GPU) | auto (bf16 on a GPU and where the CPU has native bf16)
  std::string device = "auto";     // cpu | cuda | cuda:N | auto (a GPU when there is one)
  std::int64_t eval_every = 0;     // steps; 0: each epoch
  std::int64_t early_stopping_patience = 0;  // evaluations without improvement; 0: off
  std::int64_t threads = 0;        // 0: LibTorch's default
  bool group_by_length = true;
  // Transfer learning: parameters left out of training (requires_grad off,
  // not in the optimizer). Independent: freeze_layers does not freeze the
  // embeddings.
  bool freeze_embeddings = false;
  std::int64_t freeze_layers = 0;  // the lowest N encoder layers
  // Layer-wise learning-rate decay (Sun et al. 2019): layer l of L gets
  // lr * xi^(L - l), the embeddings lr * xi^L, the pooler and head lr.
  double layer_lr_decay = 1.0;
  // Gradual magnitude pruning (Zhu & Gupta 2017): the encoder's linear
  // weights pruned towards `sparsity` on the cubic schedule
  // s_t = s (1 - (1 - p)^3), p the progress from sparsity_begin to
  // sparsity_end (fractions of the optimizer steps); masks recomputed every
  // sparsity_every steps and held fixed in between (pruned weights stay 0).
  double sparsity = 0;                    // 0: off
  std::string sparsity_scope = "global";  // global | layer
  double sparsity_begin = 0.0;
  double sparsity_end = 0.7;
  std::int64_t sparsity_every = 10;
};

// Knowledge distillation (Hinton et al. 2015; DistilBERT's student
// initialisation): the student, [model] or N of its layers, learns from a
// fine-tuned teacher's logits softened by the temperature, mixed with the
// hard labels: loss = alpha T^2 KL(teacher_T || student_T) + (1 - alpha) CE.
struct DistillSection {
  std::string teacher;                // "STUDY/NUMBER" of a trial of the store
  std::filesystem::path teacher_dir;  // its model, or [distill] teacher_path
  double alpha = 0.5;
  double temperature = 2.0;
  std::int64_t student_layers = 0;    // 0: every layer of [model]; N: N layers, evenly spaced
  double hidden_weight = 0.0;         // MSE between student and mapped teacher hidden states; 0: off
};

struct SearchSection {
  PluginRef searcher{"random", {}};
  std::int64_t trials = 1;
  std::string metric;  // empty: the head's default metric
  Direction direction = Direction::maximize;
  std::optional<PluginRef> pruner;
  SearchSpace space;  // parameter names are dotted experiment keys ("train.learning_rate")
  // Warm start: earlier studies of the store whose finished trials the
  // searcher learns from; `warm_start_similar` picks them by model, head and data.
  std::vector<std::string> warm_start;
  bool warm_start_similar = false;
  // Parallel workers: a RUNNING trial without a heartbeat for this long is
  // FAILED as "worker lost"; with retry_failed its params are queued again.
  double heartbeat_timeout = 120.0;  // seconds
  bool retry_failed = false;
};

// Pretraining (MLM + NSP): a study with this section pretrains instead of
// fine-tuning; host/pretrain/ and experiments/README.md say what each key does.
struct PretrainSection {
  bool next_sentence = true;        // NSP; false: MLM only (continued pretraining)
  double mask_probability = 0.15;   // tokens selected for prediction
  double mask_token_ratio = 0.8;    // of those: replaced by [MASK]
  double random_token_ratio = 0.1;  // of those: replaced by a random token; the rest stay
  std::int64_t max_predictions = 0; // per input; 0: no cap
  bool whole_word_masking = false;
  std::filesystem::path word_list;  // Chinese words for whole-word masking
  double short_seq_probability = 0.1;
  double eval_fraction = 0.05;      // documents held out when data.eval is not given
};

struct Experiment {
  std::filesystem::path file;
  std::string text;        // the file as read, overrides applied (recorded with the study)
  std::string study_name;  // [study] name, default the file's stem
  std::vector<std::filesystem::path> plugin_paths;

  // [model] path, or the "model" artifact of [model] from_trial ("STUDY/NUMBER",
  // resolved through the experiment's store when the experiment is read);
  // empty for a model from scratch.
  std::filesystem::path model_dir;
  std::string model_from_trial;       // empty: [model] path
  Table model_config;                 // [model.config]: the sizes of a model pretrained from scratch
  std::filesystem::path model_vocab;  // [model] vocab: its vocab.txt
  PluginRef tokenizer{"wordpiece", {}};
  std::int64_t max_length = 128;
  DataSection data;
  PluginRef head{"sequence-classification", {}};
  TrainSection train;
  std::vector<PluginRef> augment;
  SearchSection search;
  std::optional<PretrainSection> pretrain;
  std::optional<DistillSection> distill;
  std::filesystem::path store;
};

// Reads, overrides ("train.learning_rate=3e-5": the value is TOML, or a bare
// string) and validates an experiment file.
Experiment load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

// The experiment a study recorded (its text, overrides applied), read as if
// it were the file `file`, which is where its relative paths resolve, with
// further `overrides` (a worker's store path and threads).
Experiment load_recorded(const std::string& text, const std::filesystem::path& file,
                         const std::vector<std::string>& overrides = {});

// The value an override's right-hand side stands for: TOML, or a bare string.
Value parse_value(const std::string& text);

// The experiment one trial runs: `base` with the trial's parameters (dotted
// keys, as in the search space) set, validated again.
Experiment with_params(const Experiment& base, const Table& params);

}  // namespace bertlab::experiment
