// The experiment keys that split a SQuAD-style file by article: checked when
// the experiment is loaded, with the file, line and key in the message.
#include "experiment/experiment.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

#include <fstream>

#include "support.hpp"

using bertlab::experiment::ExperimentError;

namespace {

std::string load_error(const bertlab::test::ScratchDir& dir, const std::string& data) {
  std::ofstream(dir / "qa.toml") << "[model]\npath = \"m\"\n[data]\n" << data << "[head]\nplugin = \"span-extraction\"\n";
  try {
    bertlab::experiment::load(dir / "qa.toml");
  } catch (const ExperimentError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("squad experiment: train_articles and eval_articles are read and checked") {
  bertlab::test::ScratchDir dir;
  std::ofstream(dir / "qa.toml") << "[model]\npath = \"m\"\n"
                                 << "[data]\nformat = \"squad\"\ntrain = \"dev.json\"\ntrain_articles = \"0:38\"\n"
                                 << "eval = \"dev.json\"\neval_articles = \"38:\"\n";
  auto e = bertlab::experiment::load(dir / "qa.toml");
  CHECK(e.data.format == "squad");
  CHECK(e.data.train_articles == "0:38");
  CHECK(e.data.eval_articles == "38:");
  CHECK(e.data.test_articles.empty());
  // --set and search parameters reach them like any key.
  auto overridden = bertlab::experiment::load(dir / "qa.toml", {"data.eval_articles=40:48"});
  CHECK(overridden.data.eval_articles == "40:48");

  CHECK(load_error(dir, "format = \"squad\"\ntrain = \"d.json\"\ntrain_articles = \"38:0\"\n")
            .find("qa.toml:6: key 'data.train_articles': expected a slice of articles") != std::string::npos);
  CHECK(load_error(dir, "format = \"squad\"\ntrain = \"d.json\"\neval_articles = 38\n")
            .find("qa.toml:6: key 'data.eval_articles': expected a string") != std::string::npos);
  CHECK(load_error(dir, "format = \"tsv\"\ntrain = \"d.tsv\"\ntrain_articles = \"0:3\"\n")
            .find("qa.toml:6: key 'data.train_articles': only for data.format = \"squad\"") != std::string::npos);
}
