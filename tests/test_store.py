import json

import numpy as np
import pytest

import pipeline
from pipeline import ModelFormatError
from pipeline.store import FORMAT_VERSION


def copy_model(model_dir, tmp_path):
    import shutil

    target = tmp_path / "copy"
    shutil.copytree(model_dir, target)
    return target


def test_round_trip_keeps_predictions(small_model, model_dir, examples):
    loaded = pipeline.load(str(model_dir))
    for head, proba in small_model.predict_proba(examples["texts"]).items():
        np.testing.assert_allclose(loaded.predict_proba(examples["texts"])[head], proba, rtol=1e-6)
    assert loaded.settings == small_model.settings
    assert loaded.training["fingerprint"] == small_model.training["fingerprint"]


def test_manifest_is_readable_json(model_dir):
    manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert set(manifest["heads"]) == {"topic", "quality"}
    assert manifest["versions"]["scikit-learn"]


def test_settings_with_user_words_and_stopwords_survive(examples, tmp_path):
    settings = pipeline.Settings(
        word_ngrams=(1, 1), min_df=1, char_ngrams=None, tokenizer=pipeline.Tokenizer("jieba", ("星河湾区块",), frozenset({"的"}))
    )
    pipeline.train(examples["texts"], {"q": examples["quality"]}, settings, valid=0).save(str(tmp_path / "m"))
    assert pipeline.load(str(tmp_path / "m")).settings == settings.for_texts(examples["texts"])  # "auto" as decided


def test_saving_over_a_model_replaces_it(small_model, model_dir, tmp_path):
    target = copy_model(model_dir, tmp_path)
    small_model.save(str(target))
    assert pipeline.load(str(target)).classes_ == small_model.classes_


def test_saving_into_a_non_model_directory_is_refused(small_model, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine")
    with pytest.raises(ModelFormatError, match="not a model directory"):
        small_model.save(str(tmp_path / "docs"))
    assert (tmp_path / "docs" / "notes.txt").read_text() == "mine"


def test_a_changed_array_is_refused(model_dir, tmp_path):
    target = copy_model(model_dir, tmp_path)
    coef = target / "heads" / "0.coef.npy"
    data = bytearray(coef.read_bytes())
    data[-1] ^= 0xFF
    coef.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        pipeline.load(str(target))


def test_a_truncated_file_is_refused(model_dir, tmp_path):
    target = copy_model(model_dir, tmp_path)
    tokens = target / "features" / "0-word.tokens.json"
    tokens.write_bytes(tokens.read_bytes()[:100])
    with pytest.raises(ModelFormatError, match="changed or truncated"):
        pipeline.load(str(target))


def test_a_pickled_array_is_refused_even_with_a_matching_checksum(model_dir, tmp_path):
    target = copy_model(model_dir, tmp_path)
    rewrite_array(target, "heads/0.coef.npy", np.array([{"not": "numbers"}], dtype=object))
    with pytest.raises(ModelFormatError, match="not a plain numeric array"):
        pipeline.load(str(target))


def rewrite_array(target, name: str, array: np.ndarray) -> None:
    """Replace one array of a saved model and its checksum, as a tool (or an attacker) would."""
    import hashlib

    np.save(target / name, array)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["sha256"][name] = hashlib.sha256((target / name).read_bytes()).hexdigest()
    (target / "manifest.json").write_text(json.dumps(manifest))


def test_weights_saved_in_float16_load_and_predict_alike(small_model, model_dir, examples, tmp_path):
    target = copy_model(model_dir, tmp_path)
    rewrite_array(target, "heads/0.coef.npy", small_model.heads["topic"].coef.astype(np.float16))
    loaded = pipeline.load(str(target))
    assert loaded.heads["topic"].coef.dtype == np.float16
    np.testing.assert_allclose(loaded.predict_proba(examples["texts"])["topic"], small_model.predict_proba(examples["texts"])["topic"], atol=2e-3)


def test_weights_that_are_not_floating_point_are_refused(small_model, model_dir, tmp_path):
    target = copy_model(model_dir, tmp_path)
    rewrite_array(target, "heads/0.coef.npy", small_model.heads["topic"].coef.astype(np.int32))
    with pytest.raises(ModelFormatError, match="weights of type int32"):
        pipeline.load(str(target))


def test_a_long_text_model_survives_saving(mixed_model, examples, tmp_path):
    mixed_model.save(str(tmp_path / "m"))
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert manifest["long"]["min_chars"] == 60 and manifest["long"]["weight"] == 0.25
    assert set(manifest["long"]["heads"]) == {"topic"}
    loaded = pipeline.load(str(tmp_path / "m"))
    assert (loaded.long.min_chars, loaded.long.weight) == (60, 0.25)
    np.testing.assert_allclose(loaded.predict_proba(examples["texts"])["topic"], mixed_model.predict_proba(examples["texts"])["topic"], rtol=1e-6)


def test_a_long_text_model_with_foreign_labels_is_refused(mixed_model, tmp_path):
    mixed_model.save(str(tmp_path / "m"))
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text())
    manifest["long"]["heads"]["topic"]["classes"][0] = "天文"
    (tmp_path / "m" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match=r"labels this model lacks: 天文\); the model is damaged"):
        pipeline.load(str(tmp_path / "m"))


def test_files_outside_the_manifest_are_refused(model_dir, tmp_path):
    target = copy_model(model_dir, tmp_path)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["heads"]["topic"]["coef"] = "../../etc/passwd"
    (target / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFormatError, match="unlisted file"):
        pipeline.load(str(target))


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something-else"}', "not a pipeline model"),
        ('{"format": "pipeline-model"}', "no format_version"),
        (json.dumps({"format": "pipeline-model", "format_version": FORMAT_VERSION + 1}), "newer than this pipeline reads"),
        (json.dumps({"format": "pipeline-model", "format_version": FORMAT_VERSION}), "malformed manifest"),
    ],
)
def test_bad_manifests_are_refused(tmp_path, content, message):
    (tmp_path / "manifest.json").write_text(content)
    with pytest.raises(ModelFormatError, match=message):
        pipeline.load(str(tmp_path))


def test_missing_directory_and_missing_manifest(tmp_path):
    with pytest.raises(ModelFormatError, match="no such model directory"):
        pipeline.load(str(tmp_path / "nowhere"))
    with pytest.raises(ModelFormatError, match="no manifest.json"):
        pipeline.load(str(tmp_path))
