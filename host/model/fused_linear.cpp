#include "model/fused_linear.hpp"

#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/grad_mode.h>

#include "model/cpu_features.hpp"

namespace bertlab::model {

namespace {

// The oneDNN linear kernels, looked up once; std::nullopt when this LibTorch
// does not register them.
std::optional<c10::OperatorHandle> find_op(const char* overload) {
  return c10::Dispatcher::singleton().findSchema({"mkldnn::_linear_pointwise", overload});
}

const std::optional<c10::OperatorHandle>& unary_op() {
  static const auto op = find_op("");
  return op;
}
const std::optional<c10::OperatorHandle>& binary_op() {
  static const auto op = find_op("binary");
  return op;
}

bool fusable(const at::Tensor& x, const at::Tensor& weight) {
  if (at::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad())) return false;
  if (!x.device().is_cpu() || x.scalar_type() != weight.scalar_type()) return false;
  if (x.scalar_type() == at::kBFloat16) return onednn_bf16_supported();
  return x.scalar_type() == at::kFloat;
}

// oneDNN's name for the post-op, and its algorithm argument.
std::optional<std::pair<const char*, const char*>> post_op(Activation activation) {
  switch (activation) {
    case Activation::gelu: return std::pair{"gelu", "none"};  // exact erf form
    case Activation::gelu_tanh: return std::pair{"gelu", "tanh"};
    case Activation::relu: return std::pair{"relu", ""};
    case Activation::silu: return std::pair{"swish", ""};
    case Activation::tanh: return std::pair{"tanh", ""};
    case Activation::quick_gelu: return std::nullopt;
  }
  return std::nullopt;
}

at::Tensor call_unary(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, const char* attr,
                      const char* algorithm) {
  // Boxed: robust to the exact C++ types of `Scalar?[]` and `str?` across versions.
  torch::jit::Stack stack{x, weight, bias, std::string(attr), c10::List<std::optional<at::Scalar>>(),
                          *algorithm ? c10::IValue(std::string(algorithm)) : c10::IValue()};
  unary_op()->callBoxed(stack);
  return stack.back().toTensor();
}

}  // namespace

at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (unary_op() && fusable(x, weight)) return call_unary(x, weight, bias, "none", "");
  return at::linear(x, weight, bias);
}

at::Tensor linear_activation(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                             Activation activation) {
  auto fused = post_op(activation);
  if (fused && unary_op() && fusable(x, weight)) return call_unary(x, weight, bias, fused->first, fused->second);
  return activate(activation, at::linear(x, weight, bias));
}

at::Tensor linear_add(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      const at::Tensor& residual) {
  if (binary_op() && fusable(x, weight) && residual.scalar_type() == x.scalar_type()) {
    torch::jit::Stack stack{x, residual.contiguous(), weight, bias, std::string("add")};
    binary_op()->callBoxed(stack);
    return stack.back().toTensor();
  }
  return at::linear(x, weight, bias) + residual;
}

}  // namespace bertlab::model
