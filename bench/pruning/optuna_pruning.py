"""Optuna's pruners on the pruning benchmark's curves, run with Debian's /usr/bin/python3 (python3-optuna).

Reads one JSON request on stdin:
  {"pruner": "median" | "hyperband", "options": {...}, "runs": [[[loss at epoch 1..20] per trial] per seed]}
and writes {"optuna": version, "runs": [{"epochs": [epochs run per trial], "completed": [bool per trial]}]}.

The curves are the reported losses of our random sweep with the same seed (same params, same noise), so
Optuna's pruners judge exactly the trials ours judge; the sampler is irrelevant and never consulted.
"""
import json
import sys

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def make_pruner(name, options):
    if name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=options.get("n_startup_trials", 5), n_warmup_steps=options.get("n_warmup_steps", 0)
        )
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=options.get("min_resource", 1),
            max_resource=options.get("max_resource", "auto"),
            reduction_factor=options.get("reduction_factor", 3),
        )
    raise ValueError(f"unknown pruner {name!r}")


def run_one(curves, pruner_name, options):
    epochs = [0] * len(curves)
    completed = [False] * len(curves)
    study = optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=make_pruner(pruner_name, options),
        study_name="pruning-bench",
    )

    def objective(trial):
        curve = curves[trial.number]
        for epoch, loss in enumerate(curve, start=1):
            trial.report(loss, epoch)
            epochs[trial.number] = epoch
            if epoch < len(curve) and trial.should_prune():
                raise optuna.TrialPruned()
        completed[trial.number] = True
        return curve[-1]

    study.optimize(objective, n_trials=len(curves))
    return {"epochs": epochs, "completed": completed}


def main():
    request = json.load(sys.stdin)
    options = request.get("options", {})
    runs = [run_one(curves, request["pruner"], options) for curves in request["runs"]]
    json.dump({"optuna": optuna.__version__, "runs": runs}, sys.stdout)


if __name__ == "__main__":
    main()
