"""Sentences -> unit vectors, with the model named by the manifest in ``models/``.

The model is found through its Python package (never a hub): the manifest names the package,
its version, the weights file and its sha256, so swapping in another local model is an edit
of ``models/embedding.json`` and nothing else.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from consistency.cache import EmbeddingCache
from consistency.errors import ModelError
from consistency.progress import bar

MODELS_ENV = "CONSISTENCY_MODELS_DIR"


def models_dir(override: str | Path | None = None) -> Path:
    """The folder holding the model manifest and learned heads.

    ``override``, else ``$CONSISTENCY_MODELS_DIR``, else ``models/`` beside the package.
    """
    if override is not None:
        return Path(override)
    env = os.environ.get(MODELS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "models"


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

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Manifest:
        """Read the manifest; a missing or incomplete one is a ModelError that says what to fix."""
        path = models_dir(folder) / "embedding.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ModelError(
                f"{path}: cannot read the model manifest ({e}); "
                f"point {MODELS_ENV} at the project's models/ folder."
            ) from None
        fields = cls.__dataclass_fields__
        missing = [k for k in fields if k not in data]
        if missing:
            raise ModelError(f"{path}: the manifest lacks {', '.join(missing)}.")
        return cls(**{k: data[k] for k in fields})

    def path(self) -> Path:
        """The model folder inside its installed package."""
        try:
            module = importlib.import_module(self.module)
        except ImportError:
            raise ModelError(
                f"the embedding model's package {self.package}=={self.version} is not "
                f"installed; run `make setup` (or pip install {self.package}=={self.version})."
            ) from None
        return Path(module.get_model_path())


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@cache
def load_model(manifest: Manifest) -> Any:
    """Load the manifest's model offline on the CPU, after checking its weights' hash."""
    # Offline before sentence-transformers is imported: nothing may reach a model hub.
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
    with warnings.catch_warnings():
        # In a notebook without ipywidgets, tqdm.autonotebook (imported by
        # sentence-transformers) warns about a widget this package never shows.
        warnings.filterwarnings("ignore", message="IProgress not found")
        from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise in CLI output

    # sentence-transformers 6.2 wants a str here; a Path is taken for a hub id and fails.
    model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    model.max_seq_length = manifest.max_seq_length
    # sentence-transformers 6 renamed the method; the old name still works but warns.
    get_dim = getattr(model, "get_embedding_dimension", None)
    dim = get_dim() if get_dim else model.get_sentence_embedding_dimension()
    if dim != manifest.dim:
        raise ModelError(
            f"{folder}: the model gives {dim}-d vectors, the manifest says {manifest.dim}."
        )
    return model


# Texts go to the model in chunks of this many batches, so a progress bar can move.
CHUNK_BATCHES = 8


def embed(
    texts: Sequence[str],
    manifest: Manifest,
    *,
    progress: bool = False,
    unit: str = "sentences",
    cache: EmbeddingCache | None = None,
) -> NDArray[np.float32]:
    """Unit-length embeddings of ``texts``, one row each, in batches.

    With a ``cache``, each distinct text is looked up first and only the missing ones go to
    the model (which is not even loaded when none is missing); their vectors are stored.
    ``progress`` draws a bar on stderr counting ``unit`` (see progress.py).
    """
    if cache is None:
        return encode(texts, manifest, progress=progress, unit=unit)
    distinct = list(dict.fromkeys(texts))
    known = cache.get(distinct)
    missing = [t for t in distinct if t not in known]
    if missing:
        fresh = encode(missing, manifest, progress=progress, unit=unit)
        cache.put(missing, fresh)
        known.update(zip(missing, fresh, strict=True))
    out = np.zeros((len(texts), manifest.dim), dtype=np.float32)
    for i, t in enumerate(texts):
        out[i] = known[t]
    return out


def encode(
    texts: Sequence[str], manifest: Manifest, *, progress: bool, unit: str
) -> NDArray[np.float32]:
    """The model's unit vectors of ``texts``, in chunks so that a progress bar can move.

    Texts are sorted longest first and cut into chunks of whole batches, the order
    sentence-transformers batches them in itself, so chunking costs no extra padding.
    """
    out = np.zeros((len(texts), manifest.dim), dtype=np.float32)
    if not texts:
        return out
    model = load_model(manifest)
    order = np.argsort([-len(t) for t in texts], kind="stable")
    step = manifest.batch_size * CHUNK_BATCHES
    with bar(len(texts), f"embedding {unit}", unit=unit, enabled=progress) as shown:
        for first in range(0, len(order), step):
            chunk = order[first : first + step]
            out[chunk] = model.encode(
                [texts[i] for i in chunk],
                batch_size=manifest.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            shown.update(len(chunk))
    return out
