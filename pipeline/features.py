"""TF-IDF feature blocks over word n-grams and character n-grams.

Each block keeps its vocabulary as a plain list of terms and its idf as a numpy array, so a model
directory can hold them as JSON and .npy files with nothing executable in them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .errors import ConfigError


def word_ngrams(tokens: Sequence[str], lo: int, hi: int) -> list[str]:
    """Word n-grams joined by a space (tokens never hold whitespace)."""
    grams = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), hi + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    """Character n-grams of the text with whitespace removed."""
    chars = "".join(text.split())
    grams = []
    for n in range(lo, hi + 1):
        grams.extend(chars[i : i + n] for i in range(len(chars) - n + 1))
    return grams


@dataclass
class TfidfBlock:
    """One TF-IDF block: smooth idf, optional sublinear tf, rows scaled to unit length."""

    kind: str  # "word" (input: token lists) or "char" (input: normalized texts)
    ngram_range: tuple[int, int]
    min_df: int = 1
    max_features: int | None = None
    sublinear_tf: bool = True
    terms: list[str] | None = None
    idf: np.ndarray | None = None

    def __post_init__(self):
        if self.kind not in ("word", "char"):
            raise ConfigError(f"feature kind must be 'word' or 'char', not {self.kind!r}")
        lo, hi = self.ngram_range
        if not 1 <= lo <= hi:
            raise ConfigError(f"{self.kind} n-gram range must satisfy 1 <= min <= max, got {lo}-{hi}")
        self._index = {t: i for i, t in enumerate(self.terms)} if self.terms is not None else None

    def grams(self, item) -> list[str]:
        lo, hi = self.ngram_range
        return word_ngrams(item, lo, hi) if self.kind == "word" else char_ngrams(item, lo, hi)

    def fit(self, items: Iterable) -> TfidfBlock:
        df: Counter[str] = Counter()
        n_docs = 0
        for item in items:
            df.update(set(self.grams(item)))
            n_docs += 1
        kept = [(t, c) for t, c in df.items() if c >= self.min_df]
        # Most frequent first, ties by term, so the vocabulary is the same on every run.
        kept.sort(key=lambda tc: (-tc[1], tc[0]))
        if self.max_features is not None:
            kept = kept[: self.max_features]
        kept.sort()
        self.terms = [t for t, _ in kept]
        counts = np.array([c for _, c in kept], dtype=np.float64)
        self.idf = (np.log((1 + n_docs) / (1 + counts)) + 1).astype(np.float32)
        self._index = {t: i for i, t in enumerate(self.terms)}
        return self

    def transform(self, items: Sequence) -> sp.csr_matrix:
        index = self._index
        indptr, indices, values = [0], [], []
        for item in items:
            counts = Counter(i for i in map(index.get, self.grams(item)) if i is not None)
            indices.extend(counts.keys())
            values.extend(counts.values())
            indptr.append(len(indices))
        X = sp.csr_matrix(
            (np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(items), len(self.terms)),
        )
        X.sort_indices()
        if self.sublinear_tf:
            X.data = 1 + np.log(X.data)
        X = X @ sp.diags(self.idf)
        return _unit_rows(X.tocsr())


def _unit_rows(X: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ X, dtype=np.float32)


def featurize(blocks: Sequence[TfidfBlock], texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
    """The feature rows of documents: the blocks side by side."""
    parts = [b.transform(tokens if b.kind == "word" else texts) for b in blocks]
    return sp.hstack(parts, format="csr", dtype=np.float32)
