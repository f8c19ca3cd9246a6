// The activations Hugging Face BERT configs name in `hidden_act`.
#pragma once

#include <string>

#include <ATen/core/Tensor.h>

namespace bertlab::model {

enum class Activation {
  gelu,          // exact, erf-based (HF "gelu")
  gelu_tanh,     // tanh approximation ("gelu_new", "gelu_pytorch_tanh", "gelu_fast")
  relu,
  silu,          // "silu", "swish"
  tanh,
  quick_gelu,    // x * sigmoid(1.702 x)
};

// Throws std::runtime_error naming `source` for a name bertlab does not implement.
Activation parse_activation(const std::string& name, const std::string& source);
at::Tensor activate(Activation activation, const at::Tensor& x);

}  // namespace bertlab::model
