"""Optuna's pruners on the pruning benchmark's curves, run with Debian's /usr/bin/python3 (python3-optuna).

Reads one JSON request on stdin:
  {"pruner": "median" | "hyperband" | "successive_halving", "options": {...}, "budget": epochs,
   "runs": [[[loss at epoch 1..20] per trial of the pool] per seed]}
and writes {"optuna": version, "runs": [{"epochs": [epochs run per trial], "completed": [bool per trial]}]}.

The pools are the points our random sweep with the same seed draws, in the same order, with the same
noise, so Optuna's pruners judge exactly the curves ours judge; Optuna's sampler is never consulted.
Each seed runs until `budget` epochs are spent, as ours do: a trial still running then is cut off and
does not count as completed.
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
    if name == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=options.get("min_resource", 1),
            reduction_factor=options.get("reduction_factor", 3),
            min_early_stopping_rate=options.get("min_early_stopping_rate", 0),
        )
    raise ValueError(f"unknown pruner {name!r}")


def run_one(curves, pruner_name, options, budget):
    epochs = []
    completed = []
    spent = 0
    study = optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=make_pruner(pruner_name, options),
        study_name="pruning-bench",
    )

    def objective(trial):
        nonlocal spent
        if trial.number >= len(curves):
            raise RuntimeError(f"pool of {len(curves)} curves exhausted before the budget of {budget} epochs")
        curve = curves[trial.number]
        epochs.append(0)
        completed.append(False)
        for epoch, loss in enumerate(curve, start=1):
            if spent == budget:
                raise optuna.TrialPruned("epoch budget spent")
            spent += 1
            if spent == budget:
                study.stop()  # takes effect once this trial ends: no trial starts with nothing left to spend
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
    runs = [run_one(curves, request["pruner"], options, request["budget"]) for curves in request["runs"]]
    json.dump({"optuna": optuna.__version__, "runs": runs}, sys.stdout)


if __name__ == "__main__":
    main()
