// Knowledge distillation ([distill] in an experiment): a fine-tuned teacher
// (a trial's saved model) runs beside the student on every training batch;
// the student's loss mixes the teacher's temperature-softened outputs with
// the hard labels (Hinton et al. 2015):
//   alpha T^2 KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) head loss
// plus, with hidden_weight, the mean squared error between each student
// layer's output and the teacher layer it stands for (evenly spaced).
// A smaller student starts from N layers of [model], evenly spaced
// (DistilBERT: every other layer).
#pragma once

#include <cstdint>
#include <optional>

#include "bertlab/head.hpp"
#include "experiment/experiment.hpp"
#include "model/bert_model.hpp"
#include "train/saved_model.hpp"

namespace bertlab::train {

// A model of `layers` layers: layer i is `bert`'s layer i * L / layers, with
// the embeddings and the pooler as they are.
model::BertModel select_layers(model::BertModel& bert, std::int64_t layers);

class Distiller {
 public:
  // Loads the teacher; throws when it cannot teach this student (another
  // label set, a head without "logits", hidden states of another width).
  Distiller(const experiment::DistillSection& section, const std::string& head_plugin,
            const std::vector<std::string>& labels, const model::BertConfig& student);

  // Whether the student's encoder must return every layer's hidden states.
  bool needs_hidden_states() const { return section_.hidden_weight > 0; }
  // The student's training loss for `batch`, given its encoder and head outputs and its hard-label loss.
  torch::Tensor loss(const EncoderOutputs& student_encoded, const HeadOutput& student_output,
                     const torch::Tensor& hard_loss, const Batch& batch);

  const std::filesystem::path& teacher_dir() const { return teacher_.dir; }
  // Moves the teacher to the student's device.
  void to(c10::Device device);

 private:
  experiment::DistillSection section_;
  SavedModel teacher_;
};

}  // namespace bertlab::train
