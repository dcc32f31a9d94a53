"""Quality per document: content / ad / spam from the document's character n-grams, its layout,
how the line model labeled its lines, and hits of word lists (lexicons) as weighted features, never
as hard rules."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from ..features import TfidfBlock
from ..linear import Head, fit_linear
from ..text import Normalization, normalize_many
from .lines import (
    _DIGIT,
    _LATIN,
    _PHONE,
    _PINYIN_NOTE,
    _PUNCT,
    _SENTENCE_END,
    _URL,
    LineModel,
    _squeeze,
)

DOCUMENT_LABELS = ("ad", "content", "spam")
DOCUMENT_HEAD = "quality"  # the name the document label gets among a model's heads


def _trie_pattern(words: Sequence[str]) -> re.Pattern | None:
    """One regex matching any of the words, built as a trie so matching stays linear in the text."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(c) + pattern(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return re.compile(pattern(trie)) if trie else None


_ASCII_RUN = re.compile(r"[0-9a-z](?:[0-9a-z.\-]*[0-9a-z])?")
_DOMAIN_PARTS = 5  # the most dot-separated parts of a run tried as a domain: news.example.com.cn is 4


class Lexicon:
    """Finds a word list's entries in a (normalized, lower-case) text, in time linear in the text.

    Entries with Chinese in them go into one trie-shaped regex. ASCII entries (domain names, Latin
    words like qq) are looked up in a set: a maximal run of ASCII letters, digits, dots and hyphens
    matches by its last 1 to 5 dot-separated parts, the longest that is an entry (www.example.com
    finds example.com). A regex over the 15,000 domains of a spam list took a second to compile at
    the first prediction; a set takes milliseconds, and "av" no longer matches inside "java".
    """

    def __init__(self, words: Sequence[str]):
        self.ascii = frozenset(w.lower() for w in words if w.isascii())
        self.pattern = _trie_pattern([w for w in words if not w.isascii()])

    def findall(self, text: str) -> list[str]:
        found = self.pattern.findall(text) if self.pattern else []
        if self.ascii:
            for run in _ASCII_RUN.findall(text):
                parts = run.split(".")
                for k in range(min(len(parts), _DOMAIN_PARTS), 0, -1):  # longest first
                    if (tail := ".".join(parts[-k:])) in self.ascii:
                        found.append(tail)
                        break
        return found


_SUMMARY = re.compile(r"^(?:本文|文章)?(?:摘要|关键词|关键字|简要描述)\s*[:：]")  # an SEO page's "abstract" and "keywords" lines
_LIST_SEPARATORS = re.compile(r"[,，、_|/\s]+")
_KEY_VALUE = re.compile(r"^[^，。：:]{1,8}[:：]")  # 型号：X200, 产品名称：...: a spec sheet or a form
_STARTS_MID_SENTENCE = re.compile(r"^[，。、；：”」』）,.;:)]")  # stitched text cut out of other sentences


def _keyword_list(line: str) -> bool:
    """A line of 4+ short terms separated by commas, spaces, 、 or _ and without a sentence in it."""
    terms = [t for t in _LIST_SEPARATORS.split(line) if t]
    return len(terms) >= 4 and sum(map(len, terms)) <= 6 * len(terms) and not re.search("[。！？]", line)


def _shape(lines: Sequence[str]) -> list[float]:
    """How spam and ad pages are put together: abstract lines that repeat the body, keyword lists,
    spec lines, sentence fragments, masked words."""
    n = max(len(lines), 1)
    summary = repeated = 0.0
    for i, line in enumerate(lines):
        match = _SUMMARY.match(line)
        if match:
            summary = 1.0
            body = line[match.end() :].strip()[:15]
            if len(body) == 15 and any(other.startswith(body) for j, other in enumerate(lines) if j != i):
                repeated = 1.0
    return [
        summary,
        repeated,
        sum(map(_keyword_list, lines)) / n,
        sum(bool(_KEY_VALUE.match(line)) for line in lines) / n,
        sum(bool(_STARTS_MID_SENTENCE.match(line)) for line in lines) / n,
        float(any("**" in line for line in lines)),
    ]


def _document_layout(lines: Sequence[str], line_proba: np.ndarray, classes: Sequence[str]) -> list[float]:
    """What the lines of a document look like, and how the line model labeled them."""
    n = len(lines)
    chars = np.array([len(line) for line in lines], dtype=float)
    total = max(chars.sum(), 1)
    text = "\n".join(lines)
    label_lines = line_proba.mean(axis=0) if n else np.zeros(len(classes))
    label_chars = (line_proba * chars[:, None]).sum(axis=0) / total if n else np.zeros(len(classes))
    squeezed = [_squeeze(line) for line in lines]
    per_k = 1000 / total
    return [
        *label_lines,
        *label_chars,
        math.log1p(n) / 7,
        math.log1p(total) / 10,
        float(np.mean(chars <= 12)) if n else 0.0,
        min(len(_PUNCT.findall(text)) / total, 1),
        min(len(_DIGIT.findall(text)) / total, 1),
        min(len(_LATIN.findall(text)) / total, 1),
        math.log1p(len(_PHONE.findall(text)) * per_k) / 3,
        math.log1p(len(_URL.findall(text)) * per_k) / 3,
        (n - len(set(squeezed))) / n if n else 0.0,
        float(bool(_PINYIN_NOTE.search(text))),
        float(np.mean([bool(_SENTENCE_END.search(line)) for line in lines])) if n else 0.0,
        *_shape(lines),
    ]


def document_layout_width(n_line_classes: int, n_lexicons: int) -> int:
    """How many layout and lexicon columns follow a document's n-gram columns."""
    return len(_document_layout(["x"], np.zeros((1, n_line_classes)), range(n_line_classes))) + 2 * n_lexicons


@dataclass
class DocumentModel:
    """Per-document labels from n-grams, layout, the line labels and lexicon hits."""

    block: TfidfBlock
    head: Head
    lexicons: dict[str, list[str]] = field(default_factory=dict)
    normalization: Normalization = field(default_factory=Normalization)
    _patterns: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _lexicon_hits(self, text: str) -> list[float]:
        per_k = 1000 / max(len(text), 1)
        hits = []
        for name, words in self.lexicons.items():
            if name not in self._patterns:
                self._patterns[name] = Lexicon(words)
            found = self._patterns[name].findall(text)
            hits += [math.log1p(len(found) * per_k) / 3, min(len(set(found)), 10) / 10]
        return hits

    def features(self, pages: Sequence[Sequence[str]], line_proba: Sequence[np.ndarray], line_classes, fit=False):
        texts = normalize_many(["\n".join(page) for page in pages], self.normalization)
        grams = self.block.fit_transform(texts) if fit else self.block.transform(texts)
        dense = [
            _document_layout(page, p, line_classes) + self._lexicon_hits(text)
            for page, p, text in zip(pages, line_proba, texts)
        ]
        width = document_layout_width(len(line_classes), len(self.lexicons))
        return sp.hstack([grams, sp.csr_matrix(np.array(dense, dtype=np.float32).reshape(-1, width))], format="csr")


def fit_document_model(
    pages: Sequence[Sequence[str]],
    labels: Sequence[str],
    lines: LineModel,
    lexicons: Mapping[str, Sequence[str]] | None = None,
    *,
    seed: int = 0,
) -> DocumentModel:
    """Fit the document model on pages (lists of lines) and their labels, reading them with `lines`."""
    unknown = sorted(set(labels) - set(DOCUMENT_LABELS))
    if unknown:
        raise DataError(f"unknown document label {unknown[0]!r}; document labels are: {', '.join(DOCUMENT_LABELS)}")
    if len(set(labels)) < 2:
        raise DataError("document labels need at least two classes (e.g. content and ad)")
    document = DocumentModel(
        TfidfBlock("char", (1, 2), min_df=2, max_features=100_000),
        head=None,
        lexicons={name: sorted(set(words)) for name, words in (lexicons or {}).items()},
    )
    X = document.features(pages, lines.proba(pages), lines.classes, fit=True)
    document.head = fit_linear(X, list(labels), alpha=1e-3, epochs=50, seed=seed)
    return document
