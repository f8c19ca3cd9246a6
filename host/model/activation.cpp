#include "model/activation.hpp"

#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

namespace bertlab::model {

Activation parse_activation(const std::string& name, const std::string& source) {
  if (name == "gelu") return Activation::gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Activation::gelu_tanh;
  if (name == "relu") return Activation::relu;
  if (name == "silu" || name == "swish") return Activation::silu;
  if (name == "tanh") return Activation::tanh;
  if (name == "quick_gelu") return Activation::quick_gelu;
  throw std::runtime_error(fmt::format(
      "{}: hidden_act '{}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, "
      "tanh, quick_gelu)",
      source, name));
}

at::Tensor activate(Activation activation, const at::Tensor& x) {
  switch (activation) {
    case Activation::gelu: return at::gelu(x);
    case Activation::gelu_tanh: return at::gelu(x, "tanh");
    case Activation::relu: return at::relu(x);
    case Activation::silu: return at::silu(x);
    case Activation::tanh: return at::tanh(x);
    case Activation::quick_gelu: return x * at::sigmoid(1.702 * x);
  }
  return x;
}

}  // namespace bertlab::model
