"""Meaning similarity from static word embeddings that ship inside the `wordllama` wheel.

Loaded once, lazily, with no network: wordllama 0.4 looks for its bundled tokenizer in the wrong
folder and then tries a hub download, so the package's own folder is passed as the cache and
downloads are disabled. `--help`, `review` and `bank` never import this module's dependencies.
"""

from __future__ import annotations

import re
import threading
from itertools import chain
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
    """Unit-length 256-d vectors, one row per text (zeros for a text with no known token).

    Bit for bit the numbers of wordllama's own `embed(texts, norm=True)` (a test holds them to it), from
    token ids found word by word (`_WordTokens`) instead of a tokenizer pass over each whole text.
    """
    import numpy as np

    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    model = _model()
    ids = _tokens(model).ids(list(texts))
    lengths = [len(i) for i in ids]
    vectors = model.embedding[np.fromiter(chain.from_iterable(ids), dtype=np.intp, count=sum(lengths))]
    pooled = np.empty((len(texts), model.embedding.shape[1]), dtype=np.float32)
    end = 0
    for row, length in enumerate(lengths):  # wordllama's average pooling (the same sums), one text at a time
        start, end = end, end + length
        np.add.reduce(vectors[start:end], axis=0, out=pooled[row])
    pooled /= np.maximum(np.array(lengths, dtype=np.float32), 1)[:, None]
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    norms[norms == 0] = 1  # a text with no known token has no direction: its row stays zeros
    pooled /= norms
    return pooled


class _WordTokens:
    """Token ids of texts, each as the tokenizer gives them for the whole text, assembled from its words.

    wordllama's tokenizer has no pre-tokenizer: it turns every space into "▁", puts one in front and runs
    BPE over the whole string. No merge can join a symbol to a "▁" after it (the only vocabulary entries
    with a "▁" past their first character are runs of "▁"), so a text of words joined by single spaces
    has the ids of its words, one after the other; words recur across answers, so they are memoised
    (bounded). A text with double or edge spaces, a typed "▁" or a special token's text is tokenised whole.
    """

    LIMIT = 100_000  # words kept; the memo starts again when full

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        specials = [t.content for t in tokenizer.get_added_tokens_decoder().values()]
        self.whole = re.compile("|".join(re.escape(t) for t in ["  ", "▁", *specials]))  # texts tokenised whole
        self.words: dict[str, tuple[int, ...]] = {}  # tuples: the collector stops tracking them
        self.lock = threading.Lock()

    def _words(self, text: str) -> list[str] | None:
        """The words of a text that tokenises as its words, else None."""
        if not text or text[0] == " " or text[-1] == " " or self.whole.search(text):
            return None
        return text.split(" ")

    def _encode(self, texts: list[str]) -> list[tuple[int, ...]]:
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        return [tuple(e.ids[: sum(e.attention_mask)]) for e in encoded]  # wordllama pads a batch to its longest

    def ids(self, texts: list[str]) -> list[list[int]]:
        split = [self._words(text) for text in texts]
        with self.lock:
            if len(self.words) > self.LIMIT:
                self.words.clear()
            memo = self.words
            missing = list({w: None for words in split if words for w in words if w not in memo})
            if missing:
                memo.update(zip(missing, self._encode(missing), strict=True))
            rest = [t for t, words in zip(texts, split, strict=True) if words is None]
            whole = iter(self._encode(rest) if rest else ())
            return [
                list(chain.from_iterable(map(memo.__getitem__, words)) if words else next(whole)) for words in split
            ]


_TOKENS: _WordTokens | None = None


def _tokens(model) -> _WordTokens:
    global _TOKENS
    if _TOKENS is None:
        _TOKENS = _WordTokens(model.tokenizer)
    return _TOKENS


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
