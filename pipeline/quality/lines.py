"""Quality per line: every line of a document gets content / boilerplate / ad / spam.

A linear classifier reads the line's character n-grams and its layout (length, punctuation, digits,
phone numbers, links, position, repeats, its neighbours' layout); a hidden Markov model over the
page then smooths those probabilities, because labels come in runs: a short table cell inside an
article is content, a long sentence inside a "related links" box is not. Last, the page is read as
one article: one block of content lines (the first post of a blog or forum page), with whatever
lies between them (_one_article).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ..errors import DataError
from ..features import TfidfBlock
from ..linear import Head, fit_linear
from ..text import Normalization, normalize_many

LINE_LABELS = ("ad", "boilerplate", "content", "spam")
CONTENT = "content"
_INJECTED = ("ad", "spam")
_FULL_WEIGHT_CHARS = 30  # a line's own evidence: the root of its length up to 30 chars (1 char 0.2, 30 chars 1), then its power 1.5 (120 chars 8, 190+ chars 16)
_MAX_WEIGHT = 16  # a long paragraph outweighs its neighbours, however boilerplate they are
_DEDUPE_MIN_CHARS = 10  # a repeated content line this long is a copy of the article, not a refrain
_HEADLINE_LINES = 8  # how far above the article a headline may sit: below it a dateline, source, share bar, font size, print ...
_MIN_HEADLINE_PAIRS = 4  # pairs of Han characters a headline holds at least (5 characters in a row)
_HEADLINE_SHARED = 1 / 3  # of its pairs, at least this share recur in the article (half missed some news headlines)
_EDGE_CONTENT = 0.7  # an article's first or last line is content only this sure (see _one_article)
_EDGE_OWN_CONTENT = 0.3  # ... and only if the classifier alone gives it at least this for content
_FIRST_POST_SHARE = 0.25  # the article is the first post this large against the largest (see _one_article)
_POST_HEADER_CHARS = 60  # a dated line up to this long between two posts is a post or comment header, not prose

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DIGIT = re.compile(r"\d")
_LATIN = re.compile("[A-Za-z]")
_PUNCT = re.compile(r"[，。！？；：、“”‘’（）《》【】…—,.!?;:()\[\]<>|/·»_\-]")
_SENTENCE_END = re.compile(r"[。！？!?…”」』）)]\s*$")
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}[- ]?\d{7,8}|400[- ]?\d{3}[- ]?\d{4})(?!\d)")
_URL = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org|cc|html?)\b", re.I)
_DATE = re.compile(r"\d{2,4}[-年/.]\d{1,2}[-月/.]\d{1,2}|\d{1,2}:\d{2}")
_FULL_DATE = re.compile(  # with the year: not a verse, score or time alone
    r"\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}|\b\d{1,2}/\d{1,2}/\d{4}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?, \d{4}\b",
    re.I,
)
_FURNITURE = re.compile(
    r"版权|copyright|©|icp|备案|责任编辑|来源|发布时间|点击|分享|评论|登录|注册|首页|上一篇|下一篇|相关|推荐|关注|扫描|二维码",
    re.I,
)
_PINYIN_NOTE = re.compile(r"[\u4e00-\u9fff][(?][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
_SEPARATORS = re.compile(r"[|>»·/]")
# A teaser of another page is cut short ("...", or one "…": prose trails off with "……") at a fixed width,
# as the entries of a "related articles" block or a list of posts are. A long paragraph ending so is prose.
_TRUNCATED = re.compile(r"(?:\.{3,}|(?<!…)…|。{3,})\s*$")
_TEASER_CHARS = (30, 200)
_TEASER_WIDTH = 0.1  # a teaser has another on its page this close in length: cut at the same width
_HAN_PAIRS = re.compile("(?=([\u4e00-\u9fff]{2}))")  # every two adjacent Han characters, overlapping
_LENGTH_CAP = 200  # layout is read from a line's first 200 characters: a long paragraph is not a long menu
_LONG_LINE, _FEW_LONG_LINES = 100, 5
# A page is read as having at least this many lines when labeling (not when training): the classifier
# saw ad and spam lines only in pages of 9-16 lines, and content mostly in long ones, so below 9 lines
# the page-size column carried it to ad and spam (the one paragraph under a navigation line came out ad).
_MIN_PAGE_LINES = 9
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


def line_layout(lines: Sequence[str], min_lines: int = 1) -> np.ndarray:
    """Layout features of each line of one page, with its position, repeats and neighbours; the page's
    size is read as at least `min_lines` lines."""
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
    size = math.log1p(max(n, min_lines)) / 7
    position = np.column_stack(
        [index / max(n - 1, 1), index == 0, index == n - 1, np.full(n, size), share, share >= 0.3]
    ).astype(np.float32)
    near = own[:, _NEIGHBOUR_COLUMNS]
    # A long line's length against the page's longest, on a page with few long lines: the longest
    # is its article even where the navigation around it holds more characters in all (a news page
    # whose whole article is one line). Columns added later go last: see LineModel.layout_width.
    relative = chars / max(chars.max(initial=0), 1) * (chars >= _LONG_LINE) * few_long
    return np.hstack([own, repeats, position] + [_shifted(near, k) for k in (1, -1, 2, -2)] + [relative[:, None]])


def normalize_pages(pages: Sequence[Sequence[str]], normalization: Normalization) -> list[list[str]]:
    """Each page's lines normalized, in one normalize_many over all of them."""
    clean = normalize_many([line for page in pages for line in page], normalization)
    normalized, start = [], 0
    for page in pages:
        normalized.append(clean[start : start + len(page)])
        start += len(page)
    return normalized


def page_text(normalized_lines: Sequence[str], normalization: Normalization) -> str:
    """A page's normalized lines as one text: the page's text normalized whole (no step reads across
    a line break; collapsing whitespace drops lines left empty)."""
    return "\n".join(filter(None, normalized_lines) if normalization.collapse_whitespace else normalized_lines)


def _page_rows(
    pages: Sequence[Sequence[str]],
    normalization: Normalization,
    block: TfidfBlock,
    fit: bool = False,
    width: int | None = None,
    normalized: Sequence[Sequence[str]] | None = None,
):
    """The classifier's rows for every line of `pages`: n-grams, then the first `width` layout columns.
    `fit` marks training rows: the n-gram block is fitted on them, and each page is read at its own
    size (when labeling, a short page is read as _MIN_PAGE_LINES long). `normalized`: the pages
    through normalize_pages, when the caller has them already."""
    if normalized is None:
        normalized = normalize_pages(pages, normalization)
    clean = [line for page in normalized for line in page]
    text = block.fit_transform(clean) if fit else block.transform(clean)
    # Layout is read from the normalized lines too: a traditional-script copy with pinyin after
    # every word is laid out like the simplified original.
    min_lines = 1 if fit else _MIN_PAGE_LINES
    layout = np.vstack([line_layout(page, min_lines) for page in normalized if page] or [np.zeros((0, LINE_LAYOUT_WIDTH), np.float32)])
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


def _is_nav_or_dateline(line: str) -> bool:
    """A breadcrumb or a menu (two separators, or four items between spaces: 首页 > 新闻 > 体育), or a
    dateline (a date or a time)."""
    return len(_SEPARATORS.findall(line)) >= 2 or len(line.split()) >= 4 or bool(_DATE.search(line))


def _keep_headline(page: Sequence[str], smoothed: np.ndarray, content: int, injected: Sequence[int] = ()) -> np.ndarray:
    """A headline stands alone between navigation and a dateline, and is short, so smoothing and often
    the classifier too call it boilerplate. What marks it is that its words recur in the article: of the
    lines up to _HEADLINE_LINES above the page's first content line, the one sharing the most pairs of
    Han characters with the article below it (the run of content lines that starts there), at least
    _MIN_HEADLINE_PAIRS and at least a third of its own (_HEADLINE_SHARED), becomes content; on a tie,
    the one closest to the article. The headlines of other articles rarely share its words, and a
    section name that does shares fewer; breadcrumbs, menus and datelines (_is_nav_or_dateline) and ad
    and spam lines (`injected`) are not headlines."""
    is_content = smoothed.argmax(axis=1) == content
    if not is_content.any():
        return smoothed
    first = end = int(is_content.argmax())
    while end < len(page) and is_content[end]:
        end += 1
    article = set(_HAN_PAIRS.findall("".join(page[first:end])[:5000]))
    best, most = None, 0
    for i in range(max(first - _HEADLINE_LINES, 0), first):
        head = page[i][:_LENGTH_CAP]
        if smoothed[i].argmax() in injected or _is_nav_or_dateline(head):
            continue
        pairs = set(_HAN_PAIRS.findall(head))
        shared = len(pairs & article)
        if len(pairs) >= _MIN_HEADLINE_PAIRS and shared >= _HEADLINE_SHARED * len(pairs) and shared >= most:
            best, most = i, shared
    if best is not None:
        _relabel(smoothed, np.array([best]), content, to_content=True)
    return smoothed


def _keep_injected(smoothed: np.ndarray, own: np.ndarray, injected: Sequence[int]) -> np.ndarray:
    """An ad or spam line is put into a page on its own, a seller's phone line between two paragraphs
    or a gambling title above the headline, so smoothing, which expects labels in runs, folds it into
    the article or the navigation around it. A line the classifier alone calls ad or spam (0.5 or
    more) keeps the classifier's own probabilities."""
    best = own.argmax(axis=1)
    rows = np.isin(best, injected) & (own.max(axis=1) >= 0.5)
    smoothed[rows] = own[rows]
    return smoothed


def _relabel(proba: np.ndarray, rows: np.ndarray, content: int, to_content: bool) -> None:
    """Give `rows` the label content (or take it away) by swapping the content probability with that
    of the line's most likely other class: the label changes, the line keeps its confidence."""
    others = proba[rows].copy()
    others[:, content] = -1
    other = others.argmax(axis=1)
    change = (proba[rows, content] < proba[rows, other]) == to_content
    rows, other = rows[change], other[change]
    proba[rows, content], proba[rows, other] = proba[rows, other], proba[rows, content]


def _one_article(
    page: Sequence[str], proba: np.ndarray, content: int, boilerplate: int | None, own: np.ndarray | None = None
) -> np.ndarray:
    """A page holds one article. The content lines are cut into blocks where a short dated line stands
    between them (the header of the next post or comment on a blog or forum page), or a teaser of
    another page (_teasers; a "related articles" block of titles and teasers cut short often follows
    the article with nothing between, and reads as more of it; a teaser is never content); the first
    block with at least _FIRST_POST_SHARE of the largest block's content characters is the article (a post
    comes before its comments; an archive page opens with its newest post), and every line from its
    first content line to its last is content: inside an article, a table, a flow chart or a list of
    short items reads like navigation line by line, but the labels put it in the article. Content
    lines outside the block become boilerplate (other posts, comments, related articles; the
    headline, set apart by its dateline, is _keep_headline's to restore). The article's edges are
    where smoothing is least sure: an edge line it calls content with less than _EDGE_CONTENT, or that
    the classifier alone (`own`) gives less than _EDGE_OWN_CONTENT, is most often the source, editor
    or share line dragged in by the first or last long paragraph (on a short page, where most lines
    sit next to a paragraph, smoothing is sure of them), and is dropped. Only boilerplate lines inside
    the article become content: an ad or spam line there is what it says (the document model counts
    them)."""
    teaser = _teasers(page)
    _relabel(proba, np.flatnonzero(teaser), content, to_content=False)
    is_content = proba.argmax(axis=1) == content
    idx = np.flatnonzero(is_content)
    if len(idx) == 0:
        return proba
    blocks = [[idx[0], idx[0], len(page[idx[0]])]]  # first line, last line, content characters
    for a, b in zip(idx, idx[1:]):
        header = any(len(line) <= _POST_HEADER_CHARS and _FULL_DATE.search(line) for line in page[a + 1 : b])
        if header or teaser[a + 1 : b].any():
            blocks.append([b, b, 0])
        blocks[-1][1:] = b, blocks[-1][2] + len(page[b])
    most = max(chars for _, _, chars in blocks)
    first, last, _ = next(block for block in blocks if block[2] >= _FIRST_POST_SHARE * most)
    kept = idx[(idx >= first) & (idx <= last)]
    low, high = 0, len(kept) - 1
    weak = proba[:, content] < _EDGE_CONTENT
    if own is not None:
        weak |= own[:, content] < _EDGE_OWN_CONTENT
    while low < high and weak[kept[high]]:
        high -= 1
    while low < high and weak[kept[low]]:
        low += 1
    kept = kept[low : high + 1]
    article = np.zeros(len(page), dtype=bool)
    article[kept[0] : kept[-1] + 1] = True
    _relabel(proba, np.flatnonzero(is_content & ~article), content, to_content=False)
    if boilerplate is not None:
        _relabel(proba, np.flatnonzero(article & ~teaser & (proba.argmax(axis=1) == boilerplate)), content, to_content=True)
    return proba


def _teasers(page: Sequence[str]) -> np.ndarray:
    """Which lines are teasers of other pages: 30-200 characters cut short, with another such line on
    the page of nearly the same length (a post or comment that trails off with "..." is not one). Of
    the lines cut short in web_pages and web_docs_dev, the 29 of 30-200 characters are boilerplate; of
    the topic sets' paragraphs that long, none ends so."""
    lengths = np.array([len(line) for line in page])
    cut = (lengths >= _TEASER_CHARS[0]) & (lengths <= _TEASER_CHARS[1])
    cut &= np.array([bool(_TRUNCATED.search(line)) for line in page], dtype=bool)
    # The nearest length is the next one up or down in sorted order: linear after the sort.
    rows = np.flatnonzero(cut)
    rows = rows[np.argsort(lengths[rows], kind="stable")]
    near = lengths[rows]
    close = np.diff(near) <= _TEASER_WIDTH * near[1:]
    twin = np.zeros(len(rows), dtype=bool)
    twin[1:] |= close
    twin[:-1] |= close
    teaser = np.zeros(len(page), dtype=bool)
    teaser[rows[twin]] = True
    return teaser


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

    def proba(self, pages: Sequence[Sequence[str]], normalized: Sequence[Sequence[str]] | None = None) -> list[np.ndarray]:
        """Per page, an array (n_lines, n_classes): each line's probabilities given the whole page.
        `normalized`: the pages through normalize_pages with this model's normalization, if at hand."""
        if not any(pages):
            return [np.zeros((0, len(self.classes))) for _ in pages]
        # The one-vs-rest rule: the smoothing and the document features were measured with it.
        rows = _page_rows(pages, self.normalization, self.block, width=self.layout_width, normalized=normalized)
        own = self.head.ovr_proba(rows)
        injected = [self.classes.index(c) for c in _INJECTED if c in self.classes]
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
            smoothed = _keep_injected(smoothed, p, injected)
            if CONTENT in self.classes:
                boilerplate = self.classes.index("boilerplate") if "boilerplate" in self.classes else None
                smoothed = _one_article(page, smoothed, self.classes.index(CONTENT), boilerplate, p)
                smoothed = _keep_headline(page, smoothed, self.classes.index(CONTENT), injected)
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


@dataclass
class Line:
    text: str
    label: str
    prob: float


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
