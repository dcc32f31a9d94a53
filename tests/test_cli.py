"""Tests for pipeline.cli through typer's CliRunner: every command and option, and the bad inputs.

Every text here is our own: labels/examples/ or short sentences written in this file. Small models
(--min-df 1, a few dozen rows) keep the file fast; predict, evaluate and info reuse `model_dir`.
"""

import csv
import gzip
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from pipeline import cli
from pipeline.cli import DEFAULT_MODEL, app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "labels" / "examples"
TOPICS = EXAMPLES / "topics.csv"
WEB = EXAMPLES / "web"

SPORTS = "男篮亚洲杯半决赛，中国队凭借最后时刻的三分球以一分险胜对手，晋级决赛。"
FINANCE = "央行宣布下调存款准备金率，三大股指集体上涨，银行板块领涨，成交额放大。"
HEALTH = "医生提醒，冬季早晚温差大，老人要注意保暖，适量运动，按时接种流感疫苗。"
PER_GROUP = 6  # rows per (topic, quality) group in the small training file

runner = CliRunner()


# ---- helpers --------------------------------------------------------------------------------------


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def ok(*args, input=None):
    result = run(*args, input=input)
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def user_error(result, *needles):
    """The one shape of a user error: exit 2, one stderr line "error: ...", no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception  # not a crash
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert str(needle) in lines[0], (needle, lines[0])
    return lines[0]


def records(text):
    return [json.loads(line) for line in text.splitlines()]


def manifest(directory):
    return json.loads((Path(directory) / "manifest.json").read_text(encoding="utf-8"))


def tree(directory):
    """Every file under a directory: relative path -> bytes."""
    root = Path(directory)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write_table(path, rows, fmt="csv"):
    """Rows (dicts) as CSV, TSV or JSONL text; returns the text."""
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    Path(path).write_text(text, encoding="utf-8")
    return text


def normalization_steps(info_text):
    line = next(line for line in info_text.splitlines() if line.startswith("normalization: "))
    steps = line.removeprefix("normalization: ")
    return set() if steps == "none" else set(steps.split(", "))


def feature_lines(info_text):
    return [line for line in info_text.splitlines() if line.startswith("features ")]


def check_predictions(recs, classes, k):
    """Each record: a known label per head, probability in [0, 1], top list of length k, best first."""
    for rec in recs:
        for head, labels in classes.items():
            assert rec[head] in labels
            assert 0 <= rec[f"{head}_prob"] <= 1
            top = rec[f"{head}_top"]
            assert len(top) == min(k, len(labels))
            assert top[0] == [rec[head], rec[f"{head}_prob"]]
            probs = [p for _, p in top]
            assert probs == sorted(probs, reverse=True)
            assert all(0 <= p <= 1 for p in probs)
            assert len({label for label, _ in top}) == len(top)
            assert {label for label, _ in top} <= set(labels)


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_rows():
    with open(TOPICS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def small_rows(example_rows):
    """The first PER_GROUP rows of each (topic, quality) group: 6 topics, ads and spam."""
    seen, rows = {}, []
    for row in example_rows:
        key = (row["topic"], row["quality"])
        if seen.get(key, 0) < PER_GROUP:
            seen[key] = seen.get(key, 0) + 1
            rows.append(row)
    assert len(seen) == 8
    return rows


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-data")


@pytest.fixture(scope="module")
def small_csv(small_rows, data_dir):
    path = data_dir / "small.csv"
    write_table(path, small_rows)
    return path


@pytest.fixture(scope="module")
def trained(small_csv, data_dir):
    """A two-head model trained by the CLI with the default validation share."""
    out = data_dir / "two-heads"
    result = ok("train", small_csv, "--label-col", "topic", "--label-col", "quality", "--min-df", "1", "--out", out)
    return out, result


@pytest.fixture(scope="module")
def classes(model_dir):
    return {name: head["classes"] for name, head in manifest(model_dir)["heads"].items()}


def predict(model_dir, *args, input=None):
    return ok("predict", "--model", model_dir, *args, input=input)


# ---- train ----------------------------------------------------------------------------------------


def test_train_two_heads_prints_reports_and_writes_model(trained, small_rows):
    out, result = trained
    m = manifest(out)
    assert list(m["heads"]) == ["topic", "quality"]
    assert set(m["heads"]["topic"]["classes"]) == {r["topic"] for r in small_rows if r["topic"]}
    assert set(m["heads"]["quality"]["classes"]) == {"content", "ad", "spam"}
    assert m["training"]["rows"] == len(small_rows)
    assert m["training"]["valid"] == 0.1
    metrics = m["training"]["metrics"]
    assert set(metrics) == {"topic", "quality"}
    for head in ("topic", "quality"):
        rep = metrics[head]
        assert 0 <= rep["accuracy"] <= 1 and rep["n"] > 0
        # The printed report is the stored one.
        header = f"== {head}: {rep['n']} documents, accuracy {rep['accuracy']:.4f}, macro-F1 {rep['macro']['f1']:.4f}"
        assert header in result.stdout
    assert result.stdout.count("confusion matrix") == 2
    assert f"model written to {out}" in result.stderr


def test_train_counts_rows_with_empty_labels(trained, small_rows):
    out, result = trained
    empty = sum(not r["topic"] for r in small_rows)
    assert empty == 2 * PER_GROUP
    found = re.search(r"^topic: trained on (\d+) rows, (\d+) rows with an empty label skipped$", result.stderr, re.M)
    assert found, result.stderr
    assert int(found[2]) == empty
    heads = manifest(out)["training"]["heads"]
    # Every labeled row went either into training or into validation.
    assert int(found[1]) == heads["topic"]["train_rows"]
    assert heads["topic"]["train_rows"] + heads["topic"]["valid_rows"] == len(small_rows) - empty
    quality = re.search(r"^quality: trained on (\d+) rows$", result.stderr, re.M)
    assert quality and int(quality[1]) + heads["quality"]["valid_rows"] == len(small_rows)


def test_train_one_head_valid_zero(small_csv, small_rows, tmp_path):
    out = tmp_path / "model"
    result = ok("train", small_csv, "--label-col", "quality", "--valid", "0", "--min-df", "1", "--out", out)
    m = manifest(out)
    assert list(m["heads"]) == ["quality"]
    assert m["training"]["valid"] == 0 and m["training"]["metrics"] == {}
    assert m["training"]["heads"]["quality"]["train_rows"] == len(small_rows)
    assert "==" not in result.stdout  # nothing held out, nothing to report
    assert result.stderr.splitlines()[1:] == [f"quality: trained on {len(small_rows)} rows", f"model written to {out}"]
    assert result.stderr.startswith("settings: word 1-1, char 1-2, min_df 1, ")  # "auto" chose word unigrams for short texts; min_df as given


def test_train_seed_is_deterministic(small_csv, tmp_path):
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        ok("train", small_csv, "--label-col", "topic", "--label-col", "quality", "--min-df", "1", "--seed", "5", "--out", out)
    first, second = tree(outs[0]), tree(outs[1])
    assert "manifest.json" in first and len(first) > 1
    assert first == second
    assert manifest(outs[0])["training"]["seed"] == 5


def test_train_jobs_2_gives_the_same_model(example_rows, tmp_path):
    # More than one chunk of 500 texts, so the work really goes to two processes.
    data = tmp_path / "big.csv"
    write_table(data, [{**r, "text": f"{r['text']} {n}"} for n in range(3) for r in example_rows])
    outs = {}
    for jobs in ("1", "2"):
        outs[jobs] = tmp_path / f"jobs{jobs}"
        ok("train", data, "--label-col", "quality", "--valid", "0", "--min-df", "1", "--jobs", jobs, "--out", outs[jobs])
    assert manifest(outs["2"])["training"]["rows"] == 3 * len(example_rows)
    assert tree(outs["1"]) == tree(outs["2"])


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "csv.gz", "tsv.gz", "jsonl.gz", "gb18030.csv"])
def test_train_reads_every_table_format(fmt, small_rows, trained, tmp_path):
    """The same rows in another format or encoding give the same data fingerprint as the CSV."""
    plain = tmp_path / f"data.{fmt.removesuffix('.gz')}"
    kind = fmt.split(".")[0] if fmt != "gb18030.csv" else "csv"
    text = write_table(plain, small_rows, kind)
    if fmt.endswith(".gz"):
        data = tmp_path / f"data.{fmt}"
        data.write_bytes(gzip.compress(text.encode("utf-8")))
    elif fmt == "gb18030.csv":
        data = tmp_path / "gb18030.csv"
        data.write_bytes(text.encode("gb18030"))
        assert data.read_bytes() != text.encode("utf-8")
    else:
        data = plain
    out = tmp_path / "model"
    ok("train", data, "--label-col", "topic", "--label-col", "quality", "--valid", "0", "--min-df", "1", "--out", out)
    got, want = manifest(out)["training"], manifest(trained[0])["training"]
    assert got["rows"] == want["rows"] == len(small_rows)
    assert got["fingerprint"] == want["fingerprint"]
    assert got["source"] == str(data)


def test_train_long_model_joins_the_trained_heads(small_csv, small_rows, tmp_path):
    articles = [r for r in small_rows if r["topic"] in ("体育", "财经")]
    write_table(tmp_path / "articles.csv", [{"text": r["text"] * 8, "topic": r["topic"]} for r in articles])
    ok("train", tmp_path / "articles.csv", "--label-col", "topic", "--valid", "0", "--min-df", "1", "--out", tmp_path / "long")
    ok("train", small_csv, "--label-col", "topic", "--min-df", "1", "--long-model", tmp_path / "long", "--out", tmp_path / "m")
    long = manifest(tmp_path / "m")["long"]
    assert long["heads"]["topic"]["classes"] == ["体育", "财经"]
    assert long["training"]["rows"] == len(articles)
    assert any(line.startswith("  long-text features char 1-3-grams") for line in ok("info", tmp_path / "m").stdout.splitlines())


def test_train_long_model_that_does_not_fit_is_refused(small_csv, trained, tmp_path):
    out, _ = trained  # heads topic and quality: the model trained below has only quality
    user_error(run("train", small_csv, "--label-col", "quality", "--min-df", "1", "--long-model", out, "--out", tmp_path / "x"),
               f"--long-model {out}: ", "head 'topic' that this model lacks")
    assert not (tmp_path / "x").exists()
    user_error(run("train", small_csv, "--label-col", "topic", "--long-model", tmp_path / "nowhere", "--out", tmp_path / "x"), "nowhere")


def test_train_text_col(small_rows, tmp_path):
    data = tmp_path / "body.csv"
    write_table(data, [{"body": r["text"], "quality": r["quality"]} for r in small_rows])
    out = tmp_path / "model"
    ok("train", data, "--text-col", "body", "--label-col", "quality", "--valid", "0", "--min-df", "1", "--out", out)
    assert manifest(out)["training"]["rows"] == len(small_rows)


DEFAULT_STEPS = {"nfkc", "traditional_to_simplified", "drop_pinyin", "drop_invisible", "lowercase", "collapse_whitespace"}
NORMALIZATION_FLAGS = {
    "--no-nfkc": "nfkc",
    "--no-t2s": "traditional_to_simplified",
    "--no-drop-pinyin": "drop_pinyin",
    "--no-drop-invisible": "drop_invisible",
    "--no-lowercase": "lowercase",
    "--no-collapse-whitespace": "collapse_whitespace",
}


def _word_none(info, m):
    assert [line.split()[1] for line in feature_lines(info)] == ["char"]
    assert m["settings"]["word_ngrams"] is None


def _char_1_3(info, m):
    assert any(line.startswith("features char 1-3-grams: ") for line in feature_lines(info))
    assert m["settings"]["char_ngrams"] == [1, 3]


def _char_auto(info, m):
    assert any(line.startswith("features char 1-2-grams: ") for line in feature_lines(info))
    assert m["settings"]["char_ngrams"] == [1, 2]  # decided for these short texts, stored as a range


def _word_2(info, m):
    assert any(line.startswith("features word 2-2-grams: ") for line in feature_lines(info))
    assert m["settings"]["word_ngrams"] == [2, 2]


def _min_df(info, m):
    assert all("(min_df 2," in line for line in feature_lines(info)) and feature_lines(info)
    assert m["settings"]["min_df"] == 2


def _min_df_auto(info, m):
    assert all("(min_df 1," in line for line in feature_lines(info)) and feature_lines(info)
    assert m["settings"]["min_df"] == 1  # decided for these short texts, stored as a number


def _max_features(info, m):
    lines = feature_lines(info)
    assert lines and all("max_features 25," in line for line in lines)
    for line in lines:
        terms = int(re.search(r": (\d+) terms", line)[1])
        assert 0 < terms <= 25
    assert m["settings"]["max_features"] == 25


def _no_sublinear(info, m):
    assert feature_lines(info) and all("sublinear_tf False" in line for line in feature_lines(info))
    assert m["settings"]["sublinear_tf"] is False


def _alpha(info, m):
    assert "classifier: logistic regression (SGD), alpha 0.0003, epochs 50, class_weight balanced" in info.splitlines()
    assert m["settings"]["alpha"] == 0.0003


def _epochs(info, m):
    assert "classifier: logistic regression (SGD), alpha 1e-05, epochs 7, class_weight balanced" in info.splitlines()
    assert m["settings"]["epochs"] == 7


def _no_balanced(info, m):
    assert "classifier: logistic regression (SGD), alpha 1e-05, epochs 50, class_weight None" in info.splitlines()
    assert m["settings"]["class_weight"] is None


def _nb_scaling(info, m):
    assert "classifier: logistic regression (SGD), alpha 1e-05, epochs 50, class_weight balanced, features scaled by naive Bayes log-count ratios (smoothing 0.3)" in info.splitlines()
    assert m["settings"]["nb_scaling"] == 0.3


def _seed(info, m):
    assert re.search(r"^training data: .*, valid 0\.0, seed 3$", info, re.M)
    assert m["training"]["seed"] == 3


def _normalization(flag):
    def check(info, m):
        step = NORMALIZATION_FLAGS[flag]
        assert normalization_steps(info) == DEFAULT_STEPS - {step}
        assert m["settings"]["normalization"][step] is False

    return check


FEATURE_OPTIONS = [
    (["--word-ngrams", "none"], _word_none),
    (["--char-ngrams", "1-3"], _char_1_3),
    (["--char-ngrams", "auto"], _char_auto),
    (["--word-ngrams", "2"], _word_2),
    (["--min-df", "2"], _min_df),
    (["--min-df", "auto"], _min_df_auto),
    (["--max-features", "25"], _max_features),
    (["--no-sublinear-tf"], _no_sublinear),
    (["--alpha", "0.0003"], _alpha),
    (["--epochs", "7"], _epochs),
    (["--no-balanced"], _no_balanced),
    (["--nb-scaling", "0.3"], _nb_scaling),
    (["--seed", "3"], _seed),
    *[([flag], _normalization(flag)) for flag in NORMALIZATION_FLAGS],
]


@pytest.mark.parametrize("options, check", FEATURE_OPTIONS, ids=[" ".join(o) for o, _ in FEATURE_OPTIONS])
def test_train_options_show_in_info_and_manifest(options, check, small_csv, tmp_path):
    out = tmp_path / "model"
    base = ["train", small_csv, "--label-col", "quality", "--valid", "0", "--out", out]
    ok(*base, *(["--min-df", "1"] if "--min-df" not in options else []), *options)
    info = ok("info", out).stdout
    check(info, manifest(out))


def test_train_all_normalization_off(small_csv, tmp_path):
    out = tmp_path / "model"
    ok("train", small_csv, "--label-col", "quality", "--valid", "0", "--min-df", "1", "--out", out, *NORMALIZATION_FLAGS)
    info = ok("info", out).stdout
    assert "normalization: none" in info.splitlines()


def test_train_jieba_user_dict_stopwords(small_csv, tmp_path):
    user_dict = tmp_path / "user.txt"
    user_dict.write_text("三分球 10 n\n\n半决赛\n", encoding="utf-8")
    stopwords = tmp_path / "stop.txt"
    stopwords.write_text("的\n了\n是\n", encoding="utf-8")
    out = tmp_path / "model"
    ok(
        "train", small_csv, "--label-col", "topic", "--valid", "0", "--min-df", "1", "--out", out,
        "--tokenizer", "jieba", "--user-dict", user_dict, "--stopwords", stopwords,
    )
    info = ok("info", out).stdout
    assert "tokenizer: jieba, 2 user words, 3 stopwords" in info.splitlines()
    tokenizer = manifest(out)["settings"]["tokenizer"]
    assert tokenizer["engine"] == "jieba"
    assert tokenizer["user_words"] == ["三分球 10 n", "半决赛"]
    assert sorted(tokenizer["stopwords"]) == sorted(["的", "了", "是"])
    # The saved model loads with its tokenizer and labels a clear case.
    assert records(ok("predict", "--model", out, "-", input=SPORTS + "\n").stdout)[0]["topic"] == "体育"


# ---- predict --------------------------------------------------------------------------------------


def test_predict_text_file(model_dir, classes, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(SPORTS, encoding="utf-8")
    result = predict(model_dir, page)
    [rec] = records(result.stdout)
    assert rec["id"] == str(page)
    assert rec["topic"] == "体育"
    check_predictions([rec], classes, 3)
    assert "error" not in rec  # only with --skip-bad
    assert result.stderr.strip() == "1 document labeled"


def test_predict_directory_is_recursive_and_sorted(model_dir, classes):
    result = predict(model_dir, WEB)
    recs = records(result.stdout)
    expected = sorted(str(p) for p in WEB.rglob("*.txt"))
    assert [r["id"] for r in recs] == expected and len(expected) == 8
    check_predictions(recs, classes, 3)
    assert f"{len(expected)} documents labeled" in result.stderr


def test_predict_glob(model_dir, tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text(SPORTS, encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text(FINANCE, encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "c.md").write_text(HEALTH, encoding="utf-8")
    (tmp_path / "d.md").write_text(SPORTS, encoding="utf-8")
    txt = [r["id"] for r in records(predict(model_dir, tmp_path).stdout)]
    assert txt == [os.path.join(tmp_path, "a.txt"), os.path.join(tmp_path, "sub", "b.txt")]
    md = [r["id"] for r in records(predict(model_dir, tmp_path, "--glob", "*.md").stdout)]
    assert md == [os.path.join(tmp_path, "d.md"), os.path.join(tmp_path, "sub", "deeper", "c.md")]


def test_predict_csv_carries_columns_and_renames_collisions(model_dir, classes, tmp_path):
    data = tmp_path / "in.csv"
    rows = [
        {"id": "a7", "text": SPORTS, "topic": "mine", "url": "https://example.com/1"},
        {"id": "b8", "text": FINANCE, "topic": "", "url": "https://example.com/2"},
    ]
    write_table(data, rows)
    recs = records(predict(model_dir, data).stdout)
    assert [r["id"] for r in recs] == [f"{data}:1", f"{data}:2"]
    assert [r["input_id"] for r in recs] == ["a7", "b8"]
    assert [r["input_topic"] for r in recs] == ["mine", ""]
    assert [r["url"] for r in recs] == ["https://example.com/1", "https://example.com/2"]
    assert "text" not in recs[0]
    check_predictions(recs, classes, 3)  # the model's topic is not overwritten by the input's
    assert recs[0]["topic"] == "体育"


def test_predict_jsonl_and_gz(model_dir, classes, tmp_path):
    lines = [{"text": SPORTS, "url": "u1"}, {"text": FINANCE, "url": "u2"}, {"text": HEALTH, "url": "u3"}]
    text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)
    plain = tmp_path / "in.jsonl"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "in.jsonl.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    from_plain = records(predict(model_dir, plain).stdout)
    from_gz = records(predict(model_dir, packed).stdout)
    assert [r["id"] for r in from_plain] == [f"{plain}:{n}" for n in (1, 2, 3)]
    assert [r["id"] for r in from_gz] == [f"{packed}:{n}" for n in (1, 2, 3)]
    assert [r["url"] for r in from_gz] == ["u1", "u2", "u3"]
    strip = lambda recs: [{k: v for k, v in r.items() if k != "id"} for r in recs]  # noqa: E731
    assert strip(from_plain) == strip(from_gz)
    check_predictions(from_gz, classes, 3)


def test_predict_stdin_keeps_input_order(model_dir, classes):
    texts = [SPORTS, FINANCE, HEALTH, SPORTS]
    result = predict(model_dir, "-", input="\n".join(texts) + "\n")
    recs = records(result.stdout)
    assert [r["id"] for r in recs] == ["-:1", "-:2", "-:3", "-:4"]
    assert recs[0] == {**recs[3], "id": "-:1"}  # the same text, the same labels
    assert recs[0]["topic"] == "体育"
    check_predictions(recs, classes, 3)
    assert "4 documents labeled" in result.stderr


def test_predict_stdin_jsonl(model_dir):
    lines = [json.dumps({"text": t, "n": i}, ensure_ascii=False) for i, t in enumerate([FINANCE, SPORTS])]
    recs = records(predict(model_dir, "-", input="\n".join(lines) + "\n").stdout)
    assert [(r["id"], r["n"]) for r in recs] == [("-:1", "0"), ("-:2", "1")]


def test_predict_keeps_order_of_inputs(model_dir, tmp_path):
    paths = []
    for name, text in [("z.txt", SPORTS), ("a.txt", FINANCE), ("m.txt", HEALTH)]:
        paths.append(tmp_path / name)
        paths[-1].write_text(text, encoding="utf-8")
    recs = records(predict(model_dir, *paths, "-", input=SPORTS + "\n").stdout)
    assert [r["id"] for r in recs] == [*map(str, paths), "-:1"]


@pytest.mark.parametrize("k", [1, 3, 10])
def test_predict_top_k(k, model_dir, classes, tmp_path):
    recs = records(predict(model_dir, "--top-k", k, "-", input=f"{SPORTS}\n{HEALTH}\n").stdout)
    assert len(recs) == 2
    check_predictions(recs, classes, k)
    if k >= max(len(labels) for labels in classes.values()):  # every label: probabilities sum to 1
        for rec in recs:
            for head in classes:
                assert sum(p for _, p in rec[f"{head}_top"]) == pytest.approx(1, abs=1e-3)


@pytest.mark.parametrize("threshold", [0.0, 0.99])
def test_predict_threshold(threshold, model_dir, classes):
    mixed = f"{SPORTS}{HEALTH}\n{HEALTH}{SPORTS}\n"  # two topics at once: the topic head is not quite sure
    plain = records(predict(model_dir, "-", input=mixed).stdout)
    recs = records(predict(model_dir, "--threshold", str(threshold), "-", input=mixed).stdout)
    uncertain = 0
    for rec, before in zip(recs, plain):
        for head in classes:
            below = before[f"{head}_prob"] < threshold
            uncertain += below
            assert rec[head] == ("uncertain" if below else before[head])
            assert rec[f"{head}_prob"] == before[f"{head}_prob"] and rec[f"{head}_top"] == before[f"{head}_top"]
    assert uncertain if threshold else not uncertain  # 0.99 catches the unsure topic head


@pytest.mark.parametrize("threshold", ["-0.1", "1.5", "high"])
def test_predict_threshold_out_of_range(threshold, model_dir):
    result = run("predict", "--model", model_dir, "--threshold", threshold, "-", input=SPORTS + "\n")
    assert result.exit_code == 2, result.output
    assert "--threshold" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


def _read_output(path, fmt):
    text = Path(path).read_text(encoding="utf-8")
    if fmt == "jsonl":
        return records(text)
    rows = list(csv.DictReader(io.StringIO(text), delimiter="," if fmt == "csv" else "\t"))
    for row in rows:
        for key in list(row):
            if key.endswith("_top"):
                row[key] = json.loads(row[key])
            elif key.endswith("_prob"):
                row[key] = float(row[key])
    return rows


@pytest.mark.parametrize(
    "name, option, fmt",
    [
        ("out.jsonl", None, "jsonl"),
        ("out.csv", None, "csv"),
        ("out.tsv", None, "tsv"),
        ("out.txt", None, "jsonl"),
        ("out.txt", "tsv", "tsv"),
        ("out.csv", "jsonl", "jsonl"),
        ("out.data", "csv", "csv"),
    ],
)
def test_predict_out_and_format(name, option, fmt, model_dir, classes, tmp_path):
    out = tmp_path / name
    args = ["--out", out] + (["--format", option] if option else [])
    result = predict(model_dir, *args, WEB)
    assert result.stdout == ""  # everything went to the file
    recs = _read_output(out, fmt)
    assert [r["id"] for r in recs] == sorted(str(p) for p in WEB.glob("*.txt"))
    check_predictions(recs, classes, 3)
    if fmt != "jsonl":
        header = out.read_text(encoding="utf-8").splitlines()[0].split("," if fmt == "csv" else "\t")
        assert header[0] == "id" and {"topic", "topic_prob", "topic_top", "quality"} <= set(header)
    assert os.listdir(tmp_path) == [name]  # no temporary file left behind


def test_predict_format_to_stdout(model_dir, classes):
    result = predict(model_dir, "--format", "tsv", "--top-k", "2", "-", input=f"{SPORTS}\n{FINANCE}\n")
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter="\t"))
    assert [r["id"] for r in rows] == ["-:1", "-:2"]
    assert all(len(json.loads(r["topic_top"])) == 2 and r["topic"] in classes["topic"] for r in rows)


@pytest.fixture
def broken_jsonl(tmp_path):
    path = tmp_path / "broken.jsonl"
    good = json.dumps({"text": SPORTS}, ensure_ascii=False)
    path.write_text(f'{good}\n{{"text": "少了结尾\n{json.dumps({"text": FINANCE}, ensure_ascii=False)}\n', encoding="utf-8")
    return path


def test_predict_skip_bad(model_dir, classes, broken_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    result = predict(model_dir, "--skip-bad", "--out", out, broken_jsonl)
    recs = _read_output(out, "jsonl")
    assert [r["id"] for r in recs] == [f"{broken_jsonl}:{n}" for n in (1, 2, 3)]
    assert recs[1]["error"] and "JSON" in recs[1]["error"]
    assert recs[1]["topic"] is None and recs[1]["quality_top"] is None
    assert recs[0]["error"] == recs[2]["error"] == ""
    check_predictions([recs[0], recs[2]], classes, 3)
    assert "skipped" in result.stderr and "1 unreadable" in result.stderr
    assert "3 documents labeled" in result.stderr


def test_predict_bad_row_without_skip_bad_writes_nothing(model_dir, broken_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("predict", "--model", model_dir, "--out", out, broken_jsonl)
    user_error(result, f"{broken_jsonl}:2", "--skip-bad")
    assert not out.exists()
    assert os.listdir(tmp_path) == ["broken.jsonl"]  # not even a temporary file


def test_predict_jobs_2_same_as_jobs_1(model_dir, example_rows):
    # More than one chunk of 500 texts, so two processes really share the work.
    texts = [r["text"].replace("\n", " ") for r in example_rows] * 4
    stdin = "\n".join(texts) + "\n"
    one = predict(model_dir, "--jobs", "1", "-", input=stdin)
    two = predict(model_dir, "--jobs", "2", "-", input=stdin)
    assert len(records(one.stdout)) == len(texts)
    assert one.stdout == two.stdout
    assert f"{len(texts)} documents labeled" in two.stderr


# ---- evaluate -------------------------------------------------------------------------------------


def test_evaluate_prints_a_report_per_head_and_writes_json(model_dir, example_rows, tmp_path):
    report = tmp_path / "report.json"
    result = ok("evaluate", "--model", model_dir, TOPICS, "--label-col", "topic", "--label-col", "quality", "--json", report)
    reports = json.loads(report.read_text(encoding="utf-8"))
    assert set(reports) == {"topic", "quality"}
    counts = {"topic": sum(bool(r["topic"]) for r in example_rows), "quality": len(example_rows)}
    for head, rep in reports.items():
        assert rep["n"] == counts[head]
        assert 0 <= rep["accuracy"] <= 1
        assert f"== {head}: {rep['n']} documents, accuracy {rep['accuracy']:.4f}" in result.stdout
        assert set(rep["confusion"]["labels"]) >= {r[head] for r in example_rows if r[head]}
    assert reports["topic"]["accuracy"] > 0.9  # the model was trained on these very rows
    assert result.stdout.count("confusion matrix") == 2


def test_evaluate_one_head_jsonl(model_dir, small_rows, tmp_path):
    data = tmp_path / "test.jsonl"
    write_table(data, small_rows, "jsonl")
    result = ok("evaluate", "-m", model_dir, data, "--label-col", "quality")
    assert f"== quality: {len(small_rows)} documents" in result.stdout
    assert "== topic" not in result.stdout


def test_evaluate_unknown_head(model_dir, small_rows, tmp_path):
    data = tmp_path / "genre.csv"
    write_table(data, [{"text": r["text"], "genre": r["quality"]} for r in small_rows])
    message = user_error(run("evaluate", "-m", model_dir, data, "--label-col", "genre"), "'genre'", "topic, quality")
    assert str(data) in message


# ---- info -----------------------------------------------------------------------------------------


def test_info(model_dir):
    m = manifest(model_dir)
    lines = ok("info", model_dir).stdout.splitlines()
    assert lines[0] == f"model: {model_dir} (format {m['format_version']})"
    for name, head in m["heads"].items():
        assert f"head {name}: {len(head['classes'])} labels: {', '.join(head['classes'])}" in lines
    features = [line for line in lines if line.startswith("features ")]
    assert len(features) == len(m["features"]) > 0
    for line, spec in zip(features, m["features"]):
        lo, hi = spec["ngram_range"]
        assert line.startswith(f"features {spec['kind']} {lo}-{hi}-grams: {spec['n_terms']} terms (min_df {spec['min_df']}")
    assert f"tokenizer: {m['settings']['tokenizer']['engine']}, 0 user words, 0 stopwords" in lines
    assert any(m["training"]["fingerprint"] in line and line.startswith("training data: ") for line in lines)
    assert m["training"]["fingerprint"].startswith("sha256:")
    versions = next(line for line in lines if line.startswith("versions: "))
    for library, version in m["versions"].items():
        assert f"{library} {version}" in versions
    assert "pipeline" in m["versions"]


def test_info_shows_validation_metrics(trained):
    out, _ = trained
    info = ok("info", out).stdout
    for head, rep in manifest(out)["training"]["metrics"].items():
        assert f"validation {head}: accuracy {rep['accuracy']:.4f}, macro-F1 {rep['macro']['f1']:.4f} on {rep['n']} rows" in info
    assert f"training data: {manifest(out)['training']['source']}, " in info


def test_info_describes_a_long_text_model(mixed_model, model_dir, tmp_path):
    mixed_model.save(str(tmp_path / "m"))
    lines = ok("info", tmp_path / "m").stdout.splitlines()
    assert "long texts (from 60 characters on): head topic mixed with a long-text model at weight 0.25; its labels: 体育, 科技, 财经" in lines
    long_features = [line for line in lines if line.startswith("  long-text features ")]
    assert len(long_features) == len(mixed_model.long.model.blocks) > 0
    assert "long texts" not in ok("info", model_dir).stdout


def test_a_missing_default_model_is_named(monkeypatch, tmp_path):
    missing = tmp_path / "default"
    monkeypatch.setattr(cli, "DEFAULT_MODEL", missing)
    user_error(run("info", missing), str(missing), "--model")


# ---- help -----------------------------------------------------------------------------------------

COMMANDS = ["train", "predict", "evaluate", "tune", "train-quality", "clean", "labels", "info"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_ends_with_an_example(command):
    doc = get_command(app).commands[command].help.strip()
    example = doc.splitlines()[-1].strip()
    assert example.startswith(f"Example: pipeline {command} ")
    result = ok(command, "--help")
    flat = " ".join(result.stdout.split())
    assert " ".join(example.split()) in flat
    assert "--help" in result.stdout


def test_every_command_is_registered():
    assert sorted(get_command(app).commands) == sorted(COMMANDS)


def test_python_m_pipeline_help():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    for command in COMMANDS:
        assert command in result.stdout


# ---- bad input ------------------------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
BAD_UTF8_PREFIX = "text,topic,quality\n体育新闻报道,体育,content\n".encode("utf-8")


def _train(data, *extra, out=None):
    return ["train", data, "--label-col", "topic", "--min-df", "1", "--out", out or Path(data).parent / "model", *extra]


def _file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def _labeled(tmp_path, topics):
    """Six short rows whose topics cycle through `topics`."""
    texts = [SPORTS, FINANCE, HEALTH, "篮球联赛今晚开打", "股市午后震荡", "专家建议多喝水"]
    rows = [{"text": t, "topic": topics[i % len(topics)], "quality": "content"} for i, t in enumerate(texts)]
    path = tmp_path / "labeled.csv"
    write_table(path, rows)
    return path


def case_missing_file(tmp_path, model_dir):
    path = tmp_path / "nope.csv"
    return _train(path), [path, "no such file"]


def case_predict_missing_file(tmp_path, model_dir):
    path = tmp_path / "nope.txt"
    return ["predict", "-m", model_dir, path], [path]


def case_evaluate_missing_file(tmp_path, model_dir):
    path = tmp_path / "nope.jsonl"
    return ["evaluate", "-m", model_dir, path, "--label-col", "topic"], [path]


def case_unknown_text_col(tmp_path, model_dir):
    path = _labeled(tmp_path, ["体育", "财经"])
    return _train(path, "--text-col", "body"), [path, "'body'", "columns are: text, topic, quality"]


def case_predict_unknown_text_col(tmp_path, model_dir):
    path = _labeled(tmp_path, ["体育", "财经"])
    return ["predict", "-m", model_dir, path, "--text-col", "body"], [path, "'body'", "text, topic, quality"]


def case_predict_jsonl_unknown_field(tmp_path, model_dir):
    path = _file(tmp_path, "in.jsonl", json.dumps({"body": SPORTS, "url": "u"}, ensure_ascii=False) + "\n")
    return ["predict", "-m", model_dir, path], [path, "'text'", "body, url"]


def case_missing_label_col(tmp_path, model_dir):
    path = _labeled(tmp_path, ["体育", "财经"])
    return ["train", path, "--label-col", "genre", "--out", tmp_path / "m"], [path, "'genre'", "text, topic, quality"]


def case_evaluate_missing_label_col(tmp_path, model_dir):
    path = _labeled(tmp_path, ["体育", "财经"])
    return ["evaluate", "-m", model_dir, path, "--label-col", "genre"], [path, "'genre'"]


def case_empty_file(tmp_path, model_dir):
    path = _file(tmp_path, "empty.csv", b"")
    return _train(path), [path, "empty"]


def case_predict_empty_file(tmp_path, model_dir):
    path = _file(tmp_path, "empty.txt", b"")
    return ["predict", "-m", model_dir, path], [path, "empty"]


def case_header_only(tmp_path, model_dir):
    path = _file(tmp_path, "header.csv", "text,topic\n")
    return _train(path), [path, "no rows"]


def case_binary_file(tmp_path, model_dir):
    path = _file(tmp_path, "image.csv", PNG)
    return _train(path), [path, "not a text file"]


def case_predict_binary_file(tmp_path, model_dir):
    path = _file(tmp_path, "image.png", PNG)
    return ["predict", "-m", model_dir, path], [path, "not a text file"]


def case_undecodable(tmp_path, model_dir):
    path = _file(tmp_path, "bad.csv", BAD_UTF8_PREFIX + b"\xff" + "财经新闻,财经,content\n".encode("utf-8"))
    return _train(path), [path, f"offset {len(BAD_UTF8_PREFIX)}"]


def case_predict_undecodable(tmp_path, model_dir):
    path = _file(tmp_path, "bad.txt", SPORTS.encode("utf-8") + b"\xff")
    return ["predict", "-m", model_dir, path], [path, f"offset {len(SPORTS.encode('utf-8'))}"]


def case_bad_row(tmp_path, model_dir):
    path = _file(tmp_path, "ragged.csv", f"text,topic\n{SPORTS},体育\n{FINANCE},财经,extra\n")
    return _train(path), [path, "row 2"]


def case_not_a_table(tmp_path, model_dir):
    path = _file(tmp_path, "plain.txt", SPORTS)
    return _train(path), [path, ".csv"]


def case_one_class(tmp_path, model_dir):
    path = _labeled(tmp_path, ["体育"])
    return _train(path, "--valid", "0"), [path, "'topic'", "only one class", "'体育'"]


def case_labels_all_empty(tmp_path, model_dir):
    path = _labeled(tmp_path, ["", " "])
    return _train(path, "--valid", "0"), [path, "'topic'", "empty"]


def case_evaluate_labels_all_empty(tmp_path, model_dir):
    path = _labeled(tmp_path, [""])
    return ["evaluate", "-m", model_dir, path, "--label-col", "topic"], [path, "'topic'", "empty"]


def case_model_missing(tmp_path, model_dir):
    path = tmp_path / "no-model"
    return ["predict", "-m", path, "-"], [path]


def case_info_model_missing(tmp_path, model_dir):
    path = tmp_path / "no-model"
    return ["info", path], [path, "no such model directory"]


def case_evaluate_model_missing(tmp_path, model_dir):
    path = tmp_path / "no-model"
    return ["evaluate", "-m", path, _labeled(tmp_path, ["体育", "财经"]), "--label-col", "topic"], [path]


def case_model_not_a_model(tmp_path, model_dir):
    path = tmp_path / "empty-dir"
    path.mkdir()
    return ["info", path], [path, "manifest.json"]


def _broken_model(tmp_path):
    path = tmp_path / "broken-model"
    path.mkdir()
    (path / "manifest.json").write_bytes(b"{\"format\": garbage \x00\xff")
    return path


def case_model_broken(tmp_path, model_dir):
    path = _broken_model(tmp_path)
    return ["predict", "-m", path, "-"], [path / "manifest.json", "not valid JSON"]


def case_info_model_broken(tmp_path, model_dir):
    path = _broken_model(tmp_path)
    return ["info", path], [path / "manifest.json"]


def case_model_manifest_not_ours(tmp_path, model_dir):
    path = tmp_path / "other-model"
    path.mkdir()
    (path / "manifest.json").write_text('{"name": "something else"}', encoding="utf-8")
    return ["info", path], [path / "manifest.json", "not a pipeline model"]


def case_out_in_missing_directory(tmp_path, model_dir):
    out = tmp_path / "missing" / "out.jsonl"
    return ["predict", "-m", model_dir, "--out", out, WEB], [out, "cannot write"]


def case_out_under_a_file(tmp_path, model_dir):
    out = _file(tmp_path, "afile", "x") / "out.csv"
    return ["predict", "-m", model_dir, "--out", out, WEB], [out, "cannot write"]


def case_evaluate_json_in_missing_directory(tmp_path, model_dir):
    out = tmp_path / "missing" / "report.json"
    data = _labeled(tmp_path, ["体育", "财经"])
    return ["evaluate", "-m", model_dir, data, "--label-col", "topic", "--json", out], [out, "cannot write"]


def case_train_out_under_a_file(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    out = _file(tmp_path, "afile", "x") / "model"
    return _train(data, "--valid", "0", out=out), [out]


def case_train_out_not_a_model_dir(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    out = tmp_path / "precious"
    out.mkdir()
    _file(out, "notes.txt", "keep me")
    return _train(data, "--valid", "0", out=out), [out, "not a model directory"]


def case_bad_word_ngrams(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--word-ngrams", "one-two"), ["--word-ngrams", "'one-two'"]


def case_bad_char_ngrams(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--char-ngrams", "1-x"), ["--char-ngrams", "'1-x'"]


def case_bad_nb_scaling(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--nb-scaling", "strong"), ["--nb-scaling", "'strong'"]


def case_bad_min_df(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--min-df", "few"), ["--min-df", "'few'"]


def case_reversed_ngrams(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--word-ngrams", "3-1"), ["3-1"]


def case_no_features(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--word-ngrams", "none", "--char-ngrams", "none"), ["word", "char"]


def case_unknown_tokenizer(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    return _train(data, "--tokenizer", "thulac"), ["'thulac'", "rjieba", "jieba"]


def case_missing_user_dict(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    path = tmp_path / "dict.txt"
    return _train(data, "--user-dict", path), [path]


def case_missing_stopwords(tmp_path, model_dir):
    data = _labeled(tmp_path, ["体育", "财经"])
    path = tmp_path / "stop.txt"
    return _train(data, "--stopwords", path), [path]


def case_unknown_format(tmp_path, model_dir):
    return ["predict", "-m", model_dir, "--format", "xml", WEB], ["'xml'", "jsonl, csv, tsv"]


def case_unknown_format_no_file(tmp_path, model_dir):
    out = tmp_path / "out.xml"
    return ["predict", "-m", model_dir, "--format", "yaml", "--out", out, WEB], ["'yaml'"]


BAD_INPUTS = {name.removeprefix("case_"): fn for name, fn in list(globals().items()) if name.startswith("case_")}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_one_line_and_exit_2(case, tmp_path, model_dir):
    args, needles = BAD_INPUTS[case](tmp_path, model_dir)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(*args)
    user_error(result, *needles)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written on failure
