"""The shipped default model (models/default), its taxonomy (labels/topics.toml) and its build script.

Texts are our own: the hand-written examples in labels/topics.toml and labels/examples/. The build
script is run only on made-up data in a temporary folder, never on ../shared/data."""

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "models" / "default"
WEB = ROOT / "labels" / "examples" / "web"
runner = CliRunner()


def load_build():
    spec = importlib.util.spec_from_file_location("models_build", ROOT / "models" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def schema() -> dict:
    with open(ROOT / "labels" / "topics.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def default_model():
    return pipeline.load(str(DEFAULT))


def test_taxonomy_every_topic_is_described_and_fed_by_a_source(schema):
    topics = schema["topic"]
    for name, spec in topics.items():
        assert spec["description"].strip() and spec["examples"], name
    used = set()
    sets = load_build().TOPIC_SETS
    for source, mapping in schema["sources"].items():
        assert source in sets
        assert set(mapping.values()) - {""} <= set(topics), source
        used |= set(mapping.values())
    assert set(topics) <= used


def test_the_default_model_has_the_taxonomy_and_a_quality_part(default_model, schema):
    assert set(default_model.classes_["topic"]) == set(schema["topic"])
    assert default_model.classes_["quality"] == ["ad", "content", "spam"]
    assert default_model.quality.lines is not None
    assert set(default_model.long.model.classes_["topic"]) < set(schema["topic"])  # the long-text model: articles' topics only
    size = sum(p.stat().st_size for p in DEFAULT.rglob("*") if p.is_file())
    assert size <= 20 * 2**20


def test_the_default_model_labels_our_topic_examples(default_model, schema):
    texts, truth = [], []
    for name, spec in schema["topic"].items():
        texts += spec["examples"]
        truth += [name] * len(spec["examples"])
    guess = default_model.predict(texts)["topic"]
    right = sum(g == t for g, t in zip(guess, truth))
    assert right >= 0.8 * len(texts), [(t, g, x) for t, g, x in zip(truth, guess, texts) if t != g]


def test_predict_and_clean_use_the_default_model_without_model_option():
    result = runner.invoke(app, ["predict", str(WEB / "sports_news.txt"), str(WEB / "seo_spam.txt")])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["quality"] for r in records] == ["content", "spam"]
    assert records[0]["topic"] == "体育"
    page = (WEB / "education_with_ads.txt").read_text(encoding="utf-8").splitlines()
    result = runner.invoke(app, ["clean", str(WEB / "education_with_ads.txt")])
    assert result.exit_code == 0, result.output
    kept = result.stdout.splitlines()
    assert page[0] not in kept  # the gambling title on top of the page
    assert any("中考" in line for line in kept)
    assert set(kept) - {""} <= set(page)


def test_the_default_model_keeps_the_headlines_above_our_example_articles(default_model):
    # Headline, dateline (and print bar), then the article: the headline is content, the rest not.
    # The sports headline adds news of its own (终结客场四连败阴影): a third of its words recur below.
    for name, headline in (
        ("education_with_ads", "市教育局发布2025年中考招生工作通知"),
        ("tech_pinyin", "我国可重复使用火箭完成海上回收试验"),
        ("sports_news", "江城队主场3比1逆转海港 终结客场四连败阴影"),
    ):
        page = (WEB / f"{name}.txt").read_text(encoding="utf-8")
        cleaned = default_model.clean(page).splitlines()
        assert cleaned[0] == headline, (name, cleaned[:2])
        assert not any(line.startswith(("发布日期", "发布时间", "时间")) for line in cleaned), name


def test_the_default_model_gives_back_short_clean_texts_whole(default_model):
    # Our own short texts: an article of three paragraphs with nothing around it, one paragraph under a
    # navigation line, one paragraph alone. Pages this short are below those the line model was
    # trained on; it reads them as 9 lines long, and drops their edge lines only when it is sure.
    article = [
        "今年入冬以来，北方多地迎来大范围降雪，部分高速公路临时封闭。",
        "交通部门提醒司机出行前查询路况，雪天行车要降低车速、保持车距。",
        "气象台预计，本轮降雪将持续到周末，下周起气温逐步回升。",
    ]
    assert default_model.clean("\n".join(article)).splitlines() == article
    paragraph = "在昨晚结束的市青少年游泳锦标赛上，十四岁的小将连夺三枚金牌，并打破了一项保持六年的市纪录。"
    assert default_model.clean("首页 > 体育\n" + paragraph) == paragraph
    alone = "小区旁的菜市场改造完成后重新开业，摊位由原来的八十个增加到一百二十个。"
    assert default_model.clean(alone) == alone


def test_build_refuses_when_the_data_is_absent(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "models" / "build.py"), "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "nowhere" in done.stderr and "topic/sogou_news/train.csv.gz" in done.stderr
    assert not (tmp_path / "m").exists()


def test_build_refuses_a_set_label_without_mapping(tmp_path):
    build = load_build()
    path = tmp_path / build.TOPIC_SETS["thucnews_titles"]
    path.parent.mkdir(parents=True)
    path.write_text("text,label\n市民公园周末举办菊花展,society\n新款手机今天发布,gadgets\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"\[sources.thucnews_titles\] has no mapping for gadgets"):
        build.topic_split(tmp_path, "thucnews_titles")


def test_build_splits_and_maps_like_the_benchmark(tmp_path):
    build = load_build()
    path = tmp_path / build.TOPIC_SETS["nlpcc_headlines"]
    path.parent.mkdir(parents=True)
    rows = [(f"第{i}条体育新闻 球队获胜", "sports") for i in range(10)] + [(f"第{i}个小故事", "story") for i in range(10)]
    path.write_text("text,label\n" + "".join(f"{t},{y}\n" for t, y in rows), encoding="utf-8")
    train_x, train_y, held_x, held_y = build.topic_split(tmp_path, "nlpcc_headlines")
    # story maps to "" (not one of our topics): dropped from both sides; sports -> 体育, 8 train / 2 held back
    assert set(train_y) == set(held_y) == {"体育"}
    assert (len(train_x), len(held_x)) == (8, 2)
    assert not set(train_x) & set(held_x)
