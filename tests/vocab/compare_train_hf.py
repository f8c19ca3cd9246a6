"""`bertlab vocab train` against Hugging Face tokenizers' WordPieceTrainer on
SST-2: both learn a vocabulary from the train sentences; the script prints the
overlap of the two vocabularies and the tokens per word of each on the dev
sentences (both tokenized by HF's BertWordPieceTokenizer, so that only the
vocabularies differ). HF is trained twice, because its tie-breaking follows
hash-map order and so differs between runs.

usage: compare_train_hf.py BERTLAB_EXE SHARED_DATA SIZE [WORKDIR]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from tokenizers import BertWordPieceTokenizer

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def sentences(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        return [line.split("\t")[0] for line in f]


def hf_vocab(corpus, size):
    tokenizer = BertWordPieceTokenizer(lowercase=True)
    tokenizer.train([corpus], vocab_size=size, min_frequency=2, limit_alphabet=1000, show_progress=False,
                    special_tokens=SPECIALS)
    vocab = tokenizer.get_vocab()
    return sorted(vocab, key=vocab.get)


def tokens_per_word(vocab, texts, workdir, name):
    path = os.path.join(workdir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(token + "\n" for token in vocab)
    tokenizer = BertWordPieceTokenizer(path, lowercase=True)
    tokens = words = unknown = 0
    for encoding in tokenizer.encode_batch(texts, add_special_tokens=False):
        tokens += len(encoding.ids)
        words += len(set(encoding.word_ids))
        unknown += encoding.tokens.count("[UNK]")
    return tokens / words, unknown


def main():
    bertlab, shared, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    workdir = sys.argv[4] if len(sys.argv) > 4 else tempfile.mkdtemp()
    train = sentences(os.path.join(shared, "sst2", "train.tsv"))
    dev = sentences(os.path.join(shared, "sst2", "dev.tsv"))
    corpus = os.path.join(workdir, "train.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        f.writelines(text + "\n" for text in train)

    ours_file = os.path.join(workdir, "bertlab_vocab.txt")
    start = time.time()
    subprocess.run([bertlab, "vocab", "train", "--corpus", corpus, "--size", str(size), "--out", ours_file],
                   check=True, capture_output=True)
    ours_seconds = time.time() - start
    ours = [line.rstrip("\n") for line in open(ours_file, encoding="utf-8")]
    start = time.time()
    hf = hf_vocab(corpus, size)
    hf_seconds = time.time() - start
    hf_again = hf_vocab(corpus, size)

    def overlap(a, b):
        return 100.0 * len(set(a) & set(b)) / len(b)

    first_difference = next((i for i, (x, y) in enumerate(zip(ours, hf)) if x != y), None)
    ours_tpw, ours_unk = tokens_per_word(ours, dev, workdir, "ours.txt")
    hf_tpw, hf_unk = tokens_per_word(hf, dev, workdir, "hf.txt")
    print(json.dumps({
        "size": size, "train_sentences": len(train), "dev_sentences": len(dev),
        "bertlab_size": len(ours), "hf_size": len(hf),
        "overlap_percent": round(overlap(ours, hf), 3),
        "same_set": set(ours) == set(hf),
        "same_order": ours == hf,
        "first_id_that_differs": first_difference,
        "hf_vs_hf_rerun_overlap_percent": round(overlap(hf_again, hf), 3),
        "hf_rerun_same_order": hf_again == hf,
        "tokens_per_word_dev": {"bertlab": round(ours_tpw, 4), "hf": round(hf_tpw, 4)},
        "unk_dev": {"bertlab": ours_unk, "hf": hf_unk},
        "seconds": {"bertlab": round(ours_seconds, 2), "hf": round(hf_seconds, 2)},
    }, indent=2))


if __name__ == "__main__":
    main()
