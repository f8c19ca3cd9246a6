#include "train/device.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/cuda.h>

namespace bertlab::train {

namespace {

// The N of "cuda:N", -1 for "cuda", nullopt for anything else.
std::optional<int> cuda_index(const std::string& setting) {
  if (setting == "cuda") return -1;
  if (setting.rfind("cuda:", 0) != 0 || setting.size() == 5) return std::nullopt;
  int index = 0;
  const auto* end = setting.data() + setting.size();
  const auto [next, error] = std::from_chars(setting.data() + 5, end, index);
  if (error != std::errc() || next != end || index < 0) return std::nullopt;
  return index;
}

}  // namespace

bool valid_device_setting(const std::string& setting) {
  return setting == "cpu" || setting == "auto" || cuda_index(setting).has_value();
}

c10::Device resolve_device(const std::string& setting) {
  const auto gpus = static_cast<int>(torch::cuda::device_count());
  if (setting == "cpu") return c10::Device(c10::DeviceType::CPU);
  if (setting == "auto") return gpus > 0 ? c10::Device(c10::DeviceType::CUDA, 0) : c10::Device(c10::DeviceType::CPU);
  const auto index = cuda_index(setting);
  if (!index)
    throw std::invalid_argument(fmt::format("train.device: expected {}, got '{}'", kDeviceSettings, setting));
#ifndef BERTLAB_CUDA
  throw std::runtime_error(fmt::format("train.device = \"{}\": this bertlab was built without CUDA (configure with "
                                       "-DBERTLAB_CUDA=ON against a CUDA build of torch), use \"cpu\" or \"auto\"",
                                       setting));
#endif
  if (gpus == 0)
    throw std::runtime_error(fmt::format("train.device = \"{}\": no CUDA GPU is visible to this process "
                                         "(check the driver and CUDA_VISIBLE_DEVICES), use \"cpu\" or \"auto\"",
                                         setting));
  const int chosen = *index < 0 ? 0 : *index;
  if (chosen >= gpus)
    throw std::runtime_error(fmt::format("train.device = \"{}\": there are {} GPU(s), numbered from 0", setting, gpus));
  return c10::Device(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(chosen));
}

}  // namespace bertlab::train
