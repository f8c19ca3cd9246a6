"""Searchers on synthetic objectives: bertlab's searcher plugins and Optuna's TPE and GP, in one run.

Every searcher minimises Branin, Hartmann-6 and the fine-tuning-like function
(tools/bench/search_objectives.hpp / .py) for the same seeds; the table gives
the median over seeds of the best value after 10, 20 and 50 trials. bertlab's
plugins run in build/tools/bench/bench_search (run_search, the driver of the
searcher tests), Optuna's TPESampler and GPSampler (default settings, seeded
with the same seed) here. Seeds are spread over --jobs processes; each part's
wall time is printed. --json prints every run's best-so-far curve as a JSON
line as soon as it finishes (a long run stopped early keeps what it finished);
--tables prints the tables of such files.

The warm-start table: task B is the fine-tuning-like function with its best
log10 learning rate moved from -4.3 to -4.0; each searcher runs B cold, and
warm-started from 30 trials it ran on task A (-4.3) — bertlab's searchers
through StudyView::history, Optuna's through study.add_trials — and the table
gives the median best after 10 and 20 trials of B.
"""
import argparse
import json
import multiprocessing
import os
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import search_objectives  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECKPOINTS = (10, 20, 50)
WARM_CHECKPOINTS = (10, 20)
WARM_HISTORY_TRIALS = 30
TASK_A_LOG_LR, TASK_B_LOG_LR = -4.3, -4.0


def seed_chunks(n_seeds, jobs):
    """Contiguous FIRST:END seed ranges, one per process."""
    jobs = max(1, min(jobs, n_seeds))
    bounds = [n_seeds * i // jobs for i in range(jobs + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(jobs) if bounds[i] < bounds[i + 1]]


def run_bertlab(bench, searchers, objectives, n_seeds, trials, jobs, warm_start):
    """bench_search over the seeds, split across processes; its JSON lines."""
    command = [str(bench), "--searchers", ",".join(searchers), "--trials", str(trials)]
    command += ["--warm-start"] if warm_start else ["--objectives", ",".join(objectives)]
    processes = [subprocess.Popen(command + ["--seeds", f"{first}:{end}"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
                 for first, end in seed_chunks(n_seeds, jobs)]
    records, skipped, messages = [], set(), {}
    for process in processes:
        out, err = process.communicate()
        messages.update(dict.fromkeys(err.splitlines()))  # each process says the same; once is enough
        if process.returncode != 0:
            sys.exit("\n".join(messages) + f"\n{' '.join(command)} failed with exit code {process.returncode}")
        for line in out.splitlines():
            record = json.loads(line)
            if "skipped" in record:
                skipped.add(record["skipped"])
            else:
                records.append(record)
    for message in messages:
        if "skipped" not in message:  # a missing plugin is reported once, by main()
            print(message, file=sys.stderr)
    return records, skipped


# ---- Optuna, in worker processes ----

def _init_worker():
    import optuna
    import torch
    torch.set_num_threads(1)  # GPSampler runs on torch; one thread per process, --jobs processes
    optuna.logging.set_verbosity(optuna.logging.WARNING)


def _sampler(name, seed):
    import optuna
    if name == "optuna-tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "optuna-gp":
        return optuna.samplers.GPSampler(seed=seed)
    raise ValueError(name)


def _optimize(study, objective, seed, trials, best_log_lr=-4.3):
    """Ask/tell `trials` trials; the best value after each (noise seeds as run_search's)."""
    best = []
    for n in range(trials):
        trial = study.ask()
        params = search_objectives.suggest(trial, objective)
        value = search_objectives.evaluate(objective, params, seed * 1000003 + n, best_log_lr)
        study.tell(trial, value)
        best.append(value if not best else min(best[-1], value))
    return best


def _optuna_search(task):
    import optuna
    sampler_name, objective, seed, trials = task
    start = time.perf_counter()
    study = optuna.create_study(direction="minimize", sampler=_sampler(sampler_name, seed))
    best = _optimize(study, objective, seed, trials)
    return {"part": "search", "objective": objective, "searcher": sampler_name, "seed": seed, "best": best,
            "seconds": time.perf_counter() - start}


def _optuna_warm_start(task):
    import optuna
    sampler_name, seed, trials = task
    start = time.perf_counter()
    task_a = optuna.create_study(direction="minimize", sampler=_sampler(sampler_name, seed + 1000))
    _optimize(task_a, "finetune", seed + 1000, WARM_HISTORY_TRIALS, TASK_A_LOG_LR)
    warm_study = optuna.create_study(direction="minimize", sampler=_sampler(sampler_name, seed))
    warm_study.add_trials(task_a.trials)
    warm = _optimize(warm_study, "finetune", seed, trials, TASK_B_LOG_LR)  # best over B's own trials only
    cold_study = optuna.create_study(direction="minimize", sampler=_sampler(sampler_name, seed))
    cold = _optimize(cold_study, "finetune", seed, trials, TASK_B_LOG_LR)
    return {"part": "warm_start", "searcher": sampler_name, "seed": seed, "warm": warm, "cold": cold,
            "seconds": time.perf_counter() - start}


def run_optuna(pool, function, tasks, stream):
    """The tasks' records, in the order they finish; with `stream`, each printed as a JSON line at once
    (a long run that is stopped keeps what it finished)."""
    records = []
    for record in pool.imap_unordered(function, tasks, chunksize=1):
        records.append(record)
        if stream:
            print(json.dumps(record), flush=True)
    return records


# ---- tables ----

def median_at(records, key, n):
    values = [r[key][n - 1] for r in records if len(r[key]) >= n]
    return statistics.median(values) if values else None


def cell(value):
    return f"{value:>10.4f}" if value is not None else f"{'-':>10}"


def print_search_table(records, objectives, searchers, trials, n_seeds):
    checkpoints = [n for n in CHECKPOINTS if n <= trials] or [trials]
    print(f"\nmedian best value over up to {n_seeds} seeds (minimised; lower is better)")
    print(f"{'objective':<11} {'searcher':<12}" + "".join(f"{'@' + str(n):>10}" for n in checkpoints)
          + f"{'known min':>11}{'seeds':>7}")
    for objective in objectives:
        for searcher in searchers:
            rows = [r for r in records if r["objective"] == objective and r["searcher"] == searcher]
            if not rows:
                continue
            print(f"{objective:<11} {searcher:<12}" + "".join(cell(median_at(rows, "best", n)) for n in checkpoints)
                  + f"{search_objectives.KNOWN_MINIMA[objective]:>11.4f}{len(rows):>7}")


def print_warm_table(records, searchers, n_seeds):
    print(f"\nwarm start: fine-tuning-like task B (best log10 lr {TASK_B_LOG_LR}) after {WARM_HISTORY_TRIALS} "
          f"trials of task A ({TASK_A_LOG_LR}); median best over up to {n_seeds} seeds")
    print(f"{'searcher':<12}" + "".join(f"{'cold @' + str(n):>11}{'warm @' + str(n):>11}" for n in WARM_CHECKPOINTS)
          + f"{'seeds':>7}")
    for searcher in searchers:
        rows = [r for r in records if r["searcher"] == searcher]
        if not rows:
            continue
        print(f"{searcher:<12}" + "".join(f"{cell(median_at(rows, 'cold', n)):>11}{cell(median_at(rows, 'warm', n)):>11}"
                                          for n in WARM_CHECKPOINTS) + f"{len(rows):>7}")


def print_saved_tables(files):
    records = [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]
    for versions in (r for r in records if r["part"] == "versions"):
        print(f"optuna {versions['optuna']}")
    search = [r for r in records if r["part"] == "search"]
    warm = [r for r in records if r["part"] == "warm_start"]
    searchers = list(dict.fromkeys(r["searcher"] for r in search + warm))
    objectives = list(dict.fromkeys(r["objective"] for r in search))
    trials = max((len(r["best"]) for r in search), default=0)
    n_seeds = len({r["seed"] for r in search + warm})
    print_search_table(search, objectives, searchers, trials, n_seeds)
    if warm:
        print_warm_table(warm, searchers, n_seeds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument("--trials", type=int, default=50, help="trials per search (default 50)")
    parser.add_argument("--searchers", default="random,tpe,gp", help="bertlab searcher plugins (default random,tpe,gp)")
    parser.add_argument("--objectives", default="branin,hartmann6,finetune")
    parser.add_argument("--no-optuna", action="store_true", help="bertlab's searchers only")
    parser.add_argument("--no-warm-start", action="store_true", help="skip the warm-start table")
    parser.add_argument("--jobs", type=int, default=2, help="processes the seeds are spread over (default 2)")
    parser.add_argument("--json", action="store_true", help="print every run as a JSON line instead of tables")
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build")
    parser.add_argument("--tables", type=pathlib.Path, nargs="+", metavar="JSONL",
                        help="print the tables of earlier --json output instead of running")
    args = parser.parse_args()
    if args.tables:
        print_saved_tables(args.tables)
        return
    bench = args.build / "tools" / "bench" / "bench_search"
    searchers = [s for s in args.searchers.split(",") if s]  # "" runs Optuna alone
    if searchers and not bench.exists():
        sys.exit(f"{bench} is missing: cmake --build {args.build} --target bench_search")
    objectives = [o for o in args.objectives.split(",") if o]
    for objective in objectives:
        if objective not in search_objectives.KNOWN_MINIMA:
            sys.exit(f"unknown objective {objective} (branin, hartmann6, finetune)")
    warm_trials = max(WARM_CHECKPOINTS)
    started = time.perf_counter()
    walls = []

    def timed(label, run):
        start = time.perf_counter()
        result = run()
        walls.append((label, time.perf_counter() - start))
        print(f"[{label}: {walls[-1][1]:.1f} s]", file=sys.stderr, flush=True)
        return result

    records, skipped, warm_records = [], set(), []
    if searchers:
        records, skipped = timed("bertlab searchers", lambda: run_bertlab(
            bench, searchers, objectives, args.seeds, args.trials, args.jobs, warm_start=False))
    if searchers and not args.no_warm_start:
        warm_records, _ = timed("bertlab warm start", lambda: run_bertlab(
            bench, searchers, objectives, args.seeds, warm_trials, args.jobs, warm_start=True))
    if args.json:
        for record in records + warm_records:
            print(json.dumps(record), flush=True)
    for name in sorted(skipped):
        print(f"searcher plugin '{name}' is not built ({bench.parent.parent.parent / 'plugins'}): skipped",
              file=sys.stderr)
    present = [s for s in searchers if s not in skipped]

    optuna_names = []
    if not args.no_optuna:
        import optuna
        optuna_version = optuna.__version__
        if args.json:
            print(json.dumps({"part": "versions", "optuna": optuna_version}), flush=True)
        optuna_names = ["optuna-tpe", "optuna-gp"]
        context = multiprocessing.get_context("spawn")  # a fresh torch in each worker
        with context.Pool(max(1, args.jobs), initializer=_init_worker) as pool:
            for name in optuna_names:
                # Seed-major: a run stopped early still has every objective for the first seeds.
                tasks = [(name, objective, seed, args.trials) for seed in range(args.seeds) for objective in objectives]
                records += timed(name, lambda: run_optuna(pool, _optuna_search, tasks, args.json))
                if not args.no_warm_start:
                    warm_tasks = [(name, seed, warm_trials) for seed in range(args.seeds)]
                    warm_records += timed(name + " warm start",
                                          lambda: run_optuna(pool, _optuna_warm_start, warm_tasks, args.json))
    total = time.perf_counter() - started

    if args.json:  # every record was printed as it came
        return
    if not args.no_optuna:
        print(f"optuna {optuna_version}")
    print(f"{args.seeds} seeds, {args.trials} trials, {args.jobs} processes, {os.cpu_count()} CPUs")
    print_search_table(records, objectives, present + optuna_names, args.trials, args.seeds)
    if warm_records:
        print_warm_table(warm_records, present + optuna_names, args.seeds)
    print("\nwall time: " + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in walls) + f"; total {total:.1f} s")


if __name__ == "__main__":
    main()
