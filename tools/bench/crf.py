"""Linear-chain CRF speed, bertlab's crf head vs plain PyTorch, in one run.

The same random batch (32 sentences of up to 128 words, lengths 64..128,
9 tags, float32) goes to build/tools/bench/bench_crf (bertlab's
crf_algorithms.cpp, as the crf head runs it) and to the reference below: the
textbook forward algorithm and Viterbi in PyTorch, vectorized over the batch
and looping over time (pytorch-crf's formulation, with its per-sentence
backtracking vectorized too). Both compute the summed
negative log-likelihood and the best paths, which must agree. Prints median
times and ratios; the machine is shared, so the ratio is the figure.
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]


def log_partition(emissions, mask, transitions, start, end):
    score = start + emissions[:, 0]
    for t in range(1, emissions.shape[1]):
        step = torch.logsumexp(score.unsqueeze(2) + transitions + emissions[:, t].unsqueeze(1), dim=1)
        score = torch.where(mask[:, t].unsqueeze(1), step, score)
    return torch.logsumexp(score + end, dim=1)


def path_score(emissions, tags, mask, transitions, start, end):
    batch = torch.arange(emissions.shape[0])
    score = start[tags[:, 0]] + emissions[batch, 0, tags[:, 0]]
    for t in range(1, emissions.shape[1]):
        valid = mask[:, t].to(emissions.dtype)
        score = score + (transitions[tags[:, t - 1], tags[:, t]] + emissions[batch, t, tags[:, t]]) * valid
    last = tags[batch, mask.sum(1) - 1]
    return score + end[last]


def viterbi(emissions, mask, transitions, start, end):
    score = start + emissions[:, 0]
    history = []
    for t in range(1, emissions.shape[1]):
        best, index = (score.unsqueeze(2) + transitions).max(dim=1)
        step = mask[:, t].unsqueeze(1)
        score = torch.where(step, best + emissions[:, t], score)
        # Padding keeps each tag, so backtracking passes through it.
        history.append(torch.where(step, index, torch.arange(score.shape[1]).expand_as(index)))
    tag = (score + end).argmax(dim=1)
    path = [tag]
    for index in reversed(history):  # backtracking vectorized over the batch
        tag = index.gather(1, tag.unsqueeze(1)).squeeze(1)
        path.append(tag)
    path.reverse()
    return torch.stack(path, dim=1)


def median(repeats, run):
    run()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build")
    args = parser.parse_args()
    bench = args.build / "tools" / "bench" / "bench_crf"
    if not bench.exists():
        sys.exit(f"{bench} is missing: cmake --build {args.build} --target bench_crf")
    torch.set_num_threads(args.threads)

    generator = torch.Generator().manual_seed(0)
    batch, length, tags = 32, 128, 9
    emissions = torch.randn(batch, length, tags, generator=generator)
    lengths = torch.randint(64, length + 1, (batch,), generator=generator)
    lengths[0] = length
    mask = torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)
    gold = torch.randint(0, tags, (batch, length), generator=generator)
    transitions = torch.randn(tags, tags, generator=generator) * 0.5
    start = torch.randn(tags, generator=generator) * 0.5
    end = torch.randn(tags, generator=generator) * 0.5

    results = {}

    def forward():
        with torch.no_grad():
            results["nll"] = log_partition(emissions, mask, transitions, start, end) - path_score(
                emissions, gold, mask, transitions, start, end)

    def forward_backward():
        leaf = emissions.clone().requires_grad_(True)
        (log_partition(leaf, mask, transitions, start, end) - path_score(leaf, gold, mask, transitions, start, end)).sum().backward()

    def decode():
        with torch.no_grad():
            results["path"] = viterbi(emissions, mask, transitions, start, end)

    reference = {"forward": median(args.repeats, forward), "forward_backward": median(args.repeats, forward_backward),
                 "viterbi": median(args.repeats, decode)}
    path = torch.where(mask, results["path"], torch.zeros_like(results["path"]))
    checksum = int((path * (torch.arange(path.numel()).reshape(path.shape) % 97)).sum())

    with tempfile.TemporaryDirectory() as scratch:
        tensors = pathlib.Path(scratch) / "crf.safetensors"
        save_file({"emissions": emissions, "tags": gold, "mask": mask.to(torch.uint8), "transitions": transitions,
                   "start": start, "end": end}, str(tensors))
        out = subprocess.run([str(bench), str(tensors), str(args.repeats), str(args.threads)], capture_output=True,
                             text=True, check=True).stdout
    ours = json.loads(out)

    nll_sum = results["nll"].sum().item()
    agree = abs(ours["nll_sum"] - nll_sum) <= 1e-3 * abs(nll_sum) and ours["path_checksum"] == checksum
    print(f"batch {batch} x {length} words, {tags} tags, {args.threads} thread(s), median of {args.repeats}")
    print(f"{'':<18} {'pytorch ms':>11} {'bertlab ms':>11} {'speed-up':>9}")
    for name in ("forward", "forward_backward", "viterbi"):
        print(f"{name:<18} {reference[name] * 1e3:>11.2f} {ours[name + '_s'] * 1e3:>11.2f} "
              f"{reference[name] / ours[name + '_s']:>8.2f}x")
    print(f"results agree: {agree} (nll sum {nll_sum:.4f} vs {ours['nll_sum']:.4f})")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
