#include "train/saved_model.hpp"

#include "checkpoint/tokenizer_files.hpp"
#include "train/precision.hpp"

namespace bertlab::train {

data::Columns SavedModel::columns() const {
  return {.format = task.data.format,
          .text = task.data.text_column,
          .text_pair = task.data.text_pair_column,
          .label = task.data.label_column,
          .tag_column = task.data.tag_column,
          .tag_scheme = task.data.tag_scheme};
}

bool SavedModel::bf16() const { return use_bf16(task.precision); }

void attach_head(Head& head, model::BertModel& bert, const std::vector<std::string>& labels,
                 const std::map<std::string, torch::Tensor>& tensors) {
  HeadContext context;
  context.encoder = model::encoder_info(bert->config());
  context.encoder.word_embeddings = bert->embeddings->word_embeddings->weight;
  context.labels = labels;
  head.build(context);
  head.load_state_dict(tensors);
}

SavedModel open_saved_model(const std::filesystem::path& dir, bool with_tokenizer) {
  SavedModel saved;
  saved.dir = dir;
  saved.task = experiment::read_saved_task(dir);
  saved.host = std::make_shared<plugin::PluginHost>();
  for (const auto& plugin_dir : saved.task.plugin_paths) saved.host->load_from(plugin_dir, /*required=*/true);
  saved.host->load_defaults();
  if (with_tokenizer) {
    Table tokenizer_options = checkpoint::tokenizer_options(dir);
    for (const auto& [key, value] : saved.task.tokenizer.options) tokenizer_options.insert_or_assign(key, value);
    saved.tokenizer =
        saved.host->create<Tokenizer>(saved.task.tokenizer.plugin, Options(tokenizer_options, "tokenizer.options"));
  }
  saved.head = saved.host->create<Head>(saved.task.head.plugin, Options(saved.task.head.options, "head.options"));
  saved.loaded = checkpoint::load_model(dir);
  attach_head(*saved.head, saved.loaded.model, saved.task.labels, saved.loaded.other_tensors);
  // A model stored in bf16 runs in bf16 (weights too), not cast per call.
  if (saved.bf16() && saved.loaded.stored_dtype == torch::kBFloat16) saved.loaded.model->to(torch::kBFloat16);
  return saved;
}

}  // namespace bertlab::train
