"""The embedding model on ONNX Runtime: exported here from the packaged weights, then verified.

ONNX Runtime needs neither torch nor sentence-transformers at run time, so the model loads
in 1.4 s instead of 9.8 s and a small run takes half the time; it embeds at the same rate
as torch here (benchmarks/bench_backends.py). The graph is exported once per model from the
installed package (never downloaded) into a local folder, with the pooling and normalisation
of the sentence-transformers pipeline inside it, and is only used after its vectors have
matched sentence-transformers' own on probe texts.

``"backend": "onnx-int8"`` (opt-in, not the default) quantizes that graph's weights to int8:
1.8x the texts a second here, but its vectors move (cosine to float32 >= 0.96 on news
sentences) and so do some claims (benchmarks/bench_backends.py has the figures).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from consistency.cache import user_folder, written
from consistency.errors import ModelError

if TYPE_CHECKING:
    from consistency.embed import Manifest

__all__ = ["ONNX_ENV", "Encoder", "load", "onnx_dir"]

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
INT8 = "onnx-int8"
# The smallest cosine allowed between an int8 vector and the float32 graph's on PROBES. int8
# moves vectors by design (news sentences measured >= 0.96, probes >= 0.97); a graph below
# this is broken, not merely rounded.
INT8_MIN_COSINE = 0.95


def onnx_dir() -> Path:
    """Where exported graphs live: ``$CONSISTENCY_ONNX_DIR``, else the user's cache folder."""
    return user_folder(ONNX_ENV, "onnx")


def graph_path(manifest: Manifest) -> Path:
    """The graph of this manifest's model, named by its weights, its export and its int8."""
    suffix = "-int8" if manifest.backend == INT8 else ""
    name = f"{manifest.name}-{manifest.sha256[:16]}-v{EXPORT_VERSION}{suffix}.onnx"
    return onnx_dir() / name


def float_manifest(manifest: Manifest) -> Manifest:
    """The same model on the float32 graph, which an int8 graph is quantized from."""
    return dataclasses.replace(manifest, backend="onnx")


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
    with written(target) as tmp:
        with warnings.catch_warnings(), torch.no_grad():
            # The TorchScript exporter (deprecated in favour of torch.export, which would
            # need onnxscript) traces this encoder exactly; its tracer warnings concern
            # decoder-only branches.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Sentence(),
                (sample, sample, torch.zeros_like(sample)),
                str(tmp),
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in names}
                | {"embedding": {0: "batch"}},
                opset_version=OPSET,
                dynamo=False,
            )
        verify(manifest, folder, tmp)


def quantize(source: Path, folder: Path, target: Path, max_seq_length: int) -> None:
    """Quantize the float32 graph ``source`` into ``target``, then check it against it.

    Dynamic quantization: every MatMul's weights to int8, one scale per output channel (a
    quarter of the size), activations quantized batch by batch at run time, so no
    calibration data is needed. Leaving one kind of MatMul (query/key/value, attention
    output, either feed-forward one, or a whole layer) in float32 kept at most 0.92 instead
    of 0.90 of each sentence's five nearest neighbours and gave 1.34-1.70x the speed of
    float32 instead of 1.82x (measured once, 2,000 ECB+ sentences), so all are quantized.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    quiet = logging.NullHandler()  # the quantizer logs advice on the root logger
    root.addHandler(quiet)
    before = root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with written(target) as tmp:
            quantize_dynamic(str(source), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
            verify_int8(source, folder, tmp, max_seq_length)
    finally:
        logging.disable(before)
        root.removeHandler(quiet)


def verify_int8(source: Path, folder: Path, graph: Path, max_seq_length: int) -> None:
    """Refuse an int8 graph whose vectors on PROBES stray from its float32 source's."""
    want = Encoder(source, folder, max_seq_length).encode(list(PROBES))
    got = Encoder(graph, folder, max_seq_length).encode(list(PROBES))
    cosine = float((want * got).sum(axis=1).min())
    if cosine < INT8_MIN_COSINE:
        raise ModelError(
            f"{graph}: the int8 graph's vectors are at cosine {cosine:.3f} to the float32 "
            f'graph\'s (at least {INT8_MIN_COSINE} expected); set "backend": "onnx".'
        )


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
    """The verified ONNX encoder of the manifest's model, exported (and quantized) once."""
    graph = graph_path(manifest)
    source = graph_path(float_manifest(manifest))
    if not graph.is_file():
        try:
            if not source.is_file():
                export(float_manifest(manifest), folder, source)
            if graph != source:
                quantize(source, folder, graph, manifest.max_seq_length)
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
