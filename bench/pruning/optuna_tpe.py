"""Optuna's TPE sampler with a pruner, driven step by step by bench/pruning/optuna-driver.ts over JSON lines,
run with Debian's /usr/bin/python3 (python3-optuna). The driver owns the learning curves (one implementation,
in TypeScript); this process owns Optuna's study. One request per stdin line, one answer per stdout line:

  {"op": "study", "seed": s, "parameters": {name: {"distribution": ..., "min": ..., "max": ...}},
   "pruner": {"min_resource": 1, "max_resource": 20, "reduction_factor": 3}}   -> {"optuna": version}
  {"op": "ask"}                                   -> {"number": n, "params": {...}}
  {"op": "report", "step": e, "value": v}         -> {"prune": bool}
  {"op": "tell", "state": "complete" | "pruned", "value": v}  -> {}
"""
import json
import sys

import optuna
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)


def suggest(trial, name, spec):
    if spec["distribution"] == "log_uniform_values":
        return trial.suggest_float(name, spec["min"], spec["max"], log=True)
    if spec["distribution"] == "uniform":
        return trial.suggest_float(name, spec["min"], spec["max"])
    raise ValueError(f"unsupported distribution {spec['distribution']!r}")


def main():
    study = None
    parameters = {}
    trial = None
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        if op == "study":
            parameters = request["parameters"]
            pruner = request["pruner"]
            study = optuna.create_study(
                # Named after the seed: HyperbandPruner deals trials to brackets by a CRC of the study name
                # and trial number, and the default name is a fresh UUID, so without a name the Optuna row
                # changed from run to run.
                study_name=f"pruning-bench-{request['seed']}",
                direction="minimize",
                sampler=optuna.samplers.TPESampler(seed=request["seed"]),
                pruner=optuna.pruners.HyperbandPruner(
                    min_resource=pruner["min_resource"],
                    max_resource=pruner["max_resource"],
                    reduction_factor=pruner["reduction_factor"],
                ),
            )
            answer = {"optuna": optuna.__version__}
        elif op == "ask":
            trial = study.ask()
            params = {name: suggest(trial, name, spec) for name, spec in parameters.items()}
            answer = {"number": trial.number, "params": params}
        elif op == "report":
            trial.report(request["value"], request["step"])
            answer = {"prune": bool(trial.should_prune())}
        elif op == "tell":
            if request["state"] == "complete":
                study.tell(trial, request["value"])
            else:
                study.tell(trial, state=TrialState.PRUNED)
            answer = {}
        else:
            raise ValueError(f"unknown op {op!r}")
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
