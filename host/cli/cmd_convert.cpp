// `bertlab convert`: reads a Hugging Face BERT directory (safetensors or
// pytorch_model.bin, any supported naming) and writes it back as bertlab
// saves models: model.safetensors + config.json + tokenizer files.
#include <iostream>

#include <fmt/format.h>

#include "checkpoint/hf_model.hpp"
#include "cli/commands.hpp"

namespace bertlab::cli {

void add_convert_command(CLI::App& app) {
  struct Args {
    std::string model_dir;
    std::string output_dir;
    std::string dtype = "fp32";
  };
  auto args = std::make_shared<Args>();
  auto* command = app.add_subcommand("convert", "Rewrite a BERT model directory as model.safetensors");
  command->add_option("--model", args->model_dir, "Hugging Face model directory")->required()->check(CLI::ExistingDirectory);
  command->add_option("--output", args->output_dir, "Directory to write")->required();
  command->add_option("--dtype", args->dtype, "Saved precision")->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
  command->callback([args] {
    auto loaded = checkpoint::load_model(args->model_dir);
    if (auto unused = checkpoint::describe_unused(loaded); !unused.empty()) std::cerr << "bertlab: note: " << unused << '\n';
    checkpoint::SaveOptions options;
    options.tokenizer_dir = args->model_dir;
    options.dtype = args->dtype == "bf16" ? torch::kBFloat16 : args->dtype == "fp16" ? torch::kHalf : torch::kFloat32;
    checkpoint::save_model(args->output_dir, loaded.model, options);
    std::cerr << fmt::format("bertlab: wrote {} ({})\n", args->output_dir, args->dtype);
  });
}

}  // namespace bertlab::cli
