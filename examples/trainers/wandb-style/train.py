"""A trainer written for W&B sweeps, unchanged: it knows only `wandb`, not `sweep`.

It fits a small STS regressor on KorSTS-format TSV files (standard library only): each sentence pair
becomes its character 1-3 gram cosines and a length ratio, and a linear model on those is trained by
mini-batch SGD. Every epoch it logs val_pearson and val_loss with `wandb.log`, and it records the best
value in `run.summary`, as W&B trainers commonly do.

Run it under the controller with the shim (docs/wandb-compat.md):

    sweep run my-sweep.yaml --wandb-shim      (a sweep file with `program: examples/trainers/wandb-style/train.py`)
"""

import csv
import math
import os
import random

import wandb

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "data", "korsts-sample")

DEFAULTS = {
    "lr": 0.05,
    "batch_size": 16,
    "epochs": 5,
    "seed": 0,
    "train": os.path.join(SAMPLE, "train.tsv"),
    "dev": os.path.join(SAMPLE, "dev.tsv"),
}


def read_pairs(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(r["sentence1"], r["sentence2"], float(r["score"])) for r in rows]


def grams(text, n):
    text = " %s " % " ".join(text.split())
    counts = {}
    for i in range(len(text) - n + 1):
        counts[text[i:i + n]] = counts.get(text[i:i + n], 0) + 1
    return counts


def cosine(a, b):
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def features(s1, s2):
    lengths = sorted((len(s1), len(s2)))
    return [1.0] + [cosine(grams(s1, n), grams(s2, n)) for n in (1, 2, 3)] + [lengths[0] / max(lengths[1], 1)]


def pearson(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else 0.0


def main():
    run = wandb.init(project="korsts-wandb-style", config=DEFAULTS)
    cfg = wandb.config
    wandb.define_metric("val_pearson", summary="max")
    random.seed(cfg.seed)
    train = [(features(a, b), y) for a, b, y in read_pairs(cfg["train"])]
    dev = [(features(a, b), y) for a, b, y in read_pairs(cfg["dev"])]
    weights = [0.0] * len(train[0][0])
    best = -1.0
    for epoch in range(1, cfg.epochs + 1):
        random.shuffle(train)
        for start in range(0, len(train), cfg.batch_size):
            batch = train[start:start + cfg.batch_size]
            grad = [0.0] * len(weights)
            for x, y in batch:
                error = sum(w * v for w, v in zip(weights, x)) - y
                for j, v in enumerate(x):
                    grad[j] += 2 * error * v / len(batch)
            weights = [w - cfg.lr * g for w, g in zip(weights, grad)]
        predictions = [sum(w * v for w, v in zip(weights, x)) for x, _ in dev]
        gold = [y for _, y in dev]
        val_pearson = pearson(predictions, gold)
        val_loss = sum((p - y) ** 2 for p, y in zip(predictions, gold)) / len(gold)
        wandb.log({"val_pearson": val_pearson, "val_loss": val_loss, "epoch": epoch})
        best = max(best, val_pearson)
        run.summary["best_val_pearson"] = best
    wandb.finish()


if __name__ == "__main__":
    main()
