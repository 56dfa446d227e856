"""Optuna's side of `npm run bench`, run with Debian's /usr/bin/python3 and python3-optuna.

Usage (called by dist/bench/run.js, which passes one JSON request on stdin and reads JSON from stdout):
  {"mode": "check"}                                  -> optuna version and the problems' values at fixed points
  {"mode": "efficiency", "problem": "...", "config": "...", "seeds": [...], "trials": 100}
  {"mode": "overhead", "trials": 1000, "storage": "memory" | "sqlite:<path>" | "url:<SQLAlchemy URL>", "max_seconds": 90}

The problems repeat bench/functions.ts formula for formula; the "check" mode lets the TypeScript side
verify that both agree before any result is compared.
"""
import json
import math
import random
import sys
import time
import warnings

import optuna

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
optuna.logging.set_verbosity(optuna.logging.WARNING)


def branin(x):
    b = 5.1 / (4 * math.pi * math.pi)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (x["x2"] - b * x["x1"] ** 2 + c * x["x1"] - 6) ** 2 + 10 * (1 - t) * math.cos(x["x1"]) + 10


H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H6_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]


def hartmann6(x):
    total = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[f"x{j + 1}"] - H6_P[i][j]) ** 2 for j in range(6))
        total += H6_ALPHA[i] * math.exp(-inner)
    return -total


def styblinski_tang(x):
    return sum(v ** 4 - 16 * v ** 2 + 5 * v for v in x.values()) / 2


def rosenbrock(x):
    v = [x["x1"], x["x2"], x["x3"], x["x4"]]
    return sum(100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(len(v) - 1))


BATCH_EFFECT = {8: -0.012, 16: 0.0, 32: -0.003, 64: -0.01}


def finetune(x):
    batch = x["batch_size"]
    lr_opt = 3e-5 * math.sqrt(batch / 16)
    d = math.log10(x["lr"] / lr_opt)
    instability = max(0.0, d - 0.3 - 2 * x["warmup_ratio"])
    epochs = x["epochs"]
    epoch_effect = -0.12 * math.exp(-(epochs - 1) / 1.2) - 0.004 * max(0, epochs - 5)
    return (
        0.93
        - 0.06 * d * d
        - 0.6 * instability * instability
        - 0.8 * (x["warmup_ratio"] - 0.06) ** 2
        - 0.5 * (x["weight_decay"] - 0.01) ** 2
        + BATCH_EFFECT[batch]
        + epoch_effect
    )


def box(names, low, high):
    return lambda trial: {n: trial.suggest_float(n, low, high) for n in names}


PROBLEMS = {
    "branin": ("minimize", lambda t: {"x1": t.suggest_float("x1", -5, 10), "x2": t.suggest_float("x2", 0, 15)}, branin, 0.0),
    "hartmann6": ("minimize", box([f"x{i}" for i in range(1, 7)], 0, 1), hartmann6, 0.0),
    "styblinski_tang4": ("minimize", box(["x1", "x2", "x3", "x4"], -5, 5), styblinski_tang, 0.0),
    "rosenbrock4": ("minimize", box(["x1", "x2", "x3", "x4"], -2.048, 2.048), rosenbrock, 0.0),
    "finetune": (
        "maximize",
        lambda t: {
            "lr": t.suggest_float("lr", 1e-6, 1e-4, log=True),
            "batch_size": t.suggest_categorical("batch_size", [8, 16, 32, 64]),
            "warmup_ratio": t.suggest_float("warmup_ratio", 0, 0.2),
            "weight_decay": t.suggest_float("weight_decay", 0, 0.1),
            "epochs": t.suggest_int("epochs", 1, 10),
        },
        finetune,
        0.003,
    ),
}

CHECK_POINTS = {
    "branin": {"x1": 1.25, "x2": 7.5},
    "hartmann6": {f"x{i}": 0.1 * i for i in range(1, 7)},
    "styblinski_tang4": {"x1": -2.5, "x2": 1.0, "x3": 0.5, "x4": 3.0},
    "rosenbrock4": {"x1": 0.5, "x2": -1.0, "x3": 1.5, "x4": 0.25},
    "finetune": {"lr": 4e-5, "batch_size": 32, "warmup_ratio": 0.1, "weight_decay": 0.05, "epochs": 3},
}


def make_sampler(config, seed):
    if config == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if config == "tpe_multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if config == "tpe_optuna5":
        # Optuna 5's defaults, configured on 3.1: joint kernels, group decomposition and the constant liar.
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, constant_liar=True)
    raise ValueError(f"unknown optuna config {config!r}")


def efficiency(request):
    goal, suggest, f, noise = PROBLEMS[request["problem"]]
    runs = []
    for seed in request["seeds"]:
        rng = random.Random(f"noise:{request['problem']}:{seed}")
        study = optuna.create_study(direction=goal, sampler=make_sampler(request["config"], seed))
        observed, truth = [], []
        for _ in range(request["trials"]):
            trial = study.ask()
            value = f(suggest(trial))
            seen = value + noise * rng.gauss(0, 1) if noise > 0 else value
            study.tell(trial, seen)
            observed.append(seen)
            truth.append(value)
        runs.append({"seed": seed, "observed": observed, "truth": truth})
    return {"runs": runs}


def finetune_space(trial):
    return {
        "lr": trial.suggest_float("lr", 1e-6, 1e-4, log=True),
        "batch_size": trial.suggest_categorical("batch_size", [8, 16, 32, 64]),
        "warmup_ratio": trial.suggest_float("warmup_ratio", 0, 0.2),
        "weight_decay": trial.suggest_float("weight_decay", 0, 0.1),
    }


def overhead(request):
    storage = request["storage"]
    if storage == "memory":
        url = None
    elif storage.startswith("url:"):
        url = storage[len("url:"):]  # e.g. postgresql://..., through SQLAlchemy and psycopg2
    else:
        url = "sqlite:///" + storage[len("sqlite:"):]
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=1), storage=url)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    max_seconds = request.get("max_seconds")
    asks = []
    capped = False
    start = time.perf_counter()
    for _ in range(request["trials"]):
        if max_seconds is not None and time.perf_counter() - start > max_seconds:
            capped = True
            break
        t0 = time.perf_counter()
        trial = study.ask()
        params = finetune_space(trial)
        asks.append(time.perf_counter() - t0)
        study.tell(trial, params["lr"] * 1e4 + params["warmup_ratio"])
    total = time.perf_counter() - start
    tail = asks[-50:]
    return {"trials": len(asks), "total_s": total, "last_ask_ms": 1000 * sorted(tail)[len(tail) // 2], "capped": capped}


def main():
    request = json.load(sys.stdin)
    mode = request["mode"]
    if mode == "check":
        out = {"version": optuna.__version__, "values": {name: PROBLEMS[name][2](point) for name, point in CHECK_POINTS.items()}}
    elif mode == "efficiency":
        out = efficiency(request)
    elif mode == "overhead":
        out = overhead(request)
    else:
        raise ValueError(f"unknown mode {mode!r}")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
