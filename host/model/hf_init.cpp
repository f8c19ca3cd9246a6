#include "model/hf_init.hpp"

#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace bertlab::model {

void init_weights_like_hf(torch::nn::Module& module, double initializer_range, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& item : module.named_parameters()) {
    const std::string& name = item.key();
    auto& p = item.value();
    if (name.find("LayerNorm.weight") != std::string::npos) {
      p.fill_(1.0);
    } else if (name.ends_with("bias")) {
      p.zero_();
    } else {
      p.normal_(0.0, initializer_range, generator);
    }
  }
}

}  // namespace bertlab::model
