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
    LINE_LABELS,
    LineModel,
    _squeeze,
    normalize_pages,
    page_text,
)

DOCUMENT_LABELS = ("ad", "content", "spam")
DOCUMENT_HEAD = "quality"  # the name the document label gets among a model's heads
PAGE_LINE_COLUMNS = 2 * len(LINE_LABELS)  # the page-line head's label shares: by lines, then by characters
_PAGE_LINE_FOLDS = 5  # training documents read by page-line heads that did not see them (cross-fitting)
_PAGE_LINE_ALPHA, _PAGE_LINE_EPOCHS = 2e-5, 30  # the line model's settings (fit_line_model)


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
        self.last_parts = frozenset(w.rpartition(".")[2] for w in self.ascii)  # every entry a run can end in
        self.pattern = _trie_pattern([w for w in words if not w.isascii()])

    def findall(self, text: str, ascii_runs: Sequence[str] | None = None) -> list[str]:
        """The entries found in `text`; `ascii_runs` (_ASCII_RUN.findall(text)), when given, saves
        finding them again for each lexicon."""
        found = self.pattern.findall(text) if self.pattern else []
        if self.ascii:
            for run in _ASCII_RUN.findall(text) if ascii_runs is None else ascii_runs:
                if run.rpartition(".")[2] not in self.last_parts:  # most runs are numbers and words: no entry ends so
                    continue
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
_SENTENCE_SPLIT = re.compile(r"[。！？!?；;]")
_STITCH_MIN = 10  # the shortest sentence, in characters, that counts as reused


def _reused_sentences(squeezed: Sequence[str]) -> float:
    """The share of a page's sentences that also stand in another, different line: scraped text
    stitched from pieces of the same sentences. A page that repeats whole lines (an article printed
    twice) does not count."""
    lines_of: dict[str, set[str]] = {}
    sentences = []
    for line in squeezed:
        for sentence in _SENTENCE_SPLIT.split(line):
            if len(sentence) >= _STITCH_MIN:
                lines_of.setdefault(sentence, set()).add(line)
                sentences.append(sentence)
    return sum(len(lines_of[s]) > 1 for s in sentences) / len(sentences) if sentences else 0.0


def _keyword_list(line: str) -> bool:
    """A line of 4+ short terms separated by commas, spaces, 、 or _ and without a sentence in it."""
    terms = [t for t in _LIST_SEPARATORS.split(line) if t]
    return len(terms) >= 4 and sum(map(len, terms)) <= 6 * len(terms) and not re.search("[。！？]", line)


def _shape(lines: Sequence[str], squeezed: Sequence[str] | None = None) -> list[float]:
    """How spam and ad pages are put together: abstract lines that repeat the body, keyword lists,
    spec lines, sentence fragments, masked words, reused sentences. `squeezed`: the lines through
    _squeeze, when the caller has them already."""
    n = max(len(lines), 1)
    if squeezed is None:
        squeezed = [_squeeze(line) for line in lines]
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
        _reused_sentences(squeezed),
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
        *_shape(lines, squeezed),
    ]


def document_layout_width(n_line_classes: int) -> int:
    """How many layout columns _document_layout gives a document read by a line model with
    `n_line_classes` labels."""
    return len(_document_layout(["x"], np.zeros((1, n_line_classes)), range(n_line_classes)))


DOCUMENT_LAYOUT_ADDED_7 = 1  # the last layout column (_reused_sentences) came in format 7: older models read without it


def document_head_width(n_terms: int, layout: int, n_lexicons: int, page_lines: bool) -> int:
    """The columns a document head reads: n-grams, `layout` layout columns, two per lexicon, and
    (with a page-line head) the page-line shares."""
    return n_terms + layout + 2 * n_lexicons + (PAGE_LINE_COLUMNS if page_lines else 0)


@dataclass
class PageLines:
    """A line classifier (character n-grams, no smoothing) trained on the lines of the documents
    with a document label, ad and spam lines of ad and spam pages included. The line model does not
    learn from those (an article-like line of a spam page taught it to drop real articles); read
    only as the document's label shares, they say how much of a page reads like an ad or spam."""

    block: TfidfBlock
    head: Head

    def shares(
        self, pages: Sequence[Sequence[str]], normalization: Normalization, normalized: Sequence[Sequence[str]] | None = None
    ) -> np.ndarray:
        """(n_pages, PAGE_LINE_COLUMNS): each label's mean probability over a page's lines, then
        over its characters, in LINE_LABELS order (a label the head never saw: 0). `normalized`:
        the pages through normalize_pages, when the caller has them already."""
        out = np.zeros((len(pages), PAGE_LINE_COLUMNS), dtype=np.float32)
        flat = [line for page in pages for line in page]
        if not flat:
            return out
        if normalized is None:
            normalized = normalize_pages(pages, normalization)
        proba = self.head.predict_proba(self.block.transform([line for page in normalized for line in page]))
        columns = [self.head.classes.index(c) if c in self.head.classes else None for c in LINE_LABELS]
        proba = np.stack([proba[:, j] if j is not None else np.zeros(len(flat)) for j in columns], axis=1)
        start = 0
        for i, page in enumerate(pages):
            if page:
                p = proba[start : start + len(page)]
                chars = np.array([max(len(line), 1) for line in page], dtype=float)[:, None]
                out[i] = np.concatenate([p.mean(axis=0), (p * chars).sum(axis=0) / chars.sum()])
            start += len(page)
        return out


def fit_page_lines(
    pages: Sequence[Sequence[str]], line_labels: Sequence[Sequence[str | None]], normalization: Normalization, seed: int = 0
) -> PageLines | None:
    """A PageLines head on the labeled lines of `pages` (None: not learned from); None with fewer
    than two line labels."""
    lines = [line for page, labels in zip(pages, line_labels) for line, y in zip(page, labels) if y is not None]
    labels = [y for page_labels in line_labels for y in page_labels if y is not None]
    if len(set(labels)) < 2:
        return None
    block = TfidfBlock("char", (1, 3), min_df=2, max_features=100_000)
    X = block.fit_transform(normalize_many(lines, normalization))
    return PageLines(block, fit_linear(X, labels, alpha=_PAGE_LINE_ALPHA, epochs=_PAGE_LINE_EPOCHS, seed=seed))


@dataclass
class DocumentModel:
    """Per-document labels from n-grams, layout, the line labels and lexicon hits."""

    block: TfidfBlock
    head: Head
    lexicons: dict[str, list[str]] = field(default_factory=dict)
    normalization: Normalization = field(default_factory=Normalization)
    page_lines: PageLines | None = None  # None in models of format 4 and older
    _patterns: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def layout_width(self) -> int:
        """How many layout columns the model reads: the first ones of _document_layout(), as many
        as it was trained on (a model saved in format 6 or older has fewer)."""
        others = document_head_width(self.block.n_terms, 0, len(self.lexicons), self.page_lines is not None)
        return self.head.coef.shape[1] - others

    def _lexicon_hits(self, text: str) -> list[float]:
        per_k = 1000 / max(len(text), 1)
        ascii_runs = _ASCII_RUN.findall(text)
        hits = []
        for name, words in self.lexicons.items():
            if name not in self._patterns:
                self._patterns[name] = Lexicon(words)
            found = self._patterns[name].findall(text, ascii_runs)
            hits += [math.log1p(len(found) * per_k) / 3, min(len(set(found)), 10) / 10]
        return hits

    def features(self, pages: Sequence[Sequence[str]], line_proba: Sequence[np.ndarray], line_classes, fit=False, shares=None, normalized=None):
        """The document rows; `shares` (training only) replaces the page-line columns with those of
        heads that did not see the page. `normalized`: the pages through normalize_pages with this
        model's normalization, when the caller has them already."""
        if normalized is None:
            normalized = normalize_pages(pages, self.normalization)
        texts = [page_text(page, self.normalization) for page in normalized]
        grams = self.block.fit_transform(texts) if fit else self.block.transform(texts)
        layout = document_layout_width(len(line_classes)) if fit else self.layout_width
        dense = [
            _document_layout(page, p, line_classes)[:layout] + self._lexicon_hits(text)
            for page, p, text in zip(pages, line_proba, texts)
        ]
        width = layout + 2 * len(self.lexicons)
        blocks = [grams, sp.csr_matrix(np.array(dense, dtype=np.float32).reshape(-1, width))]
        if self.page_lines is not None:
            if shares is None:
                shares = self.page_lines.shares(pages, self.normalization, normalized)
            blocks.append(sp.csr_matrix(shares))
        return sp.hstack(blocks, format="csr")


def fit_document_model(
    pages: Sequence[Sequence[str]],
    labels: Sequence[str],
    lines: LineModel,
    lexicons: Mapping[str, Sequence[str]] | None = None,
    *,
    line_labels: Sequence[Sequence[str | None]] | None = None,
    seed: int = 0,
) -> DocumentModel:
    """Fit the document model on pages (lists of lines) and their labels, reading them with `lines`.

    `line_labels` (per page, one label or None per line) train the page-line head; without them, or
    with fewer than two line labels, the model has none. The training pages' page-line columns come
    from heads fitted on the other folds of the pages, as a new page's come from a head that never
    saw it (a head's own training lines would look cleaner than any new page's)."""
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
    shares = None
    if line_labels is not None:
        if len(line_labels) != len(pages) or any(len(y) != len(page) for y, page in zip(line_labels, pages)):
            raise DataError("give one line label (or None) per line of every document")
        document.page_lines = fit_page_lines(pages, line_labels, document.normalization, seed)
    if document.page_lines is not None:
        shares = np.zeros((len(pages), PAGE_LINE_COLUMNS), dtype=np.float32)
        fold = np.arange(len(pages)) % _PAGE_LINE_FOLDS
        np.random.default_rng(seed).shuffle(fold)
        for k in range(_PAGE_LINE_FOLDS):
            rest = [i for i in range(len(pages)) if fold[i] != k]
            held = [i for i in range(len(pages)) if fold[i] == k]
            head = fit_page_lines([pages[i] for i in rest], [line_labels[i] for i in rest], document.normalization, seed)
            if head is not None and held:  # no head for a fold with one line label: its rows stay 0
                shares[held] = head.shares([pages[i] for i in held], document.normalization)
    X = document.features(pages, lines.proba(pages), lines.classes, fit=True, shares=shares)
    document.head = fit_linear(X, list(labels), alpha=1e-3, epochs=50, seed=seed)
    return document
