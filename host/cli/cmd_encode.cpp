// `bertlab encode`: runs the encoder over a file of texts and writes the
// hidden states (feature extraction, sentence embeddings) to safetensors.
#include <algorithm>
#include <iostream>
#include <numeric>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>
#include <fmt/format.h>

#include "bertlab/tokenizer.hpp"
#include "checkpoint/hf_model.hpp"
#include "checkpoint/safetensors.hpp"
#include "checkpoint/tokenizer_files.hpp"
#include "cli/commands.hpp"
#include "cli/input_lines.hpp"
#include "cli/progress.hpp"
#include "model/input_batch.hpp"
#include "plugin/plugin_host.hpp"

namespace bertlab::cli {

namespace {

struct EncodeArgs {
  std::string model_dir;
  std::string input;
  std::string output;
  bool pairs = false;
  std::int64_t max_length = 512;
  std::int64_t batch_size = 32;
  std::string dtype = "fp32";
  std::string pooling;
  bool normalize = false;
  int threads = 0;
};

void encode(const EncodeArgs& args) {
  if (args.normalize && args.pooling.empty()) throw ExitError(kExitUsage, "--normalize needs --pooling cls|mean");
  if (args.threads > 0) at::set_num_threads(args.threads);

  auto loaded = checkpoint::load_model(args.model_dir);
  if (auto unused = checkpoint::describe_unused(loaded); !unused.empty()) std::cerr << "bertlab: note: " << unused << '\n';
  auto& bert = loaded.model;
  bert->eval();
  const auto compute_dtype = args.dtype == "bf16" ? at::kBFloat16 : at::kFloat;
  bert->to(compute_dtype);

  plugin::PluginHost host;
  host.load_defaults();
  auto tokenizer = host.create<Tokenizer>("wordpiece", Options(checkpoint::tokenizer_options(args.model_dir)));

  const auto lines = read_text_lines(args.input, args.pairs);
  EncodeOptions options;
  options.max_length = std::min(args.max_length, bert->config().max_position_embeddings);
  if (args.max_length == 0) options.max_length = bert->config().max_position_embeddings;
  std::vector<TextInput> inputs;
  inputs.reserve(lines.size());
  for (const auto& line : lines) inputs.push_back({line.text, line.text_pair, args.pairs, {}});
  const auto encodings = tokenizer->encode_batch(inputs, options);

  const auto count = static_cast<std::int64_t>(encodings.size());
  const auto hidden = bert->config().hidden_size;
  std::int64_t longest = 0;
  for (const auto& e : encodings) longest = std::max(longest, static_cast<std::int64_t>(e.size()));
  auto last_hidden_state = at::zeros({count, longest, hidden}, at::kFloat);
  auto pooler_output = at::zeros({count, hidden}, at::kFloat);
  auto attention_mask = at::zeros({count, longest}, at::kLong);
  at::Tensor sentence_embedding;
  if (!args.pooling.empty()) sentence_embedding = at::zeros({count, hidden}, at::kFloat);

  // Batches of similar lengths pad little; rows go back to file order below.
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](auto a, auto b) { return encodings[a].size() < encodings[b].size(); });

  const auto pad_id = tokenizer->special_tokens().pad_id;
  Progress progress("encode", count);
  c10::InferenceMode inference;
  for (std::int64_t start = 0; start < count; start += args.batch_size) {
    const auto end = std::min(count, start + args.batch_size);
    std::vector<const Encoding*> batch;
    for (auto i = start; i < end; ++i) batch.push_back(&encodings[order[i]]);
    auto inputs_batch = model::make_input_batch(batch, pad_id);
    auto out = bert(inputs_batch.input_ids, inputs_batch.token_type_ids, inputs_batch.attention_mask);
    auto states = out.last_hidden_state.to(at::kFloat);
    auto pooled = out.pooler_output.to(at::kFloat);
    auto mask = inputs_batch.attention_mask;
    at::Tensor embedding;
    if (args.pooling == "cls") embedding = states.select(1, 0);
    if (args.pooling == "mean") {
      // Mean over real tokens only, as sentence-transformers pools.
      auto weights = mask.unsqueeze(-1).to(at::kFloat);
      embedding = (states * weights).sum(1) / weights.sum(1).clamp_min(1e-9);
    }
    if (args.normalize) embedding = embedding / embedding.norm(2, -1, true).clamp_min(1e-12);
    const auto seq = states.size(1);
    auto rows = at::tensor(std::vector<std::int64_t>(order.begin() + start, order.begin() + end));
    // Padding positions carry whatever the encoder computed there; users get zeros.
    last_hidden_state.narrow(1, 0, seq).index_copy_(0, rows, states * mask.unsqueeze(-1).to(at::kFloat));
    pooler_output.index_copy_(0, rows, pooled);
    attention_mask.narrow(1, 0, seq).index_copy_(0, rows, mask);
    if (embedding.defined()) sentence_embedding.index_copy_(0, rows, embedding);
    progress.advance(end - start);
  }
  progress.finish();

  std::map<std::string, at::Tensor> tensors{{"last_hidden_state", last_hidden_state},
                                            {"pooler_output", pooler_output},
                                            {"attention_mask", attention_mask}};
  if (sentence_embedding.defined()) tensors.emplace("sentence_embedding", sentence_embedding);
  checkpoint::write_safetensors(args.output, tensors,
                                {{"model", args.model_dir}, {"dtype", args.dtype}, {"input", args.input}});
  std::cerr << fmt::format("bertlab: encoded {} inputs (longest {} tokens) into {}\n", count, longest, args.output);
}

}  // namespace

void add_encode_command(CLI::App& app) {
  auto args = std::make_shared<EncodeArgs>();
  auto* command = app.add_subcommand("encode", "Run the encoder over texts and write hidden states (safetensors)");
  command->add_option("--model", args->model_dir, "Hugging Face model directory")->required()->check(CLI::ExistingDirectory);
  command->add_option("--input", args->input, "Text file: one text per line (or A<TAB>B with --pairs)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_flag("--pairs", args->pairs, "Each line is a pair A<TAB>B");
  command->add_option("--max-length", args->max_length, "Truncate to N tokens (0: the model's maximum)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--batch-size", args->batch_size, "Inputs per forward pass")->check(CLI::PositiveNumber);
  command->add_option("--output", args->output, "Output .safetensors file")->required();
  command->add_option("--dtype", args->dtype, "Compute precision")->check(CLI::IsMember({"fp32", "bf16"}));
  command->add_option("--pooling", args->pooling, "Also write sentence_embedding [N, H]")
      ->check(CLI::IsMember({"cls", "mean"}));
  command->add_flag("--normalize", args->normalize, "Scale sentence_embedding to unit length");
  command->add_option("--threads", args->threads, "Intra-op threads (default: LibTorch's)")->check(CLI::PositiveNumber);
  command->callback([args] { encode(*args); });
}

}  // namespace bertlab::cli
