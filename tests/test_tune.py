"""Tests for pipeline.tune and `pipeline tune`, on our own examples. The searches are cut by
max_trials, and the time budget is tested against a fake clock: how many tries fit in a few
seconds depends on how busy the machine is."""

import importlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import _describe, app
from pipeline.tune import GRID

TUNE = importlib.import_module("pipeline.tune")  # the module: pipeline.tune is the function
TOPICS = Path(__file__).resolve().parent.parent / "labels" / "examples" / "topics.csv"


def scores(trials):
    return [(t.settings, t.macro_f1, t.accuracy) for t in trials]


@pytest.fixture(scope="module")
def tuned(examples):
    """A search of four tries over the topic head: (best, trials)."""
    return pipeline.tune(examples["texts"], examples["topic"], time_budget=600, max_trials=4, seed=0)


def test_the_defaults_are_tried_first(tuned):
    _, trials = tuned
    assert trials[0].settings == pipeline.Settings(word_ngrams=(1, 1), char_ngrams=(1, 2), min_df=1, nb_scaling=None)  # "auto" on short texts
    assert len({t.settings for t in trials}) == len(trials) == 4  # then other, distinct combinations


def test_the_best_is_the_top_scoring_trial_and_in_the_grid(tuned):
    best, trials = tuned
    top = max(trials, key=lambda t: (t.macro_f1, t.accuracy))
    assert best == top.settings
    for name, values in GRID.items():
        assert getattr(best, name) in values
    for t in trials:
        assert 0 <= t.macro_f1 <= 1 and 0 <= t.accuracy <= 1 and t.seconds > 0


class SlowClock:
    """Stands in for the time module in pipeline.tune: every reading is one second after the last."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        self.now += 1.0
        return self.now


def test_the_time_budget_is_respected(examples, monkeypatch):
    counts = []
    for budget in (0, 4, 8, 16):
        monkeypatch.setattr(TUNE, "time", SlowClock())
        best, trials = pipeline.tune(examples["texts"], examples["topic"], time_budget=budget, max_trials=50)
        assert best == max(trials, key=lambda t: (t.macro_f1, t.accuracy)).settings
        counts.append(len(trials))
    assert counts[0] == 1  # a budget spent before the first try still runs that one
    assert counts == sorted(set(counts)) and counts[-1] < 50  # more seconds, more tries; the budget stops them


def test_a_seed_gives_the_same_search(tuned, examples):
    _, first = tuned
    _, again = pipeline.tune(examples["texts"], examples["topic"], time_budget=600, max_trials=4, seed=0)
    assert scores(first) == scores(again)
    _, other = pipeline.tune(examples["texts"], examples["topic"], time_budget=600, max_trials=3, seed=1)
    assert [t.settings for t in other[1:3]] != [t.settings for t in first[1:3]]


@pytest.mark.parametrize(
    "labels, error, needle",
    [
        (["体育"] * 10, pipeline.DataError, "only one class ('体育')"),
        ([None] * 10, pipeline.DataError, "no labels"),
        (["体育"] * 5 + ["财经"] * 2 + ["健康"] * 3, pipeline.DataError, "class '财经' has 2 labeled rows"),
        (["体育"] * 9, pipeline.ConfigError, "has 9 labels for 10 texts"),
    ],
)
def test_unusable_labels_are_refused(labels, error, needle, examples):
    with pytest.raises(error, match=needle.replace("(", r"\(").replace(")", r"\)")):
        pipeline.tune(examples["texts"][:10], labels, time_budget=0)


@pytest.mark.parametrize("option", [{"folds": 1}, {"time_budget": -1}, {"max_trials": 0}])
def test_bad_options_are_refused(option, examples):
    with pytest.raises(pipeline.ConfigError):
        pipeline.tune(examples["texts"], examples["topic"], **option)


# ---- the command ----------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_prints_each_try_and_the_best_and_writes_a_loadable_model(tmp_path):
    out = tmp_path / "tuned"
    result = runner.invoke(app, ["tune", str(TOPICS), "--label-col", "topic", "--max-trials", "2", "--out", str(out)])
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.stdout.splitlines()
    tries = [line for line in lines if line.startswith("try: ")]
    assert len(tries) == 2
    assert tries[0].startswith(f"try: {_describe(pipeline.Settings(word_ngrams=(1, 1), char_ngrams=(1, 2), min_df=1, nb_scaling=None))}: macro-F1 ")
    assert all(" accuracy " in line and line.endswith(" s") for line in tries)
    best = next(line for line in lines if line.startswith("best: "))
    assert lines.index(best) == len(tries)  # after every try, before the report
    assert any(line.startswith("== topic: ") for line in lines)  # the --valid report of the final model
    model = pipeline.load(str(out))
    assert best == f"best: {_describe(model.settings)}"
    assert model.training["valid"] == 0.1 and model.training["heads"]["topic"]["empty_rows"] == 36
    assert model.predict(["男篮亚洲杯半决赛，中国队以一分险胜对手。"])["topic"][0] in model.classes_["topic"]


def _one_class_csv(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("text,topic\n" + "".join(f"体育新闻第{i}条,体育\n" for i in range(6)), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "make, column, needles",
    [
        (lambda tmp_path: TOPICS, "genre", ["no column 'genre'", "text, topic, quality"]),
        (_one_class_csv, "topic", ["only one class ('体育')"]),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(make, column, needles, tmp_path):
    data, out = make(tmp_path), tmp_path / "model"
    result = runner.invoke(app, ["tune", str(data), "--label-col", column, "--time-budget", "0", "--out", str(out)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (result.output, result.exception)
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {data}: ")
    assert all(needle in line for needle in needles), line
    assert not out.exists()
