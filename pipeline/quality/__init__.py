"""The quality part of a model: labels per line (lines.py) and per document (documents.py), and
what the rest of a model does with them: clean() keeps the content lines, and the topic heads read
that content (topic_text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from .documents import DOCUMENT_HEAD, DOCUMENT_LABELS, DocumentModel, fit_document_model
from .lines import (
    CONTENT,
    LINE_LABELS,
    Line,
    LineModel,
    _squeeze,
    clean_lines,
    fit_line_model,
    normalize_pages,
    split_lines,
)

__all__ = [
    "CONTENT", "DOCUMENT_HEAD", "DOCUMENT_LABELS", "LINE_LABELS", "Line", "Quality", "clean_lines",
    "split_lines", "topic_text", "train_quality",
]

_MIN_TOPIC_CHARS = 20  # less content than a short headline: the topic heads read the whole text instead


@dataclass
class Quality:
    """The quality part of a model: a line model, and optionally a document model built on it."""

    lines: LineModel
    document: DocumentModel | None = None

    def label_lines(self, text: str) -> list[Line]:
        """Every non-empty line of `text` with its label and that label's probability, in order."""
        return self.label_pages([split_lines(text)])[0]

    def label_pages(self, pages: Sequence[Sequence[str]]) -> list[list[Line]]:
        """label_lines for pages already split into lines."""
        return [self._labeled(page, p) for page, p in zip(pages, self.lines.proba(pages))]

    def _labeled(self, page: Sequence[str], proba: np.ndarray) -> list[Line]:
        best = proba.argmax(axis=1)
        return [Line(line, self.lines.classes[j], float(proba[i, j])) for i, (line, j) in enumerate(zip(page, best))]

    def clean(self, text: str) -> str:
        """The main content of `text`: its content lines in order, repeated copies of a line dropped."""
        return clean_lines(self.label_lines(text))

    def document_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n_texts, n_classes) document label probabilities, columns in `document.head.classes` order."""
        if self.document is None:
            raise ConfigError("this model has no document quality part")
        return self.analyze(texts, clean=False)[1]

    def analyze(self, texts: Sequence[str], clean: bool = True) -> tuple[list[str], np.ndarray | None]:
        """Labels every line once, for both results: what the topic heads read (each text's main
        content; the text itself when `clean` is off or cleaning leaves less than a short headline) and
        the document probabilities (None without a document model)."""
        pages = [split_lines(t) for t in texts]
        normalized = normalize_pages(pages, self.lines.normalization)
        line_proba = self.lines.proba(pages, normalized)
        cleaned = list(texts)
        if clean:
            cleaned = [topic_text(text, clean_lines(self._labeled(page, p))) for text, page, p in zip(texts, pages, line_proba)]
        if self.document is None:
            return cleaned, None
        same = self.document.normalization == self.lines.normalization
        X = self.document.features(pages, line_proba, self.lines.classes, normalized=normalized if same else None)
        return cleaned, self.document.head.predict_proba(X)


def topic_text(text: str, content: str) -> str:
    """What the topic heads read of `text` whose main content is `content`: that content, or the
    whole text when the content is shorter than a short headline (a few stray words, or nothing,
    where the line model missed the article: a topic read from them would be a guess)."""
    return content if len(_squeeze(content)) >= _MIN_TOPIC_CHARS else text


def train_quality(
    pages: Sequence[Sequence[tuple[str, str | None]]],
    page_labels: Sequence[str | None] | None = None,
    documents: Sequence[str] = (),
    document_labels: Sequence[str] = (),
    lexicons: Mapping[str, Sequence[str]] | None = None,
    *,
    document_line_labels: Sequence[Sequence[str | None]] | None = None,
    seed: int = 0,
) -> Quality:
    """Train the quality part: the line model on `pages` (lists of (line, label); None = unlabeled),
    and, when any document label is given, the document model on the labeled pages plus `documents`.

    Lexicons (name -> words) become weighted features of the document model, not rules. The
    document model's page-line head learns from the line labels of the labeled pages: their own, or
    `document_line_labels` (one list per page, one label or None per line) where the line model is
    not to learn from some of them (e.g. the article-like spam lines of a spam page).
    """
    lines = fit_line_model(pages, seed=seed)
    page_labels = list(page_labels) if page_labels is not None else [None] * len(pages)
    if len(page_labels) != len(pages) or len(document_labels) != len(documents):
        raise ConfigError("give exactly one label per page and per document")
    if document_line_labels is None:
        document_line_labels = [[y for _, y in page] for page in pages]
    elif len(document_line_labels) != len(pages) or any(len(y) != len(p) for y, p in zip(document_line_labels, pages)):
        raise ConfigError("give document_line_labels as one label (or None) per line of every page")
    texts = [[line for line, _ in page] for page, y in zip(pages, page_labels) if y]
    line_labels = [list(ys) for ys, y in zip(document_line_labels, page_labels) if y]
    texts += [split_lines(d) for d in documents]
    line_labels += [[None] * len(texts[i]) for i in range(len(line_labels), len(texts))]
    labels = [y for y in page_labels if y] + [str(y) for y in document_labels]
    if not labels:
        return Quality(lines)
    return Quality(lines, fit_document_model(texts, labels, lines, lexicons, line_labels=line_labels, seed=seed))
