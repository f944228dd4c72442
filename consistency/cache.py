"""An on-disk store of sentence embeddings, keyed by the model and the sentence's text.

Embedding is the one expensive stage, and a newsroom re-checks a story each time an article
arrives: with a cache only the new sentences go to the model, and a run whose sentences are
all known never loads it. One SQLite file per model (stdlib, safe for concurrent runs, one
transaction per write), named by a digest of what makes vectors differ: the weights' sha256,
the dimension, the length sentences are cut at and the backend (ONNX Runtime's float sums
differ from torch's in the last bits). A vector is read back bit for bit, so a
cached run gives the same report as the run that filled the cache.

Also where files derived once live (the ONNX graphs of onnxrt.py, the word table of
rarity.py) and how they are written whole or not at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from consistency.errors import InputError

if TYPE_CHECKING:
    from consistency.embed import Manifest

__all__ = ["EmbeddingCache", "FrameCache", "user_folder", "written"]

SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vector BLOB NOT NULL)"
LOOKUP_BATCH = 500  # keys per SELECT: below SQLite's limit on bound parameters


def user_folder(env: str, name: str) -> Path:
    """A folder of files derived once (graphs, tables): ``$env``, else the user's cache's."""
    if os.environ.get(env):
        return Path(os.environ[env])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "consistency" / name


@contextmanager
def written(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed to it when the block ends without error.

    So a crash, a refused file or a concurrent run never leaves a half-written one.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, suffix=target.suffix + ".tmp")
    os.close(fd)
    os.chmod(name, 0o644)  # mkstemp makes it private; a derived file is no secret
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def open_store(path: Path, schema: str, what: str) -> sqlite3.Connection:
    """Open (creating if need be) a SQLite store; one that cannot be is an InputError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=60)
        db.execute(schema)
    except (OSError, sqlite3.Error) as e:
        raise InputError(
            f"{path}: cannot use it as {what} ({e}); "
            "delete the file or choose another --cache folder."
        ) from None
    return db


@contextmanager
def using(path: Path, schema: str, what: str) -> Iterator[sqlite3.Connection]:
    """A connection to a store (open_store), closed after the block.

    A failed read or write in it is an InputError naming the file; ``what`` names the store.
    """
    db = open_store(path, schema, what)
    try:
        yield db
    except sqlite3.Error as e:
        raise InputError(f"{path}: {what} cannot be read ({e}); delete the file.") from None
    finally:
        db.close()


def rows_of(db: sqlite3.Connection, select: str, keys: Sequence[bytes]) -> Iterator[Any]:
    """The rows of ``select`` whose key is one of ``keys``, asked LOOKUP_BATCH at a time."""
    for first in range(0, len(keys), LOOKUP_BATCH):
        batch = keys[first : first + LOOKUP_BATCH]
        marks = ",".join("?" * len(batch))  # only placeholders; the keys are bound
        yield from db.execute(f"{select} WHERE key IN ({marks})", batch)


def text_key(text: str) -> bytes:
    """The key of a sentence: the sha256 of its UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def model_key(manifest: Manifest) -> str:
    """A short digest of everything in the manifest that changes the vectors."""
    parts = (manifest.sha256, str(manifest.dim), str(manifest.max_seq_length), manifest.backend)
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


@dataclass
class EmbeddingCache:
    """Vectors of one model under ``folder``; ``hits`` and ``misses`` count the look-ups.

    With ``write_behind``, put() returns at once and a thread writes the vectors while the
    run goes on (SQLite works without Python's lock): at 100,000 sentences the writes
    take 0.45 s. Until they are done, get() answers from the vectors in flight, and
    flush() waits for them and raises what a write raised (check() flushes as it ends).
    """

    folder: Path
    manifest: Manifest
    write_behind: bool = False
    hits: int = field(default=0, init=False)
    misses: int = field(default=0, init=False)
    _pending: dict[str, NDArray[np.float32]] = field(default_factory=dict, init=False, repr=False)
    _writers: list[threading.Thread] = field(default_factory=list, init=False, repr=False)
    _failed: list[InputError] = field(default_factory=list, init=False, repr=False)

    @property
    def path(self) -> Path:
        """The SQLite file of this model's vectors."""
        return Path(self.folder) / f"embeddings-{model_key(self.manifest)}.sqlite"

    def connect(self) -> sqlite3.Connection:
        """Open (creating if need be) the store; a file that is not one is an InputError."""
        return open_store(self.path, SCHEMA, "an embedding cache")

    def empty(self) -> bool:
        """Whether the store holds no vector at all (a first run: every text is new)."""
        if self._pending:
            return False
        if not self.path.is_file():
            return True
        with self.reading() as db:
            return db.execute("SELECT 1 FROM vectors LIMIT 1").fetchone() is None

    def reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A connection to read the store through; a failed read is an InputError."""
        return using(self.path, SCHEMA, "the embedding cache")

    def get(self, texts: Sequence[str]) -> dict[str, NDArray[np.float32]]:
        """The cached vectors of those ``texts`` that have one, by text."""
        found = {t: self._pending[t] for t in texts if t in self._pending}
        keys = {text_key(t): t for t in texts if t not in found}
        with self.reading() as db:
            for key, blob in rows_of(db, "SELECT key, vector FROM vectors", list(keys)):
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (self.manifest.dim,):
                    found[keys[key]] = vector
        self.hits += len(found)
        self.misses += len(set(texts)) - len(found)
        return found

    def put(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> None:
        """Store the vectors of ``texts`` (row i is the vector of text i) in one transaction.

        With ``write_behind``, in a thread of its own (see the class), from ``vectors`` as
        they stand until flush().
        """
        if not self.write_behind:
            self.write(texts, vectors)
            return
        # The vectors are held, not copied: the caller leaves them as they are (embed does).
        texts, vectors = list(texts), np.asarray(vectors, dtype=np.float32)
        self._pending.update(zip(texts, vectors, strict=True))
        writer = threading.Thread(target=self._write_behind, args=(texts, vectors))
        writer.start()  # not a daemon: an interpreter waits for it before it exits
        self._writers.append(writer)

    def _write_behind(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> None:
        try:
            self.write(texts, vectors)
        except InputError as e:  # raised by flush(), in the caller's thread
            self._failed.append(e)

    def flush(self) -> None:
        """Wait until every vector put() was given is written; raise a write's error."""
        while self._writers:
            self._writers.pop(0).join()
        self._pending.clear()
        if self._failed:
            error, self._failed[:] = self._failed[0], []
            raise error

    def write(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> None:
        """Store the vectors of ``texts`` now, in one transaction."""
        rows = (  # one at a time, as SQLite takes them: no second copy of every vector
            (text_key(t), np.ascontiguousarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        )
        db = self.connect()
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        except sqlite3.Error as e:
            raise InputError(
                f"{self.path}: cannot write to the embedding cache ({e}); "
                "check the folder's permissions and free space."
            ) from None
        finally:
            db.close()


FRAME_SCHEMA = "CREATE TABLE IF NOT EXISTS frames (key BLOB PRIMARY KEY, frames TEXT NOT NULL)"


@dataclass
class FrameCache:
    """The frames of sentences' values (frames.py) under ``folder``, beside the vectors.

    A re-checked story parses only its new sentences. ``key`` names what makes frames
    differ (frames.cache_key: the parser's weights and the rules that read its parse), so
    a changed rule never reads an old answer. Values are JSON text, written in one
    transaction; a store that cannot be used is an InputError naming the file.
    """

    folder: Path
    key: str

    @property
    def path(self) -> Path:
        """The SQLite file of these frames."""
        return Path(self.folder) / f"frames-{self.key}.sqlite"

    def connected(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A connection to the store (created if need be), closed after the block."""
        return using(self.path, FRAME_SCHEMA, "the frame cache")

    def get(self, texts: Sequence[str]) -> dict[str, str]:
        """The stored frames (JSON) of those ``texts`` that have them, by text."""
        keys = {text_key(t): t for t in texts}
        found = {}
        with self.connected() as db:
            for key, value in rows_of(db, "SELECT key, frames FROM frames", list(keys)):
                found[keys[key]] = value
        return found

    def put(self, rows: dict[str, str]) -> None:
        """Store each text's frames (JSON) in one transaction."""
        if not rows:
            return
        with self.connected() as db, db:
            db.executemany(
                "INSERT OR REPLACE INTO frames VALUES (?, ?)",
                ((text_key(t), v) for t, v in rows.items()),
            )
