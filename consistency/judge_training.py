"""Labelled news pairs -> the judge's LoRA adapter and head, its manifest and its scores.

``python -m consistency.judge_training CORPUS/ MODELS/`` (``make train``) reads MRPC's training
pairs and pairs derived from ECB+'s dev-half coreference annotation (below), fine-tunes a
cross-encoder over the packaged all-MiniLM-L6-v2 weights with a LoRA adapter, and writes
``judge.safetensors`` and ``judge.json`` (sha256, data, settings) under MODELS/; the
benchmarks eval_claims.py and eval_judge_mrpc.py add the scores they measure to judge.json.
Training needs torch and peft (the ``train`` extra); the checker itself needs neither.
Everything is seeded and runs on one fixed thread count, so the same data gives the same
adapter on the same machine.

ECB+ pairs, cross-document, within one story: *same* when the two lines share most of their
event chains and their participant, time and place chains (Jaccard >= 0.5 and >= 0.4);
*different* when they share no event chain (the same story, another step of it), or share
an event chain but little else (Jaccard <= 0.25 and <= 0.1: the same event, another
statement). Pairs between those bounds are left out as unclear; of the rest, at most
Settings.ecbplus_pairs are drawn, seeded, half of each label. The stories annotated by
claim for evaluation (EVAL_STORIES) are never trained on.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from consistency import embed
from consistency.judge import Tokens, scorer_class

__all__ = [
    "EVAL_STORIES",
    "Pair",
    "Settings",
    "balanced",
    "ecbplus_pairs",
    "fit",
    "mrpc_pairs",
    "train",
]

# The dev-half ECB+ stories annotated by claim (benchmarks/data/ecbplus/claims/): kept out
# of training, so the judge's figures on them are on stories it has not seen.
EVAL_STORIES = frozenset({"11-ecbplus", "3-ecbplus", "37-ecb", "7-ecb"})
BUCKET = 50  # batches whose pairs are sorted by length together (batches())
TARGETS = ("query", "key", "value", "dense")  # every linear layer of the encoder


@dataclass(frozen=True)
class Pair:
    """Two sentences and whether they state the same claim (1) or not (0)."""

    a: str
    b: str
    label: int
    source: str  # "mrpc", "ecbplus"


@dataclass(frozen=True)
class Settings:
    """How the adapter is trained (written into the manifest)."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.1
    epochs: int = 3
    batch_size: int = 16
    learning_rate: float = 1e-3
    warmup: float = 0.1  # share of the steps with a rising learning rate
    max_length: int = 128
    seed: int = 13
    threads: int = 2
    train_norms: bool = True  # the layer norms' weights and biases trained too (10k numbers)
    ecbplus_pairs: int = 3000  # ECB+ pairs drawn (seeded, half same, half not), at most


def mrpc_pairs(path: str | Path) -> list[Pair]:
    """MRPC's tab-separated pairs (label, id1, id2, sentence1, sentence2; no quoting)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Pair(r["sentence1"], r["sentence2"], int(r["label"]), "mrpc") for r in rows]


def chains(mentions: Iterable[dict[str, Any]], kind: str) -> frozenset[str]:
    """The coreference chains of one kind ("event", "entity") among a line's mentions."""
    return frozenset(m["chain"] for m in mentions if m["type"] == kind and m["chain"])


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared over all, 0 for two empty sets."""
    return len(a & b) / len(a | b) if a | b else 0.0


def pair_label(a: dict[str, Any], b: dict[str, Any]) -> int | None:
    """Same claim (1), different (0) or unclear (None), from two lines' chains."""
    ea, eb = chains(a["mentions"], "event"), chains(b["mentions"], "event")
    pa, pb = chains(a["mentions"], "entity"), chains(b["mentions"], "entity")
    events, entities = jaccard(ea, eb), jaccard(pa, pb)
    if events >= 0.5 and entities >= 0.4:
        return 1
    if not ea & eb or (events <= 0.25 and entities <= 0.1):
        return 0
    return None


def ecbplus_pairs(path: str | Path, exclude: frozenset[str] = EVAL_STORIES) -> list[Pair]:
    """Cross-document pairs of annotated lines within each story, labelled by pair_label."""
    lines: dict[str, list[dict[str, Any]]] = {}
    with open(path, encoding="utf-8") as f:
        for raw in f:
            row = json.loads(raw)
            if row["story"] not in exclude:
                lines.setdefault(row["story"], []).append(row)
    out = []
    for story in sorted(lines):
        for a, b in itertools.combinations(lines[story], 2):
            if a["id"] == b["id"]:
                continue
            label = pair_label(a, b)
            if label is not None:
                out.append(Pair(a["text"], b["text"], label, "ecbplus"))
    return out


def balanced(pairs: Sequence[Pair], most: int, seed: int) -> list[Pair]:
    """At most ``most`` of ``pairs``, half same and half not where both suffice, seeded."""
    rng = random.Random(seed)
    same = [p for p in pairs if p.label == 1]
    other = [p for p in pairs if p.label == 0]
    half = most // 2
    take_same = min(len(same), max(half, most - len(other)))
    take_other = min(len(other), most - take_same)
    return rng.sample(same, take_same) + rng.sample(other, take_other)


def batches(pairs: Sequence[Pair], size: int, rng: random.Random) -> list[list[int]]:
    """One epoch's batches: a seeded shuffle, pairs of like length batched together.

    Within each run of BUCKET batches the pairs are sorted by length, so a batch pads
    little; the batches are then shuffled, so the order of lengths carries no signal.
    """
    order = list(range(len(pairs)))
    rng.shuffle(order)
    out = []
    span = size * BUCKET
    for lo in range(0, len(order), span):
        run = sorted(order[lo : lo + span], key=lambda i: len(pairs[i].a) + len(pairs[i].b))
        out += [run[k : k + size] for k in range(0, len(run), size)]
    rng.shuffle(out)
    return out


def fit(
    pairs: Sequence[Pair],
    folder: Path,
    settings: Settings,
    start: dict[str, NDArray[np.float32]] | None = None,
) -> dict[str, NDArray[np.float32]]:
    """Train the adapter and head on ``pairs``; their tensors, as judge.read_adapter gives them.

    ``start``: tensors of an adapter trained before (as fit returns them) to go on from,
    instead of a fresh adapter and head.

    Each pair is seen once an epoch in a seeded order, its two sentences in a seeded random
    order (the judge is asked both ways round). Loss: binary cross-entropy on the logit.
    """
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.numpy import load_file
    from transformers import AutoConfig, BertModel

    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(settings.seed)
    config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    encoder = BertModel(config, add_pooling_layer=False)
    base = load_file(str(folder / "model.safetensors"))
    encoder.load_state_dict(
        {k: torch.from_numpy(v) for k, v in base.items() if not k.startswith("pooler.")},
        strict=False,
    )
    lora = LoraConfig(
        r=settings.rank,
        lora_alpha=int(settings.alpha),
        lora_dropout=settings.dropout,
        target_modules=list(TARGETS),
        bias="none",
    )
    adapted = get_peft_model(encoder, lora)
    norms = []
    if settings.train_norms:
        for name, param in adapted.named_parameters():
            if "LayerNorm" in name:
                param.requires_grad = True
                norms.append(name)
    head = torch.nn.Linear(config.hidden_size, 1)
    if start is not None:
        adapted.load_state_dict(
            {
                name: torch.from_numpy(start[key].copy())
                for name in adapted.state_dict()
                if (key := peft_key(name)) in start
            },
            strict=False,
        )
        head.weight.data = torch.from_numpy(start["head.weight"].copy())
        head.bias.data = torch.from_numpy(start["head.bias"].copy())
    model = scorer_class()(adapted, head)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.01)
    steps = settings.epochs * -(-len(pairs) // settings.batch_size)
    warm = max(1, int(settings.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm)))
    )
    tokens = Tokens(folder, settings.max_length)
    loss_of = torch.nn.BCEWithLogitsLoss()
    model.train()
    step = 0
    for _ in range(settings.epochs):
        for at in batches(pairs, settings.batch_size, rng):
            batch = [pairs[i] for i in at]
            texts = [(p.a, p.b) if rng.random() < 0.5 else (p.b, p.a) for p in batch]
            feed = {k: torch.from_numpy(v) for k, v in tokens(texts).items()}
            target = torch.tensor([float(p.label) for p in batch])
            loss = loss_of(model(**feed), target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{steps} loss {loss.item():.4f}", file=sys.stderr, flush=True)
    out: dict[str, NDArray[np.float32]] = {}
    for name, tensor in adapted.state_dict().items():
        key = peft_key(name)
        if key is not None and (settings.train_norms or "lora_" in key):
            out[key] = tensor.detach().numpy().astype(np.float32).copy()
    out["head.weight"] = head.weight.detach().numpy().astype(np.float32).copy()
    out["head.bias"] = head.bias.detach().numpy().astype(np.float32).copy()
    return out


def peft_key(name: str) -> str | None:
    """The adapter file's name for one of peft's tensors; None for a frozen base weight.

    base_model.model.encoder.layer.0.attention.self.query.lora_A.default.weight ->
    encoder.layer.0.attention.self.query.lora_A; a layer norm keeps the base model's name
    of its tensor, which it replaces.

    >>> peft_key("base_model.model.encoder.layer.0.attention.self.query.lora_B.default.weight")
    'encoder.layer.0.attention.self.query.lora_B'
    >>> peft_key("base_model.model.encoder.layer.1.output.LayerNorm.bias")
    'encoder.layer.1.output.LayerNorm.bias'
    >>> peft_key("base_model.model.encoder.layer.1.output.dense.base_layer.weight") is None
    True
    """
    bare = name.removeprefix("base_model.model.")
    if ".lora_" in bare:
        layer, rest = bare.split(".lora_", 1)
        return f"{layer}.lora_{rest[0]}"
    if "LayerNorm" in bare:
        return bare
    return None


def train(
    corpus: str | Path, models: str | Path, settings: Settings = Settings()
) -> dict[str, Any]:
    """Fit the judge on MRPC and the ECB+ pairs under ``corpus``; write it under ``models``."""
    from safetensors.numpy import save_file

    corpus, models = Path(corpus), Path(models)
    manifest = embed.Manifest.load(models)
    folder = manifest.path()
    mrpc = mrpc_pairs(corpus / "mrpc" / "train.tsv")
    derived = ecbplus_pairs(corpus / "ecbplus" / "annotations_dev.jsonl")
    ecb = balanced(derived, settings.ecbplus_pairs, settings.seed)
    pairs = mrpc + ecb
    tensors = fit(pairs, folder, settings)
    target = models / "judge.safetensors"
    save_file(dict(sorted(tensors.items())), str(target))
    record = {
        "adapter_file": target.name,
        "sha256": embed.sha256(target),
        "base": manifest.name,
        "base_sha256": manifest.sha256,
        "rank": settings.rank,
        "alpha": settings.alpha,
        "max_length": settings.max_length,
        "threshold": 0.5,
        "architecture": (
            "cross-encoder: [CLS] sentence1 [SEP] sentence2 [SEP] through the base encoder "
            "with LoRA on every linear layer (query, key, value, dense), mean of the token "
            "states, one linear unit, sigmoid"
        ),
        "settings": asdict(settings),
        "trained_on": {
            "mrpc": {
                "file": "corpus/mrpc/train.tsv",
                "pairs": len(mrpc),
                "same": sum(p.label for p in mrpc),
            },
            "ecbplus": {
                "file": "corpus/ecbplus/annotations_dev.jsonl",
                "pairs_derived": len(derived),
                "pairs": len(ecb),
                "same": sum(p.label for p in ecb),
                "excluded_stories": sorted(EVAL_STORIES),
                "rule": "consistency/judge_training.py, module docstring",
            },
        },
    }
    (models / "judge.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m consistency.judge_training CORPUS_DIR MODELS_DIR")
    print(json.dumps(train(sys.argv[1], sys.argv[2]), indent=2))
