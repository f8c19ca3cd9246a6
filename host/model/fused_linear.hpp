// Inference-time fusions of a linear layer with what follows it, through
// oneDNN's post-ops (the kernels torch.compile's CPU backend uses): the
// activation, or the residual add, runs inside the GEMM's epilogue instead of
// as a second pass over a [tokens, features] tensor.
//
// Only for inference — no autograd formula exists for these kernels — so
// each helper falls back to the plain composite when gradients are being
// recorded, when the tensors are not on the CPU, when LibTorch was built
// without oneDNN, or for bf16 on a CPU where oneDNN has no bf16 kernels
// (before AVX-512). The result is the same to float rounding either way.
#pragma once

#include <optional>

#include <ATen/core/Tensor.h>

#include "model/activation.hpp"

namespace bertlab::model {

// activation(x W^T + b)
at::Tensor linear_activation(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                             Activation activation);
// x W^T + b + residual
at::Tensor linear_add(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                      const at::Tensor& residual);
// x W^T + b
at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace bertlab::model
