// A linear layer with int8 weights, for dynamic quantization: weights are
// int8, symmetric per output channel (scale_o = max|w_o| / 127, zero point
// 0); activations are quantized per batch at run time (uint8, affine, from
// the batch's own min and max) and the product is accumulated in int32 and
// returned in float.
//
// The kernels are LibTorch's own, reached through the op dispatcher:
// quantized::linear_prepack packs the weights once for the CPU's quantized
// engine (x86/fbgemm here), quantized::linear_dynamic runs the layer. These
// are the operators torch.ao.quantization.quantize_dynamic's modules call, so
// bertlab's int8 model runs the same kernels as the Python reference, without
// the eager-mode module swapping upstream has deprecated.
#pragma once

#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>

namespace bertlab::model {

class QuantizedLinear {
 public:
  // weight [out, in] float, bias [out] float (or undefined).
  static QuantizedLinear quantize(const at::Tensor& weight, const at::Tensor& bias);
  // From stored int8 weights [out, in] and their float scales [out]; throws
  // std::invalid_argument when the shapes or dtypes do not fit.
  static QuantizedLinear from_int8(const at::Tensor& weight_int8, const at::Tensor& scales, const at::Tensor& bias);

  // x [..., in] float -> [..., out] float.
  at::Tensor forward(const at::Tensor& x) const;

  const at::Tensor& weight_int8() const { return weight_int8_; }
  const at::Tensor& scales() const { return scales_; }
  // weight_int8 * scale per row, in float: what the layer computes with.
  at::Tensor dequantized_weight() const;

 private:
  at::Tensor weight_int8_;  // [out, in] int8
  at::Tensor scales_;       // [out] float
  c10::IValue packed_;      // the engine's packed weights and bias
};

// The int8 weights of one linear layer as stored in a checkpoint.
struct Int8Weight {
  at::Tensor weight;  // [out, in] int8
  at::Tensor scale;   // [out] float32
};

}  // namespace bertlab::model
