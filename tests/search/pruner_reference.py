"""Optuna's decisions on the fixed pruning sequences of tests/search/test_pruners.cpp.

Runs Optuna's MedianPruner and SuccessiveHalvingPruner on the same curves as
the C++ test (`curve` below is the test's `curve_value`), trials one after
another, reporting at steps 100, 200, ..., 800 and asking should_prune after
each report, and prints, per configuration, the step at which each trial was
pruned (0: it completed). test_pruners.cpp holds this output as Optuna's
reference.

    .venv/bin/python tests/search/pruner_reference.py
"""
import math

import optuna

STEPS = [100 * k for k in range(1, 9)]
N_TRIALS = 20


def curve(trial, step):
    k = step // 100
    if trial == 5 and k == 3:
        return math.nan
    base = ((trial * 37 + 11) % 17) / 17.0
    slope = ((trial * 5 + 3) % 7) * 0.02  # curves cross: a poor start can end well
    wiggle = ((trial * 13 + k * 7) % 5) * 0.01
    return base - slope * k + wiggle


def prune_steps(pruner, direction):
    study = optuna.create_study(direction=direction, pruner=pruner, sampler=optuna.samplers.RandomSampler(seed=0))
    result = []
    for number in range(N_TRIALS):
        trial = study.ask()
        pruned_at = 0
        for step in STEPS:
            value = curve(number, step)
            # Maximising studies see the negated curve, so the same trials are good.
            trial.report(-value if direction == "maximize" else value, step)
            if trial.should_prune():
                pruned_at = step
                break
        if pruned_at:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        else:
            last = curve(number, STEPS[-1])
            study.tell(trial, -last if direction == "maximize" else last)
        result.append(pruned_at)
    return result


CONFIGS = {
    "median_startup3_warmup150_interval200_min2": (
        lambda: optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=150, interval_steps=200,
                                            n_min_trials=2), "minimize"),
    "median_defaults_maximize": (lambda: optuna.pruners.MedianPruner(), "maximize"),
    "asha_r30_eta2": (lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=30, reduction_factor=2),
                      "minimize"),
    "asha_auto_eta3": (lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource="auto", reduction_factor=3),
                       "minimize"),
    "asha_r100_eta2_rate1_bootstrap2_maximize": (
        lambda: optuna.pruners.SuccessiveHalvingPruner(min_resource=100, reduction_factor=2,
                                                       min_early_stopping_rate=1, bootstrap_count=2), "maximize"),
    "asha_defaults": (lambda: optuna.pruners.SuccessiveHalvingPruner(), "minimize"),
}

if __name__ == "__main__":
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    print("optuna", optuna.__version__)
    for name, (make, direction) in CONFIGS.items():
        print(name, "{" + ", ".join(str(s) for s in prune_steps(make(), direction)) + "}")
