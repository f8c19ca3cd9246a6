#include "train/loss_scaler.hpp"

#include <ATen/ATen.h>

namespace bertlab::train {

LossScaler::LossScaler(c10::Device device, double initial_scale, std::int64_t growth_interval)
    : scale_(at::full({1}, initial_scale, at::TensorOptions().dtype(at::kFloat).device(device))),
      growth_tracker_(at::zeros({1}, at::TensorOptions().dtype(at::kInt).device(device))),
      growth_interval_(growth_interval) {}

at::Tensor LossScaler::scale(const at::Tensor& loss) const { return loss * scale_.to(loss.dtype()); }

bool LossScaler::unscale_and_update(const std::vector<at::Tensor>& parameters) {
  std::vector<at::Tensor> gradients;
  for (const auto& parameter : parameters)
    if (parameter.grad().defined()) gradients.push_back(parameter.grad());
  auto found_inf = at::zeros({1}, scale_.options());
  at::_amp_foreach_non_finite_check_and_unscale_(gradients, found_inf, scale_.reciprocal());
  at::_amp_update_scale_(scale_, growth_tracker_, found_inf, /*growth_factor=*/2.0, /*backoff_factor=*/0.5,
                         growth_interval_);
  const bool finite = found_inf.item<float>() == 0.0f;
  if (!finite) ++skipped_;
  return finite;
}

double LossScaler::current_scale() const { return scale_.item<double>(); }

}  // namespace bertlab::train
