"""The multi-head model: shared TF-IDF features, one linear classifier per head."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from .errors import ConfigError, DataError, ModelFormatError
from .evaluate import report
from .features import TfidfBlock, featurize, fit_featurize, needs_tokens
from .linear import Head, fit_linear
from .quality import DOCUMENT_HEAD, Line, Quality
from .text import Normalization, Tokenizer, normalize_many

Progress = Callable[[int], None]  # called with the number of documents just finished
UNCERTAIN = "uncertain"  # the label of a head whose best probability is below the threshold
AUTO = "auto"  # word_ngrams, char_ngrams, min_df and nb_scaling decided by the training texts' length: see Settings.for_texts
LONG_TEXT = 300  # characters: from this median text length on, "auto" means long-article settings
NB_SMOOTHING = 0.1  # nb_scaling "auto" on long texts: the best of 0.03, 0.1 and 0.3 by cross-validation on thucnews_articles
LONG_MIN_CHARS = 100  # a long-text model reads texts from this length on: longer than any headline of our sets (40), shorter than 99% of their articles
LONG_WEIGHT = 0.5  # its share of the mixed probabilities: the best of 0.3-1.0 on a validation split of the default model's training rows


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a model; the defaults here are the only place defaults are written."""

    word_ngrams: tuple[int, int] | None | str = AUTO
    char_ngrams: tuple[int, int] | None | str = AUTO
    min_df: int | str = AUTO
    max_features: int | None = 200_000
    sublinear_tf: bool = True
    alpha: float = 1e-5
    class_weight: str | None = "balanced"
    epochs: int = 50
    nb_scaling: float | None | str = AUTO
    normalization: Normalization = field(default_factory=Normalization)
    tokenizer: Tokenizer = field(default_factory=Tokenizer)

    def __post_init__(self):
        if self.word_ngrams is None and self.char_ngrams is None:
            raise ConfigError("at least one of word_ngrams and char_ngrams is needed")
        for name in ("word_ngrams", "char_ngrams"):
            value = getattr(self, name)
            if isinstance(value, str) and value != AUTO:
                raise ConfigError(f"{name} must be a range, None or {AUTO!r}, not {value!r}")
        if isinstance(self.min_df, str):
            if self.min_df != AUTO:
                raise ConfigError(f"min_df must be a number or {AUTO!r}, not {self.min_df!r}")
        elif self.min_df < 1:
            raise ConfigError(f"min_df must be at least 1, got {self.min_df}")
        if isinstance(self.nb_scaling, str):
            if self.nb_scaling != AUTO:
                raise ConfigError(f"nb_scaling must be a positive number, None or {AUTO!r}, not {self.nb_scaling!r}")
        elif self.nb_scaling is not None and not self.nb_scaling > 0:
            raise ConfigError(f"nb_scaling (the smoothing of the naive Bayes ratios) must be positive, got {self.nb_scaling}")
        if self.max_features is not None and self.max_features < 1:
            raise ConfigError(f"max_features must be positive, got {self.max_features}")
        if not self.alpha > 0:
            raise ConfigError(f"alpha must be positive, got {self.alpha}")
        if self.epochs < 1:
            raise ConfigError(f"epochs must be at least 1, got {self.epochs}")
        if self.class_weight not in (None, "balanced"):
            raise ConfigError(f"class_weight must be None or 'balanced', got {self.class_weight!r}")

    def for_texts(self, texts: Sequence[str]) -> Settings:
        """These settings with "auto" decided for the training `texts`. Short texts (median under
        LONG_TEXT characters: headlines) get word unigrams, character 1-2-grams and min_df 1: in so
        few characters an n-gram seen once still tells (held-out accuracy +0.5 to +0.6 points on the
        headline sets), and character trigrams cost 0.1-0.2 points. Long articles get no word
        n-grams, character 1-3-grams and min_df 2: character n-grams already carry the words,
        skipping segmentation, the slowest stage, makes prediction several times faster, trigrams
        win back part of what words would give (+0.2 points on sogou_news, +0.4 on
        thucnews_articles: 5-fold cross-validation on their training splits), and min_df 1 cost
        0.6 points on thucnews_articles. Without character n-grams, "auto" word n-grams are
        unigrams whatever the length. nb_scaling "auto" (features scaled by naive Bayes log-count
        ratios per class) is NB_SMOOTHING on long texts and none on short ones: +0.8 points on
        thucnews_articles (5-fold cross-validation on its training split) and +0.75 on sogou_news's
        test split, but -2 and -1.2 points on the headline sets, where most n-grams are seen too few
        times for a ratio to tell."""
        long = bool(texts) and np.median([len(t) for t in texts]) >= LONG_TEXT
        resolved = {}
        if self.word_ngrams == AUTO:
            resolved["word_ngrams"] = None if long and self.char_ngrams is not None else (1, 1)
        if self.char_ngrams == AUTO:
            resolved["char_ngrams"] = (1, 3) if long else (1, 2)
        if self.min_df == AUTO:
            resolved["min_df"] = 2 if long else 1
        if self.nb_scaling == AUTO:
            resolved["nb_scaling"] = NB_SMOOTHING if long else None
        return replace(self, **resolved)

    def feature_blocks(self) -> list[TfidfBlock]:
        if AUTO in (self.word_ngrams, self.char_ngrams, self.min_df, self.nb_scaling):
            raise ConfigError("'auto' settings are decided by for_texts() before fitting")
        common = dict(min_df=self.min_df, max_features=self.max_features, sublinear_tf=self.sublinear_tf)
        blocks = []
        if self.word_ngrams:
            blocks.append(TfidfBlock("word", tuple(self.word_ngrams), **common))
        if self.char_ngrams:
            blocks.append(TfidfBlock("char", tuple(self.char_ngrams), **common))
        return blocks


def _prepare_chunk(texts: Sequence[str], normalization: Normalization, tokenizer: Tokenizer | None):
    """Normalized texts and, when there is a tokenizer, their tokens (an empty list otherwise)."""
    clean = normalize_many(texts, normalization)
    return clean, [tokenizer(t) for t in clean] if tokenizer else []


def _features_chunk(texts: Sequence[str], settings: Settings, blocks: list[TfidfBlock]) -> sp.csr_matrix:
    tokenizer = settings.tokenizer if needs_tokens(blocks) else None
    clean, tokens = _prepare_chunk(texts, settings.normalization, tokenizer)
    return featurize(blocks, clean, tokens)


@functools.lru_cache(maxsize=2)
def _loaded(source: tuple[str, str]) -> Model:
    from .store import load

    model = load(source[0])
    if model.source != source:
        raise ModelFormatError(f"{source[0]}: the model changed on disk while it was in use")
    return model


def _by_source(source: tuple[str, str], method: str, *args):
    """Call `method` of the model saved at `source`, in a worker process that loads it once (sending
    the model with every batch would cost more than the work)."""
    return getattr(_loaded(source), method)(*args)


def prepare(texts: Sequence[str], settings: Settings, jobs: int = 1, progress: Progress | None = None):
    """Normalized texts and their tokens (none when `settings` has no word n-grams), in `jobs`
    processes when it is more than one."""
    tokenizer = settings.tokenizer if settings.word_ngrams is not None else None
    chunk = max(1, min(500, -(-len(texts) // jobs)))  # at most 500 texts, and work for every process
    pieces = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    if jobs == 1 or len(pieces) < 2:
        results = (_prepare_chunk(p, settings.normalization, tokenizer) for p in pieces)
    else:
        from joblib import Parallel, delayed

        run = Parallel(n_jobs=jobs, return_as="generator")
        results = run(delayed(_prepare_chunk)(p, settings.normalization, tokenizer) for p in pieces)
    clean, tokens = [], []
    for c, t in results:
        clean.extend(c)
        tokens.extend(t)
        if progress:
            progress(len(c))
    return clean, tokens


@dataclass(frozen=True)
class LongTexts:
    """A second model whose heads a model mixes into its own on long texts: for a text of at least
    `min_chars` characters (what the heads read, after cleaning), a head's probabilities are
    (1 - weight) x its own + weight x the long model's (nothing for labels the long model lacks).
    One model for headlines and articles alike must choose one set of features; the long model
    brings those of long articles (character 1-3-grams, naive Bayes scaling), learned from
    articles only. Made by Model.add_long_model."""

    model: Model
    min_chars: int
    weight: float

    def mix_into(self, proba: dict[str, np.ndarray], texts: list[str], classes: dict[str, list[str]], jobs: int) -> None:
        rows = [i for i, text in enumerate(texts) if len(text) >= self.min_chars]
        if not rows:
            return
        X = self.model.features([texts[i] for i in rows], jobs)  # its heads only: its quality part, if any, is not used
        for name, head in self.model.heads.items():
            columns = [classes[name].index(label) for label in head.classes]
            mixed = (1 - self.weight) * proba[name][rows]
            mixed[:, columns] += self.weight * head.predict_proba(X)
            proba[name][rows] = mixed


class Model:
    """A trained model: normalization and tokenizer settings, feature blocks and named heads."""

    def __init__(
        self,
        settings: Settings,
        blocks: list[TfidfBlock],
        heads: dict[str, Head],
        training: dict,
        source: tuple[str, str] | None = None,
        quality: Quality | None = None,
    ):
        self.settings = settings
        self.blocks = blocks
        self.heads = heads
        self.training = training
        self.source = source  # (directory, sha256 of its manifest) when loaded from disk
        self.quality = quality  # line and document quality; its document label is the head "quality"
        self.long: LongTexts | None = None  # set by add_long_model

    def add_long_model(self, model: Model, min_chars: int = LONG_MIN_CHARS, weight: float = LONG_WEIGHT) -> None:
        """Mix `model`'s heads into this model's heads of the same name on texts of at least
        `min_chars` characters, with `weight` (see LongTexts). Its labels must be among this
        model's labels for that head; its own quality part is not used."""
        if not model.heads:
            raise ConfigError("the long-text model has no heads")
        for name, head in model.heads.items():
            if name not in self.heads:
                raise ConfigError(f"the long-text model has a head {name!r} that this model lacks; its heads are: {', '.join(self.heads)}")
            extra = sorted(set(head.classes) - set(self.heads[name].classes))
            if extra:
                raise ConfigError(f"head {name!r}: the long-text model has labels this model lacks: {', '.join(extra)}")
        if model.long is not None:
            raise ConfigError("the long-text model has a long-text model of its own; give it one level only")
        if min_chars < 1:
            raise ConfigError(f"min_chars must be at least 1, got {min_chars}")
        if not 0 < weight <= 1:
            raise ConfigError(f"weight must be in (0, 1], got {weight}")
        self.long = LongTexts(model, min_chars, weight)

    @property
    def classes_(self) -> dict[str, list[str]]:
        classes = {name: head.classes for name, head in self.heads.items()}
        if self.quality and self.quality.document:
            classes[DOCUMENT_HEAD] = self.quality.document.head.classes
        return classes

    def _quality_part(self) -> Quality:
        if self.quality is None:
            raise ConfigError("this model has no quality part; train one with `pipeline train-quality` (train_quality)")
        return self.quality

    def label_lines(self, text: str) -> list[Line]:
        """Every non-empty line of `text` with its quality label (content, boilerplate, ad, spam) and probability."""
        if not isinstance(text, str):
            raise TypeError(f"text is {type(text).__name__}, expected str")
        return self._quality_part().label_lines(text)

    def label_pages(self, pages: Sequence[Sequence[str]], jobs: int = 1) -> list[list[Line]]:
        """label_lines for many texts already split into lines (split_lines), in `jobs` processes."""
        quality = self._quality_part()
        if self.source and jobs > 1 and len(pages) >= 2 * jobs:
            return [page for share in self._in_workers("label_pages", list(pages), jobs) for page in share]
        return quality.label_pages(pages)

    def clean(self, text: str) -> str:
        """The main content of `text`: its content lines in order, repeated copies dropped; "" when there is none."""
        if not isinstance(text, str):
            raise TypeError(f"text is {type(text).__name__}, expected str")
        return self._quality_part().clean(text)

    @property
    def n_features(self) -> int:
        return sum(b.n_terms for b in self.blocks)

    def features(self, texts: Sequence[str], jobs: int = 1) -> sp.csr_matrix:
        """Feature rows of raw texts; with jobs > 1, each process featurizes a share and sends back
        only its sparse rows (sending tokens back costs more than it saves)."""
        texts = _check_texts(texts)
        if jobs == 1 or len(texts) < 2 * jobs:
            return _features_chunk(texts, self.settings, self.blocks)
        if self.source:
            return sp.vstack(self._in_workers("features", texts, jobs), format="csr")
        from joblib import Parallel, delayed

        tasks = (delayed(_features_chunk)(piece, self.settings, self.blocks) for piece in _shares(texts, jobs))
        return sp.vstack(Parallel(n_jobs=jobs)(tasks), format="csr")

    def _in_workers(self, method: str, items: Sequence, jobs: int, *args) -> list:
        """`method(share, *args)` of this model, saved at self.source, on `jobs` shares of `items`
        in as many processes; the results in order."""
        from joblib import Parallel, delayed

        return Parallel(n_jobs=jobs)(delayed(_by_source)(self.source, method, share, *args) for share in _shares(items, jobs))

    def predict_proba(self, texts: Sequence[str], jobs: int = 1, clean: bool = True) -> dict[str, np.ndarray]:
        """Per head, an array (n_texts, n_classes) whose columns follow `classes_[head]`.

        With a quality part, the document label is the head "quality", and with `clean` (the
        default) the other heads read only the main content of each text (all of it when that content
        is shorter than a short headline: see quality.topic_text).
        """
        texts = _check_texts(texts)
        if self.source and jobs > 1 and len(texts) >= 2 * jobs:  # the quality part too, not the features only
            shares = self._in_workers("predict_proba", texts, jobs, 1, clean)
            return {name: np.vstack([share[name] for share in shares]) for name in shares[0]}
        proba = {}
        inputs = texts
        if self.quality:
            inputs, document = self.quality.analyze(texts, clean=clean and bool(self.heads))
            if document is not None:
                proba[DOCUMENT_HEAD] = document
        if self.heads:
            X = self.features(inputs, jobs)
            proba = {**{name: head.predict_proba(X) for name, head in self.heads.items()}, **proba}
            if self.long:
                self.long.mix_into(proba, inputs, self.classes_, jobs)
        return proba

    def predict(
        self, texts: Sequence[str], jobs: int = 1, threshold: float | None = None, clean: bool = True
    ) -> dict[str, np.ndarray]:
        """Per head, an array of the most probable label of each text.

        With a `threshold`, a label whose probability is below it becomes UNCERTAIN ("uncertain").
        """
        if threshold is not None and not 0 <= threshold <= 1:
            raise ConfigError(f"threshold must be in [0, 1], got {threshold}")
        labels = {}
        for name, p in self.predict_proba(texts, jobs, clean).items():
            labels[name] = np.asarray(self.classes_[name], dtype=object)[p.argmax(axis=1)]
            if threshold is not None:
                labels[name][p.max(axis=1) < threshold] = UNCERTAIN
        return labels

    def top_k(
        self, texts: Sequence[str], k: int = 3, jobs: int = 1, clean: bool = True
    ) -> list[dict[str, list[tuple[str, float]]]]:
        """Per text, per head, the k most probable labels with their probabilities, best first."""
        if k < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        proba = self.predict_proba(texts, jobs, clean)
        classes = self.classes_
        ranked = {name: np.argsort(-p, axis=1, kind="stable")[:, :k] for name, p in proba.items()}
        return [
            {name: [(classes[name][j], float(proba[name][i, j])) for j in ranked[name][i]] for name in proba}
            for i in range(len(texts))
        ]

    def evaluate(self, texts: Sequence[str], labels: Mapping[str, Sequence[str | None]], jobs: int = 1) -> dict[str, dict]:
        """A report per head, over the texts whose label for that head is not empty."""
        labels = _check_labels(texts, labels)
        unknown = [name for name in labels if name not in self.classes_]
        if unknown:
            raise DataError(f"the model has no head {unknown[0]!r}; its heads are: {', '.join(self.classes_)}")
        predicted = self.predict(texts, jobs)
        reports = {}
        for name, ys in labels.items():
            rows = [i for i, y in enumerate(ys) if y is not None]
            if not rows:
                raise DataError(f"head {name!r}: every label is empty, nothing to evaluate")
            reports[name] = report([ys[i] for i in rows], [predicted[name][i] for i in rows])
        return reports

    def save(self, directory: str) -> None:
        from .store import save

        save(self, directory)


def train(
    texts: Sequence[str],
    labels: Mapping[str, Sequence[str | None]],
    settings: Settings | None = None,
    *,
    valid: float = 0.1,
    seed: int = 0,
    jobs: int = 1,
    progress: Progress | None = None,
) -> Model:
    """Train one model with a head per label column.

    `labels` maps a head name to one label per text; None or "" means "no label for this head",
    and that row is skipped for that head only. A stratified, seeded `valid` share of the rows is
    held out and scored; the model is fitted on the rest (on everything when `valid` is 0).
    """
    texts = _check_texts(texts)
    settings = (settings or Settings()).for_texts(texts)
    if not 0 <= valid < 1:
        raise ConfigError(f"valid must be in [0, 1), got {valid}")
    labels = _check_labels(texts, labels)
    for name, ys in labels.items():
        classes_of(name, ys)

    first = next(iter(labels.values()))
    train_rows, valid_rows = stratified_split(first, valid, seed)
    clean, tokens = prepare(texts, settings, jobs, progress)
    model = _fit_prepared(clean, tokens, labels, settings, train_rows, valid_rows, seed)
    model.training = {
        "rows": len(texts),
        "fingerprint": fingerprint(texts, labels),
        "valid": valid,
        "seed": seed,
        **model.training,
    }
    return model


def _fit_prepared(
    clean: list[str],
    tokens: list[list[str]],
    labels: dict[str, list[str | None]],
    settings: Settings,
    train_rows: list[int],
    valid_rows: list[int],
    seed: int,
) -> Model:
    """Fit features and heads on already prepared texts; score `valid_rows`. Inputs are checked by the caller.

    `train` calls this once; `tune` calls it for every setting and fold on texts prepared once.
    """
    blocks = settings.feature_blocks()
    X = fit_featurize(blocks, clean, tokens, train_rows, valid_rows)
    at = np.empty(len(clean), dtype=np.int64)  # the row of X that holds each text
    at[train_rows + valid_rows] = np.arange(len(train_rows) + len(valid_rows))

    heads, head_info, metrics = {}, {}, {}
    for name, ys in labels.items():
        rows = [i for i in train_rows if ys[i] is not None]
        train_labels = [ys[i] for i in rows]
        if len(set(train_labels)) < 2:
            raise DataError(
                f"head {name!r}: after holding out the validation split only one class is left; use --valid 0 or more data"
            )
        heads[name] = _fit_head(X[at[rows]], train_labels, settings, seed)
        head_info[name] = {
            "labeled_rows": sum(y is not None for y in ys),
            "empty_rows": sum(y is None for y in ys),
            "train_rows": len(rows),
            "classes_unseen_in_training": sorted({y for y in ys if y is not None} - set(train_labels)),
        }
        held = [i for i in valid_rows if ys[i] is not None]
        if held:
            proba = heads[name].predict_proba(X[at[held]])
            metrics[name] = report([ys[i] for i in held], [heads[name].classes[j] for j in proba.argmax(axis=1)])
            head_info[name]["valid_rows"] = len(held)
    return Model(settings, blocks, heads, {"heads": head_info, "metrics": metrics})


def _fit_head(X: sp.csr_matrix, y: list[str], settings: Settings, seed: int) -> Head:
    return fit_linear(
        X, y, alpha=settings.alpha, epochs=settings.epochs, class_weight=settings.class_weight, nb_smoothing=settings.nb_scaling, seed=seed
    )


def stratified_split(strata: Sequence[str | None], valid: float, seed: int) -> tuple[list[int], list[int]]:
    """Row indices (train, valid): about `valid` of each stratum held out, at least one row kept for training."""
    if valid == 0:
        return list(range(len(strata))), []
    rng = np.random.default_rng(seed)
    groups: dict[str | None, list[int]] = {}
    for i, s in enumerate(strata):
        groups.setdefault(s, []).append(i)
    held = []
    for key in sorted(groups, key=lambda s: (s is None, s or "")):
        rows = groups[key]
        n_valid = min(int(round(valid * len(rows))), len(rows) - 1)
        held.extend(rng.permutation(rows)[:n_valid].tolist())
    held_set = set(held)
    return [i for i in range(len(strata)) if i not in held_set], sorted(held)


def fingerprint(texts: Sequence[str], labels: Mapping[str, Sequence[str | None]]) -> str:
    """sha256 over the texts and labels, in order: the same data gives the same fingerprint."""
    h = hashlib.sha256()
    for i, text in enumerate(texts):
        h.update(text.encode("utf-8", "surrogatepass") + b"\x00")
        for name in labels:
            h.update((labels[name][i] or "").encode("utf-8", "surrogatepass") + b"\x01")
    return "sha256:" + h.hexdigest()


def _check_texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not a single string; wrap it: [text]")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] is {type(t).__name__}, expected str")
    return texts


def _shares(items: Sequence, jobs: int) -> list:
    """`items` cut into at most `jobs` consecutive shares of near-equal size, in order."""
    size = -(-len(items) // jobs)
    return [items[i : i + size] for i in range(0, len(items), size)]


def classes_of(head: str, ys: Sequence[str | None]) -> list[str]:
    """The sorted classes of a head's labels; DataError unless there are at least two."""
    present = sorted({y for y in ys if y is not None})
    if not present:
        raise DataError(f"head {head!r}: every label is empty (no labels to learn from)")
    if len(present) < 2:
        raise DataError(f"head {head!r} has only one class ({present[0]!r}); a classifier needs at least two")
    return present


def _label(y) -> str | None:
    """A label as text; None, NaN and blank mean "no label"."""
    if y is None or (isinstance(y, float) and y != y):
        return None
    return str(y).strip() or None


def _check_labels(texts, labels: Mapping[str, Sequence[str | None]]) -> dict[str, list[str | None]]:
    texts = _check_texts(texts)
    if not isinstance(labels, Mapping) or not labels:
        raise TypeError('labels must be a non-empty dict of head name -> labels, e.g. {"topic": [...]}')
    checked = {}
    for name, ys in labels.items():
        ys = list(ys)
        if len(ys) != len(texts):
            raise ConfigError(f"head {name!r} has {len(ys)} labels for {len(texts)} texts")
        checked[name] = [_label(y) for y in ys]
    return checked
