"""Pairs of sentences -> same-claim probabilities, from a cross-encoder learned on labelled news.

The judge reads both sentences at once (a cross-encoder): all-MiniLM-L6-v2's packaged weights,
verified by their sha256, with a LoRA adapter and a one-unit head over the mean of the token
states, both learned from news pairs people labelled (``make train``; judge_training.py). Only
the adapter and the head live in ``models/`` (``judge.json`` names them, with their sha256).
On first use the adapter is merged into the base weights and the whole graph is exported to
ONNX once, beside the embedding's graph; it is used only after its scores match the torch
model's on probe pairs, so a run needs neither torch nor peft after that.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import numpy as np
from numpy.typing import NDArray

from consistency.cache import written
from consistency.embed import Manifest, models_dir, sha256
from consistency.errors import InputError, ModelError

if TYPE_CHECKING:
    import torch

__all__ = [
    "CrossEncoder",
    "Judge",
    "JudgeManifest",
    "load",
    "merged_state",
    "read_pairs",
    "same_claim",
    "scored_pairs",
]

EXPORT_VERSION: Final = 1  # part of the graph's file name: bump it when export() changes
OPSET: Final = 17
# The largest difference allowed between the exported graph's logits and torch's on PROBES
# (float32 kernels sum in other orders; far below any difference a cut could see).
TOLERANCE: Final = 1e-4
PROBES: Final = (
    ("Putin arrived in Pyongyang on Wednesday.", "Putin landed in Pyongyang on Wednesday."),
    ("The quake killed four people.", "Rescuers searched the rubble for survivors."),
    ("Kim", ""),
    ("The two leaders signed a pact. " * 30, "A pact was signed. " * 30),
)
BATCH: Final = 64  # pairs per forward pass
PAIR_COLUMNS: Final = ("sentence1", "sentence2")


class Judge(Protocol):
    """Pairs of sentences -> the probability that they state the same claim."""

    threshold: float  # the cut the checker forms claims at

    def probability(self, pairs: Sequence[tuple[str, str]]) -> NDArray[np.float64]:
        """One probability per pair, in the order given."""
        ...


@dataclass(frozen=True)
class JudgeManifest:
    """What ``models/judge.json`` says about the judge: its files, shape and cut."""

    adapter_file: str  # safetensors: lora_A / lora_B per adapted layer, head.weight / bias
    sha256: str
    base: str  # the embedding manifest's model name, whose weights the adapter is for
    base_sha256: str
    rank: int
    alpha: float
    max_length: int  # tokens of a pair (both sentences, truncated longest first)
    threshold: float
    folder: Path

    @classmethod
    def load(cls, folder: str | Path | None = None) -> JudgeManifest:
        """Read the manifest; a missing or incomplete one is a ModelError that says what to fix."""
        where = models_dir(folder)
        path = where / "judge.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ModelError(
                f"{path}: cannot read the judge's manifest ({e}); run `make train` to "
                "write it, or point CONSISTENCY_MODELS_DIR at the project's models/ folder."
            ) from None
        fields = [f for f in cls.__dataclass_fields__ if f != "folder"]
        missing = [k for k in fields if k not in data]
        if missing:
            raise ModelError(f"{path}: the manifest lacks {', '.join(missing)}.")
        return cls(**{k: data[k] for k in fields}, folder=where)

    @property
    def adapter_path(self) -> Path:
        """The adapter's file, beside the manifest."""
        return self.folder / self.adapter_file


def read_adapter(manifest: JudgeManifest) -> dict[str, NDArray[np.float32]]:
    """The adapter's tensors, after their sha256 matched the manifest's."""
    from safetensors.numpy import load_file

    path = manifest.adapter_path
    try:
        digest = sha256(path)
    except OSError as e:
        raise ModelError(
            f"{path}: cannot read the judge's adapter ({e}); run `make train`."
        ) from None
    if digest != manifest.sha256:
        raise ModelError(
            f"{path}: sha256 {digest[:12]}... is not the manifest's {manifest.sha256[:12]}...; "
            "run `make train` to write both again."
        )
    return load_file(str(path))


def merged_state(
    base: dict[str, NDArray[np.float32]], adapter: dict[str, NDArray[np.float32]], scale: float
) -> dict[str, NDArray[np.float32]]:
    """The base weights with each adapted layer's low-rank update added: W + scale * B @ A.

    A tensor of the adapter that has a base weight's name (a layer norm trained whole)
    replaces it.

    >>> w = {"q.weight": np.zeros((2, 2), np.float32)}
    >>> a = {"q.lora_A": np.ones((1, 2), np.float32), "q.lora_B": np.ones((2, 1), np.float32)}
    >>> merged_state(w, a, 0.5)["q.weight"].tolist()
    [[0.5, 0.5], [0.5, 0.5]]
    """
    out = dict(base)
    for key, tensor in adapter.items():  # tensors trained whole (the layer norms) replace
        if key in base:
            out[key] = tensor
    for key in sorted(k for k in adapter if k.endswith(".lora_A")):
        layer = key.removesuffix(".lora_A")
        weight = f"{layer}.weight"
        if weight not in out:
            raise ModelError(f"the judge's adapter names {layer}, which the base model lacks.")
        delta = adapter[f"{layer}.lora_B"] @ adapter[key]
        out[weight] = (out[weight] + scale * delta).astype(np.float32)
    return out


def torch_model(
    adapter: dict[str, NDArray[np.float32]], scale: float, folder: Path
) -> torch.nn.Module:
    """The judge on torch: the base weights in ``folder`` merged with the adapter, and the head.

    ``scale`` is the adapter's alpha / rank.
    """
    import torch
    from safetensors.numpy import load_file
    from transformers import AutoConfig, BertModel

    base = load_file(str(folder / "model.safetensors"))
    state = merged_state(base, adapter, scale)
    config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    encoder = BertModel(config, add_pooling_layer=False)
    keep = {k: torch.from_numpy(v) for k, v in state.items() if not k.startswith("pooler.")}
    encoder.load_state_dict(keep, strict=False)
    head = torch.nn.Linear(config.hidden_size, 1)
    head.weight.data = torch.from_numpy(adapter["head.weight"].copy())
    head.bias.data = torch.from_numpy(adapter["head.bias"].copy())
    module: torch.nn.Module = scorer_class()(encoder, head).eval()
    return module


def scorer_class() -> type:
    """The torch module: encoder states -> mean over the pair's tokens -> one logit."""
    import torch

    class _Scorer(torch.nn.Module):
        def __init__(self, encoder: Any, head: Any) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = head

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return self.head(pooled).squeeze(-1)

    return _Scorer


class Tokens:
    """Pairs -> padded input ids, attention masks and segment ids, as the judge was trained."""

    def __init__(self, folder: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length, strategy="longest_first")
        pad = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad is None else pad)

    def __call__(self, pairs: Sequence[tuple[str, str]]) -> dict[str, NDArray[np.int64]]:
        """One batch of pairs as the graph's three inputs."""
        encoded = self.tokenizer.encode_batch([(a, b) for a, b in pairs])
        return {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }


def graph_path(manifest: JudgeManifest) -> Path:
    """The exported graph, named by the adapter it merges and the export's version."""
    from consistency.onnxrt import onnx_dir

    return onnx_dir() / f"judge-{manifest.sha256[:16]}-v{EXPORT_VERSION}.onnx"


def export(manifest: JudgeManifest, folder: Path, target: Path) -> None:
    """Trace the merged judge into ``target`` (atomically), then check it against torch."""
    import torch

    model = torch_model(read_adapter(manifest), manifest.alpha / manifest.rank, folder)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones((2, 8), dtype=torch.long)
    with written(target) as tmp:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the tracer's notes on decoder-only branches
            torch.onnx.export(
                model,
                (sample, sample, torch.zeros_like(sample)),
                str(tmp),
                input_names=names,
                output_names=["logit"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names}
                | {"logit": {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        tokens = Tokens(folder, manifest.max_length)
        feed = tokens(list(PROBES))
        with torch.no_grad():
            want = model(**{k: torch.from_numpy(v) for k, v in feed.items()}).numpy()
        got = OnnxLogits(tmp)(feed)
        gap = float(np.abs(got - want).max())
        if gap > TOLERANCE:
            raise ModelError(
                f"{folder}: the judge's ONNX export differs from torch by {gap:.2e} "
                f"(allowed {TOLERANCE:.0e}); delete {target} and report the versions in use."
            )


class OnnxLogits:
    """An ONNX Runtime session over the judge's graph: inputs -> logits."""

    def __init__(self, graph: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, feed: dict[str, NDArray[np.int64]]) -> NDArray[np.float32]:
        """The logit of each pair of the batch."""
        out: NDArray[np.float32] = self.session.run(None, feed)[0]
        return out


@dataclass
class CrossEncoder:
    """The learned judge: pairs -> same-claim probabilities, on ONNX Runtime.

    The graph is exported (the first time on a machine) and its session opened when the
    first pairs are asked, so a run whose verdicts are all cached never loads it.
    """

    manifest: JudgeManifest
    model_folder: Path  # the base model's files (tokenizer, weights), verified
    threshold: float

    @cached_property
    def tokens(self) -> Tokens:
        """The base model's tokenizer, set up for pairs."""
        return Tokens(self.model_folder, self.manifest.max_length)

    @cached_property
    def logits(self) -> OnnxLogits:
        """The session over the exported graph, exported first if need be."""
        graph = graph_path(self.manifest)
        if not graph.is_file():
            try:
                export(self.manifest, self.model_folder, graph)
            except OSError as e:
                raise ModelError(
                    f"{graph}: cannot write the judge's exported model ({e}); point "
                    "CONSISTENCY_ONNX_DIR at a writable folder."
                ) from None
        try:
            return OnnxLogits(graph)
        except Exception as e:  # onnxruntime raises its own types for a damaged file
            raise ModelError(
                f"{graph}: cannot load the judge's exported model ({e}); delete it to export "
                "it again."
            ) from None

    def probability(self, pairs: Sequence[tuple[str, str]]) -> NDArray[np.float64]:
        """One probability per pair, in the order given: the mean of both orders of its two.

        The cross-encoder reads the two sentences in order and scores them a little
        differently each way (docs/judge.md); the mean makes (a, b) and (b, a) score alike.
        Pairs are sorted by length before batching, so little of a batch is padding.
        """
        both = [*pairs, *((b, a) for a, b in pairs)]
        out = np.zeros(len(both), dtype=np.float64)
        order = np.argsort([len(a) + len(b) for a, b in both], kind="stable")
        for lo in range(0, len(order), BATCH):
            at = order[lo : lo + BATCH]
            logit = self.logits(self.tokens([both[i] for i in at])).astype(np.float64)
            out[at] = 1.0 / (1.0 + np.exp(-logit))
        half: NDArray[np.float64] = (out[: len(pairs)] + out[len(pairs) :]) / 2
        return half


def load(folder: str | Path | None = None) -> CrossEncoder:
    """The judge named in ``folder``'s judge.json (default models/), its files verified.

    The adapter's and the base weights' sha256 are checked here; the graph is exported
    to ONNX once, when the judge is first asked.
    """
    manifest = JudgeManifest.load(folder)
    base = Manifest.load(folder)
    if (base.name, base.sha256) != (manifest.base, manifest.base_sha256):
        raise ModelError(
            f"{manifest.folder / 'judge.json'}: the judge was trained on {manifest.base} "
            f"({manifest.base_sha256[:12]}...), but embedding.json names {base.name} "
            f"({base.sha256[:12]}...); run `make train` for the embedding model in use."
        )
    read_adapter(manifest)  # its sha256, now rather than at the first pair
    model_folder = base.path()
    weights = model_folder / base.weights_file
    if sha256(weights) != base.sha256:
        raise ModelError(
            f"{weights}: the base weights' sha256 is not the manifest's; reinstall "
            f"{base.package}=={base.version} (make setup)."
        )
    return CrossEncoder(manifest, model_folder, manifest.threshold)


def same_claim(
    pairs: Sequence[tuple[str, str]] | Any, *, judge: Judge | None = None
) -> NDArray[np.float64]:
    """The judge's probability that each pair of sentences states the same claim.

    ``pairs``: (sentence1, sentence2) tuples, or a DataFrame with those two columns. Out of
    a story's context the judge uses only the two sentences. ``judge`` defaults to the
    shipped one (models/judge.json); a probability at or above its ``threshold`` is "same".
    """
    if hasattr(pairs, "columns"):
        missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
        if missing:
            raise ValueError(
                f"the pairs table lacks {', '.join(missing)}: give it columns sentence1 "
                "and sentence2."
            )
        table: Any = pairs
        pairs = list(
            zip(table["sentence1"].astype(str), table["sentence2"].astype(str), strict=True)
        )
    checked = [(str(a), str(b)) for a, b in pairs]
    return (judge or load()).probability(checked)


def read_pairs(path: str | Path) -> Any:
    """A table of sentence pairs: a DataFrame with sentence1 and sentence2, as text.

    A .tsv is split on tabs alone (no quoting: MRPC's own files quote nothing, and a quote
    mark inside a sentence is text); other files are read as CSV. Other columns are kept
    and ignored; an empty cell is an empty sentence.
    """
    import csv

    import pandas as pd

    path = Path(path)
    tab = path.suffix.lower() in {".tsv", ".tab"}
    try:
        frame = pd.read_csv(
            path,
            sep="\t" if tab else ",",
            quoting=csv.QUOTE_NONE if tab else csv.QUOTE_MINIMAL,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise InputError(
            f"{path}: cannot read it as a {'TSV' if tab else 'CSV'} table of pairs ({e}); "
            "give a UTF-8 table with a header row and columns sentence1 and sentence2."
        ) from None
    missing = [c for c in PAIR_COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(map(str, frame.columns)) or "none"
        raise InputError(
            f"{path}: no {' or '.join(missing)} column (columns found: {found}); name the "
            "two sentences' columns sentence1 and sentence2."
        )
    return frame


def scored_pairs(frame: Any, judge: Judge | None = None) -> Any:
    """The judge's verdict on each pair of a read_pairs table, in the table's order.

    Columns: pair (its row, from 1), sentence1, sentence2, score (the judge's probability,
    6 decimals) and same_claim (1 at or above the judge's cut, else 0).
    """
    import pandas as pd

    decider = judge or load()
    score = same_claim(frame, judge=decider)
    return pd.DataFrame(
        {
            "pair": np.arange(1, len(frame) + 1),
            "sentence1": frame["sentence1"].astype(str).to_numpy(),
            "sentence2": frame["sentence2"].astype(str).to_numpy(),
            "score": np.round(score, 6),
            "same_claim": (score >= decider.threshold).astype(np.int64),
        }
    )
