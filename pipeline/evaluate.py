"""Metrics and reports: per-class precision/recall/F1, macro and micro averages, confusion matrix."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np


def report(y_true: Sequence[str], y_pred: Sequence[str]) -> dict:
    """Everything we report about one head's predictions, as plain JSON-ready values."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support  # only when scoring: slow to import

    labels = sorted(set(y_true) | set(y_pred))
    p, r, f, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    averages = {}
    for average in ("macro", "micro"):
        ap, ar, af, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=average, zero_division=0)
        averages[average] = {"precision": float(ap), "recall": float(ar), "f1": float(af)}
    return {
        "n": len(y_true),
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))) if len(y_true) else 0.0,
        **averages,
        "per_class": {
            label: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "confusion": {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }


def _cells(text: str) -> int:
    """Terminal columns of a text: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _cells(text))


def format_report(head: str, rep: dict) -> str:
    """A report as a plain-text table, the way `train` and `evaluate` print it."""
    labels = rep["confusion"]["labels"]
    width = max([_cells(label) for label in labels] + [9])
    lines = [
        f"== {head}: {rep['n']} documents, accuracy {rep['accuracy']:.4f}, macro-F1 {rep['macro']['f1']:.4f}",
        f"{'label':<{width}}  precision  recall  f1      support",
    ]
    for label, m in rep["per_class"].items():
        lines.append(f"{_pad(label, width)}  {m['precision']:9.4f}  {m['recall']:6.4f}  {m['f1']:6.4f}  {m['support']:7d}")
    for average in ("macro", "micro"):
        m = rep[average]
        lines.append(f"{average + ' avg':<{width}}  {m['precision']:9.4f}  {m['recall']:6.4f}  {m['f1']:6.4f}  {rep['n']:7d}")
    lines.append("confusion matrix (rows: true, columns: predicted)")
    cell = max([len(str(v)) for row in rep["confusion"]["matrix"] for v in row] + [len(str(i)) for i in range(len(labels))])
    lines.append(" " * (width + 2) + " ".join(f"{i:>{cell}}" for i in range(len(labels))))
    for i, (label, row) in enumerate(zip(labels, rep["confusion"]["matrix"])):
        lines.append(f"{_pad(label, width)}  " + " ".join(f"{v:>{cell}}" for v in row) + f"   [{i}]")
    return "\n".join(lines)
