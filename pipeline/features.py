"""TF-IDF feature blocks over word n-grams and character n-grams.

An n-gram is an integer key, not a string: each unit (a character's code point, or a word's id in
the block's token list) is shifted by 1, and the n units are packed into one int64, `bits` per unit.
Keys of different lengths never collide (a longer n-gram's key is always larger), n-grams of a whole
batch are built with numpy at once, and a block is saved as plain arrays: its sorted keys, their
idf, and for words the token list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, count, repeat

import numpy as np
import scipy.sparse as sp

from .errors import ConfigError, DataError

KINDS = ("word", "char")
_CHUNK = 2000  # documents per vectorized batch: bounds the size of the temporary key arrays
_INT32_CELLS = 2**31 - 1  # (document, column) cells up to this are sorted as int32


@dataclass
class TfidfBlock:
    """One TF-IDF block: smooth idf, optional sublinear tf, rows scaled to unit length.

    Word blocks take token lists, char blocks take normalized texts (a space is a character too:
    keeping it measured as well as dropping it, and costs nothing).
    """

    kind: str
    ngram_range: tuple[int, int]
    min_df: int = 1
    max_features: int | None = None
    sublinear_tf: bool = True
    keys: np.ndarray | None = None  # sorted n-gram keys, one per column
    idf: np.ndarray | None = None
    tokens: list[str] | None = None  # word blocks: the token with id i + 1 is tokens[i]
    _token_ids: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _index: tuple | None = field(default=None, init=False, repr=False, compare=False)  # (keys, _Index of them)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ConfigError(f"feature kind must be 'word' or 'char', not {self.kind!r}")
        lo, hi = self.ngram_range
        if not 1 <= lo <= hi <= 3:
            raise ConfigError(f"{self.kind} n-gram range must satisfy 1 <= min <= max <= 3, got {lo}-{hi}")
        self._set_tokens(self.tokens)

    def _set_tokens(self, tokens: list[str] | None) -> None:
        self.tokens = tokens
        self._token_ids = {t: i + 1 for i, t in enumerate(tokens)} if tokens is not None else {}

    def __getstate__(self):
        # The token and key indexes are rebuilt on arrival: cheaper than pickling them.
        return {k: v for k, v in self.__dict__.items() if k not in ("_token_ids", "_index")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._index = None
        self._set_tokens(self.tokens)

    @property
    def bits(self) -> int:
        return 63 // self.ngram_range[1]

    @property
    def n_terms(self) -> int:
        return len(self.keys)

    def _units(self, items: Sequence) -> tuple[np.ndarray, np.ndarray]:
        """All documents' units in one array, and the document each unit belongs to."""
        if self.kind == "char":
            encoded = [text.encode("utf-32-le") for text in items]
            units = np.frombuffer(b"".join(encoded), dtype="<u4").astype(np.int64) + 1
            lengths = [len(e) // 4 for e in encoded]
        else:
            words = list(chain.from_iterable(items))
            units = np.fromiter(map(self._token_ids.get, words, repeat(0)), dtype=np.int64, count=len(words))
            lengths = [len(doc) for doc in items]
        return units, np.repeat(np.arange(len(items), dtype=np.int64), lengths)

    def _grams(self, items: Sequence, word_ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(document, key) of every n-gram in the documents; n-grams with an unknown word are left out.

        `word_ids`: a word block's units when they are already known (while fitting)."""
        if word_ids is None:
            units, docs = self._units(items)
        else:
            units, docs = word_ids, np.repeat(np.arange(len(items), dtype=np.int64), [len(doc) for doc in items])
        lo, hi = self.ngram_range
        all_keys, all_docs = [], []
        key = np.zeros(len(units), dtype=np.int64)
        for n in range(1, hi + 1):
            m = len(units) - n + 1
            if m <= 0:
                break
            key = (key[:m] << self.bits) | units[n - 1 : n - 1 + m]
            if n >= lo:
                ok = docs[:m] == docs[n - 1 : n - 1 + m]
                if self.kind == "word":
                    ok &= np.all([units[j : j + m] > 0 for j in range(n)], axis=0)
                all_keys.append(key[ok])
                all_docs.append(docs[:m][ok])
        if not all_keys:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(all_docs), np.concatenate(all_keys)

    def fit(self, items: Sequence) -> TfidfBlock:
        self._fit(items, keep_grams=False)
        return self

    def fit_transform(self, items: Sequence) -> sp.csr_matrix:
        """fit, then transform the same items, building their n-grams only once."""
        grams, fitted_keys, to_column = self._fit(items, keep_grams=True)
        index, parts = _Index(fitted_keys), []
        for start, (docs, keys, counts) in zip(range(0, len(items), _CHUNK), grams):
            columns = index.find(keys)
            known = columns >= 0
            docs, columns = np.repeat(docs[known].astype(np.int64), counts[known]), np.repeat(to_column[columns[known]], counts[known])
            parts.append(self._weigh(docs, columns, len(items[start : start + _CHUNK])))
        return _stack(parts, self.n_terms)

    def _fit(self, items: Sequence, keep_grams: bool):
        """Learn the vocabulary and idf. With keep_grams, also return each chunk's distinct
        (documents, keys) with their counts, the sorted keys as fitted, and where each of those
        ends up among the final columns."""
        if self.kind == "word":
            self.tokens, word_ids = _number_words(items)
            if len(self.tokens) >= 2**self.bits - 1:
                raise ConfigError(f"{len(self.tokens)} distinct words are too many for {self.ngram_range[1]}-grams")
            ends = np.cumsum([0] + [len(doc) for doc in items])
        df_keys, df_counts, grams = [], [], []
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            ids = word_ids[ends[start] : ends[start + len(chunk)]] if self.kind == "word" else None
            docs, keys, counts = self._distinct(*self._grams(chunk, ids), len(chunk))
            if keep_grams:  # held until the vocabulary is known, in the smallest types that hold them (_CHUNK < 2**15)
                grams.append((docs.astype(np.int16), keys, counts.astype(np.int32)))
            starts = _run_starts(keys)
            df_keys.append(keys[starts])
            df_counts.append(np.diff(np.r_[starts, len(keys)]).astype(np.int32))
        keys, df = _sum_by_key(df_keys, df_counts)
        kept = df >= self.min_df
        keys, df = keys[kept], df[kept]
        if self.max_features is not None and len(keys) > self.max_features:
            # Most frequent first; a stable sort keeps ties in key order, so the choice is repeatable.
            top = np.sort(np.argsort(-df, kind="stable")[: self.max_features])
            keys, df = keys[top], df[top]
        fitted_keys, to_column = keys, np.arange(len(keys))
        if self.kind == "word":
            keys = self._drop_unused_tokens(keys)  # renumbers the keys, so their order changes
            order = np.argsort(keys)
            keys, df = keys[order], df[order]
            to_column[order] = np.arange(len(keys))
        self.keys = keys
        self.idf = (np.log((1 + len(items)) / (1 + df)) + 1).astype(np.float32)
        return grams, fitted_keys, to_column

    def _distinct(self, docs: np.ndarray, keys: np.ndarray, n_docs: int):
        """The distinct (document, key) pairs, ordered by key then document, and how often each occurs.

        Each unit is replaced by its rank among the units present, and when a key of ranks and the
        document fit in 63 bits together, one plain sort of those does it, several times faster than
        np.lexsort. The ranks matter for trigrams: a chunk holds a few thousand distinct characters,
        but one character above U+FFFF made its code points 18 bits wide, too wide for the plain sort
        (6 of 16 s of training a character 1-3-gram model on sogou_news)."""
        mask, hi = (1 << self.bits) - 1, self.ngram_range[1]
        parts = [(keys >> (self.bits * j)) & mask for j in range(hi)]
        present = np.zeros(max((int(p.max()) + 1 for p in parts if len(p)), default=1), dtype=bool)
        for part in parts:
            present[part] = True
        unit_of_rank, rank_of_unit = np.flatnonzero(present), np.cumsum(present) - 1
        unit_bits = max(1, (len(unit_of_rank) - 1).bit_length())
        doc_bits = max(1, (n_docs - 1).bit_length())
        if unit_bits * hi + doc_bits <= 63:
            packed = docs.copy()
            for j, part in enumerate(parts):
                packed |= rank_of_unit[part] << (unit_bits * j + doc_bits)
            packed = np.sort(packed)
            starts = _run_starts(packed)
            counts = np.diff(np.r_[starts, len(packed)])
            packed = packed[starts]
            keys = np.zeros(len(packed), dtype=np.int64)
            for j in range(hi):
                ranks = (packed >> (unit_bits * j + doc_bits)) & ((1 << unit_bits) - 1)
                keys |= unit_of_rank[ranks] << (self.bits * j)
            return packed & ((1 << doc_bits) - 1), keys, counts
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
        starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])])
        counts = np.diff(np.r_[starts, len(keys)])
        return docs[starts], keys[starts], counts

    def _drop_unused_tokens(self, keys: np.ndarray) -> np.ndarray:
        """Keep only tokens that some kept n-gram uses, and renumber the keys to match."""
        mask = (1 << self.bits) - 1
        parts, rest = [], keys.copy()
        while rest.any():
            parts.append(rest & mask)
            rest >>= self.bits
        used = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        used = used[used > 0]
        renumber = np.zeros(len(self.tokens) + 1, dtype=np.int64)
        renumber[used] = np.arange(1, len(used) + 1)
        self._set_tokens([self.tokens[i - 1] for i in used])
        new = np.zeros_like(keys)
        for depth, part in enumerate(parts):
            new |= renumber[part] << (self.bits * depth)
        return new

    def transform(self, items: Sequence) -> sp.csr_matrix:
        parts = []
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            docs, keys = self._grams(chunk)
            if self._index is None or self._index[0] is not self.keys:
                self._index = (self.keys, _Index(self.keys))
            columns = self._index[1].find(keys)
            known = columns >= 0
            parts.append(self._weigh(docs[known], columns[known], len(chunk)))
        return _stack(parts, self.n_terms)

    def _weigh(self, docs: np.ndarray, columns: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """TF-IDF rows from the (document, column) of every known n-gram occurrence.

        One sort of (document, column) gives the counts in CSR order. The arithmetic is scipy's
        (float32, the same order of operations), so the rows are the same to the bit."""
        n_terms = self.n_terms
        cells = docs * n_terms + columns
        if n_docs * n_terms <= _INT32_CELLS:
            cells = cells.astype(np.int32)  # sorts about twice as fast
        cells = np.sort(cells)
        starts = _run_starts(cells)
        counts = np.diff(np.r_[starts, len(cells)]).astype(np.float32)
        cells = cells[starts].astype(np.int64)
        rows, columns = np.divmod(cells, n_terms)
        data = 1 + np.log(counts) if self.sublinear_tf else counts
        data *= self.idf[columns]
        indptr = np.searchsorted(rows, np.arange(n_docs + 1))
        filled = np.flatnonzero(np.diff(indptr))
        norms = np.zeros(n_docs, dtype=np.float32)
        norms[filled] = np.add.reduceat(data * data, indptr[filled])  # as scipy's sum(axis=1) adds
        norms = np.sqrt(norms)
        norms[norms == 0] = 1
        data *= (1 / norms)[rows]
        return sp.csr_matrix((data, columns.astype(np.int32), indptr), shape=(n_docs, n_terms))

    def term(self, column: int) -> str:
        """The n-gram of a column, as text (word n-grams joined by a space)."""
        mask, key, units = (1 << self.bits) - 1, int(self.keys[column]), []
        while key:
            units.append((key & mask) - 1)
            key >>= self.bits
        units.reverse()
        if self.kind == "char":
            return "".join(map(chr, units))
        return " ".join(self.tokens[u] for u in units)


class _Index:
    """The position of int64 keys in an array of distinct non-negative keys: an open-addressing hash
    table (linear probing, at most a quarter full) probed for all keys at once with numpy, several
    times faster than np.searchsorted on the sorted keys."""

    _GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * 2**64 / phi

    def __init__(self, keys: np.ndarray):
        bits = max(4, (4 * len(keys)).bit_length())
        self._shift, self._mask = np.uint64(64 - bits), (1 << bits) - 1
        self._slots = np.full(1 << bits, -1, dtype=np.int64)  # the key in each slot, -1 when empty
        self._values = np.zeros(1 << bits, dtype=np.int32)  # its position in `keys`
        pending, slot = np.arange(len(keys)), self._hash(keys)
        while len(pending):
            # Every key whose slot is free claims it, the first of several wins; the rest move on.
            free = np.flatnonzero(self._slots[slot] == -1)
            won_slots, first = np.unique(slot[free], return_index=True)
            self._slots[won_slots] = keys[pending[free[first]]]
            self._values[won_slots] = pending[free[first]]
            lost = np.ones(len(pending), dtype=bool)
            lost[free[first]] = False
            pending, slot = pending[lost], (slot[lost] + 1) & self._mask

    def _hash(self, keys: np.ndarray) -> np.ndarray:
        return ((keys.astype(np.uint64) * self._GOLDEN) >> self._shift).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The position of each key, -1 for keys that are not there."""
        found = np.full(len(keys), -1, dtype=np.int64)
        pending, slot = np.arange(len(keys)), self._hash(keys)
        while len(pending):
            there = self._slots[slot]
            hit = there == keys
            found[pending[hit]] = self._values[slot[hit]]
            going = ~hit & (there != -1)
            pending, slot, keys = pending[going], (slot[going] + 1) & self._mask, keys[going]
        return found


def _sum_by_key(keys: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys of all the arrays, sorted, and the sum of their counts."""
    keys, counts = np.concatenate(keys or [np.zeros(0, np.int64)]), np.concatenate(counts or [np.zeros(0, np.int32)])
    if not len(keys):
        return keys, np.zeros(0, np.int64)
    order = np.argsort(keys)
    keys, counts = keys[order], counts[order]
    del order  # freed before the run arrays are made: it is as large as the keys
    starts = _run_starts(keys)
    return keys[starts], np.add.reduceat(counts, starts, dtype=np.int64)


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts."""
    new = np.ones(len(values), dtype=bool)
    np.not_equal(values[1:], values[:-1], out=new[1:])
    return np.flatnonzero(new)


def _number_words(items: Sequence[list[str]]) -> tuple[list[str], np.ndarray]:
    """The sorted distinct words, and every word of the documents as 1 + its place among them.

    One pass of dict.setdefault in C: each word gets where it first occurs, renumbered after."""
    first: dict[str, int] = {}
    n_words = sum(len(doc) for doc in items)
    at = np.fromiter(map(first.setdefault, chain.from_iterable(items), count(1)), dtype=np.int64, count=n_words)
    words = sorted(first)
    rank = np.zeros(n_words + 1, dtype=np.int64)
    rank[[first[w] for w in words]] = np.arange(1, len(words) + 1)
    return words, rank[at]


def _stack(parts: list[sp.csr_matrix], n_terms: int) -> sp.csr_matrix:
    if not parts:
        return sp.csr_matrix((0, n_terms), dtype=np.float32)
    return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]


def needs_tokens(blocks: Sequence[TfidfBlock]) -> bool:
    """Whether any block reads words, so texts must be segmented first."""
    return any(block.kind == "word" for block in blocks)


def featurize(blocks: Sequence[TfidfBlock], texts: Sequence[str], tokens: Sequence[list[str]]) -> sp.csr_matrix:
    """The feature rows of documents: the blocks side by side."""
    parts = [b.transform(tokens if b.kind == "word" else texts) for b in blocks]
    return sp.hstack(parts, format="csr", dtype=np.float32)


def fit_featurize(
    blocks: Sequence[TfidfBlock], texts: Sequence[str], tokens: Sequence[list[str]], fit_rows: list[int], other_rows: list[int]
) -> sp.csr_matrix:
    """Fit the blocks on `fit_rows`; the feature rows of `fit_rows` followed by those of `other_rows`."""
    parts = []
    for block in blocks:
        items = tokens if block.kind == "word" else texts
        fitted = block.fit_transform([items[i] for i in fit_rows])
        if other_rows:
            fitted = sp.vstack([fitted, block.transform([items[i] for i in other_rows])], format="csr")
        parts.append(fitted)
    if not sum(part.shape[1] for part in parts):
        min_df = min(block.min_df for block in blocks)
        raise DataError(
            f"no word or character n-gram occurs in {min_df} or more of the {len(fit_rows)} training texts: "
            "nothing to learn from (check the text column, or lower --min-df)"
        )
    return sp.hstack(parts, format="csr", dtype=np.float32)
