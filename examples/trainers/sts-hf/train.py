"""Fine-tune a sequence-regression model on KorSTS-format TSV (score, sentence1, sentence2 columns) and
report val_pearson and val_loss after every epoch to the sweep controller (clients/python/sweep_client).

    python train.py --model_name=/models/koelectra-base-v3 --lr=3e-5 --batch_size=32 --epochs=5
    python train.py --model_name=tiny-test --epochs=2          # torch only: no transformers, no download

The loop is plain torch: AdamW (weight decay on weights, not biases or LayerNorm), linear warmup over
--warmup_ratio of the steps then linear decay, MSE / L1 / SmoothL1 loss on the 0-5 score. It runs on the
GPU it was given (CUDA_VISIBLE_DEVICES) when there is one, and stops cleanly when the trial is pruned.
"""

import argparse
import csv
import os
import random
import sys
import time

try:
    import torch
except ImportError:
    sys.stderr.write(
        "sts-hf: PyTorch is not importable by %s. Install it for this interpreter (pip install torch, or Debian's "
        "python3-torch for /usr/bin/python3), or point the sweep at an interpreter that has it "
        "(command: [${env}, /path/to/python, ${program}, ${args}]).\n" % sys.executable
    )
    sys.exit(2)

import sweep_client
from sts_model import TINY, load_model

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "..", "data", "korsts-sample")
LOSSES = {"mse": torch.nn.MSELoss, "l1": torch.nn.L1Loss, "smooth_l1": torch.nn.SmoothL1Loss}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model_name", default=TINY, help="local model directory, or %s" % TINY)
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--batch_size", type=int, default=16)
    p.add_argument("--warmup_ratio", type=float, default=0.1)
    p.add_argument("--weight_decay", type=float, default=0.01)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--loss", choices=sorted(LOSSES), default="mse")
    p.add_argument("--optimizer", choices=["adamw", "adam"], default="adamw", help="adam applies weight decay through the gradient (L2)")
    p.add_argument("--max_length", type=int, default=128)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--train", default=os.path.join(SAMPLE, "train.tsv"))
    p.add_argument("--dev", default=os.path.join(SAMPLE, "dev.tsv"))
    p.add_argument("--max_train_rows", type=int, default=None)
    # W&B sweep files pass every parameter; ones this trainer has no use for (e.g. hidden) are ignored.
    args, unknown = p.parse_known_args(argv)
    if unknown:
        sys.stderr.write("[sts-hf] ignoring %s\n" % " ".join(unknown))
    return args


def read_pairs(path):
    with open(path, encoding="utf-8", newline="") as f:
        return [(r["sentence1"], r["sentence2"], float(r["score"])) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def pearson(x, y):
    x = x - x.mean()
    y = y - y.mean()
    denominator = (x.norm() * y.norm()).item()
    return (x @ y).item() / denominator if denominator > 0 else 0.0


def linear_warmup_decay(step, total, warmup):
    """LR multiplier for the 1-based step: up linearly over `warmup` steps, then down linearly to 0."""
    if step <= warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step + 1) / max(1, total - warmup))


def batches(rows, size):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def evaluate(model, tokenize, rows, loss_fn, device, batch_size):
    model.eval()
    predictions = []
    with torch.no_grad():
        for batch in batches(rows, batch_size):
            inputs = {k: v.to(device) for k, v in tokenize([r[0] for r in batch], [r[1] for r in batch]).items()}
            predictions.append(model(**inputs).logits.squeeze(-1).float().cpu())
    predicted = torch.cat(predictions)
    gold = torch.tensor([r[2] for r in rows])
    return pearson(predicted, gold), loss_fn(predicted, gold).item()


def train(args):
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    train_rows, dev_rows = read_pairs(args.train), read_pairs(args.dev)
    if args.max_train_rows:
        train_rows = random.Random(0).sample(train_rows, min(args.max_train_rows, len(train_rows)))
    model, tokenize = load_model(args.model_name, args.max_length)
    model.to(device)
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optimizer_class = torch.optim.AdamW if args.optimizer == "adamw" else torch.optim.Adam
    optimizer = optimizer_class([{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    total = -(-len(train_rows) // args.batch_size) * args.epochs
    warmup = round(args.warmup_ratio * total)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda i: linear_warmup_decay(i + 1, total, warmup))
    loss_fn = LOSSES[args.loss]()
    sys.stderr.write("[sts-hf] %s on %s: %d train / %d dev pairs, %d steps\n" % (args.model_name, device, len(train_rows), len(dev_rows), total))

    for epoch in range(1, args.epochs + 1):
        started = time.time()
        model.train()
        random.shuffle(train_rows)
        loss_sum = 0.0
        for batch in batches(train_rows, args.batch_size):
            inputs = {k: v.to(device) for k, v in tokenize([r[0] for r in batch], [r[1] for r in batch]).items()}
            gold = torch.tensor([r[2] for r in batch], device=device)
            loss = loss_fn(model(**inputs).logits.squeeze(-1).float(), gold)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_sum += loss.item() * len(batch)
            if sweep_client.should_stop():
                sys.stderr.write("[sts-hf] stop requested: leaving after epoch %d's current batch\n" % epoch)
                return
        val_pearson, val_loss = evaluate(model, tokenize, dev_rows, loss_fn, device, args.batch_size)
        sweep_client.report(epoch, val_pearson=val_pearson, val_loss=val_loss, train_loss=loss_sum / len(train_rows))
        sys.stderr.write("[sts-hf] epoch %d/%d train_loss %.4f val_loss %.4f val_pearson %.4f %.1fs\n"
                         % (epoch, args.epochs, loss_sum / len(train_rows), val_loss, val_pearson, time.time() - started))


if __name__ == "__main__":
    train(parse_args(sys.argv[1:]))
