// Dynamic loss scaling for fp16 training, as torch.amp.GradScaler does it:
// fp16 gradients underflow to zero at the loss's own scale, so the loss is
// multiplied by a large factor before backward and the gradients divided by
// it before the optimizer step. A step whose gradients hold an inf or NaN
// is skipped and the factor halved; after `growth_interval` good steps in a
// row it doubles. The scale and the count live on the device (ATen's
// _amp_update_scale_), so a step costs one host sync, to learn whether to
// skip it.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace bertlab::train {

class LossScaler {
 public:
  LossScaler(c10::Device device, double initial_scale = 65536.0, std::int64_t growth_interval = 2000);

  at::Tensor scale(const at::Tensor& loss) const;
  // Divides the gradients of `parameters` by the scale in place; false when
  // one of them is not finite (the caller skips the optimizer step). Then
  // updates the scale.
  bool unscale_and_update(const std::vector<at::Tensor>& parameters);

  double current_scale() const;
  std::int64_t skipped_steps() const { return skipped_; }

 private:
  at::Tensor scale_;           // float32 [1]
  at::Tensor growth_tracker_;  // int32 [1]: good steps in a row
  std::int64_t growth_interval_;
  std::int64_t skipped_ = 0;
};

}  // namespace bertlab::train
