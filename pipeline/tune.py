"""Time-bounded, cross-validated search over the settings that matter (fastText's autotune, for us)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .errors import ConfigError, DataError
from .model import Settings, _check_labels, _check_texts, _fit_prepared, classes_of, prepare

GRID = {
    "char_ngrams": [(1, 2), (1, 3)],
    "word_ngrams": [(1, 1), (1, 2), None],
    "min_df": [1, 2],
    "alpha": [3e-6, 1e-5, 3e-5, 1e-4],
    "max_features": [100_000, 200_000, None],
    "sublinear_tf": [True, False],
    "nb_scaling": [None, 0.1],
}


@dataclass(frozen=True)
class Trial:
    """One tried setting: its mean macro-F1 and accuracy over the folds, and the seconds it took."""

    settings: Settings
    macro_f1: float
    accuracy: float
    seconds: float


def tune(
    texts: Sequence[str],
    labels: Sequence[str | None],
    *,
    time_budget: float = 300.0,
    max_trials: int | None = None,
    folds: int = 3,
    seed: int = 0,
    on_trial: Callable[[Trial], None] | None = None,
) -> tuple[Settings, list[Trial]]:
    """The best Settings for one head by stratified `folds`-fold cross-validation, and every trial.

    The defaults are tried first, then the other combinations of GRID in a seeded random order,
    until the next trial (estimated to take as long as the last) would pass `time_budget` seconds,
    or `max_trials` have run. At least one trial always runs. Rows whose label is None or "" are
    left out. Best means the highest mean macro-F1, then accuracy, then the earlier trial.
    `on_trial` sees each as it ends.
    """
    start = time.perf_counter()
    if folds < 2:
        raise ConfigError(f"folds must be at least 2, got {folds}")
    if time_budget < 0:
        raise ConfigError(f"time_budget must be 0 or more seconds, got {time_budget}")
    if max_trials is not None and max_trials < 1:
        raise ConfigError(f"max_trials must be at least 1, got {max_trials}")
    texts = _check_texts(texts)
    ys = _check_labels(texts, {"labels": labels})["labels"]
    rows = [i for i, y in enumerate(ys) if y is not None]
    ys = [ys[i] for i in rows]
    counts = {c: ys.count(c) for c in classes_of("label", ys)}
    rare = [c for c, n in counts.items() if n < folds]
    if rare:
        raise DataError(f"class {rare[0]!r} has {counts[rare[0]]} labeled rows; {folds} folds need at least {folds} per class")

    from sklearn.model_selection import StratifiedKFold

    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros(len(ys)), ys)
    splits = [(train.tolist(), held.tolist()) for train, held in split]
    texts = [texts[i] for i in rows]
    clean, tokens = prepare(texts, Settings(word_ngrams=(1, 1)))  # once: every trial reuses them
    trials: list[Trial] = []
    for settings in _candidates(Settings().for_texts(texts), seed)[:max_trials]:
        if trials and time.perf_counter() - start + trials[-1].seconds > time_budget:
            break
        began = time.perf_counter()
        scores = [
            _fit_prepared(clean, tokens, {"y": ys}, settings, train, held, seed).training["metrics"]["y"]
            for train, held in splits
        ]
        trial = Trial(
            settings,
            macro_f1=float(np.mean([s["macro"]["f1"] for s in scores])),
            accuracy=float(np.mean([s["accuracy"] for s in scores])),
            seconds=time.perf_counter() - began,
        )
        trials.append(trial)
        if on_trial:
            on_trial(trial)
    best = max(range(len(trials)), key=lambda i: (trials[i].macro_f1, trials[i].accuracy, -i))
    return trials[best].settings, trials


def _candidates(default: Settings, seed: int) -> list[Settings]:
    """The defaults, then every other combination of GRID in a seeded random order."""
    others = []
    for values in itertools.product(*GRID.values()):
        settings = replace(default, **dict(zip(GRID, values)))
        if settings != default:
            others.append(settings)
    order = np.random.default_rng(seed).permutation(len(others))
    return [default] + [others[i] for i in order]
