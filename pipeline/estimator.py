"""A scikit-learn estimator for one head, so a model drops into cross_val_score and GridSearchCV."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from .model import Settings, train
from .text import Normalization, Tokenizer

_DEFAULTS = Settings()


class TextClassifier(ClassifierMixin, BaseEstimator):
    """Raw texts in, labels out. Parameters are those of `pipeline.Settings`, plus `random_state`."""

    def __init__(
        self,
        *,
        word_ngrams: tuple[int, int] | None | str = _DEFAULTS.word_ngrams,
        char_ngrams: tuple[int, int] | None | str = _DEFAULTS.char_ngrams,
        min_df: int | str = _DEFAULTS.min_df,
        max_features: int | None = _DEFAULTS.max_features,
        sublinear_tf: bool = _DEFAULTS.sublinear_tf,
        alpha: float = _DEFAULTS.alpha,
        class_weight: str | None = _DEFAULTS.class_weight,
        epochs: int = _DEFAULTS.epochs,
        nb_scaling: float | None | str = _DEFAULTS.nb_scaling,
        normalization: Normalization = _DEFAULTS.normalization,
        tokenizer: Tokenizer = _DEFAULTS.tokenizer,
        random_state: int = 0,
    ):
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.alpha = alpha
        self.class_weight = class_weight
        self.epochs = epochs
        self.nb_scaling = nb_scaling
        self.normalization = normalization
        self.tokenizer = tokenizer
        self.random_state = random_state

    def fit(self, X, y):
        params = self.get_params()
        seed = params.pop("random_state")
        self.model_ = train(list(X), {"label": list(y)}, Settings(**params), valid=0, seed=seed)
        self.classes_ = np.asarray(self.model_.heads["label"].classes)
        return self

    def predict_proba(self, X) -> np.ndarray:
        self._check_fitted()
        return self.model_.predict_proba(list(X))["label"]

    def predict(self, X) -> np.ndarray:
        self._check_fitted()
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this TextClassifier is not fitted yet; call fit(texts, labels) first")
