#include "train/distillation.hpp"

#include <stdexcept>

#include <ATen/ATen.h>
#include <fmt/format.h>

#include "train/inference.hpp"

namespace bertlab::train {

model::BertModel select_layers(model::BertModel& bert, std::int64_t layers) {
  auto config = bert->config();
  const auto total = config.num_hidden_layers;
  if (layers < 1 || layers > total)
    throw std::invalid_argument(fmt::format("distill.student_layers: expected 1 to {} (the model's layers), got {}", total, layers));
  std::vector<std::int64_t> kept;
  for (std::int64_t i = 0; i < layers; ++i) kept.push_back(i * total / layers);
  config.num_hidden_layers = layers;
  config.pruned_heads.clear();
  for (std::int64_t i = 0; i < layers; ++i)
    if (auto it = bert->config().pruned_heads.find(kept[i]); it != bert->config().pruned_heads.end())
      config.pruned_heads[i] = it->second;
  model::BertModel student(config);
  torch::NoGradGuard no_grad;
  auto source = bert->named_parameters();
  for (auto& item : student->named_parameters()) {
    std::string name = item.key();
    if (name.starts_with("encoder.layer.")) {
      const auto dot = name.find('.', 14);
      const auto index = std::stoll(name.substr(14, dot - 14));
      name = fmt::format("encoder.layer.{}{}", kept[static_cast<std::size_t>(index)], name.substr(dot));
    }
    item.value().copy_(source[name]);
  }
  return student;
}

Distiller::Distiller(const experiment::DistillSection& section, const std::string& head_plugin,
                     const std::vector<std::string>& labels, const model::BertConfig& student)
    : section_(section), teacher_(open_saved_model(section.teacher_dir, /*with_tokenizer=*/false)) {
  const auto where = section.teacher.empty() ? section.teacher_dir.string() : section.teacher;
  if (teacher_.task.head.plugin != head_plugin)
    throw std::runtime_error(fmt::format("distill.teacher {}: its head is '{}', the student's '{}'", where,
                                         teacher_.task.head.plugin, head_plugin));
  if (teacher_.task.labels != labels)
    throw std::runtime_error(fmt::format("distill.teacher {}: it was trained on other labels than the student's data has", where));
  if (section.hidden_weight > 0 && teacher_.bert()->config().hidden_size != student.hidden_size)
    throw std::runtime_error(fmt::format("distill.hidden_weight: the teacher's hidden size {} is not the student's {}",
                                         teacher_.bert()->config().hidden_size, student.hidden_size));
  teacher_.bert()->eval();
  teacher_.head->module().eval();
  for (auto& p : teacher_.bert()->parameters()) p.requires_grad_(false);
  for (auto& p : teacher_.head->module().parameters()) p.requires_grad_(false);
}

void Distiller::to(c10::Device device) {
  teacher_.bert()->to(device);
  teacher_.head->module().to(device);
}

namespace {

// KL(teacher || student) of the softened distributions over the last
// dimension, averaged over the rows that `keep` marks (all when undefined).
torch::Tensor soft_target_loss(const torch::Tensor& student, const torch::Tensor& teacher, double temperature,
                               const torch::Tensor& keep) {
  auto log_student = at::log_softmax(student.to(at::kFloat) / temperature, -1);
  auto log_teacher = at::log_softmax(teacher.to(at::kFloat) / temperature, -1);
  auto per_row = (log_teacher.exp() * (log_teacher - log_student)).sum(-1);
  if (!keep.defined()) return per_row.mean();
  auto weights = keep.to(per_row.scalar_type());
  return (per_row * weights).sum() / weights.sum().clamp_min(1);
}

}  // namespace

torch::Tensor Distiller::loss(const EncoderOutputs& student_encoded, const HeadOutput& student_output,
                              const torch::Tensor& hard_loss, const Batch& batch) {
  // alpha = 0 is plain fine-tuning, exactly: the teacher is not even run.
  if (section_.alpha == 0 && section_.hidden_weight == 0) return hard_loss;
  EncoderOutputs teacher_encoded;
  HeadOutput teacher_output;
  {
    torch::NoGradGuard no_grad;
    teacher_encoded = run_encoder(teacher_.bert(), batch, teacher_.head->needs_all_hidden_states() || needs_hidden_states());
    teacher_output = teacher_.head->forward(teacher_encoded, batch);
  }
  auto total = (1 - section_.alpha) * hard_loss;
  if (section_.alpha > 0) {
    const auto student_logits = student_output.find("logits");
    const auto teacher_logits = teacher_output.find("logits");
    if (student_logits == student_output.end() || teacher_logits == teacher_output.end())
      throw std::runtime_error("distillation needs a head whose output has 'logits' (classification, tagging)");
    // Token-level logits [batch, seq, labels]: real tokens only.
    const auto keep = student_logits->second.dim() == 3 ? batch.attention_mask : torch::Tensor();
    const double t = section_.temperature;
    total = total + section_.alpha * t * t * soft_target_loss(student_logits->second, teacher_logits->second, t, keep);
  }
  if (section_.hidden_weight > 0) {
    // Student layer i (1-based) stands for teacher layer i * L_t / L_s: the last for the last.
    const auto student_layers = static_cast<std::int64_t>(student_encoded.hidden_states.size()) - 1;
    const auto teacher_layers = static_cast<std::int64_t>(teacher_encoded.hidden_states.size()) - 1;
    auto mask = batch.attention_mask.unsqueeze(-1).to(at::kFloat);
    torch::Tensor hidden = at::zeros({}, hard_loss.options());
    for (std::int64_t i = 1; i <= student_layers; ++i) {
      const auto& s = student_encoded.hidden_states[static_cast<std::size_t>(i)];
      const auto& t = teacher_encoded.hidden_states[static_cast<std::size_t>(i * teacher_layers / student_layers)];
      hidden = hidden + ((s.to(at::kFloat) - t.to(at::kFloat)).pow(2) * mask).sum() / (mask.sum() * s.size(-1));
    }
    total = total + section_.hidden_weight * hidden / static_cast<double>(student_layers);
  }
  return total;
}

}  // namespace bertlab::train
