// Runs a script with the reference Python stack (safetensors, torch,
// transformers), for checks against the implementations bertlab must agree
// with. The script's stdout is parsed as JSON.
#pragma once

#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace bertlab::test {

inline nlohmann::json run_python(const std::string& script, const std::vector<std::string>& args = {}) {
  ScratchDir scratch;
  std::ofstream(scratch / "script.py") << script;  // the temporary closes (flushes) the file here
  std::string command = shell_quote(BERTLAB_PYTHON) + " " + shell_quote((scratch / "script.py").string());
  for (const auto& arg : args) command += " " + shell_quote(arg);
  command +=
      " >" + shell_quote((scratch / "out").string()) + " 2>" + shell_quote((scratch / "err").string()) + " </dev/null";
  const int status = std::system(command.c_str());
  const std::string err = read_file(scratch / "err");
  INFO("python stderr: ", err);
  REQUIRE(status == 0);
  return nlohmann::json::parse(read_file(scratch / "out"));
}

}  // namespace bertlab::test
