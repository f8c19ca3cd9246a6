#include "train/head_transfer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "experiment/saved_task.hpp"

namespace bertlab::train {

namespace {

// A short list for a log line: the first few labels and how many there are.
std::string brief(const std::vector<std::string>& labels) {
  constexpr std::size_t kShown = 6;
  std::vector<std::string> shown(labels.begin(), labels.begin() + static_cast<std::ptrdiff_t>(std::min(labels.size(), kShown)));
  return fmt::format("[{}{}] ({})", fmt::join(shown, ", "), labels.size() > kShown ? ", ..." : "", labels.size());
}

}  // namespace

HeadTransfer transfer_head(Head& head, const std::string& head_plugin, const std::vector<std::string>& labels,
                           const checkpoint::LoadedModel& loaded, const std::filesystem::path& model_dir) {
  HeadTransfer transfer;
  if (!std::filesystem::exists(model_dir / experiment::kSavedTaskFile)) return transfer;
  transfer.had_task_head = true;
  const auto saved = experiment::read_saved_task(model_dir);
  if (saved.head.plugin != head_plugin) {
    transfer.reason = fmt::format("head plugin differs ('{}' saved, '{}' now)", saved.head.plugin, head_plugin);
    return transfer;
  }
  if (saved.labels != labels) {
    transfer.reason = fmt::format("labels differ ({} saved, {} now)", brief(saved.labels), brief(labels));
    return transfer;
  }
  // Every weight must be there with its shape before any is copied, so that
  // a head that does not fit is left wholly at its fresh initialization.
  for (const auto& [name, target] : head.state_dict()) {
    auto it = loaded.other_tensors.find(name);
    if (it == loaded.other_tensors.end()) {
      transfer.reason = fmt::format("head weight '{}' is not in the checkpoint", name);
      return transfer;
    }
    if (it->second.sizes() != target.sizes()) {
      transfer.reason = fmt::format("head weight '{}' has shape {} in the checkpoint, {} now", name,
                                    c10::str(it->second.sizes()), c10::str(target.sizes()));
      return transfer;
    }
  }
  head.load_state_dict(loaded.other_tensors);
  transfer.carried_over = true;
  return transfer;
}

std::string describe_transfer(const HeadTransfer& transfer, const std::filesystem::path& model_dir) {
  if (transfer.carried_over) return fmt::format("encoder and head carried over from {} (same head and labels)", model_dir.string());
  if (transfer.had_task_head)
    return fmt::format("encoder carried over from {}, head re-initialised: {}", model_dir.string(), transfer.reason);
  return fmt::format("encoder carried over from {}, head initialised fresh (the checkpoint has no bertlab task head)",
                     model_dir.string());
}

}  // namespace bertlab::train
