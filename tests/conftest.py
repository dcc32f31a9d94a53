import csv
import json
from pathlib import Path

import pytest

import pipeline

EXAMPLES = Path(__file__).resolve().parent.parent / "labels" / "examples"


@pytest.fixture(scope="session")
def examples() -> dict[str, list]:
    """Our hand-written labeled examples: texts, topic (empty for ads and spam) and quality."""
    with open(EXAMPLES / "topics.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {
        "texts": [r["text"] for r in rows],
        "topic": [r["topic"] or None for r in rows],
        "quality": [r["quality"] for r in rows],
    }


@pytest.fixture(scope="session")
def small_model(examples) -> pipeline.Model:
    """A two-head model trained on every example; small settings keep it fast."""
    return pipeline.train(
        examples["texts"], {"topic": examples["topic"], "quality": examples["quality"]},
        pipeline.Settings(min_df=1), valid=0,
    )


@pytest.fixture(scope="session")
def model_dir(small_model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "small"
    small_model.save(str(path))
    return path


def read_pages(names: set[str] | None = None, exclude: set[str] = frozenset()) -> list[dict]:
    """Our hand-written pages with line labels (labels/examples/pages.jsonl), by id."""
    with open(EXAMPLES / "pages.jsonl", encoding="utf-8") as f:
        pages = [json.loads(line) for line in f if line.strip()]
    return [p for p in pages if (names is None or p["id"] in names) and p["id"] not in exclude]


def pairs(page: dict) -> list[tuple[str, str]]:
    return [(line["text"], line["label"]) for line in page["lines"]]


HELD_OUT = {"health_repeated", "education_with_ads", "factory_ad", "seo_spam"}  # never trained on in the quality tests


@pytest.fixture(scope="session")
def quality_model() -> pipeline.Model:
    """A model with only a quality part, trained on our pages except HELD_OUT, with a tiny lexicon."""
    from pipeline.quality import train_quality

    train = read_pages(exclude=HELD_OUT)
    quality = train_quality([pairs(p) for p in train], [p["doc_label"] for p in train], lexicons={"demo": ["百家乐", "厂家直销"]})
    return pipeline.Model(pipeline.Settings(), [], {}, {}, quality=quality)


LONG_TOPICS = ("体育", "科技", "财经")  # the labels of long_model: a subset of small_model's topics


@pytest.fixture(scope="session")
def long_model(examples) -> pipeline.Model:
    """A topic model trained only on the examples of LONG_TOPICS, each text written three times over
    (longer texts, fewer labels than small_model: what Model.add_long_model mixes in)."""
    rows = [i for i, t in enumerate(examples["topic"]) if t in LONG_TOPICS]
    texts = [examples["texts"][i] * 3 for i in rows]
    return pipeline.train(texts, {"topic": [examples["topic"][i] for i in rows]}, pipeline.Settings(min_df=1), valid=0)


@pytest.fixture()
def mixed_model(small_model, long_model) -> pipeline.Model:
    """small_model's heads with long_model mixed in from 60 characters on, at weight 0.25."""
    model = pipeline.Model(small_model.settings, small_model.blocks, small_model.heads, {})
    model.add_long_model(long_model, min_chars=60, weight=0.25)
    return model
