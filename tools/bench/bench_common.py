"""Helpers shared by the benchmarks that race bertlab against transformers.Trainer (train.py, pretrain.py).

- run_bertlab: one trial of a temporary experiment in a temporary store, read back with
  `bertlab trials NAME --store DB --json`;
- trainer_args / quiet: TrainingArguments and a Trainer with nothing printed, no saving, no logging;
- native_bf16 / matmul_peak: what the CPU computes natively, and its measured matmul FLOP/s;
- check_setup: the bertlab binary and the Trainer's 'accelerate' dependency are there.
"""
import json
import os
import pathlib
import statistics
import subprocess
import time

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEED = 42


class BenchError(Exception):
    pass


def check_setup(build):
    """The bertlab binary under `build`; raises BenchError when it, or the Trainer's 'accelerate', is missing."""
    bertlab = build / "bertlab"
    if not os.access(bertlab, os.X_OK):
        raise BenchError(f"{bertlab} is missing: run tools/setup first")
    try:
        import accelerate  # noqa: F401  (transformers.Trainer refuses to start without it)
    except ImportError:
        raise BenchError("transformers.Trainer needs the 'accelerate' package, which .venv lacks: "
                         ".venv/bin/pip install accelerate (it belongs in tools/requirements.txt)") from None
    return bertlab


def native_bf16(torch):
    """Whether the CPU computes bf16 natively, as bertlab's precision "auto" decides."""
    capabilities = torch._C._cpu._get_cpu_capability()
    return bool(capabilities.get("avx512_bf16") or capabilities.get("amx_bf16"))


def matmul_peak(torch, dtype, n=None, repeats=5, device="cpu"):
    """FLOP/s of one n x n x n torch.mm (2 n^3 FLOPs; n 2048 on the CPU, 8192 on a GPU), median of `repeats`
    after two warm-ups."""
    n = n or (8192 if device == "cuda" else 2048)
    a, b = torch.randn(n, n, device=device).to(dtype), torch.randn(n, n, device=device).to(dtype)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for _ in range(2):
        torch.mm(a, b)
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        torch.mm(a, b)
        sync()
        times.append(time.perf_counter() - start)
    return 2 * n ** 3 / statistics.median(times)


# ---------------------------------------------------------------------------------------------- bertlab


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))  # a TOML basic string


def experiment_text(sections):
    """TOML text of {section: {key: value}} (section names may be dotted, e.g. "model.config")."""
    return "".join(f"[{section}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in keys.items()) + "\n"
                   for section, keys in sections.items())


def run_bertlab(bertlab, work, name, sections, command="run"):
    """Runs `bertlab COMMAND` on a fresh experiment (study `name`, `sections`) in a fresh store under `work`.

    Returns (the trial as `bertlab trials --json` prints it, bertlab's stderr). Raises BenchError unless
    the study ran one trial to completion."""
    sections = {"study": {"name": name}, **sections}
    folder = work / name
    folder.mkdir()
    experiment, store = folder / f"{name}.toml", folder / "bertlab.db"
    experiment.write_text(experiment_text(sections), encoding="utf-8")
    done = subprocess.run([str(bertlab), command, str(experiment), "--store", str(store), "--json"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"bertlab {command} {experiment} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    log = done.stderr
    done = subprocess.run([str(bertlab), "trials", name, "--store", str(store), "--json"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"bertlab trials {name} failed (exit {done.returncode}):\n{done.stderr.strip()}")
    trials = json.loads(done.stdout)
    if len(trials) != 1 or trials[0]["state"] != "COMPLETE":
        raise BenchError(f"bertlab's trial did not complete: {json.dumps(trials)[:2000]}")
    return trials[0], log


# ---------------------------------------------------------------------------------------------- transformers


def trainer_args(output_dir, device="cpu", **overrides):
    from transformers import TrainingArguments
    return TrainingArguments(output_dir=str(output_dir), use_cpu=device == "cpu", dataloader_num_workers=0,
                             dataloader_pin_memory=False, report_to=[], save_strategy="no", logging_strategy="no",
                             disable_tqdm=True, seed=SEED, **overrides)


def quiet(trainer):
    """No printed logs (the end-of-training summary) and no progress bars."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback
    for callback in (PrinterCallback, ProgressCallback):
        trainer.remove_callback(callback)
