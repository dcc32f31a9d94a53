from pipeline.evaluate import format_report, report


def test_report_counts_by_hand():
    rep = report(["a", "a", "b", "c"], ["a", "b", "b", "c"])
    assert rep["accuracy"] == 0.75
    assert rep["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    assert rep["per_class"]["b"]["precision"] == 0.5
    assert abs(rep["macro"]["f1"] - (2 / 3 + 2 / 3 + 1) / 3) < 1e-9
    assert rep["micro"]["f1"] == 0.75
    assert rep["confusion"] == {"labels": ["a", "b", "c"], "matrix": [[1, 1, 0], [0, 1, 0], [0, 0, 1]]}


def test_labels_only_predicted_still_appear():
    rep = report(["a", "a"], ["a", "z"])
    assert rep["per_class"]["z"]["support"] == 0 and rep["confusion"]["labels"] == ["a", "z"]


def test_format_report_shows_every_label_and_the_averages():
    text = format_report("topic", report(["体育", "财经"], ["体育", "体育"]))
    assert "== topic: 2 documents, accuracy 0.5000" in text
    for word in ("体育", "财经", "macro avg", "micro avg", "confusion matrix"):
        assert word in text
