"""Sentences -> unit vectors, with the model named by the manifest in ``models/``.

The model is found through its Python package (never a hub): the manifest names the package,
its version, the weights file and its sha256, so swapping in another local model is an edit
of ``models/embedding.json`` and nothing else. The manifest also picks the backend: ONNX
Runtime (onnxrt.py: a graph exported here from the same weights and checked against
sentence-transformers) or sentence-transformers on torch.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import mmap
import os
import threading
import warnings
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from consistency.cache import EmbeddingCache
from consistency.errors import ModelError
from consistency.progress import bar

__all__ = [
    "MODELS_ENV",
    "Encoder",
    "Manifest",
    "embed",
    "models_dir",
    "preload",
    "sha256",
    "torch_encoder",
    "wait_for_load",
]

MODELS_ENV = "CONSISTENCY_MODELS_DIR"
BACKENDS = ("onnx", "onnx-int8", "torch")


def models_dir(override: str | Path | None = None) -> Path:
    """The folder holding the model manifest and learned heads.

    ``override``, else ``$CONSISTENCY_MODELS_DIR``, else the copy of ``models/`` an
    installed package carries (``consistency/models``, see pyproject.toml), else, in a
    checkout, the repository's ``models/`` beside the package.
    """
    if override is not None:
        return Path(override)
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    # The packaged copy first: an installed package's parent is site-packages, where a
    # folder named models/ may belong to anything.
    packaged = here / "models"
    return packaged if packaged.is_dir() else here.parent / "models"


@dataclass(frozen=True)
class Manifest:
    """What ``models/embedding.json`` says about the embedding model."""

    name: str
    package: str
    version: str
    module: str
    weights_file: str
    sha256: str
    dim: int
    max_seq_length: int
    batch_size: int
    # "onnx" (ONNX Runtime, exported locally), "onnx-int8" (the same, weights quantized to
    # int8: faster, vectors and some claims move) or "torch" (sentence-transformers)
    backend: str

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Manifest:
        """Read the manifest; a missing or incomplete one is a ModelError that says what to fix."""
        path = models_dir(folder) / "embedding.json"
        fields = cls.__dataclass_fields__
        data = read_manifest(path, fields, "the model manifest")
        if data["backend"] not in BACKENDS:
            raise ModelError(
                f"{path}: backend {data['backend']!r} is not one of {', '.join(BACKENDS)}."
            )
        return cls(**{k: data[k] for k in fields})

    def path(self) -> Path:
        """The model folder inside its installed package."""
        module = installed(self.module, self.package, self.version, "the embedding model")
        return Path(module.get_model_path())


def installed(module: str, package: str, version: str, what: str) -> ModuleType:
    """The installed module of a model's package; a ModelError saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ModelError(
            f"{what}'s package {package}=={version} is not installed; run `make setup` "
            f"(or pip install {package}=={version})."
        ) from None


def read_manifest(path: Path, fields: Iterable[str], what: str) -> dict[str, Any]:
    """A manifest under ``models/``, with each of ``fields``.

    A ModelError names the file and the fix when it cannot be read or lacks one; ``what``
    names the manifest in the message.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ModelError(
            f"{path}: cannot read {what} ({e}); reinstall the package (a wheel carries "
            f"models/), or point {MODELS_ENV} at the project's models/ folder."
        ) from None
    missing = [k for k in fields if k not in data]
    if missing:
        raise ModelError(f"{path}: the manifest lacks {', '.join(missing)}.")
    return {k: data[k] for k in fields}


def sha256(path: Path) -> str:
    """Hex sha256 of a file, hashed from a memory map in one call.

    hashlib lets go of Python's lock for the whole call, so a thread hashing the weights
    (preload) does not wait for it chunk after chunk: read a megabyte at a time beside a
    busy main thread, the 91 MB of all-MiniLM-L6-v2 took 0.98 s instead of 0.08 s.
    """
    h = hashlib.sha256()
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size:  # an empty file cannot be mapped
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                h.update(data)
    return h.hexdigest()


class Encoder(Protocol):
    """One batch of texts -> their unit vectors, rows in the order given."""

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit vectors of ``texts``, one row each."""
        ...


@dataclass(frozen=True)
class TorchEncoder:
    """sentence-transformers on torch: the reference the ONNX export is checked against."""

    model: Any

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One batch through the model, pooled and normalised as the model defines."""
        out: NDArray[np.float32] = self.model.encode(
            list(texts),
            batch_size=max(len(texts), 1),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return out


@cache
def load_model(manifest: Manifest) -> Encoder:
    """The manifest's model on its backend, offline on the CPU, after checking its weights."""
    # Offline before transformers is imported: nothing may reach a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    folder = manifest.path()
    weights = folder / manifest.weights_file
    if not weights.is_file():
        raise ModelError(f"{weights}: the model's weights file is missing; reinstall the package.")
    digest = sha256(weights)
    if digest != manifest.sha256:
        raise ModelError(
            f"{weights}: sha256 {digest} differs from the manifest's {manifest.sha256}; "
            "the installed model is not the one the thresholds were chosen for."
        )
    if manifest.backend in ("onnx", "onnx-int8"):
        from consistency import onnxrt

        encoder: Encoder = onnxrt.load(manifest, folder)
    else:
        encoder = torch_encoder(manifest, folder)
    probe = encoder.encode(["dimension probe"])
    if probe.shape[1] != manifest.dim:
        raise ModelError(
            f"{folder}: the model gives {probe.shape[1]}-d vectors, the manifest says "
            f"{manifest.dim}."
        )
    return encoder


_loading: dict[Manifest, threading.Thread] = {}  # loads that preload() started


def preload(manifest: Manifest) -> None:
    """Start loading the model in a thread, for a run that will embed after other work.

    The load takes 0.3-0.4 s alone, about 0.55 s beside a busy main thread, which it
    slows meanwhile (ONNX Runtime's session keeps both cores for 0.18 s); a run starts it
    while it reads its input files, when the other core is idle (pipeline.PRELOAD_BYTES).
    load_model() is not safe to call twice at once, so encode() waits for this thread
    first, and a caller that forks waits for it before (wait_for_load). A failed load is
    left for the caller's own load_model(), which raises it again where it can be
    reported.
    """
    if manifest in _loading or load_model.cache_info().currsize:
        return

    def load() -> None:
        with suppress(Exception):  # raised again by the caller's own load_model()
            load_model(manifest)

    _loading[manifest] = threading.Thread(target=load, name="model-load", daemon=True)
    _loading[manifest].start()


def wait_for_load(manifest: Manifest) -> None:
    """Wait for a load that preload() started, if any."""
    thread = _loading.pop(manifest, None)
    if thread is not None:
        thread.join()


def torch_encoder(manifest: Manifest, folder: Path) -> TorchEncoder:
    """sentence-transformers' model from a local folder, cut at the manifest's length."""
    model = sentence_transformer(folder)
    model.max_seq_length = manifest.max_seq_length
    return TorchEncoder(model)


def sentence_transformer(folder: Path) -> Any:
    """sentence-transformers' model from a local folder, without its progress-bar noise."""
    with warnings.catch_warnings():
        # In a notebook without ipywidgets, tqdm.autonotebook (imported by
        # sentence-transformers) warns about a widget this package never shows.
        warnings.filterwarnings("ignore", message="IProgress not found")
        from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in CLI output
    # sentence-transformers 6.2 wants a str here; a Path is taken for a hub id and fails.
    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)


def embed(
    texts: Sequence[str],
    manifest: Manifest,
    *,
    progress: bool = False,
    unit: str = "sentences",
    cache: EmbeddingCache | None = None,
) -> NDArray[np.float32]:
    """Unit-length embeddings of ``texts``, one row each, in batches.

    Each distinct text is embedded once (news repeats sentences: wire copy, standing lines).
    With a ``cache``, distinct texts are looked up first and only the missing ones go to the
    model (which is not even loaded when none is missing); their vectors are stored.
    ``progress`` draws a bar on stderr counting ``unit`` (see progress.py).
    """
    position: dict[str, int] = {}
    row = [position.setdefault(t, len(position)) for t in texts]
    distinct = list(position)
    known = cache.get(distinct) if cache is not None else {}
    missing = [t for t in distinct if t not in known]
    if missing:
        fresh = encode(missing, manifest, progress=progress, unit=unit)
        if cache is not None:
            cache.put(missing, fresh)
        known.update(zip(missing, fresh, strict=True))
    vectors = np.zeros((len(distinct), manifest.dim), dtype=np.float32)
    if distinct:
        vectors[:] = [known[t] for t in distinct]
    return vectors[np.asarray(row, dtype=np.int64)]


def encode(
    texts: Sequence[str], manifest: Manifest, *, progress: bool, unit: str
) -> NDArray[np.float32]:
    """The model's unit vectors of ``texts``, batch by batch so that a progress bar can move.

    Texts are sorted by their number of tokens, most first, so that a batch pads its texts
    to the length they have anyway: sorted by characters, as sentence-transformers sorts
    them, a batch of news sentences pads about a quarter of its tokens, and the model runs
    on padding as on text (benchmarks/bench_backends.py measures both orders).
    """
    out = np.zeros((len(texts), manifest.dim), dtype=np.float32)
    if not texts:
        return out
    wait_for_load(manifest)
    model = load_model(manifest)
    order = np.argsort(-token_counts(texts, manifest), kind="stable")
    size = manifest.batch_size
    with bar(len(texts), f"embedding {unit}", unit=unit, enabled=progress) as shown:
        for first in range(0, len(order), size):
            batch = order[first : first + size]
            out[batch] = model.encode([texts[i] for i in batch])
            shown.update(len(batch))
    return out


def token_counts(texts: Sequence[str], manifest: Manifest) -> NDArray[np.int64]:
    """How many tokens the model reads of each text (cut at its length), without padding.

    From the model's own ``tokenizer.json`` (both backends tokenize with it); a model
    without one is ordered by characters, the nearest stand-in.
    """
    path = manifest.path() / "tokenizer.json"
    if not path.is_file():
        return np.array([len(t) for t in texts], dtype=np.int64)
    tokenizer = plain_tokenizer(path, manifest.max_seq_length)
    return np.array([len(e.ids) for e in tokenizer.encode_batch(list(texts))], dtype=np.int64)


@cache
def plain_tokenizer(path: Path, max_seq_length: int) -> Any:
    """The tokenizer at ``path``, cut at ``max_seq_length`` tokens and padding nothing."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_seq_length)
    tokenizer.no_padding()
    return tokenizer
