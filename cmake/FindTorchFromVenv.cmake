# Finds LibTorch. When CMAKE_PREFIX_PATH / Torch_DIR do not already find it,
# asks the project's .venv/bin/python (made by tools/setup) for
# torch.utils.cmake_prefix_path, so `cmake -S . -B build` works with no arguments.
find_package(Torch QUIET CONFIG)
if(NOT Torch_FOUND)
  set(_bertlab_python "${PROJECT_SOURCE_DIR}/.venv/bin/python")
  if(NOT EXISTS "${_bertlab_python}")
    message(FATAL_ERROR "LibTorch not found and ${_bertlab_python} does not exist: run tools/setup "
                        "first, or pass -DCMAKE_PREFIX_PATH=<torch.utils.cmake_prefix_path>.")
  endif()
  execute_process(
    COMMAND "${_bertlab_python}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE _bertlab_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _bertlab_torch_rc ERROR_VARIABLE _bertlab_torch_err)
  if(NOT _bertlab_torch_rc EQUAL 0)
    message(FATAL_ERROR "${_bertlab_python} could not import torch: ${_bertlab_torch_err}")
  endif()
  list(APPEND CMAKE_PREFIX_PATH "${_bertlab_torch_prefix}")
  find_package(Torch REQUIRED CONFIG)
endif()
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}")

# One target the rest of the build links for LibTorch. The CPU build links only
# torch_cpu and c10: ${TORCH_LIBRARIES} pulls libtorch_cuda.so, which does not
# link against the system NCCL on machines without the wheel's CUDA stack.
add_library(bertlab_torch INTERFACE)
if(BERTLAB_CUDA)
  target_link_libraries(bertlab_torch INTERFACE ${TORCH_LIBRARIES})
  target_compile_definitions(bertlab_torch INTERFACE BERTLAB_CUDA=1)
else()
  target_link_libraries(bertlab_torch INTERFACE torch_cpu c10)
endif()
# torch_cpu carries only the top include directory; the C++ frontend lives under torch/csrc/api/include.
target_include_directories(bertlab_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
