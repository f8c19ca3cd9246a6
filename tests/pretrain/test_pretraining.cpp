// MLM + NSP pretraining: the loss equals transformers' BertForPreTraining on
// the same weights and batch, checkpoints move both ways, and `bertlab
// pretrain` trains (from scratch and continued) and records the run.
#include <ATen/ATen.h>
#include <torch/types.h>

#include "checkpoint/hf_model.hpp"
#include "pretrain/pretraining_heads.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "run_python.hpp"
#include "support.hpp"

using namespace bertlab;
using nlohmann::json;

namespace {

model::BertConfig tiny_config() {
  model::BertConfig config;
  config.vocab_size = 1000;
  config.hidden_size = 128;
  config.num_hidden_layers = 2;
  config.num_attention_heads = 2;
  config.intermediate_size = 512;
  config.max_position_embeddings = 64;
  return config;
}

json tensor_json(const torch::Tensor& t) {
  auto flat = t.contiguous().to(torch::kLong);
  std::vector<std::int64_t> values(flat.data_ptr<std::int64_t>(), flat.data_ptr<std::int64_t>() + flat.numel());
  return {{"shape", t.sizes().vec()}, {"values", values}};
}

constexpr const char* kReferenceScript = R"(
import json, sys, torch
from transformers import BertForPreTraining
model, info = BertForPreTraining.from_pretrained(sys.argv[1], output_loading_info=True)
model.eval()
batch = json.load(open(sys.argv[2]))
t = lambda k: torch.tensor(batch[k]["values"]).reshape(batch[k]["shape"])
with torch.no_grad():
    out = model(input_ids=t("input_ids"), token_type_ids=t("token_type_ids"), attention_mask=t("attention_mask"),
                labels=t("mlm_labels"), next_sentence_label=t("nsp_labels"))
    vocab = model.config.vocab_size
    mlm = torch.nn.functional.cross_entropy(out.prediction_logits.reshape(-1, vocab), t("mlm_labels").reshape(-1))
    nsp = torch.nn.functional.cross_entropy(out.seq_relationship_logits, t("nsp_labels"))
tied = model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()
print(json.dumps({"loss": out.loss.item(), "mlm": mlm.item(), "nsp": nsp.item(), "missing": sorted(info["missing_keys"]),
                  "unexpected": sorted(info["unexpected_keys"]), "tied": tied}))
)";

}  // namespace

TEST_CASE("pretraining loss equals transformers' BertForPreTraining on the same weights and masks") {
  test::ScratchDir dir;
  const auto config = tiny_config();
  model::BertModel bert(config);
  bert->init_weights(5);
  pretrain::BertPreTrainingHeads heads(config, bert->embeddings->word_embeddings->weight);
  heads->init_weights(config.initializer_range, 6);
  {
    // Non-zero biases, so that a bias saved or applied wrongly shows.
    torch::NoGradGuard no_grad;
    auto generator = at::make_generator<at::CPUGeneratorImpl>(7);
    heads->predictions->bias.normal_(0.0, 0.5, generator);
    heads->seq_relationship->bias.normal_(0.0, 0.5, generator);
  }
  checkpoint::SaveOptions save;
  save.head_tensors = heads->checkpoint_tensors();
  save.extra_config = {{"architectures", {"BertForPreTraining"}}};
  checkpoint::save_model(dir / "model", bert, save);

  auto generator = at::make_generator<at::CPUGeneratorImpl>(8);
  auto input_ids = torch::randint(5, config.vocab_size, {3, 16}, generator, torch::kLong);
  auto token_type_ids = torch::zeros({3, 16}, torch::kLong);
  token_type_ids.slice(1, 9).fill_(1);
  auto attention_mask = torch::ones({3, 16}, torch::kLong);
  attention_mask[2].slice(0, 11).fill_(0);
  auto mlm_labels = torch::full({3, 16}, -100, torch::kLong);
  for (auto [row, column] : {std::pair{0, 1}, {0, 5}, {0, 12}, {1, 3}, {1, 4}, {2, 2}, {2, 9}}) {
    mlm_labels[row][column] = input_ids[row][column].item<std::int64_t>();
    input_ids[row][column] = 4;  // a [MASK]-like id
  }
  auto nsp_labels = torch::tensor({0, 1, 1}, torch::kLong);
  std::ofstream(dir / "batch.json") << json{{"input_ids", tensor_json(input_ids)},
                                             {"token_type_ids", tensor_json(token_type_ids)},
                                             {"attention_mask", tensor_json(attention_mask)},
                                             {"mlm_labels", tensor_json(mlm_labels)},
                                             {"nsp_labels", tensor_json(nsp_labels)}}
                                               .dump();

  bert->eval();
  heads->eval();
  auto compute = [&](model::BertModel& m, pretrain::BertPreTrainingHeads& h) {
    torch::NoGradGuard no_grad;
    auto outputs = m->forward(input_ids, token_type_ids, attention_mask);
    return h->loss(outputs.last_hidden_state, outputs.pooler_output, mlm_labels, nsp_labels);
  };
  auto ours = compute(bert, heads);
  CHECK(ours.mlm_predictions == 7);
  CHECK(ours.nsp_predictions == 3);

  auto reference = test::run_python(kReferenceScript, {(dir / "model").string(), (dir / "batch.json").string()});
  INFO("reference: ", reference.dump());
  CHECK(reference["missing"].empty());
  CHECK(reference["unexpected"].empty());
  CHECK(reference["tied"] == true);
  CHECK(std::abs(ours.mlm_loss.item<double>() - reference["mlm"].get<double>()) < 1e-4);
  CHECK(std::abs(ours.nsp_loss.item<double>() - reference["nsp"].get<double>()) < 1e-4);
  CHECK(std::abs(ours.loss.item<double>() - reference["loss"].get<double>()) < 1e-4);

  // And back: the saved checkpoint loads into bertlab with its heads.
  auto loaded = checkpoint::load_model(dir / "model");
  pretrain::BertPreTrainingHeads loaded_heads(loaded.model->config(), loaded.model->embeddings->word_embeddings->weight);
  CHECK(loaded_heads->load_checkpoint_tensors(loaded.other_tensors) == heads->checkpoint_tensors().size());
  loaded.model->eval();
  loaded_heads->eval();
  CHECK(compute(loaded.model, loaded_heads).loss.item<double>() == doctest::Approx(ours.loss.item<double>()).epsilon(1e-6));
}

TEST_CASE("pretraining heads: a checkpoint without cls.* tensors is reported as such, a partial set is an error") {
  const auto config = tiny_config();
  model::BertModel bert(config);
  pretrain::BertPreTrainingHeads heads(config, bert->embeddings->word_embeddings->weight);
  CHECK(heads->load_checkpoint_tensors({{"classifier.weight", torch::zeros({2, 128})}}) == 0);
  CHECK_THROWS_WITH_AS(heads->load_checkpoint_tensors({{"cls.predictions.bias", torch::zeros({1000})}}),
                       doctest::Contains("lacks 'cls.predictions.transform.LayerNorm.bias'"), std::runtime_error);
}

namespace {

// A tiny BERT from scratch on SST-2 sentences (one document per row).
std::filesystem::path write_pretrain_experiment(const test::ScratchDir& dir, const std::string& extra = "") {
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "tiny.toml") << "[model]\nvocab = \"" << BERTLAB_MINILM_DIR << "/vocab.txt\"\n"
                                   << "[model.config]\nhidden_size = 128\nnum_hidden_layers = 2\n"
                                   << "num_attention_heads = 2\nintermediate_size = 512\nmax_position_embeddings = 64\n"
                                   << "[tokenizer]\nmax_length = 64\n"
                                   << "[data]\nformat = \"tsv\"\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                   << "train_limit = 3000\n"
                                   << "[pretrain]\nshort_seq_probability = 0.1\n"
                                   << "[train]\nmax_steps = 100\nbatch_size = 32\nlearning_rate = 1e-3\n"
                                   << "warmup_ratio = 0.1\neval_every = 10\nseed = 3\n"
                                   << extra;
  return dir / "tiny.toml";
}

std::map<std::string, std::map<std::int64_t, double>> curves(const json& trial) {
  std::map<std::string, std::map<std::int64_t, double>> out;
  for (const auto& v : trial["intermediate_values"]) out[v["name"]][v["step"]] = v["value"];
  return out;
}

}  // namespace

TEST_CASE("pretrain: 100 steps of a tiny BERT from scratch lower the MLM loss, recorded like a trial") {
  test::ScratchDir dir;
  const auto db = (dir / "h.db").string();
  auto result = test::run_bertlab({"pretrain", write_pretrain_experiment(dir).string(), "--store", db});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("pretraining from scratch: 2 layers, hidden 128") != std::string::npos);
  auto trials = json::parse(test::run_bertlab({"trials", "tiny", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 1);
  const auto& trial = trials[0];
  CHECK(trial["state"] == "COMPLETE");
  auto values = curves(trial);
  for (const char* name : {"train_loss", "eval_mlm_loss", "eval_mlm_accuracy", "eval_nsp_accuracy", "eval_perplexity"})
    CHECK(values[name].size() == 10);
  const double early = values["eval_mlm_loss"][10], late = values["eval_mlm_loss"][100];
  INFO("eval MLM loss at step 10: ", early, ", at step 100: ", late);
  CHECK(late < early - 1.0);
  CHECK(values["eval_perplexity"][100] == doctest::Approx(std::exp(late)));
  CHECK(trial["value"].get<double>() <= late + 1e-12);  // the best evaluation, minimized
  REQUIRE(trial["artifacts"].size() == 1);
  const std::filesystem::path model_dir = trial["artifacts"][0]["path"].get<std::string>();
  CHECK(std::filesystem::exists(model_dir / "model.safetensors"));
  CHECK(std::filesystem::exists(model_dir / "vocab.txt"));
  CHECK(std::filesystem::exists(model_dir / "tokenizer_config.json"));
  auto config = json::parse(test::read_file(model_dir / "config.json"));
  CHECK(config["architectures"][0] == "BertForPreTraining");
  CHECK(config["num_hidden_layers"] == 2);

  // Fine-tuning starts from the pretrained encoder: [model] from_trial.
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "finetune.toml") << "[model]\nfrom_trial = \"tiny/0\"\n[tokenizer]\nmax_length = 64\n"
                                       << "[data]\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                       << "eval = \"" << data << "/sst2/dev.tsv\"\ntrain_limit = 64\neval_limit = 32\n"
                                       << "[train]\nmax_steps = 2\nbatch_size = 16\n[store]\npath = \"" << db << "\"\n";
  auto finetune = test::run_bertlab({"run", (dir / "finetune.toml").string()});
  INFO(finetune.err);
  REQUIRE(finetune.exit_code == 0);
  CHECK(finetune.err.find("encoder carried over from " + model_dir.string() +
                          ", head initialised fresh (the checkpoint has no bertlab task head)") != std::string::npos);
  auto tuned = json::parse(test::run_bertlab({"trials", "finetune", "--store", db, "--json"}).out);
  REQUIRE(tuned.size() == 1);
  CHECK(tuned[0]["state"] == "COMPLETE");
}

TEST_CASE("pretrain: continued MLM-only pretraining of all-MiniLM-L6-v2, whose checkpoint has no MLM head") {
  test::ScratchDir dir;
  const auto db = (dir / "h.db").string();
  const std::string data = BERTLAB_SHARED_DATA;
  std::ofstream(dir / "dapt.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n"
                                   << "[tokenizer]\nmax_length = 48\n"
                                   << "[data]\nformat = \"tsv\"\ntrain = \"" << data << "/sst2/train.tsv\"\n"
                                   << "train_limit = 400\n"
                                   << "[pretrain]\nnext_sentence = false\nwhole_word_masking = true\n"
                                   << "[train]\nmax_steps = 4\nbatch_size = 8\nlearning_rate = 5e-5\neval_every = 2\n";
  auto result = test::run_bertlab({"pretrain", (dir / "dapt.toml").string(), "--store", db});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("has no cls.* tensors, the MLM/NSP heads start as Hugging Face initializes them") !=
        std::string::npos);
  auto trials = json::parse(test::run_bertlab({"trials", "dapt", "--store", db, "--json"}).out);
  REQUIRE(trials.size() == 1);
  CHECK(trials[0]["state"] == "COMPLETE");
  auto values = curves(trials[0]);
  CHECK(values["eval_mlm_loss"].size() == 2);
  CHECK(values.count("eval_nsp_accuracy") == 0);
}

TEST_CASE("pretrain: experiment errors name the key") {
  test::ScratchDir dir;
  SUBCASE("a text corpus without [pretrain]") {
    std::ofstream(dir / "x.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n[data]\nformat = \"text\"\ntrain = \"c.txt\"\n";
    auto result = test::run_bertlab({"run", (dir / "x.toml").string()});
    CHECK(result.exit_code != 0);
    CHECK(result.err.find("key 'data.format': text corpora are for pretraining") != std::string::npos);
  }
  SUBCASE("`bertlab pretrain` on a fine-tuning experiment") {
    std::ofstream(dir / "x.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n[data]\ntrain = \"t.tsv\"\n";
    auto result = test::run_bertlab({"pretrain", (dir / "x.toml").string()});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("no [pretrain] section") != std::string::npos);
  }
  SUBCASE("masking ratios over 1") {
    std::ofstream(dir / "x.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n[data]\nformat = \"text\"\ntrain = \"c.txt\"\n"
                                  << "[pretrain]\nmask_token_ratio = 0.9\nrandom_token_ratio = 0.2\n";
    auto result = test::run_bertlab({"pretrain", (dir / "x.toml").string()});
    CHECK(result.exit_code != 0);
    CHECK(result.err.find("x.toml:8: key 'pretrain.random_token_ratio'") != std::string::npos);
  }
  SUBCASE("one document cannot make next-sentence pairs") {
    std::ofstream(dir / "c.txt") << "one sentence here.\nand another one.\n";
    std::ofstream(dir / "x.toml") << "[model]\npath = \"" << BERTLAB_MINILM_DIR << "\"\n[data]\nformat = \"text\"\ntrain = \"c.txt\"\n"
                                  << "[pretrain]\neval_fraction = 0\n[train]\nmax_steps = 1\n";
    std::ofstream(dir / "e.txt") << "held out.\n";
    auto result = test::run_bertlab({"pretrain", (dir / "x.toml").string(), "--set", "data.eval=\"" + (dir / "e.txt").string() + "\"", "--store", (dir / "h.db").string()});
    CHECK(result.exit_code != 0);
    CHECK(result.err.find("next sentence prediction needs at least two documents") != std::string::npos);
  }
}
