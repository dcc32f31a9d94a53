import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline import ConfigError
from pipeline.features import TfidfBlock, _Index, _number_words, featurize

DOCS = [["北京", "天气", "晴朗"], ["北京", "球队", "获胜"], ["球队", "获胜", "获胜", "晴朗"], []]
TEXTS = ["北京天气晴朗", "北京 球队获胜", "球队获胜获胜晴朗", ""]


def terms(block):
    return [block.term(i) for i in range(block.n_terms)]


def reference_grams(kind, lo, hi):
    """n-grams as plain strings, the slow obvious way."""

    def grams(item):
        units = list(item)
        joiner = " " if kind == "word" else ""
        return [joiner.join(units[i : i + n]) for n in range(lo, hi + 1) for i in range(len(units) - n + 1)]

    return grams


@pytest.mark.parametrize("kind, items", [("word", DOCS), ("char", TEXTS)])
@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2), (2, 3), (1, 3)])
def test_tfidf_matches_scikit_learn_on_the_same_grams(kind, items, ngrams):
    block = TfidfBlock(kind, ngrams, sublinear_tf=True).fit(items)
    reference = TfidfVectorizer(analyzer=reference_grams(kind, *ngrams), sublinear_tf=True, dtype=np.float64)
    expected = reference.fit_transform(items).toarray()
    assert sorted(terms(block)) == sorted(reference.vocabulary_)
    order = [reference.vocabulary_[t] for t in terms(block)]
    np.testing.assert_allclose(block.transform(items).toarray(), expected[:, order], rtol=1e-5, atol=1e-7)


def test_min_df_drops_rare_grams_and_max_features_keeps_the_most_frequent():
    assert sorted(terms(TfidfBlock("word", (1, 1), min_df=2).fit(DOCS))) == sorted(["北京", "晴朗", "球队", "获胜"])
    block = TfidfBlock("word", (1, 2), max_features=1).fit(DOCS + [["北京"]])
    assert terms(block) == ["北京"] and block.tokens == ["北京"]  # tokens no kept n-gram uses are dropped


def test_unknown_words_and_characters_are_ignored():
    word = TfidfBlock("word", (1, 2)).fit(DOCS)
    X = word.transform([["北京", "陌生词", "天气"], ["陌生词"]])
    assert sorted(word.term(c) for c in X[0].indices) == ["北京", "天气"]  # no bigram across the unknown word
    assert X[1].nnz == 0
    char = TfidfBlock("char", (1, 2)).fit(["北京天气", "上海天气"])
    X = char.transform(["北京下雨", "完全陌生"])
    assert np.isclose(np.linalg.norm(X[0].toarray()), 1.0) and X[1].nnz == 0


def test_grams_never_cross_documents():
    block = TfidfBlock("char", (2, 2)).fit(["甲乙", "丙丁"])
    assert sorted(terms(block)) == ["丙丁", "甲乙"]


def test_big_batches_give_the_same_rows_as_small_ones():
    texts = [f"第{i}条新闻说北京天气晴朗" for i in range(4500)]  # more than one internal chunk
    block = TfidfBlock("char", (1, 2)).fit(texts)
    X = block.transform(texts)
    assert X.shape == (4500, block.n_terms)
    assert (X[4400:4402] != block.transform(texts[4400:4402])).nnz == 0


def test_featurize_puts_blocks_side_by_side():
    word = TfidfBlock("word", (1, 1)).fit(DOCS)
    char = TfidfBlock("char", (1, 1)).fit(TEXTS)
    X = featurize([word, char], TEXTS, DOCS)
    assert X.shape == (4, word.n_terms + char.n_terms)
    np.testing.assert_allclose(X[:, : word.n_terms].toarray(), word.transform(DOCS).toarray())


@pytest.mark.parametrize("kind, ngrams", [("word", (0, 1)), ("word", (3, 2)), ("char", (1, 4)), ("sentence", (1, 1))])
def test_bad_block_settings_are_refused(kind, ngrams):
    with pytest.raises(ConfigError):
        TfidfBlock(kind, ngrams)


@pytest.mark.parametrize(
    "kind, items", [("word", DOCS * 1500), ("char", TEXTS * 1500), ("char", ["北京𠀀天气", "𠀀𠀀", ""] * 1500)]
)  # several chunks; U+20000 takes the np.lexsort path for 3-grams
@pytest.mark.parametrize("settings", [{"ngram_range": (1, 2)}, {"ngram_range": (1, 3), "max_features": 5, "min_df": 2}])
def test_fit_transform_equals_fit_then_transform(kind, items, settings):
    once = TfidfBlock(kind, **settings)
    X = once.fit_transform(items)
    twice = TfidfBlock(kind, **settings).fit(items)
    assert np.array_equal(once.keys, twice.keys) and once.tokens == twice.tokens
    np.testing.assert_array_equal(X.toarray(), twice.transform(items).toarray())


@pytest.mark.parametrize("n", [0, 1, 7, 5000])
def test_index_finds_every_key_and_only_those(n):
    rng = np.random.default_rng(n)
    keys = np.unique(np.r_[rng.integers(0, 2**63 - 1, n // 2), rng.integers(0, 50, n - n // 2)])  # wide and dense keys
    rng.shuffle(keys)
    index = _Index(keys)
    assert np.array_equal(index.find(keys), np.arange(len(keys)))
    queries = np.r_[keys, rng.integers(0, 2**63 - 1, 1000), np.arange(100), 2**63 - 1]
    expected = np.array([{k: i for i, k in enumerate(keys.tolist())}.get(q, -1) for q in queries.tolist()])
    assert np.array_equal(index.find(queries), expected)
    assert index.find(np.zeros(0, np.int64)).shape == (0,)


def scipy_weigh(block, docs, columns, n_docs):
    """The rows as the sparse-matrix arithmetic spells them out; _weigh must give the same bits."""
    X = sp.csr_matrix((np.ones(len(docs), dtype=np.float32), (docs, columns)), shape=(n_docs, block.n_terms))
    X.sum_duplicates()
    if block.sublinear_tf:
        X.data = 1 + np.log(X.data)
    X = (X @ sp.diags(block.idf)).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return sp.csr_matrix(sp.diags(1 / norms) @ X, dtype=np.float32)


@pytest.mark.parametrize("sublinear_tf", [True, False])
@pytest.mark.parametrize("int32_cells", [True, False])
def test_weigh_gives_the_bits_of_the_sparse_matrix_arithmetic(sublinear_tf, int32_cells, monkeypatch):
    if not int32_cells:
        monkeypatch.setattr("pipeline.features._INT32_CELLS", 0)
    texts = [f"第{i}条新闻说北京天气晴朗，{'晴' * (i % 7)}" for i in range(300)] + ["", "陌生"]
    block = TfidfBlock("char", (1, 2), sublinear_tf=sublinear_tf).fit(texts[:200])
    docs, keys = block._grams(texts)
    columns = _Index(block.keys).find(keys)
    known = columns >= 0
    got = block._weigh(docs[known], columns[known], len(texts))
    expected = scipy_weigh(block, docs[known], columns[known], len(texts))
    assert got.has_canonical_format
    for part in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(got, part), getattr(expected, part)), part
        assert getattr(got, part).dtype == getattr(expected, part).dtype, part


def test_number_words_gives_places_in_the_sorted_words():
    docs = [["乙", "甲", "乙"], [], ["丙", "甲"], ["甲"]]
    words, ids = _number_words(docs)
    assert words == sorted({"甲", "乙", "丙"})
    assert ids.tolist() == [words.index(w) + 1 for doc in docs for w in doc]
    assert _number_words([[], []])[0] == [] and len(_number_words([[], []])[1]) == 0


@pytest.mark.parametrize(
    "kind, ngrams, items",
    [
        ("char", (1, 2), TEXTS * 3),
        ("char", (1, 3), ["北京😀天气", "😀😀😀", "", "北京"] * 3),  # 17-bit units
        ("char", (1, 3), ["北京\U0010fffd天气", "\U0010fffd" * 3, "", "北京"] * 3),  # 21-bit code points, 3-bit ranks
        # 140,800 distinct characters in 1,100 documents: 18-bit ranks, too wide for one sort (np.lexsort)
        ("char", (1, 3), ["".join(map(chr, range(0x20000 + 128 * d, 0x20000 + 128 * (d + 1)))) for d in range(1100)]),
        ("word", (1, 3), DOCS * 3),
        ("word", (1, 1), DOCS),
    ],
)
def test_distinct_counts_each_document_key_pair(kind, ngrams, items):
    from collections import Counter

    block = TfidfBlock(kind, ngrams).fit(items)
    docs, keys = block._grams(items)
    got_docs, got_keys, counts = block._distinct(docs, keys, len(items))
    expected = Counter(zip(keys.tolist(), docs.tolist()))
    assert list(zip(got_keys.tolist(), got_docs.tolist())) == sorted(expected)
    assert counts.tolist() == [expected[pair] for pair in sorted(expected)]
