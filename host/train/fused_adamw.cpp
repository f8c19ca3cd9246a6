#include "train/fused_adamw.hpp"

#include <map>
#include <tuple>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

namespace bertlab::train {

FusedAdamW::FusedAdamW(std::vector<Group> groups, double beta1, double beta2, double eps)
    : groups_(std::move(groups)), beta1_(beta1), beta2_(beta2), eps_(eps) {
  for (const auto& group : groups_) moments_.emplace_back(group.params.size());
}

void FusedAdamW::step() {
  c10::NoGradGuard no_grad;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    // The kernel takes tensors of one device and dtype per call.
    struct Lists {
      std::vector<at::Tensor> params, grads, exp_avgs, exp_avg_sqs, steps;
    };
    std::map<std::tuple<c10::DeviceType, c10::DeviceIndex, c10::ScalarType>, Lists> calls;
    for (std::size_t i = 0; i < groups_[g].params.size(); ++i) {
      const auto& param = groups_[g].params[i];
      const auto& grad = param.grad();
      if (!grad.defined()) continue;
      auto& moments = moments_[g][i];
      if (!moments.step.defined()) {
        moments.exp_avg = at::zeros_like(param, at::MemoryFormat::Preserve);
        moments.exp_avg_sq = at::zeros_like(param, at::MemoryFormat::Preserve);
        moments.step = at::zeros({}, param.options().dtype(at::kFloat));
      }
      auto& lists = calls[{param.device().type(), param.device().index(), param.scalar_type()}];
      lists.params.push_back(param);
      lists.grads.push_back(grad);
      lists.exp_avgs.push_back(moments.exp_avg);
      lists.exp_avg_sqs.push_back(moments.exp_avg_sq);
      lists.steps.push_back(moments.step);
    }
    for (auto& [key, lists] : calls) {
      at::_foreach_add_(lists.steps, 1);
      at::_fused_adamw_(lists.params, lists.grads, lists.exp_avgs, lists.exp_avg_sqs, /*max_exp_avg_sqs=*/{},
                        lists.steps, groups_[g].learning_rate, beta1_, beta2_, groups_[g].weight_decay, eps_,
                        /*amsgrad=*/false, /*maximize=*/false);
    }
  }
}

void FusedAdamW::zero_grad() {
  for (auto& group : groups_)
    for (auto& param : group.params) param.mutable_grad().reset();
}

}  // namespace bertlab::train
