"""Quality per line and per document, and clean().

Lines: every line of a document gets content / boilerplate / ad / spam. A linear classifier reads
the line's character n-grams and its layout (length, punctuation, digits, phone numbers, links,
position, repeats, its neighbours' layout); a hidden Markov model over the page then smooths those
probabilities, because labels come in runs: a short table cell inside an article is content, a
long sentence inside a "related links" box is not.

Documents: content / ad / spam from the document's character n-grams, its layout, how its lines
were labeled, and hits of word lists (lexicons) as weighted features, never as hard rules.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .errors import ConfigError, DataError
from .features import TfidfBlock
from .linear import Head, fit_linear
from .text import Normalization, normalize_many

LINE_LABELS = ("ad", "boilerplate", "content", "spam")
DOCUMENT_LABELS = ("ad", "content", "spam")
DOCUMENT_HEAD = "quality"  # the name the document label gets among a model's heads
CONTENT = "content"
_FULL_WEIGHT_CHARS = 30  # a line's own evidence: the root of its length up to 30 chars (1 char 0.2, 30 chars 1), then its power 1.5 (120 chars 8, 190+ chars 16)
_MAX_WEIGHT = 16  # a long paragraph outweighs its neighbours, however boilerplate they are
_DEDUPE_MIN_CHARS = 10  # a repeated content line this long is a copy of the article, not a refrain
_MIN_TOPIC_CHARS = 20  # less content than a short headline: the topic heads read the whole text instead
_HEADLINE_LINES = 4  # how far above the article a headline may sit: headline, dateline, share bar, font size

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile("[A-Za-z]")
_PUNCT = re.compile(r"[，。！？；：、“”‘’（）《》【】…—,.!?;:()\[\]<>|/·»_\-]")
_SENTENCE_END = re.compile(r"[。！？!?…”」』）)]\s*$")
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}|400[- ]?\d{3}[- ]?\d{4})(?!\d)")
_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org|cc|html?)\b", re.I)
_DATE = re.compile(r"\d{2,4}[-年/.]\d{1,2}[-月/.]\d{1,2}|\d{1,2}:\d{2}")
_FURNITURE = re.compile(
    r"版权|copyright|©|icp|备案|责任编辑|来源|发布时间|点击|分享|评论|登录|注册|首页|上一篇|下一篇|相关|推荐|关注|扫描|二维码",
    re.I,
)
_PINYIN_NOTE = re.compile(r"[\u4e00-\u9fff][(?][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
_SEPARATORS = re.compile(r"[|>»·/]")
_HAN_PAIRS = re.compile("(?=([\u4e00-\u9fff]{2}))")  # every two adjacent Han characters, overlapping
_LENGTH_CAP = 200  # layout is read from a line's first 200 characters: a long paragraph is not a long menu
_LONG_LINE, _FEW_LONG_LINES = 100, 5
_LENGTH_STEPS = (2, 4, 8, 12, 20, 30, 50, 80, 120, 200)
_NEIGHBOUR_COLUMNS = (0, 1, 4, 6, 7)  # log length, Han share, punctuation share, sentence end, commas


def _squeeze(line: str) -> str:
    """A line without any whitespace: how repeats are recognized."""
    return "".join(line.split())


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a text, stripped of surrounding whitespace."""
    return [s for line in text.splitlines() if (s := line.strip())]


def _line_layout(line: str) -> list[float]:
    n = max(len(line), 1)
    head = line[:_LENGTH_CAP]
    counts = [len(p.findall(line)) / n for p in (_HAN, _DIGIT, _LATIN, _PUNCT)]
    return [
        math.log1p(min(len(line), _LENGTH_CAP)) / 6,
        *counts,
        min(head.count(" ") + head.count("\u3000"), 10) / 10,
        float(bool(_SENTENCE_END.search(line))),
        min(line.count("，") + line.count(","), 10) / 10,
        min(line.count("。"), 10) / 10,
        float(bool(_PHONE.search(line))),
        float(bool(_URL.search(line))),
        float(bool(_DATE.search(line))),
        min(len(_FURNITURE.findall(head)), 3) / 3,
        float(bool(_PINYIN_NOTE.search(line))),
        min(len(_SEPARATORS.findall(head)), 5) / 5,
        *(float(len(line) <= step) for step in _LENGTH_STEPS),
    ]


def _shifted(a: np.ndarray, k: int) -> np.ndarray:
    """Row i of the result is row i - k of `a` (zeros where that is outside the page)."""
    out = np.zeros_like(a)
    if k > 0:
        out[k:] = a[:-k]
    elif k < 0:
        out[:k] = a[-k:]
    return out


def line_layout(lines: Sequence[str]) -> np.ndarray:
    """Layout features of each line of one page, with its position, repeats and neighbours."""
    n = len(lines)
    own = np.array([_line_layout(line) for line in lines], dtype=np.float32).reshape(n, -1)
    squeezed = [_squeeze(line) for line in lines]
    seen = Counter(squeezed)
    repeats = np.array([[min(seen[s] - 1, 3) / 3] for s in squeezed], dtype=np.float32).reshape(n, 1)
    index = np.arange(n)
    chars = np.array([len(line) for line in lines], dtype=np.float32)
    # A line holding most of the text of a page with few long lines is its main text (a blog archive
    # page, with many long posts of which one is the content, does not count).
    few_long = (chars >= _LONG_LINE).sum() <= _FEW_LONG_LINES
    share = chars / max(chars.sum(), 1) * few_long
    position = np.column_stack(
        [index / max(n - 1, 1), index == 0, index == n - 1, np.full(n, math.log1p(n) / 7), share, share >= 0.3]
    ).astype(np.float32)
    near = own[:, _NEIGHBOUR_COLUMNS]
    # A long line's length against the page's longest, on a page with few long lines: the longest
    # is its article even where the navigation around it holds more characters in all (a news page
    # whose whole article is one line). Columns added later go last: see LineModel.layout_width.
    relative = chars / max(chars.max(initial=0), 1) * (chars >= _LONG_LINE) * few_long
    return np.hstack([own, repeats, position] + [_shifted(near, k) for k in (1, -1, 2, -2)] + [relative[:, None]])


def _page_rows(
    pages: Sequence[Sequence[str]], normalization: Normalization, block: TfidfBlock, fit: bool = False, width: int | None = None
):
    lines = [line for page in pages for line in page]
    clean = normalize_many(lines, normalization)
    text = block.fit_transform(clean) if fit else block.transform(clean)
    # Layout is read from the normalized lines too: a traditional-script copy with pinyin after
    # every word is laid out like the simplified original.
    normalized, start = [], 0
    for page in pages:
        normalized.append(clean[start : start + len(page)])
        start += len(page)
    layout = np.vstack([line_layout(page) for page in normalized if page] or [np.zeros((0, LINE_LAYOUT_WIDTH), np.float32)])
    return sp.hstack([text, sp.csr_matrix(layout[:, :width])], format="csr", dtype=np.float32)


LINE_LAYOUT_WIDTH = line_layout(["x"]).shape[1]
LINE_LAYOUT_WIDTH_3 = 52  # the layout columns of a line model saved in format 3 (before the relative length)


def _posterior(log_emission: np.ndarray, log_transition: np.ndarray, log_start: np.ndarray) -> np.ndarray:
    """Forward-backward: each line's probability of each state given the whole page."""
    n, k = log_emission.shape
    forward = np.empty((n, k))
    backward = np.zeros((n, k))
    forward[0] = log_start + log_emission[0]
    for i in range(1, n):
        forward[i] = np.logaddexp.reduce(forward[i - 1][:, None] + log_transition, axis=0) + log_emission[i]
    for i in range(n - 2, -1, -1):
        backward[i] = np.logaddexp.reduce(log_transition + (log_emission[i + 1] + backward[i + 1])[None, :], axis=1)
    joint = forward + backward
    joint -= joint.max(axis=1, keepdims=True)
    p = np.exp(joint)
    return p / p.sum(axis=1, keepdims=True)


def _keep_headline(page: Sequence[str], smoothed: np.ndarray, own: np.ndarray, content: int) -> np.ndarray:
    """A headline stands alone between navigation and a dateline, so smoothing folds it into the
    boilerplate around it. A line up to _HEADLINE_LINES above the page's first content line keeps the
    classifier's own probabilities when the classifier alone calls it content (0.5 or more) and at
    least half of its pairs of Han characters recur in the article below it (the run of content lines
    that starts there): navigation, and the headlines of other articles, rarely share its words."""
    is_content = smoothed.argmax(axis=1) == content
    if not is_content.any():
        return smoothed
    first = end = int(is_content.argmax())
    while end < len(page) and is_content[end]:
        end += 1
    article = set(_HAN_PAIRS.findall("".join(page[first:end])[:5000]))
    for i in range(max(first - _HEADLINE_LINES, 0), first):
        pairs = set(_HAN_PAIRS.findall(page[i][:_LENGTH_CAP]))
        if own[i, content] >= 0.5 and pairs and len(pairs & article) >= len(pairs) / 2:
            smoothed[i] = own[i]
    return smoothed


@dataclass
class LineModel:
    """Per-line labels: a linear classifier over n-grams and layout, smoothed along the page."""

    block: TfidfBlock
    head: Head
    log_transition: np.ndarray  # (k, k): how likely a line of class a is followed by one of class b
    log_prior: np.ndarray  # (k,): class shares in training, the start state and the emission baseline
    emission_weight: float = 0.5  # < 1 trusts the neighbours more than one line's own evidence
    normalization: Normalization = field(default_factory=Normalization)

    def _weights(self, page: Sequence[str]) -> np.ndarray:
        lengths = np.array([len(line) for line in page], dtype=float)
        x = lengths / _FULL_WEIGHT_CHARS
        return self.emission_weight * np.clip(np.maximum(np.sqrt(x), x ** 1.5), 0.2, _MAX_WEIGHT)

    @property
    def classes(self) -> list[str]:
        return self.head.classes

    @property
    def layout_width(self) -> int:
        """How many layout columns the model reads: the first ones of line_layout(), as many as it
        was trained on (a model saved in format 3 has fewer)."""
        return self.head.coef.shape[1] - self.block.n_terms

    def proba(self, pages: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Per page, an array (n_lines, n_classes): each line's probabilities given the whole page."""
        if not any(pages):
            return [np.zeros((0, len(self.classes))) for _ in pages]
        own = self.head.predict_proba(_page_rows(pages, self.normalization, self.block, width=self.layout_width))
        out, start = [], 0
        for page in pages:
            p = own[start : start + len(page)]
            start += len(page)
            if len(page) == 0:
                out.append(np.zeros((0, len(self.classes))))
                continue
            # The classifier is fitted with balanced class weights, so its probabilities already
            # stand for p(line | class) up to a constant: the class shares enter once, at the start.
            emission = np.log(np.clip(p, 1e-6, 1)) * self._weights(page)[:, None]
            smoothed = _posterior(emission, self.log_transition, self.log_prior)
            if CONTENT in self.classes:
                smoothed = _keep_headline(page, smoothed, p, self.classes.index(CONTENT))
            out.append(smoothed)
        return out


def fit_line_model(
    pages: Sequence[Sequence[tuple[str, str | None]]],
    *,
    seed: int = 0,
    alpha: float = 2e-5,
    epochs: int = 30,
    emission_weight: float = 0.5,
    normalization: Normalization | None = None,
) -> LineModel:
    """Fit a line model on pages of (line, label) pairs; a None label is context only, not learned from."""
    normalization = normalization or Normalization()
    pages = [[(line.strip(), label) for line, label in page if line.strip()] for page in pages]
    labels = [label for page in pages for _, label in page]
    present = sorted({y for y in labels if y is not None})
    unknown = [y for y in present if y not in LINE_LABELS]
    if unknown:
        raise DataError(f"unknown line label {unknown[0]!r}; line labels are: {', '.join(LINE_LABELS)}")
    if len(present) < 2:
        raise DataError("line labels need at least two classes (e.g. content and boilerplate)")
    block = TfidfBlock("char", (1, 3), min_df=2, max_features=100_000)
    X = _page_rows([[line for line, _ in page] for page in pages], normalization, block, fit=True)
    rows = [i for i, y in enumerate(labels) if y is not None]
    head = fit_linear(X[rows], [labels[i] for i in rows], alpha=alpha, epochs=epochs, seed=seed)
    index = {c: i for i, c in enumerate(head.classes)}
    counts = np.ones((len(index), len(index)))  # add-one smoothing: no transition is impossible
    for page in pages:
        for (_, a), (_, b) in zip(page, page[1:]):
            if a is not None and b is not None:
                counts[index[a], index[b]] += 1
    prior = np.bincount([index[labels[i]] for i in rows], minlength=len(index)) + 1.0
    return LineModel(
        block=block,
        head=head,
        log_transition=np.log(counts / counts.sum(axis=1, keepdims=True)),
        log_prior=np.log(prior / prior.sum()),
        emission_weight=emission_weight,
        normalization=normalization,
    )



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


@dataclass
class Line:
    text: str
    label: str
    prob: float


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
        line_proba = self.lines.proba(pages)
        cleaned = list(texts)
        if clean:
            cleaned = [topic_text(text, clean_lines(self._labeled(page, p))) for text, page, p in zip(texts, pages, line_proba)]
        if self.document is None:
            return cleaned, None
        X = self.document.features(pages, line_proba, self.lines.classes)
        return cleaned, self.document.head.predict_proba(X)


def clean_lines(lines: Sequence[Line]) -> str:
    """Join the content lines; a long line seen before is a copy of the article and is dropped."""
    kept, seen = [], set()
    for line in lines:
        if line.label != CONTENT:
            continue
        key = _squeeze(line.text)
        if len(key) >= _DEDUPE_MIN_CHARS:
            if key in seen:
                continue
            seen.add(key)
        kept.append(line.text)
    return "\n".join(kept)


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
    seed: int = 0,
) -> Quality:
    """Train the quality part: the line model on `pages` (lists of (line, label); None = unlabeled),
    and, when any document label is given, the document model on the labeled pages plus `documents`.

    Lexicons (name -> words) become weighted features of the document model, not rules.
    """
    lines = fit_line_model(pages, seed=seed)
    page_labels = list(page_labels) if page_labels is not None else [None] * len(pages)
    if len(page_labels) != len(pages) or len(document_labels) != len(documents):
        raise ConfigError("give exactly one label per page and per document")
    texts = [[line for line, _ in page] for page, y in zip(pages, page_labels) if y]
    texts += [split_lines(d) for d in documents]
    labels = [y for y in page_labels if y] + [str(y) for y in document_labels]
    if not labels:
        return Quality(lines)
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
    X = document.features(texts, lines.proba(texts), lines.classes, fit=True)
    document.head = fit_linear(X, labels, alpha=1e-3, epochs=50, seed=seed)
    return Quality(lines, document)
