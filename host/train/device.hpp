// Where a run computes: train.device = "cpu", "cuda", "cuda:N" or "auto" (a
// GPU when this build has CUDA and the machine one, else the CPU).
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace bertlab::train {

// The device `setting` names on this machine. A GPU that this build or
// machine lacks is an error that says which of the two is missing.
c10::Device resolve_device(const std::string& setting);

// The forms a setting may take, for messages.
inline constexpr const char* kDeviceSettings = "\"cpu\", \"cuda\", \"cuda:N\" or \"auto\"";

// Whether `setting` is one of the forms above (the experiment file's check).
bool valid_device_setting(const std::string& setting);

}  // namespace bertlab::train
