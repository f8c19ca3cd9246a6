"""Writes a seed corpus for fuzz_tokenizer from the datasets: sentences,
question/context pairs, CoNLL words and Chinese texts, each behind 4 random
control bytes (see fuzz_tokenizer.cpp for the layout). The seeds are not kept
in the repository: several datasets may not be redistributed.

    .venv/bin/python tools/fuzz/make_tokenizer_seeds.py SHARED_DATA OUT_DIR
"""
import json
import pathlib
import random
import sys

PER_SET = 60
PAIR, WORDS = 1, 2


def main():
    shared, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)

    def lines(path, column, skip_header=True):
        rows = path.read_text(encoding="utf-8").split("\n")[1 if skip_header else 0:]
        return [row.split("\t")[column] for row in rows if row]

    squad = json.loads((shared / "squad_v1.1" / "dev-v1.1.json").read_text(encoding="utf-8"))
    pairs = [(qa["question"], p["context"]) for a in squad["data"] for p in a["paragraphs"] for qa in p["qas"]]
    conll_sentences = (shared / "conll2003" / "eng.testa").read_text(encoding="utf-8").split("\n\n")
    conll_words = [[line.split(" ")[0] for line in s.split("\n") if line and not line.startswith("-DOCSTART-")]
                   for s in conll_sentences]
    resume = ["".join(line.split(" ")[0] for line in s.split("\n") if line)
              for s in (shared / "resume_ner" / "dev.char.bmes").read_text(encoding="utf-8").split("\n\n")]

    sets = {
        "sst2": [(0, t.encode()) for t in lines(shared / "sst2" / "dev.tsv", 0)],
        "squad": [(PAIR, q.encode() + b"\xff" + c.encode()) for q, c in pairs],
        "conll": [(WORDS, "\n".join(w).encode()) for w in conll_words if w],
        "chnsenticorp": [(0, t.encode()) for t in lines(shared / "chnsenticorp" / "dev.tsv", 2)],
        "resume": [(0, t.encode()) for t in resume if t],
    }
    count = 0
    for name, items in sets.items():
        for i, (shape, text) in enumerate(rng.sample(items, min(PER_SET, len(items)))):
            control = bytes([(rng.randrange(256) & ~3) | shape, rng.randrange(3), rng.randrange(256), rng.randrange(8)])
            (out / f"{name}-{i:03d}").write_bytes(control + text)
            count += 1
    print(f"wrote {count} seeds to {out}")


if __name__ == "__main__":
    main()
