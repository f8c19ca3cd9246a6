// AdamW with decoupled weight decay (Loshchilov & Hutter 2019) in ATen's
// fused kernel, _fused_adamw_: the one behind torch.optim.AdamW(fused=True)
// and the Hugging Face Trainer's default optimizer, on the CPU and on GPUs.
// The C++ frontend's torch::optim::AdamW runs a dozen element-wise ops per
// parameter tensor, each a pass over memory and, on a GPU, a kernel launch
// (about 2,000 launches a step for BERT-base); the fused kernel updates a
// whole group in one pass. Same arithmetic as torch.optim.AdamW.
#pragma once

#include <cstddef>
#include <vector>

#include <ATen/core/Tensor.h>

namespace bertlab::train {

class FusedAdamW {
 public:
  struct Group {
    std::vector<at::Tensor> params;
    double learning_rate = 0;
    double weight_decay = 0;
  };

  FusedAdamW(std::vector<Group> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

  std::size_t group_count() const { return groups_.size(); }
  void set_learning_rate(std::size_t group, double learning_rate) { groups_[group].learning_rate = learning_rate; }

  // One update of every parameter that has a gradient (frozen ones and ones
  // this step did not reach have none and keep their moments).
  void step();
  // Drops the gradients (set to none, as torch's zero_grad does by default).
  void zero_grad();

 private:
  struct Moments {
    at::Tensor exp_avg, exp_avg_sq;
    at::Tensor step;  // float32 scalar on the parameter's device, as the kernel wants it
  };
  std::vector<Group> groups_;
  std::vector<std::vector<Moments>> moments_;  // [group][param], made on a parameter's first step
  double beta1_, beta2_, eps_;
};

}  // namespace bertlab::train
