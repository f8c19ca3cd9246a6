"""The synthetic search objectives of search_objectives.hpp, for Optuna.

Same functions, spaces and known minima as the C++ header (keep the two in
step); all are minimised. Only the fine-tuning-like function's evaluation
noise (Gaussian, sd 0.005) comes from another generator (numpy's), seeded
from the same per-evaluation seed.
"""
import math

import numpy as np

# Branin 0.397887, Hartmann-6 -3.32237, fine-tuning-like ~0.08 (its noise-free floor).
KNOWN_MINIMA = {"branin": 0.397887, "hartmann6": -3.32237, "finetune": 0.08}


def branin(x1, x2):
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 * x1 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_ALPHA = [1.0, 1.2, 3.0, 3.2]
_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
_P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
      [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = sum(_A[i][j] * (x[j] - _P[i][j]) ** 2 for j in range(6))
        total += _ALPHA[i] * math.exp(-inner)
    return -total


def finetune_like(learning_rate, batch_size, warmup, weight_decay, best_log_lr, noise_seed):
    log_lr = math.log10(learning_rate)
    batch_shift = 0.25 * math.log2(batch_size / 32.0)
    d = log_lr - (best_log_lr + batch_shift)
    lr_term = 0.08 * d * d if d < 0 else 0.08 * d * d + 0.6 * d * d * d  # diverges faster above
    warmup_term = 0.03 * (min(warmup, 0.1) - 0.1) ** 2 / 0.01 + 0.01 * max(0.0, warmup - 0.1)
    decay_term = 0.005 * abs(weight_decay - 0.01) / 0.1
    noise = np.random.default_rng(noise_seed).normal(0.0, 0.005)
    return 0.08 + lr_term + warmup_term + decay_term + noise


def suggest(trial, objective):
    """The objective's parameters drawn through an Optuna trial (the .hpp's spaces)."""
    if objective == "branin":
        return {"x1": trial.suggest_float("x1", -5, 10), "x2": trial.suggest_float("x2", 0, 15)}
    if objective == "hartmann6":
        return {f"x{i}": trial.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)}
    if objective == "finetune":
        return {"learning_rate": trial.suggest_float("learning_rate", 1e-5, 3e-4, log=True),
                "batch_size": trial.suggest_categorical("batch_size", [16, 32, 64]),
                "warmup_ratio": trial.suggest_float("warmup_ratio", 0, 0.2),
                "weight_decay": trial.suggest_float("weight_decay", 0, 0.1)}
    raise ValueError(f"unknown objective {objective}")


def evaluate(objective, params, noise_seed, best_log_lr=-4.3):
    if objective == "branin":
        return branin(params["x1"], params["x2"])
    if objective == "hartmann6":
        return hartmann6([params[f"x{i}"] for i in range(1, 7)])
    if objective == "finetune":
        return finetune_like(params["learning_rate"], params["batch_size"], params["warmup_ratio"],
                             params["weight_decay"], best_log_lr, noise_seed)
    raise ValueError(f"unknown objective {objective}")
