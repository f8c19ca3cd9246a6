#include "model/quantized_linear.hpp"

#include <stdexcept>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>

namespace bertlab::model {

namespace {

c10::OperatorHandle quantized_op(const char* name) {
  return c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
}

// LibTorch 2.15 warns that creating quantized tensors is deprecated. The
// per-channel qint8 tensor here is only the input format linear_prepack
// reads, gone once packed; the warning would tell a user of `bertlab
// predict` nothing they can act on.
class DropWarnings : public c10::WarningHandler {
 public:
  void process(const c10::Warning&) override {}
};

}  // namespace

QuantizedLinear QuantizedLinear::quantize(const at::Tensor& weight, const at::Tensor& bias) {
  auto w = weight.detach().to(at::kFloat).contiguous();
  // A row of zeros keeps scale 1 (any scale represents it exactly).
  auto scales = w.abs().amax(1).div_(127.0);
  scales.masked_fill_(scales.eq(0), 1.0);
  auto q = w.div(scales.unsqueeze(1)).round_().clamp_(-127, 127).to(at::kChar);
  return from_int8(q, scales, bias);
}

QuantizedLinear QuantizedLinear::from_int8(const at::Tensor& weight_int8, const at::Tensor& scales,
                                           const at::Tensor& bias) {
  if (weight_int8.dim() != 2 || weight_int8.scalar_type() != at::kChar)
    throw std::invalid_argument(fmt::format("int8 weight: expected a 2-d int8 tensor, got {} {}",
                                            c10::toString(weight_int8.scalar_type()), c10::str(weight_int8.sizes())));
  const auto out = weight_int8.size(0);
  if (scales.dim() != 1 || scales.size(0) != out || !at::isFloatingType(scales.scalar_type()))
    throw std::invalid_argument(fmt::format("int8 weight scales: expected {} float scales (one per output channel), got {} {}",
                                            out, c10::toString(scales.scalar_type()), c10::str(scales.sizes())));
  if (!(scales.gt(0).all().item<bool>() && scales.isfinite().all().item<bool>()))
    throw std::invalid_argument("int8 weight scales: every scale must be positive and finite");
  if (bias.defined() && (bias.dim() != 1 || bias.size(0) != out))
    throw std::invalid_argument(fmt::format("bias: expected [{}], got {}", out, c10::str(bias.sizes())));

  QuantizedLinear layer;
  layer.weight_int8_ = weight_int8.contiguous();
  layer.scales_ = scales.to(at::kFloat).contiguous();
  at::Tensor quantized;
  {
    DropWarnings drop;
    c10::WarningUtils::WarningHandlerGuard guard(&drop);
    quantized = at::_make_per_channel_quantized_tensor(layer.weight_int8_, layer.scales_.to(at::kDouble),
                                                       at::zeros({out}, at::kLong), /*axis=*/0);
  }
  std::vector<c10::IValue> stack{quantized,
                                 bias.defined() ? c10::IValue(bias.detach().to(at::kFloat).contiguous())
                                                : c10::IValue()};
  quantized_op("quantized::linear_prepack").callBoxed(&stack);
  layer.packed_ = std::move(stack.at(0));
  return layer;
}

at::Tensor QuantizedLinear::forward(const at::Tensor& x) const {
  // reduce_range: activations use 7 of their 8 bits, as torch.ao's dynamic
  // Linear asks on x86, so that fbgemm's 16-bit intermediate sums of u8 x s8
  // products cannot saturate on CPUs without VNNI.
  static const auto op = quantized_op("quantized::linear_dynamic");
  std::vector<c10::IValue> stack{x.to(at::kFloat).contiguous(), packed_, true};
  op.callBoxed(&stack);
  auto y = stack.at(0).toTensor();
  return x.scalar_type() == at::kFloat ? y : y.to(x.scalar_type());
}

at::Tensor QuantizedLinear::dequantized_weight() const {
  return weight_int8_.to(at::kFloat).mul_(scales_.unsqueeze(1));
}

}  // namespace bertlab::model
