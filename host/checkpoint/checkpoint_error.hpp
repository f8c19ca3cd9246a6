// The one exception type the checkpoint readers and writers throw.
#pragma once

#include <stdexcept>

namespace bertlab::checkpoint {

// Every problem with a checkpoint file. The message names the file and,
// where one is to blame, the tensor.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bertlab::checkpoint
