import csv
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
