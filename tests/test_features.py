import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline import ConfigError
from pipeline.features import TfidfBlock, char_ngrams, featurize, word_ngrams

DOCS = [["北京", "天气", "晴朗"], ["北京", "球队", "获胜"], ["球队", "获胜", "获胜", "晴朗"]]


def test_word_ngrams_join_neighbours_with_a_space():
    assert word_ngrams(["a", "b", "c"], 1, 2) == ["a", "b", "c", "a b", "b c"]
    assert word_ngrams(["a", "b", "c"], 2, 3) == ["a b", "b c", "a b c"]


def test_char_ngrams_ignore_whitespace():
    assert char_ngrams("北京 天", 1, 2) == ["北", "京", "天", "北京", "京天"]


def test_tfidf_matches_scikit_learn_on_the_same_grams():
    block = TfidfBlock("word", (1, 2), sublinear_tf=True).fit(DOCS)
    reference = TfidfVectorizer(analyzer=lambda doc: word_ngrams(doc, 1, 2), sublinear_tf=True)
    expected = reference.fit_transform(DOCS).toarray()
    order = [reference.vocabulary_[t] for t in block.terms]
    np.testing.assert_allclose(block.transform(DOCS).toarray(), expected[:, order], rtol=1e-5)


def test_min_df_drops_rare_grams_and_max_features_keeps_the_most_frequent():
    assert TfidfBlock("word", (1, 1), min_df=2).fit(DOCS).terms == sorted(["北京", "晴朗", "球队", "获胜"])
    kept = TfidfBlock("word", (1, 1), max_features=1).fit(DOCS + [["北京"]]).terms
    assert kept == ["北京"]


def test_rows_have_unit_length_and_unknown_grams_are_ignored():
    block = TfidfBlock("char", (1, 2)).fit(["北京天气", "上海天气"])
    X = block.transform(["北京下雨", "完全陌生"])
    assert np.isclose(np.linalg.norm(X[0].toarray()), 1.0)
    assert X[1].nnz == 0


def test_featurize_puts_blocks_side_by_side():
    texts = ["北京天气晴朗", "北京球队获胜", "球队获胜获胜晴朗"]
    word = TfidfBlock("word", (1, 1)).fit(DOCS)
    char = TfidfBlock("char", (1, 1)).fit(texts)
    X = featurize([word, char], texts, DOCS)
    assert X.shape == (3, len(word.terms) + len(char.terms))
    np.testing.assert_allclose(X[:, : len(word.terms)].toarray(), word.transform(DOCS).toarray())


@pytest.mark.parametrize("kind, ngrams", [("word", (0, 1)), ("word", (3, 2)), ("sentence", (1, 1))])
def test_bad_block_settings_are_refused(kind, ngrams):
    with pytest.raises(ConfigError):
        TfidfBlock(kind, ngrams)
