"""pipeline: topic and quality labels for messy Chinese web text.

    import pipeline
    model = pipeline.train(texts, {"topic": labels})
    model.predict(["..."])["topic"]
    model.save("models/mine"); pipeline.load("models/mine")
    settings, trials = pipeline.tune(texts, labels, time_budget=60)
    model.quality = pipeline.train_quality(pages, page_labels)   # lines: content/boilerplate/ad/spam
    model.clean(page_text); model.label_lines(page_text)
"""

from .errors import ConfigError, DataError, ModelFormatError, PipelineError
from .model import Model, Settings, train
from .quality import train_quality
from .store import load
from .text import Normalization, Tokenizer, normalize
from .tune import tune

__all__ = [
    "ConfigError",
    "DataError",
    "Model",
    "ModelFormatError",
    "Normalization",
    "PipelineError",
    "Settings",
    "TextClassifier",
    "Tokenizer",
    "load",
    "normalize",
    "train",
    "train_quality",
    "tune",
]


def __getattr__(name: str):
    # The scikit-learn estimator wrapper is imported on first use: importing scikit-learn costs about
    # a second, and prediction with a saved model never needs it.
    if name == "TextClassifier":
        from .estimator import TextClassifier

        return TextClassifier
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
