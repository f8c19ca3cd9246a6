#!/usr/bin/env python3
"""bertlab's encoder against Hugging Face transformers on the same weights.

Runs `bertlab encode` on real sentences (singles and pairs, a padded batch,
some truncated) and BertModel on the same inputs; the last hidden state,
pooled output and mean-pooled sentence embedding must agree within 1e-4 in
fp32. Then `bertlab convert` writes the model back and transformers must load
it and compute the same outputs within 1e-5. bf16's difference is reported.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import torch
from safetensors.torch import load_file
from transformers import AutoModel, AutoTokenizer

MAX_LENGTH = 128
FP32_TOLERANCE = 1e-4
ROUND_TRIP_TOLERANCE = 1e-5


def sentences(data_dir):
    with open(os.path.join(data_dir, "sst2", "dev.tsv"), encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    singles = [r[0] for r in rows[:40]]
    with open(os.path.join(data_dir, "squad_v1.1", "dev-v1.1.json"), encoding="utf-8") as f:
        squad = json.load(f)
    pairs = []
    for article in squad["data"]:
        for paragraph in article["paragraphs"]:
            question = paragraph["qas"][0]["question"]
            # Some contexts are longer than MAX_LENGTH tokens: truncation is compared too.
            pairs.append((question, paragraph["context"]))
            if len(pairs) == 24:
                return singles, pairs
    return singles, pairs


def run_bertlab(bertlab, model_dir, lines, pairs, work, name, *extra):
    path = os.path.join(work, name + ".txt")
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(("\t".join(line) if pairs else line) + "\n")
    out = os.path.join(work, name + ".safetensors")
    command = [bertlab, "encode", "--model", model_dir, "--input", path, "--output", out,
               "--max-length", str(MAX_LENGTH), "--batch-size", "16", "--pooling", "mean", *extra]
    if pairs:
        command.append("--pairs")
    subprocess.run(command, check=True)
    return load_file(out)


def reference(model, tokenizer, lines, pairs):
    if pairs:
        batch = tokenizer([a for a, _ in lines], [b for _, b in lines], padding=True, truncation=True,
                          max_length=MAX_LENGTH, return_tensors="pt")
    else:
        batch = tokenizer(lines, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    with torch.no_grad():
        out = model(**batch)
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (out.last_hidden_state * mask).sum(1) / mask.sum(1).clamp_min(1e-9)
    return batch["attention_mask"], out.last_hidden_state * mask, out.pooler_output, mean


def max_differences(ours, mask, hidden, pooled, mean):
    if not torch.equal(ours["attention_mask"], mask):
        raise SystemExit("attention masks differ: the tokenizers disagree on lengths")
    return {
        "last_hidden_state": (ours["last_hidden_state"] - hidden).abs().max().item(),
        "pooler_output": (ours["pooler_output"] - pooled).abs().max().item(),
        "sentence_embedding": (ours["sentence_embedding"] - mean).abs().max().item(),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bertlab", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    torch.manual_seed(0)

    singles, pairs = sentences(args.data)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model).eval()
    failures = []
    with tempfile.TemporaryDirectory() as work:
        for name, lines, is_pair in (("singles", singles, False), ("pairs", pairs, True)):
            expected = reference(model, tokenizer, lines, is_pair)
            fp32 = max_differences(run_bertlab(args.bertlab, args.model, lines, is_pair, work, name), *expected)
            bf16 = max_differences(run_bertlab(args.bertlab, args.model, lines, is_pair, work, name + "-bf16",
                                               "--dtype", "bf16"), *expected)
            print(f"{name}: {len(lines)} inputs, fp32 max |diff| "
                  + ", ".join(f"{k} {v:.2e}" for k, v in fp32.items()))
            print(f"{name}: bf16 max |diff| " + ", ".join(f"{k} {v:.2e}" for k, v in bf16.items()))
            failures += [f"{name} {k} {v:.2e}" for k, v in fp32.items() if v > FP32_TOLERANCE]

        # Round trip: bertlab writes, transformers loads, same outputs.
        written = os.path.join(work, "round-trip")
        subprocess.run([args.bertlab, "convert", "--model", args.model, "--output", written], check=True)
        reloaded = AutoModel.from_pretrained(written).eval()
        batch = tokenizer(singles, padding=True, return_tensors="pt")
        with torch.no_grad():
            a, b = model(**batch), reloaded(**batch)
        round_trip = max((a.last_hidden_state - b.last_hidden_state).abs().max().item(),
                         (a.pooler_output - b.pooler_output).abs().max().item())
        print(f"round trip through bertlab convert: max |diff| {round_trip:.2e}")
        if round_trip > ROUND_TRIP_TOLERANCE:
            failures.append(f"round trip {round_trip:.2e}")
        reloaded_tokenizer = AutoTokenizer.from_pretrained(written)
        if reloaded_tokenizer(singles)["input_ids"] != tokenizer(singles)["input_ids"]:
            failures.append("the written tokenizer files encode differently")

    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("encoder matches transformers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
