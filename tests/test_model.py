import numpy as np
import pytest

import pipeline
from pipeline import ConfigError, DataError, Settings
from pipeline.model import LONG_TEXT, fingerprint, stratified_split
from pipeline.text import Tokenizer


def test_a_trained_model_labels_its_own_examples(small_model, examples):
    predicted = small_model.predict(examples["texts"])
    topic_rows = [i for i, t in enumerate(examples["topic"]) if t]
    assert np.mean([predicted["topic"][i] == examples["topic"][i] for i in topic_rows]) > 0.95
    assert np.mean(predicted["quality"] == np.array(examples["quality"])) > 0.95


def test_held_out_examples_are_mostly_right(examples):
    model = pipeline.train(examples["texts"], {"topic": examples["topic"]}, Settings(min_df=1), valid=0.3, seed=1)
    metrics = model.training["metrics"]["topic"]
    assert metrics["n"] == model.training["heads"]["topic"]["valid_rows"] > 30
    assert metrics["accuracy"] > 0.6


def test_classes_follow_sorted_order_and_probabilities_follow_classes(small_model):
    assert small_model.classes_["quality"] == ["ad", "content", "spam"]
    proba = small_model.predict_proba(["厂家直销，免费热线400-000-0000，欢迎来电咨询订购"])
    assert proba["quality"].shape == (1, 3)
    np.testing.assert_allclose(proba["quality"].sum(axis=1), 1.0, rtol=1e-6)
    assert small_model.classes_["quality"][proba["quality"].argmax()] == "ad"


def test_top_k_is_ranked_and_agrees_with_predict(small_model):
    texts = ["国家队在决赛中以三比一击败对手夺得冠军", "央行宣布下调存款准备金率"]
    top = small_model.top_k(texts, k=2)
    assert [len(t["topic"]) for t in top] == [2, 2]
    assert all(t["topic"][0][1] >= t["topic"][1][1] for t in top)
    assert [t["topic"][0][0] for t in top] == list(small_model.predict(texts)["topic"])
    assert [t["topic"][0][0] for t in top] == ["体育", "财经"]


def test_empty_labels_are_skipped_for_that_head_only(small_model, examples):
    heads = small_model.training["heads"]
    empty = sum(t is None for t in examples["topic"])
    assert empty > 0
    assert heads["topic"]["empty_rows"] == empty and heads["topic"]["train_rows"] == len(examples["texts"]) - empty
    assert heads["quality"]["empty_rows"] == 0


def test_a_two_class_head_works(examples):
    sport = ["体育" if t == "体育" else "其他" for t in examples["topic"]]
    model = pipeline.train(examples["texts"], {"sport": sport}, Settings(min_df=1), valid=0)
    assert model.heads["sport"].coef.shape[0] == 1
    assert model.predict(["球队在主场迎战联赛第一，门将扑出点球"])["sport"][0] == "体育"


def test_training_is_deterministic(examples, tmp_path):
    def build(directory):
        pipeline.train(examples["texts"], {"quality": examples["quality"]}, seed=3).save(str(directory))
        return {p.relative_to(directory): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}

    assert build(tmp_path / "a") == build(tmp_path / "b")


def test_parallel_preparation_gives_the_same_features(small_model, examples):
    texts = examples["texts"] * 8  # enough for several chunks
    assert (small_model.features(texts, jobs=2) != small_model.features(texts, jobs=1)).nnz == 0


def test_fingerprint_changes_with_data():
    assert fingerprint(["a"], {"h": ["x"]}) == fingerprint(["a"], {"h": ["x"]})
    assert fingerprint(["a"], {"h": ["x"]}) != fingerprint(["a"], {"h": ["y"]})


def test_stratified_split_is_seeded_disjoint_and_keeps_every_class_in_training():
    strata = ["a"] * 50 + ["b"] * 10 + ["c"]
    train, valid = stratified_split(strata, 0.2, seed=7)
    assert sorted(train + valid) == list(range(61))
    assert sum(strata[i] == "a" for i in valid) == 10 and sum(strata[i] == "b" for i in valid) == 2
    assert "c" in {strata[i] for i in train}
    assert stratified_split(strata, 0.2, seed=7) == (train, valid)
    assert stratified_split(strata, 0.2, seed=8) != (train, valid)


def test_a_head_with_one_class_is_refused():
    with pytest.raises(DataError, match="only one class"):
        pipeline.train(["甲", "乙"], {"topic": ["体育", "体育"]})


def test_a_head_with_only_empty_labels_is_refused():
    with pytest.raises(DataError, match="every label is empty"):
        pipeline.train(["甲", "乙"], {"topic": ["", None]})


def test_texts_without_a_shared_ngram_are_refused_clearly():
    # Every character occurs in one text only: with min_df 2 no feature is left.
    with pytest.raises(DataError, match="no word or character n-gram occurs in 2 or more of the 4 training texts"):
        pipeline.train(["甲", "乙", "丙", "丁"], {"topic": ["a", "b", "a", "b"]}, Settings(min_df=2), valid=0)
    model = pipeline.train(["甲", "乙", "丙", "丁"], {"topic": ["a", "b", "a", "b"]}, Settings(min_df=1), valid=0)
    assert model.classes_["topic"] == ["a", "b"]


def test_label_count_must_match_texts():
    with pytest.raises(ConfigError, match="2 labels for 3 texts"):
        pipeline.train(["甲", "乙", "丙"], {"topic": ["a", "b"]})


def test_one_string_instead_of_a_list_is_refused(small_model):
    with pytest.raises(TypeError, match="not a single string"):
        small_model.predict("一段文字")


def _long(texts: list[str]) -> list[str]:
    """Each text repeated to at least LONG_TEXT characters."""
    return [t * (LONG_TEXT // len(t) + 1) for t in texts]


def test_auto_word_ngrams_follow_the_median_text_length(examples):
    short, long = examples["texts"], _long(examples["texts"])
    assert Settings().for_texts(short).word_ngrams == (1, 1)
    assert Settings().for_texts(long).word_ngrams is None
    mixed = long[: len(long) // 2 - 1] + short[len(long) // 2 - 1 :]  # most texts short
    assert Settings().for_texts(mixed).word_ngrams == (1, 1)
    assert Settings(char_ngrams=None).for_texts(long).word_ngrams == (1, 1)  # words are all there is then
    assert Settings(word_ngrams=(1, 2)).for_texts(long).word_ngrams == (1, 2)  # a choice is kept


def test_auto_char_ngrams_follow_the_median_text_length(examples):
    short, long = examples["texts"], _long(examples["texts"])
    assert Settings().for_texts(short).char_ngrams == (1, 2)
    assert Settings().for_texts(long).char_ngrams == (1, 3)
    assert Settings(char_ngrams=(2, 2)).for_texts(long).char_ngrams == (2, 2)  # a choice is kept
    assert Settings(char_ngrams=None).for_texts(long).char_ngrams is None


def test_auto_min_df_follows_the_median_text_length(examples):
    short, long = examples["texts"], _long(examples["texts"])
    assert Settings().for_texts(short).min_df == 1  # headlines: an n-gram seen once still counts
    assert Settings().for_texts(long).min_df == 2
    assert Settings(min_df=3).for_texts(short).min_df == 3  # a choice is kept
    with pytest.raises(ConfigError, match="for_texts"):
        Settings(word_ngrams=(1, 1)).feature_blocks()  # min_df still "auto"


def test_auto_nb_scaling_follows_the_median_text_length(examples):
    from pipeline.model import NB_SMOOTHING

    short, long = examples["texts"], _long(examples["texts"])
    assert Settings().for_texts(short).nb_scaling is None  # headlines: too few counts for a ratio
    assert Settings().for_texts(long).nb_scaling == NB_SMOOTHING
    assert Settings(nb_scaling=None).for_texts(long).nb_scaling is None  # a choice is kept
    assert Settings(nb_scaling=0.5).for_texts(short).nb_scaling == 0.5
    model = pipeline.train(long, {"topic": examples["topic"]}, valid=0)
    assert model.settings.nb_scaling == NB_SMOOTHING
    labeled = [i for i, t in enumerate(examples["topic"]) if t]
    predicted = model.predict([long[i] for i in labeled])["topic"]
    assert np.mean([p == examples["topic"][i] for p, i in zip(predicted, labeled)]) > 0.9


def test_without_word_ngrams_nothing_is_segmented(examples, monkeypatch):
    texts = _long(examples["texts"])
    reference = pipeline.train(texts, {"topic": examples["topic"]}, valid=0).predict(texts[:20])["topic"]

    def refuse(self, text):
        raise AssertionError("segmented")

    monkeypatch.setattr(Tokenizer, "__call__", refuse)
    model = pipeline.train(texts, {"topic": examples["topic"]}, valid=0)
    assert [block.kind for block in model.blocks] == ["char"]
    assert model.predict(texts[:20])["topic"].tolist() == reference.tolist()


@pytest.mark.parametrize("bad", [{"word_ngrams": None, "char_ngrams": None}, {"word_ngrams": "sometimes"}, {"char_ngrams": "often"}, {"min_df": 0}, {"min_df": "often"}, {"nb_scaling": 0}, {"nb_scaling": "often"}, {"alpha": 0}, {"epochs": 0}, {"class_weight": "auto"}])
def test_bad_settings_are_refused(bad):
    with pytest.raises(ConfigError):
        Settings(**bad)


def test_evaluate_reports_each_head(small_model, examples):
    reports = small_model.evaluate(examples["texts"], {"topic": examples["topic"]})
    assert reports["topic"]["n"] == sum(t is not None for t in examples["topic"])
    with pytest.raises(DataError, match="no head 'colour'"):
        small_model.evaluate(examples["texts"], {"colour": examples["topic"]})


def test_predict_threshold_marks_low_probabilities_uncertain(small_model, examples):
    texts = examples["texts"][:20]
    proba, plain = small_model.predict_proba(texts), small_model.predict(texts)
    cut = float(np.median(proba["topic"].max(axis=1)))
    labels = small_model.predict(texts, threshold=cut)
    for name in small_model.heads:
        low = proba[name].max(axis=1) < cut
        assert list(labels[name][low]) == ["uncertain"] * low.sum()
        assert list(labels[name][~low]) == list(plain[name][~low])
    assert 0 < (labels["topic"] == "uncertain").sum() < len(texts)
    for bad in (-0.1, 1.1):
        with pytest.raises(pipeline.ConfigError, match="threshold"):
            small_model.predict(texts, threshold=bad)


def test_parallel_prediction_of_a_loaded_model_matches_and_notices_a_changed_model(small_model, model_dir, examples, tmp_path):
    import shutil

    texts = examples["texts"] * 4
    target = tmp_path / "m"
    shutil.copytree(model_dir, target)
    loaded = pipeline.load(str(target))
    np.testing.assert_allclose(loaded.predict_proba(texts, jobs=2)["topic"], small_model.predict_proba(texts)["topic"], rtol=1e-6)
    pipeline.train(examples["texts"], {"quality": examples["quality"]}, Settings(min_df=1), valid=0, seed=9).save(str(target))
    # A worker that has not loaded the model yet must refuse the new one rather than mix the two.
    from pipeline.model import _by_source, _loaded

    _loaded.cache_clear()
    with pytest.raises(pipeline.ModelFormatError, match="changed on disk"):
        _by_source(loaded.source, "features", texts)


def test_probabilities_rank_as_one_vs_rest_and_are_sharper(small_model, examples):
    X = small_model.features(examples["texts"][:40])
    head = small_model.heads["topic"]
    p, ovr = head.predict_proba(X), head.ovr_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    assert (p.argmax(axis=1) == ovr.argmax(axis=1)).all()
    assert p.max(axis=1).mean() > ovr.max(axis=1).mean()  # one-vs-rest scaling is what underestimates


def test_two_class_probability_is_the_logistic_one():
    import scipy.sparse as sp

    from pipeline.linear import Head

    head = Head(["no", "yes"], coef=np.array([[1.0, -1.0]], dtype=np.float32), intercept=np.array([0.5], dtype=np.float32))
    p = head.predict_proba(sp.csr_matrix(np.array([[2.0, 0.0], [0.0, 3.0]], dtype=np.float32)))
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-np.array([2.5, -2.5]))), rtol=1e-6)
    np.testing.assert_allclose(p.sum(axis=1), 1)


def test_a_long_text_model_is_mixed_into_long_texts_only(small_model, long_model, mixed_model, examples):
    short = next(t for t in examples["texts"] if len(t) < 60)
    long = next(t for t in examples["texts"] if len(t) >= 60)
    own = small_model.predict_proba([short, long])
    mixed = mixed_model.predict_proba([short, long])
    np.testing.assert_allclose(mixed["quality"], own["quality"])  # a head the long model lacks
    np.testing.assert_allclose(mixed["topic"][0], own["topic"][0])  # too short for it
    expected = 0.75 * own["topic"][1]
    columns = [small_model.classes_["topic"].index(c) for c in long_model.classes_["topic"]]
    expected[columns] += 0.25 * long_model.predict_proba([long])["topic"][0]
    np.testing.assert_allclose(mixed["topic"][1], expected, rtol=1e-6)
    assert not np.allclose(mixed["topic"][1], own["topic"][1])
    np.testing.assert_allclose(mixed["topic"].sum(axis=1), 1, rtol=1e-6)


def test_a_long_text_models_quality_part_is_not_mixed_in(small_model, long_model, quality_model, examples):
    with_quality = pipeline.Model(long_model.settings, long_model.blocks, long_model.heads, {}, quality=quality_model.quality)
    model = pipeline.Model(small_model.settings, small_model.blocks, small_model.heads, {})
    model.add_long_model(with_quality, min_chars=60)
    alone = pipeline.Model(small_model.settings, small_model.blocks, small_model.heads, {})
    alone.add_long_model(long_model, min_chars=60)
    for name, p in alone.predict_proba(examples["texts"]).items():
        np.testing.assert_allclose(model.predict_proba(examples["texts"])[name], p)


def test_a_long_text_model_predicts_alike_in_parallel(mixed_model, examples):
    texts = examples["texts"] * 4  # enough for both processes, long texts among them
    np.testing.assert_allclose(mixed_model.predict_proba(texts, jobs=2)["topic"], mixed_model.predict_proba(texts)["topic"], rtol=1e-6)


def test_a_long_text_model_must_fit_the_heads_it_joins(small_model, long_model, examples):
    model = pipeline.Model(small_model.settings, small_model.blocks, small_model.heads, {})
    other = pipeline.train(examples["texts"][:40], {"mood": ["a", "b"] * 20}, Settings(min_df=1), valid=0)
    with pytest.raises(ConfigError, match="head 'mood' that this model lacks"):
        model.add_long_model(other)
    with pytest.raises(ConfigError, match="labels this model lacks: 体育, 科技, 财经"):
        pipeline.Model(long_model.settings, long_model.blocks, {"topic": small_model.heads["quality"]}, {}).add_long_model(long_model)
    for weight in (0, 1.5):
        with pytest.raises(ConfigError, match="weight must be in"):
            model.add_long_model(long_model, weight=weight)
    with pytest.raises(ConfigError, match="min_chars must be at least 1"):
        model.add_long_model(long_model, min_chars=0)
    model.add_long_model(long_model)
    with pytest.raises(ConfigError, match="one level only"):
        pipeline.Model(small_model.settings, small_model.blocks, small_model.heads, {}).add_long_model(model)
