"""Meaning similarity from static word embeddings that ship inside the `wordllama` wheel.

Loaded once, lazily, with no network: wordllama 0.4 looks for its bundled tokenizer in the wrong
folder and then tries a hub download, so the package's own folder is passed as the cache and
downloads are disabled. `--help`, `review` and `bank` never import this module's dependencies.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_LOCK = threading.Lock()
_MODEL = None


def _model():
    global _MODEL
    if _MODEL is None:
        with _LOCK:
            if _MODEL is None:
                import os
                from pathlib import Path

                # An answer's few clauses tokenise faster on one thread than handed to a thread pool (about
                # half the CPU per call, measured here); a user's own setting wins.
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import wordllama

                _MODEL = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return _MODEL


def warm_up() -> None:
    """Load the embeddings in the background, so a session's first answer does not wait for them."""
    if _MODEL is None:
        threading.Thread(target=_model, name="wordllama-load", daemon=True).start()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length 256-d vectors, one row per text (zeros for a text with no known token)."""
    import numpy as np

    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):  # a text with no known token has no direction
        vectors = np.asarray(_model().embed(list(texts), norm=True), dtype=np.float32)
    return np.nan_to_num(vectors, nan=0.0)


_CACHE: dict[str, np.ndarray] = {}
_CACHE_LIMIT = 65536


def embed_cached(texts: list[str]) -> np.ndarray:
    """As `embed`, memoised per text; the texts not seen yet are embedded in one batch."""
    import numpy as np

    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    found = {t: _CACHE.get(t) for t in texts}
    missing = [t for t, vector in found.items() if vector is None]
    if missing:
        fresh = dict(zip(missing, embed(missing), strict=True))
        found.update(fresh)
        if len(_CACHE) + len(fresh) > _CACHE_LIMIT:
            _CACHE.clear()
        _CACHE.update(fresh)
    return np.stack([found[t] for t in texts])


def similarity(a: list[str], b: list[str]) -> np.ndarray:
    """Cosine similarity matrix (len(a) x len(b))."""
    return embed_cached(a) @ embed_cached(b).T
