import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score

from pipeline import TextClassifier


def test_fit_predict_and_classes(examples):
    clf = TextClassifier(min_df=1).fit(examples["texts"], examples["quality"])
    assert list(clf.classes_) == ["ad", "content", "spam"]
    proba = clf.predict_proba(examples["texts"][:5])
    assert proba.shape == (5, 3)
    assert list(clf.predict(examples["texts"][:5])) == list(clf.classes_[proba.argmax(axis=1)])


def test_cross_val_score_and_grid_search(examples):
    scores = cross_val_score(TextClassifier(min_df=1), examples["texts"], examples["quality"], cv=3)
    assert scores.shape == (3,) and scores.mean() > 0.7
    search = GridSearchCV(TextClassifier(min_df=1), {"alpha": [1e-5, 1e-4]}, cv=2).fit(examples["texts"], examples["quality"])
    assert search.best_params_["alpha"] in (1e-5, 1e-4)


def test_parameters_are_stored_unchanged_and_clone_keeps_them():
    clf = TextClassifier(alpha=3e-4, char_ngrams=None, random_state=5)
    assert clone(clf).get_params() == clf.get_params()
    assert clf.get_params()["char_ngrams"] is None and clf.random_state == 5


def test_predicting_before_fit_says_so():
    with pytest.raises(NotFittedError, match="call fit"):
        TextClassifier().predict(["文本"])
