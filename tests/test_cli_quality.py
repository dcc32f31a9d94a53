"""Tests for the quality commands through typer's CliRunner: train-quality, clean, labels, and the
quality head in predict and info. Texts are our own (labels/examples)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "labels" / "examples"
PAGES = EXAMPLES / "pages.jsonl"
WEB = EXAMPLES / "web"
N_PAGES = sum(1 for line in PAGES.open(encoding="utf-8") if line.strip())

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture(scope="module")
def quality_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("quality")
    lexicon = root / "words.tsv"
    lexicon.write_text("gambling\t百家乐\ngambling\t彩金\nsales\t厂家直销\n", encoding="utf-8")
    result = run("train-quality", PAGES, "--lexicon", lexicon, "--out", root / "q")
    assert result.exit_code == 0, result.output
    return root / "q"


def test_train_quality_writes_a_model_info_describes(quality_dir):
    result = run("info", quality_dir)
    assert result.exit_code == 0, result.output
    assert "head quality: 3 labels: ad, content, spam" in result.output
    assert "quality lines: ad, boilerplate, content, spam" in result.output
    assert "words:gambling (2)" in result.output and "words:sales (1)" in result.output
    assert f"{N_PAGES} pages" in result.output


def test_train_quality_adds_to_a_topic_model(model_dir, tmp_path):
    # model_dir's topic model already has a head named quality: refused rather than replaced.
    result = run("train-quality", PAGES, "--model", model_dir, "--out", tmp_path / "q")
    assert result.exit_code == 2 and "already has a head named 'quality'" in result.output
    topic_only = tmp_path / "topic"
    assert run("train", EXAMPLES / "topics.csv", "--label-col", "topic", "--min-df", "1", "--out", topic_only).exit_code == 0
    docs = tmp_path / "docs.csv"
    docs.write_text("text,label\n本厂专业生产水泵，厂家直销，欢迎来电。,ad\n市民公园周末举办菊花展。,content\n", encoding="utf-8")
    result = run("train-quality", PAGES, "--docs", docs, "--model", topic_only, "--out", tmp_path / "both")
    assert result.exit_code == 0, result.output
    out = run("predict", "--model", tmp_path / "both", WEB / "sports_news.txt", WEB / "factory_ad.txt")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["quality"] for r in records] == ["content", "ad"]
    assert all("topic" in r and "topic_prob" in r for r in records)
    assert f"{N_PAGES} pages from {PAGES}, 2 documents from {docs}" in run("info", tmp_path / "both").output


def test_clean_to_stdout_gives_the_article(quality_dir):
    result = run("clean", "--model", quality_dir, WEB / "education_with_ads.txt")
    assert result.exit_code == 0, result.output
    page = (WEB / "education_with_ads.txt").read_text(encoding="utf-8").splitlines()
    cleaned = result.stdout.splitlines()
    assert cleaned and set(cleaned) <= set(page)
    assert not any(line.startswith("首页") for line in cleaned)
    assert "1 document cleaned" in result.output


def test_clean_lines_writes_pages_that_train_quality_reads(quality_dir, tmp_path):
    out = tmp_path / "lines.jsonl"
    result = run("clean", "--model", quality_dir, "--lines", WEB / "factory_ad.txt", WEB / "seo_spam.txt", "--out", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [len(r["lines"]) for r in records] == [
        len([l for l in (WEB / n).read_text(encoding="utf-8").splitlines() if l.strip()]) for n in ("factory_ad.txt", "seo_spam.txt")
    ]
    assert all({"text", "label", "prob"} <= set(line) for r in records for line in r["lines"])
    assert all(r["content_lines"] == sum(l["label"] == "content" for l in r["lines"]) for r in records)
    # The audit file is training input as it is: fix labels by hand, train again.
    assert run("train-quality", out, "--out", tmp_path / "again").exit_code == 0


def test_clean_to_a_directory_and_to_jsonl(quality_dir, tmp_path):
    result = run("clean", "--model", quality_dir, WEB, "--out", str(tmp_path / "out") + "/")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(p.name for p in WEB.glob("*.txt"))
    table = tmp_path / "clean.jsonl"
    assert run("clean", "--model", quality_dir, WEB, "--out", table).exit_code == 0
    records = [json.loads(line) for line in table.read_text(encoding="utf-8").splitlines()]
    by_id = {Path(r["id"]).name: r for r in records}
    assert (tmp_path / "out" / "sports_news.txt").read_text(encoding="utf-8") == by_id["sports_news.txt"]["text"] + "\n"


def test_clean_says_when_there_is_no_content(quality_dir):
    result = run("clean", "--model", quality_dir, "--lines", "-", input="首页 | 登录 | 注册\n")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["id"] == "-" and record["content_lines"] == 0 and len(record["lines"]) == 1
    assert "with no content line" in result.output


def test_clean_bad_inputs_give_one_line_errors(quality_dir, model_dir, tmp_path):
    result = run("clean", "--model", model_dir, WEB / "sports_news.txt")
    assert result.exit_code == 2 and "has no quality part" in result.output
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02garbage")
    result = run("clean", "--model", quality_dir, binary)
    assert result.exit_code == 2 and "Traceback" not in result.output and str(binary) in result.output
    result = run("clean", "--model", quality_dir, "--lines", WEB, "--out", str(tmp_path) + "/")
    assert result.exit_code == 2 and "--lines writes one JSONL file" in result.output
    result = run("clean", "--model", quality_dir, "--format", "xml", WEB)
    assert result.exit_code == 2 and "unknown --format 'xml'" in result.output


def test_train_quality_bad_pages_name_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"lines": [{"text": "一", "label": "content"}]}\n{"lines": 3}\n', encoding="utf-8")
    result = run("train-quality", bad, "--out", tmp_path / "m")
    assert result.exit_code == 2 and f"{bad}: line 2: expected" in result.output
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"lines": [{"text": "首页", "label": "nav"}, {"text": "一句话。", "label": "content"}]}\n', encoding="utf-8")
    result = run("train-quality", wrong, "--out", tmp_path / "m")
    assert result.exit_code == 2 and "unknown line label 'nav'" in result.output and str(wrong) in result.output
    result = run("train-quality", EXAMPLES / "topics.csv", "--out", tmp_path / "m")
    assert result.exit_code == 2 and "must be a .jsonl file" in result.output


def test_labels_shows_the_schema(tmp_path):
    result = run("labels")
    assert result.exit_code == 0
    assert "document:" in result.output and "line:" in result.output and "  boilerplate: " in result.output
    broken = tmp_path / "x.toml"
    broken.write_text("[line\n", encoding="utf-8")
    result = run("labels", broken)
    assert result.exit_code == 2 and "not valid TOML" in result.output


def test_predict_no_clean_changes_the_topic_input(quality_dir, tmp_path):
    # A quality-only model has no topic head; --no-clean still runs and gives the quality head.
    result = run("predict", "--model", quality_dir, "--no-clean", WEB / "seo_spam.txt")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["quality"] == "spam"


def test_clean_and_predict_with_jobs_2_give_what_jobs_1_gives(quality_dir, tmp_path, monkeypatch):
    import pipeline.model

    shared = []
    in_workers = pipeline.model.Model._in_workers

    def counted(self, method, items, jobs, *args):
        shared.append((method, len(items)))
        return in_workers(self, method, items, jobs, *args)

    monkeypatch.setattr(pipeline.model.Model, "_in_workers", counted)
    pages = sorted(WEB.glob("*.txt"))
    outputs = {}
    for jobs in ("1", "2"):
        outputs[jobs] = [
            run(command, "--model", quality_dir, "--jobs", jobs, *extra, *pages).stdout
            for command, extra in (("clean", ["--lines"]), ("predict", []))
        ]
    assert outputs["1"] == outputs["2"]
    assert len(outputs["1"][0].splitlines()) == len(pages) and len(outputs["1"][1].splitlines()) == len(pages)
    # --jobs 2 ran the line labels and the predictions (the quality part with them) in worker processes
    assert shared == [("label_pages", len(pages)), ("predict_proba", len(pages))]
