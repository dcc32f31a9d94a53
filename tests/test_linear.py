import numpy as np
import pytest
import scipy.sparse as sp

from pipeline.linear import _nb_ratios, fit_linear

# Four features: 0 only in class "a", 1 only in "b", 2 only in "c", 3 in every class alike.
ROWS = np.array([[1, 0, 0, 1], [2, 0, 0, 1], [0, 1, 0, 1], [0, 2, 0, 1], [0, 0, 1, 1], [0, 0, 2, 1]], dtype=np.float32)
LABELS = ["a", "a", "b", "b", "c", "c"]


def test_nb_ratios_favour_the_features_of_their_own_class():
    _, of_row = np.unique(LABELS, return_inverse=True)
    ratios = _nb_ratios(sp.csr_matrix(ROWS), of_row, 3, smoothing=0.1)
    assert ratios.shape == (3, 4)
    for c in range(3):
        assert ratios[c, c] > 0  # the class's own feature
        assert all(ratios[c, other] < 0 for other in range(3) if other != c)
    # Feature 3 is alike in every class: the same ratio for all of them, so it favours none.
    assert np.allclose(ratios[:, 3], ratios[0, 3])


@pytest.mark.parametrize("nb_smoothing", [None, 0.1])
def test_heads_learn_a_separable_problem_and_predict_as_any_head(nb_smoothing):
    X = sp.csr_matrix(ROWS)
    head = fit_linear(X, LABELS, alpha=1e-4, epochs=50, nb_smoothing=nb_smoothing)
    assert head.classes == ["a", "b", "c"] and head.coef.shape == (3, 4) and head.coef.dtype == np.float32
    assert [head.classes[i] for i in head.predict_proba(X).argmax(axis=1)] == LABELS


def test_nb_scaling_with_two_classes_gives_one_logistic_function_for_the_second():
    rows = [i for i, y in enumerate(LABELS) if y != "c"]
    X, y = sp.csr_matrix(ROWS[rows]), [LABELS[i] for i in rows]
    head = fit_linear(X, y, alpha=1e-4, epochs=50, nb_smoothing=0.1)
    assert head.classes == ["a", "b"] and head.coef.shape == (1, 4)
    p = head.predict_proba(X)
    assert (p[:, 1] > 0.5).tolist() == [label == "b" for label in y]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 50 epochs, as the head has
def test_the_ratios_are_folded_into_the_weights():
    """The head's score on raw features is each class's classifier's score on its scaled features."""
    from sklearn.linear_model import SGDClassifier

    X = sp.csr_matrix(ROWS)
    head = fit_linear(X, LABELS, alpha=1e-4, epochs=50, nb_smoothing=0.1, seed=3)
    _, of_row = np.unique(LABELS, return_inverse=True)
    ratios = _nb_ratios(X, of_row, 3, smoothing=0.1)
    scores = head._scores(X)
    for i in range(3):
        scaled = X @ sp.diags(ratios[i])
        clf = SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced", max_iter=50, tol=1e-4, random_state=3)
        np.testing.assert_allclose(scores[:, i], clf.fit(scaled, of_row == i).decision_function(scaled), rtol=1e-4, atol=1e-4)
