#include "experiment/experiment.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "data/squad.hpp"
#include "store/location.hpp"
#include "store/store.hpp"
#include "store/trial_model.hpp"
#include "train/device.hpp"
#include "train/precision.hpp"

namespace bertlab::experiment {

namespace fs = std::filesystem;

namespace {

// Reads one table of the document, remembering which keys were used so that
// the rest can be reported as unknown, with the file and line of each.
class Section {
 public:
  Section(const toml::table* table, std::string path, const fs::path& file)
      : table_(table), path_(std::move(path)), file_(file) {}

  bool present() const { return table_ != nullptr; }

  [[noreturn]] void fail(const toml::node* node, const std::string& key, const std::string& message) const {
    std::string where = file_.string();
    if (node != nullptr && node->source().begin.line > 0) where += fmt::format(":{}", node->source().begin.line);
    throw ExperimentError(fmt::format("{}: key '{}': {}", where, dotted(key), message));
  }

  std::string dotted(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const toml::node* find(const std::string& key) {
    known_.insert(key);
    return table_ ? table_->get(key) : nullptr;
  }

  std::string string(const std::string& key, std::string fallback, std::initializer_list<const char*> allowed = {}) {
    const auto* node = find(key);
    if (!node) return fallback;
    auto value = node->value<std::string>();
    if (!node->is_string() || !value) fail(node, key, fmt::format("expected a string, got {}", type_of(*node)));
    if (allowed.size() != 0) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || *value == a;
      if (!ok) fail(node, key, fmt::format("expected one of {}, got '{}'", fmt::join(allowed, ", "), *value));
    }
    return *value;
  }

  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t low, std::int64_t high) {
    const auto* node = find(key);
    if (!node) return fallback;
    if (!node->is_integer()) fail(node, key, fmt::format("expected an integer, got {}", type_of(*node)));
    auto value = *node->value<std::int64_t>();
    if (value < low || value > high) fail(node, key, fmt::format("expected an integer in [{}, {}], got {}", low, high, value));
    return value;
  }

  double number(const std::string& key, double fallback, double low, double high) {
    const auto* node = find(key);
    if (!node) return fallback;
    if (!node->is_number()) fail(node, key, fmt::format("expected a number, got {}", type_of(*node)));
    auto value = *node->value<double>();
    if (!(value >= low && value <= high)) fail(node, key, fmt::format("expected a number in [{}, {}], got {}", low, high, value));
    return value;
  }

  bool boolean(const std::string& key, bool fallback) {
    const auto* node = find(key);
    if (!node) return fallback;
    if (!node->is_boolean()) fail(node, key, fmt::format("expected true or false, got {}", type_of(*node)));
    return *node->value<bool>();
  }

  fs::path path(const std::string& key, bool required) {
    const auto* node = find(key);
    if (!node) {
      if (required) fail(table_, key, "required but not given");
      return {};
    }
    auto text = string(key, "");
    if (text.empty()) return {};
    fs::path p(text);
    return p.is_absolute() ? p : (file_.parent_path() / p).lexically_normal();
  }

  Section table(const std::string& key) {
    const auto* node = find(key);
    if (node && !node->is_table()) fail(node, key, fmt::format("expected a table, got {}", type_of(*node)));
    return Section(node ? node->as_table() : nullptr, dotted(key), file_);
  }

  // Plugin options: any keys, converted to SDK values; the plugin validates them.
  Table options(const std::string& key);

  // Every key not read is a mistake: a typo would otherwise silently keep a default.
  void reject_unknown() const {
    if (!table_) return;
    for (const auto& [key, node] : *table_) {
      if (known_.count(std::string(key.str())) == 0) {
        fail(&node, std::string(key.str()),
             fmt::format("unknown key (known in [{}]: {})", path_.empty() ? "top level" : path_, fmt::join(known_, ", ")));
      }
    }
  }

  static const char* type_of(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string: return "a string";
      case toml::node_type::integer: return "an integer";
      case toml::node_type::floating_point: return "a float";
      case toml::node_type::boolean: return "a boolean";
      case toml::node_type::array: return "an array";
      case toml::node_type::table: return "a table";
      default: return "a date or time";
    }
  }

  const toml::table* raw() const { return table_; }
  const fs::path& file() const { return file_; }

 private:
  const toml::table* table_;
  std::string path_;
  const fs::path& file_;
  std::set<std::string> known_;
};

Value to_value(const toml::node& node, const Section& where, const std::string& key) {
  if (auto v = node.value_exact<std::string>()) return Value(*v);
  if (auto v = node.value_exact<std::int64_t>()) return Value(*v);
  if (auto v = node.value_exact<double>()) return Value(*v);
  if (auto v = node.value_exact<bool>()) return Value(*v);
  if (const auto* array = node.as_array()) {
    Array out;
    for (const auto& item : *array) out.push_back(to_value(item, where, key));
    return Value(std::move(out));
  }
  if (const auto* table = node.as_table()) {
    Table out;
    for (const auto& [k, item] : *table) out.emplace(std::string(k.str()), to_value(item, where, key + "." + std::string(k.str())));
    return Value(std::move(out));
  }
  where.fail(&node, key, "dates and times are not supported here");
}

Table Section::options(const std::string& key) {
  const auto* node = find(key);
  if (!node) return {};
  if (!node->is_table()) fail(node, key, fmt::format("expected a table, got {}", type_of(*node)));
  return to_value(*node, *this, key).as_table();
}

PluginRef plugin_ref(Section& section, const std::string& default_plugin) {
  PluginRef ref;
  ref.plugin = section.string("plugin", default_plugin);
  if (ref.plugin.empty()) section.fail(section.raw(), "plugin", "must name a plugin");
  ref.options = section.options("options");
  return ref;
}

Distribution parse_distribution(const toml::node& node, Section& space, const std::string& name) {
  if (!node.is_table()) space.fail(&node, name, "expected a table such as { type = \"log_uniform\", low = 1e-5, high = 1e-4 }");
  Section spec(node.as_table(), space.dotted(name), space.file());
  Distribution d;
  const auto type = spec.string("type", "", {"uniform", "log_uniform", "int", "choice"});
  if (type.empty()) spec.fail(&node, "type", "required: uniform, log_uniform, int or choice");
  if (type == "choice") {
    d.kind = Distribution::Kind::categorical;
    const auto* values = spec.find("values");
    if (!values || !values->is_array() || values->as_array()->empty())
      spec.fail(values ? values : &node, "values", "a choice needs a non-empty array of values");
    d.choices = to_value(*values, spec, "values").as_array();
  } else {
    d.kind = type == "uniform" ? Distribution::Kind::uniform
             : type == "log_uniform" ? Distribution::Kind::log_uniform
                                     : Distribution::Kind::int_uniform;
    if (!spec.find("low") || !spec.find("high")) spec.fail(&node, "low", "a range needs low and high");
    const double limit = 1e300;
    d.low = spec.number("low", 0, -limit, limit);
    d.high = spec.number("high", 0, d.low, limit);
    if (d.kind == Distribution::Kind::int_uniform) {
      if (!spec.find("low")->is_integer() || !spec.find("high")->is_integer())
        spec.fail(&node, "low", "an int range needs integer low and high");
      d.step = static_cast<double>(spec.integer("step", 1, 1, INT64_MAX));
      d.log = spec.boolean("log", false);
    } else {
      d.step = spec.number("step", 0, 0, limit);
    }
    if ((d.kind == Distribution::Kind::log_uniform || d.log) && !(d.low > 0))
      spec.fail(&node, "low", "a log range needs low > 0");
    d.grid_steps = spec.integer("steps", 0, 0, 100'000);
  }
  spec.reject_unknown();
  return d;
}

// `augment.<plugin>.<option>` (a search parameter or a --set) sets an option of
// the [[augment.plugins]] entry with that plugin; false for any other key.
bool set_augment_option(toml::table& root, const std::string& dotted, toml::node&& value, const std::string& what) {
  constexpr std::string_view prefix = "augment.";
  if (dotted.rfind(prefix, 0) != 0) return false;
  const std::string rest = dotted.substr(prefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string::npos || rest.substr(0, dot) == "plugins") return false;
  const std::string plugin = rest.substr(0, dot), option = rest.substr(dot + 1);
  if (option.empty() || option.find('.') != std::string::npos)
    throw ExperimentError(fmt::format("{}: '{}': expected augment.<plugin>.<option>", what, dotted));
  toml::table* found = nullptr;
  if (auto* augment = root.get_as<toml::table>("augment")) {
    if (auto* entries = augment->get_as<toml::array>("plugins")) {
      for (auto& item : *entries) {
        auto* entry = item.as_table();
        const auto* name = entry ? entry->get_as<std::string>("plugin") : nullptr;
        if (!name || name->get() != plugin) continue;
        if (found)
          throw ExperimentError(fmt::format("{}: '{}' is ambiguous: several [[augment.plugins]] entries have plugin = \"{}\"",
                                            what, dotted, plugin));
        found = entry;
      }
    }
  }
  if (!found)
    throw ExperimentError(fmt::format("{}: '{}': no [[augment.plugins]] entry has plugin = \"{}\"", what, dotted, plugin));
  auto* options = found->get("options");
  if (!options) options = &found->insert_or_assign("options", toml::table{}).first->second;
  if (!options->is_table())
    throw ExperimentError(fmt::format("{}: '{}': the entry's options are not a table", what, dotted));
  options->as_table()->insert_or_assign(option, std::move(value));
  return true;
}

// Sets `dotted` ("train.learning_rate") in `root` to `value`, creating tables;
// augment.<plugin>.<option> sets that augmentation entry's option.
void set_dotted(toml::table& root, const std::string& dotted, toml::node&& value, const std::string& what) {
  if (set_augment_option(root, dotted, std::move(value), what)) return;
  toml::table* table = &root;
  std::string_view rest = dotted;
  while (true) {
    auto dot = rest.find('.');
    std::string key(rest.substr(0, dot));
    if (key.empty()) throw ExperimentError(fmt::format("{}: '{}' is not a dotted key", what, dotted));
    if (dot == std::string_view::npos) {
      table->insert_or_assign(key, std::move(value));
      return;
    }
    auto* next = table->get(key);
    if (!next) next = &table->insert_or_assign(key, toml::table{}).first->second;
    if (!next->is_table())
      throw ExperimentError(fmt::format("{}: '{}' is not a table, cannot set '{}'", what, key, dotted));
    table = next->as_table();
    rest = rest.substr(dot + 1);
  }
}

void apply_override(toml::table& root, const std::string& assignment) {
  const auto what = fmt::format("--set {}", assignment);
  auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) throw ExperimentError(what + ": expected key=value");
  const std::string key = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  // The value is TOML (3e-5, true, [16, 32], "x"); anything else is a bare string.
  try {
    toml::table parsed = toml::parse("value = " + text);
    set_dotted(root, key, std::move(*parsed.get("value")), what);
  } catch (const toml::parse_error&) {
    set_dotted(root, key, toml::value<std::string>(text), what);
  }
}

void set_value(toml::table& root, const std::string& key, const Value& value) {
  const auto what = fmt::format("search parameter '{}'", key);
  switch (value.type()) {
    case Value::Type::boolean: set_dotted(root, key, toml::value<bool>(value.as_bool()), what); return;
    case Value::Type::integer: set_dotted(root, key, toml::value<std::int64_t>(value.as_int()), what); return;
    case Value::Type::real: set_dotted(root, key, toml::value<double>(value.as_double()), what); return;
    case Value::Type::string: set_dotted(root, key, toml::value<std::string>(value.as_string()), what); return;
    default: throw ExperimentError(what + ": only scalar values can be searched");
  }
}

// [model] from_trial: the trial's saved model, looked up in the experiment's
// store (read only) each time the experiment is read.
// [distill] teacher likewise.
fs::path resolve_from_trial(const Experiment& e, const std::string& ref, const char* key, const toml::node* node) {
  std::string where = e.file.string();
  if (node != nullptr && node->source().begin.line > 0) where += fmt::format(":{}", node->source().begin.line);
  const auto [study, number] = *store::split_trial_ref(ref);
  if (!store::store_exists(e.store.string()))
    throw ExperimentError(fmt::format("{}: key '{}': the store {} does not exist", where, key, e.store.string()));
  try {
    auto trials = store::open_store(e.store.string(), /*read_only=*/true);
    auto dir = store::trial_model_dir(*trials, study, number);
    if (!fs::is_directory(dir))
      throw store::TrialModelError(fmt::format("trial {} saved its model in {}, which no longer exists", ref, dir.string()));
    return dir;
  } catch (const std::runtime_error& error) {
    throw ExperimentError(fmt::format("{}: key '{}': {}", where, key, error.what()));
  }
}

Experiment parse(const toml::table& root, const fs::path& file) {
  Experiment e;
  e.file = file;
  {
    std::ostringstream text;
    text << root;
    e.text = text.str();
  }
  Section top(&root, "", e.file);

  auto study = top.table("study");
  e.study_name = study.string("name", file.stem().string());
  if (e.study_name.empty()) study.fail(nullptr, "name", "must not be empty");
  if (const auto* paths = study.find("plugin_paths")) {
    if (!paths->is_array()) study.fail(paths, "plugin_paths", "expected an array of directories");
    for (const auto& item : *paths->as_array()) {
      auto p = item.value<std::string>();
      if (!p) study.fail(&item, "plugin_paths", "expected an array of strings");
      fs::path path(*p);
      e.plugin_paths.push_back(path.is_absolute() ? path : (file.parent_path() / path).lexically_normal());
    }
  }
  study.reject_unknown();

  auto model = top.table("model");
  e.model_config = model.options("config");
  e.model_vocab = model.path("vocab", false);
  const toml::node* from_trial_node = model.find("from_trial");
  if (from_trial_node != nullptr) {
    e.model_from_trial = model.string("from_trial", "");
    if (model.find("path")) model.fail(from_trial_node, "from_trial", "give one of [model] path and from_trial, not both");
    if (!store::split_trial_ref(e.model_from_trial))
      model.fail(from_trial_node, "from_trial", fmt::format("expected \"STUDY/NUMBER\", got '{}'", e.model_from_trial));
  } else if (e.model_config.empty()) {
    if (!model.find("path"))
      model.fail(model.raw(), "path", "required but not given (or from_trial = \"STUDY/NUMBER\", or config + vocab for a model from scratch)");
    e.model_dir = model.path("path", /*required=*/true);
  }
  if (!e.model_config.empty()) {
    if (model.find("path") || from_trial_node)
      model.fail(model.find("config"), "config", "give either a checkpoint (path or from_trial) or config (a model from scratch), not both");
    if (e.model_vocab.empty()) model.fail(model.find("config"), "vocab", "a model from scratch needs its vocab.txt");
  } else if (!e.model_vocab.empty()) {
    model.fail(model.find("vocab"), "vocab", "only for a model from scratch ([model] config); a checkpoint brings its own");
  }
  model.reject_unknown();

  auto tokenizer = top.table("tokenizer");
  e.tokenizer = plugin_ref(tokenizer, "wordpiece");
  e.max_length = tokenizer.integer("max_length", 128, 8, 1 << 20);
  tokenizer.reject_unknown();

  auto data = top.table("data");
  if (!data.present()) top.fail(nullptr, "data", "required: the [data] section names the training data");
  e.data.format = data.string("format", "tsv", {"csv", "tsv", "jsonl", "squad", "conll", "chars", "text"});
  e.data.train = data.path("train", true);
  e.data.eval = data.path("eval", false);
  e.data.test = data.path("test", false);
  e.data.text_column = data.string("text_column", "sentence");
  e.data.text_pair_column = data.string("text_pair_column", "");
  e.data.label_column = data.string("label_column", "label");
  e.data.tag_column = data.integer("tag_column", -1, -1, 1000);
  e.data.tag_scheme = data.string("tag_scheme", "auto", {"auto", "iob1", "bio", "iob2", "bioes", "iobes", "bmes"});
  if (const auto* labels = data.find("labels")) {
    if (!labels->is_array()) data.fail(labels, "labels", "expected an array of label strings");
    for (const auto& item : *labels->as_array()) {
      auto label = item.value<std::string>();
      if (!label) data.fail(&item, "labels", "expected an array of strings");
      e.data.labels.push_back(*label);
    }
  }
  e.data.train_limit = data.integer("train_limit", 0, 0, INT64_MAX);
  e.data.eval_limit = data.integer("eval_limit", 0, 0, INT64_MAX);
  for (auto [key, target] : {std::pair{"train_articles", &e.data.train_articles},
                             std::pair{"eval_articles", &e.data.eval_articles},
                             std::pair{"test_articles", &e.data.test_articles}}) {
    *target = data.string(key, "");
    if (target->empty()) continue;
    const auto* node = data.find(key);
    if (e.data.format != "squad") data.fail(node, key, "only for data.format = \"squad\"");
    std::string message;
    if (!data::parse_article_range(*target, message)) data.fail(node, key, message);
  }
  data.reject_unknown();

  auto head = top.table("head");
  e.head = plugin_ref(head, "sequence-classification");
  head.reject_unknown();

  auto train = top.table("train");
  auto& t = e.train;
  t.epochs = train.number("epochs", t.epochs, 0, 1e6);
  t.max_steps = train.integer("max_steps", t.max_steps, 0, INT64_MAX);
  if (t.epochs == 0 && t.max_steps == 0) train.fail(nullptr, "epochs", "either epochs or max_steps must be positive");
  t.batch_size = train.integer("batch_size", t.batch_size, 1, 1 << 20);
  t.learning_rate = train.number("learning_rate", t.learning_rate, 1e-12, 10);
  t.warmup_ratio = train.number("warmup_ratio", t.warmup_ratio, 0, 1);
  t.weight_decay = train.number("weight_decay", t.weight_decay, 0, 10);
  t.max_grad_norm = train.number("max_grad_norm", t.max_grad_norm, 0, 1e9);
  t.gradient_accumulation = train.integer("gradient_accumulation", t.gradient_accumulation, 1, 1 << 20);
  t.seed = train.integer("seed", t.seed, 0, INT64_MAX);
  t.precision = train.string("precision", t.precision, {"fp32", "bf16", "fp16", "auto"});
  t.device = train.string("device", t.device);
  if (!train::valid_device_setting(t.device))
    train.fail(train.find("device"), "device", fmt::format("expected {}, got '{}'", train::kDeviceSettings, t.device));
  if (t.precision == "fp16" && t.device == "cpu")
    train.fail(train.find("precision"), "precision", train::kFp16NeedsGpu);
  if (const auto* every = train.find("eval_every")) {
    if (every->is_string()) {
      if (*every->value<std::string>() != "epoch") train.fail(every, "eval_every", "expected \"epoch\" or a number of steps");
    } else {
      t.eval_every = train.integer("eval_every", 0, 1, INT64_MAX);
    }
  }
  t.early_stopping_patience = train.integer("early_stopping_patience", 0, 0, 1 << 20);
  t.threads = train.integer("threads", 0, 0, 1024);
  t.group_by_length = train.boolean("group_by_length", t.group_by_length);
  t.freeze_embeddings = train.boolean("freeze_embeddings", t.freeze_embeddings);
  t.freeze_layers = train.integer("freeze_layers", t.freeze_layers, 0, 1 << 20);  // <= the model's layers: checked on loading it
  if (const auto* decay = train.find("layer_lr_decay"); decay && decay->is_number() && !(*decay->value<double>() > 0))
    train.fail(decay, "layer_lr_decay", fmt::format("expected a number in (0, 1], got {}", *decay->value<double>()));
  t.layer_lr_decay = train.number("layer_lr_decay", t.layer_lr_decay, 0, 1);
  t.sparsity = train.number("sparsity", t.sparsity, 0, 0.999);
  t.sparsity_scope = train.string("sparsity_scope", t.sparsity_scope, {"global", "layer"});
  t.sparsity_begin = train.number("sparsity_begin", t.sparsity_begin, 0, 1);
  t.sparsity_end = train.number("sparsity_end", t.sparsity_end, 0, 1);
  if (t.sparsity_end <= t.sparsity_begin)
    train.fail(train.find("sparsity_end"), "sparsity_end",
               fmt::format("must be after sparsity_begin ({}), got {}", t.sparsity_begin, t.sparsity_end));
  t.sparsity_every = train.integer("sparsity_every", t.sparsity_every, 1, INT64_MAX);
  train.reject_unknown();

  const toml::node* teacher_node = nullptr;
  if (top.find("distill")) {
    auto distill = top.table("distill");
    DistillSection d;
    teacher_node = distill.find("teacher");
    if (teacher_node) {
      d.teacher = distill.string("teacher", "");
      if (!store::split_trial_ref(d.teacher))
        distill.fail(teacher_node, "teacher", fmt::format("expected \"STUDY/NUMBER\", got '{}'", d.teacher));
      if (distill.find("teacher_path")) distill.fail(teacher_node, "teacher", "give one of teacher and teacher_path, not both");
    } else {
      if (!distill.find("teacher_path"))
        distill.fail(distill.raw(), "teacher", "required: the trial (\"STUDY/NUMBER\") or teacher_path whose model teaches");
      d.teacher_dir = distill.path("teacher_path", true);
    }
    d.alpha = distill.number("alpha", d.alpha, 0, 1);
    d.temperature = distill.number("temperature", d.temperature, 0.01, 1000);
    d.student_layers = distill.integer("student_layers", d.student_layers, 0, 1 << 20);  // <= the model's: checked on loading it
    d.hidden_weight = distill.number("hidden_weight", d.hidden_weight, 0, 1e6);
    distill.reject_unknown();
    if (top.find("pretrain")) distill.fail(distill.raw(), "teacher", "distillation is for fine-tuning; a [pretrain] study cannot have a teacher");
    e.distill = d;
  }

  auto augment = top.table("augment");
  if (const auto* plugins = augment.find("plugins")) {
    if (!plugins->is_array_of_tables() && !(plugins->is_array() && plugins->as_array()->empty()))
      augment.fail(plugins, "plugins", "expected [[augment.plugins]] tables with a plugin key");
    for (const auto& item : *plugins->as_array()) {
      Section entry(item.as_table(), "augment.plugins", file);
      e.augment.push_back(plugin_ref(entry, ""));
      entry.reject_unknown();
    }
  }
  augment.reject_unknown();

  if (top.find("pretrain")) {
    auto pretrain = top.table("pretrain");
    PretrainSection p;
    p.next_sentence = pretrain.boolean("next_sentence", p.next_sentence);
    p.mask_probability = pretrain.number("mask_probability", p.mask_probability, 0.001, 1);
    p.mask_token_ratio = pretrain.number("mask_token_ratio", p.mask_token_ratio, 0, 1);
    p.random_token_ratio = pretrain.number("random_token_ratio", p.random_token_ratio, 0, 1);
    if (p.mask_token_ratio + p.random_token_ratio > 1 + 1e-12)
      pretrain.fail(pretrain.find("random_token_ratio"), "random_token_ratio", "mask_token_ratio + random_token_ratio must be at most 1");
    p.max_predictions = pretrain.integer("max_predictions", p.max_predictions, 0, 1 << 20);
    p.whole_word_masking = pretrain.boolean("whole_word_masking", p.whole_word_masking);
    p.word_list = pretrain.path("word_list", false);
    if (!p.word_list.empty() && !p.whole_word_masking)
      pretrain.fail(pretrain.find("word_list"), "word_list", "only used with whole_word_masking = true");
    p.short_seq_probability = pretrain.number("short_seq_probability", p.short_seq_probability, 0, 1);
    p.eval_fraction = pretrain.number("eval_fraction", p.eval_fraction, 0, 0.9);
    pretrain.reject_unknown();
    e.pretrain = p;
    if (!std::set<std::string>{"text", "csv", "tsv", "jsonl", "squad"}.count(e.data.format))
      data.fail(data.find("format"), "format", "a pretraining corpus is text, csv, tsv, jsonl or squad (its contexts)");
  } else if (e.data.format == "text") {
    data.fail(data.find("format"), "format", "text corpora are for pretraining (a [pretrain] section); task data is csv, tsv, jsonl, squad, conll or chars");
  } else if (!e.model_config.empty()) {
    model.fail(model.find("config"), "config", "a model from scratch can only be pretrained: add a [pretrain] section");
  }

  auto search = top.table("search");
  {
    auto searcher = search.table("searcher");
    e.search.searcher = plugin_ref(searcher, "random");
    searcher.reject_unknown();
  }
  e.search.trials = search.integer("trials", 1, 1, 1'000'000);
  // Pretraining studies minimize the held-out MLM loss unless told otherwise.
  e.search.metric = search.string("metric", e.pretrain ? "mlm_loss" : "");
  e.search.direction = search.string("direction", e.pretrain ? "minimize" : "maximize", {"maximize", "minimize"}) == "maximize"
                           ? Direction::maximize
                           : Direction::minimize;
  if (search.find("pruner")) {
    auto pruner = search.table("pruner");
    e.search.pruner = plugin_ref(pruner, "");
    pruner.reject_unknown();
  }
  if (const auto* warm = search.find("warm_start")) {
    if (auto similar = warm->value_exact<std::string>(); similar && *similar == "similar") {
      e.search.warm_start_similar = true;
    } else if (const auto* names = warm->as_array()) {
      for (const auto& item : *names) {
        auto name = item.value_exact<std::string>();
        if (!name || name->empty()) search.fail(&item, "warm_start", "expected study names (strings)");
        e.search.warm_start.push_back(*name);
      }
    } else {
      search.fail(warm, "warm_start", "expected \"similar\" or an array of study names");
    }
  }
  e.search.heartbeat_timeout = search.number("heartbeat_timeout", e.search.heartbeat_timeout, 0.5, 86'400.0);
  e.search.retry_failed = search.boolean("retry_failed", false);
  auto space = search.table("space");
  if (space.present()) {
    for (const auto& [key, node] : *space.raw()) {
      const std::string name(key.str());
      space.find(name);
      // A searched key must be one the experiment accepts: check by setting it.
      e.search.space.params.emplace_back(name, parse_distribution(node, space, name));
    }
  }
  search.reject_unknown();

  auto store = top.table("store");
  // A server URL is the same from every folder; a file path is the TOML file's folder's.
  const std::string store_location = store.string("path", "");
  e.store = store::is_server_location(store_location) ? fs::path(store_location) : store.path("path", false);
  if (e.store.empty()) e.store = "bertlab.db";
  store.reject_unknown();
  if (!e.model_from_trial.empty()) e.model_dir = resolve_from_trial(e, e.model_from_trial, "model.from_trial", from_trial_node);
  if (e.distill && !e.distill->teacher.empty())
    e.distill->teacher_dir = resolve_from_trial(e, e.distill->teacher, "distill.teacher", teacher_node);

  top.reject_unknown();
  return e;
}

toml::table parse_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ExperimentError(fmt::format("{}: cannot open the experiment file", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return toml::parse(text.str(), file.string());
  } catch (const toml::parse_error& error) {
    throw ExperimentError(fmt::format("{}:{}:{}: not valid TOML: {}", file.string(), error.source().begin.line,
                                      error.source().begin.column, error.description()));
  }
}

// Each searched parameter must name a key the experiment accepts with a
// value of its distribution: try the space's first value of each.
void check_space(const Experiment& e) {
  Table probe;
  for (const auto& [name, d] : e.search.space.params) {
    if (d.kind == Distribution::Kind::categorical) {
      probe.emplace(name, d.choices.front());
    } else if (d.kind == Distribution::Kind::int_uniform) {
      probe.emplace(name, static_cast<std::int64_t>(d.low));
    } else {
      probe.emplace(name, d.low);
    }
  }
  if (probe.empty()) return;
  try {
    with_params(e, probe);
  } catch (const ExperimentError& error) {
    throw ExperimentError(fmt::format("{}: [search.space] does not fit the experiment: {}", e.file.string(), error.what()));
  }
}

}  // namespace

Experiment load(const fs::path& file, const std::vector<std::string>& overrides) {
  auto root = parse_file(file);
  for (const auto& assignment : overrides) apply_override(root, assignment);
  auto e = parse(root, file);
  check_space(e);
  return e;
}

Value parse_value(const std::string& text) {
  try {
    toml::table parsed = toml::parse("value = " + text);
    const auto* node = parsed.get("value");
    if (auto v = node->value_exact<std::int64_t>()) return Value(*v);
    if (auto v = node->value_exact<double>()) return Value(*v);
    if (auto v = node->value_exact<bool>()) return Value(*v);
    if (auto v = node->value_exact<std::string>()) return Value(*v);
  } catch (const toml::parse_error&) {
  }
  return Value(text);
}

Experiment load_recorded(const std::string& text, const fs::path& file, const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    throw ExperimentError(fmt::format("{}:{}:{}: the study's recorded experiment is not valid TOML: {}", file.string(),
                                      error.source().begin.line, error.source().begin.column, error.description()));
  }
  for (const auto& assignment : overrides) apply_override(root, assignment);
  auto e = parse(root, file);
  check_space(e);
  return e;
}

Experiment with_params(const Experiment& base, const Table& params) {
  toml::table root = toml::parse(base.text, base.file.string());
  for (const auto& [key, value] : params) set_value(root, key, value);
  return parse(root, base.file);
}

}  // namespace bertlab::experiment
