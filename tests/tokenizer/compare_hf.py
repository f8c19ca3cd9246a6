#!/usr/bin/env python3
"""Compares `bertlab tokenize --json` with Hugging Face tokenizers, token for
token: tokens, ids, type ids and offsets, on the public datasets, on every
code point, on random mixes of hard characters and on hand-written cases.

    compare_hf.py BERTLAB_EXE SHARED_DATA MINILM_DIR

Prints the mismatch count of each set and the first differences; exits 1 if
any set has a mismatch.
"""
import json
import pathlib
import random
import subprocess
import sys
import tempfile
import time

from tokenizers import Tokenizer
from tokenizers.implementations import BertWordPieceTokenizer

SHOWN_DIFFS = 3

HARD_CASES = [
    "", " ", "   \t  ", "Café naïve résumé façade Ångström", "e\u0301 a\u0300\u0301 o\u0308\u0304",
    "x\u0301\u0316y x\U0001D16D\U0001D165 \u0344\u0316 \u0F73\u0F71", "\u0301leading mark",
    "İstanbul ıi İ", "Straße ẞ", "ΣΊΣΥΦΟΣ ς σ", "ǅ ǈ ǋ ﬁ ﬀ Å Ω K", "\x00\x01\x07\x1b\x7f text\x0b\x0c",
    "a\u200bb\u200cc\u200dd\ufeffe \u00adsoft\u00adhyphen \u2060", "\ufffd\ufffdab\ufffd",
    "👍🏽 👨\u200d👩\u200d👧 ❤️ 🇫🇷 😀😃", "a" * 99, "a" * 100, "a" * 101, "é" * 101, "unaffable" * 12,
    "，。！？（）【】「」『』：；、～ ＡＢＣ １２３", "東京は日本の首都です。カタカナ ひらがな ｶﾀｶﾅ",
    "안녕하세요 세계 한국어", "مرحبا بالعالم، كيف حالك؟", "שלום עולם", "สวัสดีครับ", "नमस्ते दुनिया क्षत्रिय",
    "hello世界123abc中文", "\tindented\ttabs\t", "no\u00a0break\u202fspace\u3000ideographic",
    "line\u2028separator\u2029para\u0085nel\x1c\x1d\x1e\x1f", "[CLS] [SEP] [MASK] [UNK] [PAD]", "a[MASK]b[SEP]c",
    "[mask] [Mask] [[SEP]] [SEP [CLS", "don't can't I'm you're we've it's", "U.S.A. e-mail $3.50 #tag ##no",
    "\uf900\uf901 \U00020000\U0002A6DF \u2f00 \u3400", "①②③ ⅰⅱ ² ½", "\u180e\u061c\u202a\u202e rtl",
    "\U000E0001\U000E0041 tags \U000F0000 private \ue000", "ＨＥＬＬＯ Ｗｏｒｌｄ", "I\u0307 \u0130\u0301",
    "ǰ ΐ ᾷ ǖ ṩ", "\u1100\u1161\u11a8 각", "Ｉ ｉ", "\u0890\u0891 \u08e2 \U000110CD \U00013430 \u166d",
    "a\u0898b \u1734 \U00011938 \u1C89\u1C8A", "tab\there", "    ", "😀" * 101,
]

HARD_PAIRS = [
    ("", ""), ("question?", ""), ("", "context only"), ("Who wrote it?", "It was written by Café Ångström."),
    ("東京は?", "東京は日本の首都です。"), ("[SEP]", "[CLS] x"), ("a" * 200, "b " * 300),
]

RANDOM_POOL = (
    [chr(c) for c in range(0x20, 0x7F)] + list("éèêëàâäôöûüçñåøæœßİıĳŀǅ") +
    [chr(c) for c in (0x300, 0x301, 0x308, 0x316, 0x327, 0x344, 0x345, 0x34F, 0x35C, 0x360, 0x483, 0x591,
                      0x5BF, 0x610, 0x64B, 0x670, 0x93C, 0x94D, 0xE31, 0xF71, 0xF72, 0xF73, 0xF74, 0xF75,
                      0xF80, 0xF81, 0x1AB0, 0x1DC0, 0x20D0, 0x302A, 0x302E, 0x3099, 0xFE20)] +
    [chr(c) for c in (0x1D165, 0x1D166, 0x1D16D, 0x1D15E, 0x1D15F, 0x1D160, 0x1D1BB, 0x11938, 0x898, 0x8CA,
                      0x1734, 0x1E2EC)] +
    list("中文字東京日本語한국어カタカナひらがな，。！？「」（）") + ["\uf900", "\U00020000", "\u2f00"] +
    ["\x00", "\x01", "\x7f", "\x85", "\t", "\r", "\u00a0", "\u200b", "\u200d", "\ufeff", "\ufffd", "\u2028",
     "\u3000", "\u00ad", "\U000E0041", "\ue000"] +
    list("ΑΒΓαβγΣσςИЙКийк") + ["😀", "👍", "🏽", "\u200d"] + ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]"] +
    ["\u01c4", "\u1e9e", "\u2126", "\u212a", "\u212b", "\u0130", "\u1C89", "\ua7cb", "\U00010d50"]
)


def read_tsv_column(path, column):
    lines = pathlib.Path(path).read_text(encoding="utf-8").split("\n")[1:]
    return [line.split("\t")[column] for line in lines if line]


def read_columns_sentences(path, joiner):
    """Sentences of a one-token-per-line file (CoNLL, BMES): first column, joined."""
    sentences, words = [], []
    for line in pathlib.Path(path).read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            continue
        if not line.strip():
            if words:
                sentences.append(joiner.join(words))
            words = []
            continue
        words.append(line.split(" ")[0])
    if words:
        sentences.append(joiner.join(words))
    return sentences


def squad(shared, count):
    data = json.loads((shared / "squad_v1.1" / "dev-v1.1.json").read_text(encoding="utf-8"))
    contexts, questions = [], []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            contexts.append(paragraph["context"])
            questions.extend((qa["question"], paragraph["context"]) for qa in paragraph["qas"])
    rng = random.Random(1)
    return rng.sample(contexts, count), rng.sample(questions, count)


def every_code_point_lines(per_line=64):
    """Each code point inside a word and alone, so that dropping, splitting,
    stripping and lower-casing it all show in the tokens."""
    points = [chr(c) for c in range(0x110000) if c != 0x0A and not 0xD800 <= c <= 0xDFFF]
    return [" ".join(f"a{c}b {c}" for c in points[i:i + per_line]) for i in range(0, len(points), per_line)]


def random_mixes(count, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(RANDOM_POOL) for _ in range(rng.randint(1, 40))) for _ in range(count)]


def single_line(text):
    return text.replace("\n", " ")


def run_bertlab(exe, tokenizer_args, inputs, pairs, max_length, workdir):
    path = workdir / "input.txt"
    if pairs:
        lines = [single_line(a).replace("\t", " ") + "\t" + single_line(b) for a, b in inputs]
    else:
        lines = [single_line(text) for text in inputs]
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n")
    command = [exe, "tokenize", *tokenizer_args, "--max-length", str(max_length), "--input", str(path), "--json"]
    if pairs:
        command.append("--pairs")
    result = subprocess.run(command, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}: {result.stderr.decode()}")
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def run_hf(tokenizer, inputs, pairs, max_length):
    tokenizer.no_padding()
    if max_length:
        tokenizer.enable_truncation(max_length)
    else:
        tokenizer.no_truncation()
    if pairs:
        batch = [(single_line(a).replace("\t", " "), single_line(b)) for a, b in inputs]
    else:
        batch = [single_line(text) for text in inputs]
    return [{"tokens": e.tokens, "ids": e.ids, "type_ids": e.type_ids, "offsets": [list(o) for o in e.offsets]}
            for e in tokenizer.encode_batch(batch)]


def compare(name, exe, tokenizer_args, hf, inputs, workdir, pairs=False, max_length=512):
    started = time.monotonic()
    ours = run_bertlab(exe, tokenizer_args, inputs, pairs, max_length, workdir)
    theirs = run_hf(hf, inputs, pairs, max_length)
    mismatches = []
    if len(ours) != len(theirs):
        mismatches.append((None, f"{len(ours)} outputs for {len(theirs)} inputs"))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if a != b:
            mismatches.append((i, a, b))
    print(f"{name}: {len(inputs)} inputs, {len(mismatches)} mismatches ({time.monotonic() - started:.1f} s)")
    for mismatch in mismatches[:SHOWN_DIFFS]:
        if mismatch[0] is None:
            print(f"  {mismatch[1]}")
            continue
        i, a, b = mismatch
        print(f"  input {i}: {inputs[i]!r}")
        for key in ("tokens", "ids", "type_ids", "offsets"):
            if a[key] != b[key]:
                first = next((k for k, (x, y) in enumerate(zip(a[key], b[key])) if x != y), min(len(a[key]), len(b[key])))
                print(f"    {key} differ at {first}: bertlab {a[key][first:first + 6]} hf {b[key][first:first + 6]}")
    return len(mismatches)


def main():
    exe, shared, minilm = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    chinese_vocab = shared / "models" / "bert-base-chinese" / "vocab.txt"
    uncased = Tokenizer.from_file(str(minilm / "tokenizer.json"))
    chinese = BertWordPieceTokenizer(str(chinese_vocab), lowercase=False)
    uncased_args = ["--model", str(minilm)]
    chinese_args = ["--vocab", str(chinese_vocab), "--lowercase", "false"]

    sst2 = read_tsv_column(shared / "sst2" / "dev.tsv", 0)
    conll = read_columns_sentences(shared / "conll2003" / "eng.testa", " ")
    contexts, question_context = squad(shared, 500)
    questions = [q for q, _ in question_context]
    chnsenticorp = read_tsv_column(shared / "chnsenticorp" / "dev.tsv", 2)
    resume = read_columns_sentences(shared / "resume_ner" / "dev.char.bmes", "")
    code_points = every_code_point_lines()

    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        workdir = pathlib.Path(scratch)
        for label, args, hf in (("uncased", uncased_args, uncased), ("chinese", chinese_args, chinese)):
            def check(name, inputs, **kwargs):
                return compare(f"{label} {name}", exe, args, hf, inputs, workdir, **kwargs)
            if label == "uncased":
                failures += check("sst2 dev", sst2)
                failures += check("sst2 dev, max_length 8", sst2, max_length=8)
                failures += check("conll2003 eng.testa", conll)
                failures += check("squad contexts", contexts)
                failures += check("squad contexts, no limit", contexts, max_length=0)
                failures += check("squad questions", questions)
                failures += check("squad question/context pairs", question_context, pairs=True)
                failures += check("squad pairs, max_length 64", question_context, pairs=True, max_length=64)
            failures += check("chnsenticorp dev", chnsenticorp)
            failures += check("resume ner dev", resume)
            failures += check("hard cases", HARD_CASES, max_length=0)
            failures += check("hard pairs", HARD_PAIRS, pairs=True, max_length=0)
            failures += check("hard pairs, max_length 16", HARD_PAIRS, pairs=True, max_length=16)
            failures += check("random mixes", random_mixes(3000, seed=7), max_length=0)
            failures += check("every code point", code_points, max_length=0)
    print(f"total mismatches: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
