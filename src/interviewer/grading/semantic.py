"""Meaning similarity from static word embeddings that ship inside the `wordllama` wheel.

Loaded once, lazily, with no network: wordllama 0.4 looks for its bundled tokenizer in the wrong
folder and then tries a hub download, so the package's own folder is passed as the cache and
downloads are disabled. `--help`, `review` and `bank` never import this module's dependencies.
"""

from __future__ import annotations

import threading
from functools import lru_cache
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
                from pathlib import Path

                import wordllama

                _MODEL = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return _MODEL


def warm_up() -> None:
    """Load the embeddings in the background, so a session's first answer does not wait for them."""
    if _MODEL is None:
        threading.Thread(target=_model, name="wordllama-load", daemon=True).start()


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length 256-d vectors, one row per text."""
    import numpy as np

    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    return np.asarray(_model().embed(list(texts), norm=True), dtype=np.float32)


@lru_cache(maxsize=16384)
def _cached(text: str) -> np.ndarray:
    return embed([text])[0]


def embed_cached(texts: list[str]) -> np.ndarray:
    """As `embed`, memoised per text (rubric lines are embedded once per process)."""
    import numpy as np

    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    return np.stack([_cached(t) for t in texts])


def similarity(a: list[str], b: list[str]) -> np.ndarray:
    """Cosine similarity matrix (len(a) x len(b))."""
    return embed_cached(a) @ embed_cached(b).T
