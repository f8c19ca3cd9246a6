// Sequence-labelling files: CoNLL columns and character-per-line files,
// -DOCSTART- wherever it stands, tag schemes converted to BIO, and errors
// that name the file and the line; the predict writer's layout.
#include "data/conll.hpp"
#include "data/conll_writer.hpp"
#include "data/dataset.hpp"
#include "data/tag_scheme.hpp"

// After LibTorch: c10's logging header defines a CHECK macro of its own.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "support.hpp"

using namespace bertlab;
using bertlab::data::Columns;
using bertlab::data::DataError;
using bertlab::data::read_dataset;
using bertlab::data::TagScheme;

namespace {

Columns conll(std::string scheme = "auto", std::int64_t tag_column = -1) {
  Columns c{"conll", "", "", ""};
  c.tag_column = tag_column;
  c.tag_scheme = std::move(scheme);
  return c;
}

std::filesystem::path write(const test::ScratchDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name, std::ios::binary) << text;
  return dir / name;
}

std::string error_of(const std::filesystem::path& file, const Columns& columns, bool require_labels = true) {
  try {
    read_dataset(file, columns, 0, require_labels);
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}

std::vector<std::string> tags(const Example& example) {
  std::vector<std::string> out;
  for (const auto& tag : example.label.as_array()) out.push_back(tag.as_string());
  return out;
}

using Tags = std::vector<std::string>;

}  // namespace

TEST_CASE("conll: -DOCSTART- lines are skipped before, between and after documents, with or without blank lines") {
  test::ScratchDir dir;
  const auto file = write(dir, "a.conll",
                          "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\n"
                          "Peter NNP I-NP I-PER\n-DOCSTART- -X- O O\nBlackburn NNP I-NP I-PER\r\n\n\n"
                          "BRUSSELS NNP I-NP I-LOC\n\n-DOCSTART- -X- -X- O");
  auto data = read_dataset(file, conll(), 0, true);
  REQUIRE(data.examples.size() == 4);
  CHECK(data.examples[0].words == std::vector<std::string>{"EU", "rejects"});
  CHECK(data.examples[0].text == "EU rejects");
  CHECK(tags(data.examples[0]) == Tags{"B-ORG", "O"});  // IOB1's I-ORG after O starts the entity
  CHECK(data.examples[1].words == std::vector<std::string>{"Peter"});  // -DOCSTART- ends the sentence
  CHECK(data.examples[2].words == std::vector<std::string>{"Blackburn"});
  CHECK(data.examples[3].words == std::vector<std::string>{"BRUSSELS"});
  CHECK(data.lines == std::vector<std::int64_t>{3, 6, 8, 11});
  CHECK(read_dataset(file, conll(), 2, true).examples.size() == 2);
}

TEST_CASE("conll: CoNLL-2003 eng.testa has the standard 3,250 sentences and 51,362 tokens, read as IOB1") {
  auto data = read_dataset(std::string(BERTLAB_SHARED_DATA) + "/conll2003/eng.testa", conll(), 0, true);
  CHECK(data.examples.size() == 3250);
  std::size_t tokens = 0, entities = 0;
  for (const auto& e : data.examples) {
    tokens += e.words.size();
    for (const auto& tag : tags(e)) entities += tag[0] == 'B' ? 1 : 0;
  }
  CHECK(tokens == 51362);
  CHECK(entities == 5942);  // the published dev entity count (PER 1842, LOC 1837, ORG 1341, MISC 922)
  CHECK(data.examples[0].words[2] == "LEICESTERSHIRE");
  CHECK(tags(data.examples[0])[2] == "B-ORG");
}

TEST_CASE("chars: Resume NER dev, BMES to BIO") {
  Columns chars{"chars", "", "", ""};
  auto data = read_dataset(std::string(BERTLAB_SHARED_DATA) + "/resume_ner/dev.char.bmes", chars, 0, true);
  CHECK(data.examples.size() == 463);
  std::size_t characters = 0;
  for (const auto& e : data.examples) characters += e.words.size();
  CHECK(characters == 13890);
  const auto& first = data.examples[0];
  CHECK(first.text.rfind("吴重阳，", 0) == 0);  // characters joined without spaces
  const auto first_tags = tags(first);
  CHECK(Tags(first_tags.begin(), first_tags.begin() + 4) == Tags{"B-NAME", "I-NAME", "I-NAME", "O"});
}

TEST_CASE("tag schemes: IOB1, BIO, BIOES and BMES give the same BIO entities") {
  using data::to_bio;
  // Two touching PER entities, then a LOC, then a single-word ORG.
  const Tags bio{"B-PER", "I-PER", "B-PER", "O", "B-LOC", "I-LOC", "I-LOC", "B-ORG"};
  CHECK(to_bio(Tags{"I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-LOC", "I-LOC", "I-ORG"}, TagScheme::iob1) == bio);
  CHECK(to_bio(bio, TagScheme::bio) == bio);
  CHECK(to_bio(Tags{"B-PER", "E-PER", "S-PER", "O", "B-LOC", "I-LOC", "E-LOC", "S-ORG"}, TagScheme::bioes) == bio);
  CHECK(to_bio(Tags{"B-PER", "E-PER", "S-PER", "O", "B-LOC", "M-LOC", "E-LOC", "S-ORG"}, TagScheme::bmes) == bio);
  // Type changes inside I- runs start new entities; after an E- an I- starts one too.
  CHECK(to_bio(Tags{"I-PER", "I-LOC", "O", "I-LOC"}, TagScheme::iob1) == Tags{"B-PER", "B-LOC", "O", "B-LOC"});
  CHECK(to_bio(Tags{"B-PER", "E-PER", "I-PER"}, TagScheme::bioes) == Tags{"B-PER", "I-PER", "B-PER"});
  // And back, entity for entity.
  CHECK(data::from_bio(bio, TagScheme::iob1) == Tags{"I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-LOC", "I-LOC", "I-ORG"});
  CHECK(data::from_bio(bio, TagScheme::bioes) == Tags{"B-PER", "E-PER", "S-PER", "O", "B-LOC", "I-LOC", "E-LOC", "S-ORG"});
  CHECK(data::from_bio(bio, TagScheme::bmes) == Tags{"B-PER", "E-PER", "S-PER", "O", "B-LOC", "M-LOC", "E-LOC", "S-ORG"});
  CHECK(data::from_bio(Tags{"O", "I-PER", "I-PER"}, TagScheme::bio) == Tags{"O", "B-PER", "I-PER"});
  // Detection.
  const std::vector<Tags> iob1{{"I-PER", "O"}}, plain{{"B-PER", "I-PER", "O"}}, bioes{{"S-PER"}}, bmes{{"B-X", "M-X", "E-X"}};
  CHECK(data::detect_tag_scheme(iob1) == TagScheme::iob1);
  CHECK(data::detect_tag_scheme(plain) == TagScheme::bio);
  CHECK(data::detect_tag_scheme(bioes) == TagScheme::bioes);
  CHECK(data::detect_tag_scheme(bmes) == TagScheme::bmes);
}

TEST_CASE("conll: a file in BIOES read with tag_scheme bioes, tag_column picks the column") {
  test::ScratchDir dir;
  const auto file = write(dir, "b.txt", "John B-NP S-PER\nSmith I-NP O\n\nNew B-NP B-LOC\nYork E-NP E-LOC\n");
  auto data = read_dataset(file, conll("bioes"), 0, true);
  REQUIRE(data.examples.size() == 2);
  CHECK(tags(data.examples[0]) == Tags{"B-PER", "O"});
  CHECK(tags(data.examples[1]) == Tags{"B-LOC", "I-LOC"});
  auto chunks = read_dataset(file, conll("bioes", 1), 0, true);
  CHECK(tags(chunks.examples[0]) == Tags{"B-NP", "I-NP"});
}

TEST_CASE("conll: malformed lines name the file and the line") {
  test::ScratchDir dir;
  const auto columns = write(dir, "columns.txt", "EU NNP I-NP I-ORG\n\nrejects VBZ I-ORG\n");
  CHECK(error_of(columns, conll()) == columns.string() + ":3: expected 4 columns as on line 1, found 3");
  const auto bad_tag = write(dir, "tag.txt", "EU I-ORG\nrejects X-ORG\n");
  CHECK(error_of(bad_tag, conll()) ==
        bad_tag.string() + ":2: 'X-ORG' is not a tag (expected O or B-, I-, M-, E-, S- and a type)");
  const auto scheme = write(dir, "scheme.txt", "EU I-ORG\n\nNew S-LOC\n");
  CHECK(error_of(scheme, conll("bio")) == scheme.string() + ":3: tag 'S-LOC' is not in the bio scheme (data.tag_scheme)");
  const auto untagged = write(dir, "words.txt", "EU\nrejects\n");
  CHECK(error_of(untagged, conll()) == untagged.string() + ":1: no tag column (expected 'word ... tag')");
  CHECK(error_of(untagged, conll(), false) == "no error");
  Columns chars{"chars", "", "", ""};
  const auto wide = write(dir, "wide.bmes", "\xe5\x90\xb4 B-NAME\n\xe9\x87\x8d M NAME\n");
  CHECK(error_of(wide, chars) == wide.string() + ":2: expected 2 columns as on line 1, found 3");
  CHECK(error_of(columns, conll("auto", 7)) ==
        columns.string() + ":1: data.tag_column 7 but the line has 4 columns (0-based)");
}

TEST_CASE("predict writer: the input's lines with the predicted tag appended, in the file's scheme") {
  test::ScratchDir dir;
  const auto file = write(dir, "in.txt",
                          "EU NNP I-ORG\nrejects VBZ O\n\n-DOCSTART- -X- O\nPeter NNP I-PER\nBlackburn NNP I-PER\n");
  auto data = read_dataset(file, conll(), 0, true);
  REQUIRE(data.examples.size() == 2);
  std::vector<Prediction> predictions{{{"tags", Array{"B-ORG", "O"}}}, {{"tags", Array{"B-PER", "B-PER"}}}};
  std::ostringstream out;
  data::write_tagged_predictions(file, conll(), predictions, out);
  // IOB1 in, IOB1 out: the second PER touches the first, so it keeps its B-.
  CHECK(out.str() == "EU NNP I-ORG I-ORG\nrejects VBZ O O\n\n-DOCSTART- -X- O\nPeter NNP I-PER I-PER\n"
                     "Blackburn NNP I-PER B-PER\n");
}
