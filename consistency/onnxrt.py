"""The embedding model on ONNX Runtime: exported here from the packaged weights, then verified.

ONNX Runtime needs neither torch nor sentence-transformers at run time, so the model loads
in 1.4 s instead of 9.8 s and a small run takes half the time; it embeds at the same rate
as torch here (benchmarks/bench_backends.py). The graph is exported once per model from the
installed package (never downloaded) into a local folder, with the pooling and normalisation
of the sentence-transformers pipeline inside it, and is only used after its vectors have
matched sentence-transformers' own on probe texts.
"""

from __future__ import annotations

import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from consistency.errors import ModelError

if TYPE_CHECKING:
    from consistency.embed import Manifest

ONNX_ENV = "CONSISTENCY_ONNX_DIR"
EXPORT_VERSION = 1  # part of the file name: bump it when export() changes the graph
OPSET = 17
# The largest difference allowed between an exported vector and sentence-transformers' own
# (float32 kernels differ in summation order; 1e-5 is far below any cut the checker uses).
TOLERANCE = 1e-5
PROBES = (
    "Putin arrived in Pyongyang early on Wednesday for his first visit in 24 years.",
    "Kim",
    "",
    "The two leaders signed a comprehensive strategic partnership agreement. " * 40,
)


def onnx_dir() -> Path:
    """Where exported graphs live: ``$CONSISTENCY_ONNX_DIR``, else the user's cache folder."""
    env = os.environ.get(ONNX_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "consistency" / "onnx"


def graph_path(manifest: Manifest) -> Path:
    """The exported graph of this manifest's model: named by its weights and the export."""
    return onnx_dir() / f"{manifest.name}-{manifest.sha256[:16]}-v{EXPORT_VERSION}.onnx"


def pooling(folder: Path) -> str:
    """The model's pooling ("mean" or "cls") from its sentence-transformers configuration."""
    path = folder / "1_Pooling" / "config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(f"{path}: cannot read the pooling configuration ({e}).") from None
    modes = [k for k, on in config.items() if k.startswith("pooling_mode_") and on]
    if modes == ["pooling_mode_mean_tokens"]:
        return "mean"
    if modes == ["pooling_mode_cls_token"]:
        return "cls"
    raise ModelError(
        f"{path}: pooling {modes} is not exported to ONNX here; "
        'set "backend": "torch" in models/embedding.json.'
    )


def export(manifest: Manifest, folder: Path, target: Path) -> None:
    """Trace the model with its pooling and normalisation into ``target``, then verify it.

    Written to a temporary file and renamed, so a crash or a concurrent run never leaves a
    half-written graph; a graph whose vectors differ from sentence-transformers' is refused.
    """
    import torch
    from transformers import AutoModel

    mode = pooling(folder)
    model = AutoModel.from_pretrained(
        str(folder), local_files_only=True, attn_implementation="eager"
    ).eval()

    class Sentence(torch.nn.Module):
        """Token states -> pooled, unit-length sentence vector, as sentence-transformers does."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            states = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if mode == "cls":
                pooled = states[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones((2, 8), dtype=torch.long)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; the graph is no secret
    try:
        with warnings.catch_warnings(), torch.no_grad():
            # The TorchScript exporter (deprecated in favour of torch.export, which would
            # need onnxscript) traces this encoder exactly; its tracer warnings concern
            # decoder-only branches.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Sentence(),
                (sample, sample, torch.zeros_like(sample)),
                tmp,
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names}
                | {"embedding": {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        verify(manifest, folder, Path(tmp))
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def verify(manifest: Manifest, folder: Path, graph: Path) -> None:
    """Refuse a graph whose vectors on PROBES differ from sentence-transformers' own."""
    from consistency.embed import torch_encoder

    want = torch_encoder(manifest, folder).encode(list(PROBES))
    got = Encoder(graph, folder, manifest.max_seq_length).encode(list(PROBES))
    gap = float(np.abs(got - want).max())
    if gap > TOLERANCE:
        raise ModelError(
            f"{folder}: the ONNX export differs from sentence-transformers by {gap:.2e} "
            f'(allowed {TOLERANCE:.0e}); set "backend": "torch" in models/embedding.json.'
        )


class Encoder:
    """A tokenizer and an ONNX Runtime session: texts -> unit vectors, one batch at a time."""

    def __init__(self, graph: Path, folder: Path, max_seq_length: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_seq_length)
        pad = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad is None else pad)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: no notes on stderr
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One batch of texts -> their unit vectors (rows in the order given)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        out: NDArray[np.float32] = self.session.run(None, feed)[0]
        return out


def load(manifest: Manifest, folder: Path) -> Encoder:
    """The verified ONNX encoder of the manifest's model, exporting it on first use."""
    graph = graph_path(manifest)
    if not graph.is_file():
        try:
            export(manifest, folder, graph)
        except OSError as e:
            raise ModelError(
                f"{graph}: cannot write the exported model ({e}); point {ONNX_ENV} at a "
                "writable folder."
            ) from None
    try:
        return Encoder(graph, folder, manifest.max_seq_length)
    except Exception as e:  # onnxruntime raises its own types for a damaged file
        raise ModelError(
            f"{graph}: cannot load the exported model ({e}); delete it to export it again."
        ) from None
