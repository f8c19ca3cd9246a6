// train.device and train.precision across devices. The CPU half always
// runs: the settings, their errors, and fp16 loss scaling (whose ATen ops
// have CPU kernels too). The GPU half needs a CUDA build on a machine with a
// GPU and says it skipped otherwise: encoder outputs and fp32 training
// losses of the GPU against the CPU, bf16 and fp16 training, and a model
// trained on the GPU predicting on the CPU.
#include <cmath>
#include <functional>
#include <limits>

#include <ATen/ATen.h>
#include <ATen/Context.h>
#include <fmt/format.h>
#include <torch/cuda.h>

#include <doctest/doctest.h>

#include "checkpoint/hf_model.hpp"
#include "experiment/experiment.hpp"
#include "tiny_training.hpp"
#include "train/device.hpp"
#include "train/inference.hpp"
#include "train/loss_scaler.hpp"
#include "train/precision.hpp"

using namespace bertlab;
using namespace bertlab::test;

namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

bool has_gpu() {
  if (torch::cuda::device_count() > 0) return true;
  MESSAGE("skipped: no CUDA GPU in this build or on this machine");
  return false;
}

struct Trained {
  std::vector<double> losses;  // per optimizer step
  train::TrainResult result;
};

Trained train_on(const ScratchDir& dir, const std::string& device, const std::string& precision,
                 const fs::path& output) {
  auto e = tiny_experiment(dir, "path = \"base\"",
                           {"train.device=\"" + device + "\"", "train.precision=\"" + precision + "\"",
                            "train.max_steps=6", "train.eval_every=3"});
  Trained trained;
  train::TrainHooks hooks;
  hooks.log = [](const std::string&) {};
  hooks.on_step = [&](std::int64_t, std::int64_t, double loss, double) { trained.losses.push_back(loss); };
  auto head = classifier();
  trained.result = train::train_trial(e, "accuracy", Direction::maximize, *head, toy_prepared(kBinary), output, hooks);
  return trained;
}

}  // namespace

TEST_CASE("device: train.device and train.precision settings are checked where the file is read") {
  ScratchDir dir;
  save_tiny_bert(dir / "base");
  CHECK(tiny_experiment(dir, "path = \"base\"").train.device == "auto");
  CHECK(tiny_experiment(dir, "path = \"base\"", {"train.device=\"cuda:1\""}).train.device == "cuda:1");
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "CPU"}) {
    const auto message = error_of([&] { tiny_experiment(dir, "path = \"base\"", {fmt::format("train.device=\"{}\"", bad)}); });
    CAPTURE(message);
    CHECK(message.find("train.device") != std::string::npos);
    CHECK(message.find("\"cuda:N\"") != std::string::npos);
  }
  const auto fp16 = error_of([&] {
    tiny_experiment(dir, "path = \"base\"", {"train.device=\"cpu\"", "train.precision=\"fp16\""});
  });
  CHECK(fp16.find("train.precision") != std::string::npos);
  CHECK(fp16.find("GPU only") != std::string::npos);
}

TEST_CASE("device: resolving on this machine") {
  CHECK(train::resolve_device("cpu").is_cpu());
  CHECK(train::resolve_precision("auto", c10::DeviceType::CUDA) == train::Precision::bf16);
  CHECK(train::resolve_precision("fp16", c10::DeviceType::CUDA) == train::Precision::fp16);
  CHECK(error_of([] { train::resolve_precision("fp16", c10::DeviceType::CPU); }).find("GPU only") != std::string::npos);
  // A model trained in fp16 on a GPU predicts in fp32 on the CPU.
  CHECK_FALSE(train::use_bf16("fp16"));
  if (torch::cuda::device_count() > 0) {
    CHECK(train::resolve_device("auto").is_cuda());
    CHECK(train::resolve_device("cuda").index() == 0);
    return;
  }
  CHECK(train::resolve_device("auto").is_cpu());
  const auto message = error_of([] { train::resolve_device("cuda"); });
  CAPTURE(message);
  CHECK(message.find("train.device = \"cuda\"") != std::string::npos);
#ifdef BERTLAB_CUDA
  CHECK(message.find("no CUDA GPU is visible") != std::string::npos);
#else
  CHECK(message.find("built without CUDA") != std::string::npos);
#endif
}

TEST_CASE("device: a training run on a machine without the GPU it names fails before training") {
  if (torch::cuda::device_count() > 0) {
    MESSAGE("skipped: this machine has a GPU");
    return;
  }
  ScratchDir dir;
  save_tiny_bert(dir / "base");
  const auto message = error_of([&] { train_on(dir, "cuda", "fp32", dir / "out"); });
  CHECK(message.find("train.device = \"cuda\"") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "out"));
}

TEST_CASE("device: fp16 loss scaling unscales gradients, skips steps with inf and adapts the scale") {
  train::LossScaler scaler(c10::Device(c10::DeviceType::CPU), /*initial_scale=*/1024.0, /*growth_interval=*/2);
  auto weight = at::ones({3}).requires_grad_();
  scaler.scale((weight * 2).sum()).backward();
  CHECK(weight.grad()[0].item<double>() == doctest::Approx(2048.0));
  CHECK(scaler.unscale_and_update({weight}));
  CHECK(weight.grad()[0].item<double>() == doctest::Approx(2.0));
  CHECK(scaler.current_scale() == doctest::Approx(1024.0));  // one good step of the two it waits for

  weight.grad().zero_();
  scaler.scale((weight * 3).sum()).backward();
  CHECK(scaler.unscale_and_update({weight}));
  CHECK(scaler.current_scale() == doctest::Approx(2048.0));  // two good steps: doubled

  weight.mutable_grad() = at::full({3}, std::numeric_limits<float>::infinity());
  CHECK_FALSE(scaler.unscale_and_update({weight}));
  CHECK(scaler.current_scale() == doctest::Approx(1024.0));  // halved
  CHECK(scaler.skipped_steps() == 1);
}

TEST_CASE("device: the encoder on the GPU gives the CPU's hidden states") {
  if (!has_gpu()) return;
  at::globalContext().setAllowTF32CuBLAS(false);  // fp32 matmuls in fp32, as the 1e-4 contract means
  auto bert = tiny_bert();
  auto batch = tiny_batch(6, 12, /*padded=*/true, 2);
  const auto on_cpu = last_hidden_state(bert, batch);
  bert->to(at::kCUDA);
  const auto on_gpu = last_hidden_state(bert, train::to_device(batch, c10::Device(c10::DeviceType::CUDA, 0)));
  CHECK(on_gpu.is_cuda());
  const auto difference = (on_gpu.cpu() - on_cpu).abs().max().item<double>();
  CAPTURE(difference);
  CHECK(difference < 1e-4);
}

TEST_CASE("device: fp32 training on the GPU follows the CPU's losses, and its model predicts on the CPU") {
  if (!has_gpu()) return;
  at::globalContext().setAllowTF32CuBLAS(false);
  ScratchDir dir;
  save_tiny_bert(dir / "base");
  const auto cpu = train_on(dir, "cpu", "fp32", dir / "cpu");
  const auto gpu = train_on(dir, "cuda", "fp32", dir / "gpu");
  CHECK(cpu.result.device == "cpu");
  CHECK(gpu.result.device == "cuda:0");
  REQUIRE(cpu.losses.size() == 6);
  REQUIRE(gpu.losses.size() == 6);
  double largest = 0;
  for (std::size_t i = 0; i < cpu.losses.size(); ++i) {
    CAPTURE(i);
    CHECK(gpu.losses[i] == doctest::Approx(cpu.losses[i]).epsilon(1e-4));
    largest = std::max(largest, std::abs(gpu.losses[i] - cpu.losses[i]) / std::abs(cpu.losses[i]));
  }
  MESSAGE("largest relative loss difference, GPU against CPU over 6 steps: " << largest);
  REQUIRE(gpu.result.best_value.has_value());
  CHECK(*gpu.result.best_value == doctest::Approx(*cpu.result.best_value));

  // The saved GPU model is an ordinary CPU checkpoint.
  auto cpu_model = checkpoint::load_model(dir / "cpu").model;
  auto gpu_model = checkpoint::load_model(dir / "gpu").model;
  auto batch = tiny_batch(4, 10, /*padded=*/true, 2);
  const auto difference =
      (last_hidden_state(gpu_model, batch) - last_hidden_state(cpu_model, batch)).abs().max().item<double>();
  CAPTURE(difference);
  CHECK(difference < 1e-3);
}

TEST_CASE("device: bf16 and fp16 autocast train on the GPU") {
  if (!has_gpu()) return;
  ScratchDir dir;
  save_tiny_bert(dir / "base");
  const auto fp32 = train_on(dir, "cuda", "fp32", dir / "fp32");
  for (const std::string precision : {"bf16", "fp16"}) {
    CAPTURE(precision);
    const auto run = train_on(dir, "cuda", precision, dir / precision);
    CHECK(run.result.precision == precision);
    REQUIRE(run.losses.size() == 6);
    for (const double loss : run.losses) CHECK(std::isfinite(loss));
    // The first loss is before any update: half precision moves it a little, not a lot.
    CHECK(run.losses[0] == doctest::Approx(fp32.losses[0]).epsilon(0.05));
    // fp16 starts at a loss scale of 65536 and may skip early steps while it finds its scale.
    MESSAGE(precision << ": steps skipped for inf/NaN gradients: " << run.result.skipped_steps);
    CHECK(run.result.skipped_steps < 6);
    CHECK(fs::exists(dir / precision / "model.safetensors"));
  }
}
