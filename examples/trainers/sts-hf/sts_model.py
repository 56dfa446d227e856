"""Models for the STS trainer: a Hugging Face sequence-regression model (num_labels=1) from a local path,
or `tiny-test`, a small torch-only cross-encoder that needs neither transformers nor a download, so the
training loop is testable with torch alone."""

import torch
from torch import nn

TINY = "tiny-test"


class TinyCrossEncoder(nn.Module):
    """Embedding bag over the pair's character ids, then a small MLP to one score. Same call shape as
    a transformers regression model: model(input_ids=..., attention_mask=...).logits -> [batch, 1]."""

    def __init__(self, vocab_size=8192, dim=32):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.head = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, 1))

    def forward(self, input_ids, attention_mask, **unused):
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (self.embed(input_ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return _Output(self.head(pooled))


class _Output(object):
    def __init__(self, logits):
        self.logits = logits


class TinyTokenizer(object):
    """Characters hashed into the tiny model's vocabulary: sentence 1, separator, sentence 2."""

    def __init__(self, vocab_size=8192, max_length=128):
        self.vocab_size = vocab_size
        self.max_length = max_length

    def __call__(self, first, second):
        rows = []
        for a, b in zip(first, second):
            ids = [2 + (ord(c) % (self.vocab_size - 2)) for c in a] + [1] + [2 + (ord(c) % (self.vocab_size - 2)) for c in b]
            rows.append(ids[: self.max_length])
        width = max(len(r) for r in rows)
        input_ids = torch.zeros((len(rows), width), dtype=torch.long)
        attention_mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            input_ids[i, : len(r)] = torch.tensor(r)
            attention_mask[i, : len(r)] = 1
        return {"input_ids": input_ids, "attention_mask": attention_mask}


def load_model(name, max_length):
    """(model, tokenize) for `tiny-test` or a local Hugging Face model directory."""
    if name == TINY:
        tokenizer = TinyTokenizer(max_length=max_length)
        return TinyCrossEncoder(), tokenizer
    try:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
    except ImportError:
        raise SystemExit("--model_name %r needs the transformers package (pip install transformers); "
                         "use --model_name=%s to test the loop with torch alone" % (name, TINY))
    # local_files_only: models are never downloaded here; pass a directory saved with save_pretrained().
    hf_tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(name, num_labels=1, local_files_only=True)

    def tokenize(first, second):
        return hf_tokenizer(list(first), list(second), padding=True, truncation=True, max_length=max_length, return_tensors="pt")

    return model, tokenize
