"""Default-model benchmark: models/default on the held-back 20% of every topic set, against one model per set.

The held-back rows are the ones models/build.py leaves out (the seeded 80/20 split of bench/topic.py),
with their labels mapped onto labels/topics.toml. On each set:
  - the default model, topic heads reading the cleaned text (what users get) and the whole text (--no-clean),
    its best label among the set's own labels only (how well it knows the topics the set has,
    without the chance to pick one of its other labels), without its long-text model (what that adds),
    and, on the long-article sets, on noisy copies of the held-back articles (bench/noise.py, as
    bench/robustness.py makes them: wrapped in boilerplate and ads, traditional script, pinyin);
  - "one model per set": pipeline trained with default settings on that set's 80% alone (mapped labels),
    the issue's yardstick (the default model may be at most 3 points below it);
  - fastText (bench/topic.py's manual settings, one thread) trained on the same pooled 80% as the default.
Then per-topic precision / recall / F1 over all held-back rows, the directory's size, the cold start
(a fresh `python` process that imports pipeline, loads the model and labels one short document; median
of 5), and throughput on the first 2,000 held-back long articles and their noisy copies: in process
(fastText's topic label, the default's topic heads alone, the default with its quality part), and
`pipeline predict` / `pipeline clean` as whole processes with --jobs 1 and 2 (median of 3 each).

    .venv/bin/python bench/default_model.py [--model models/default] [--data ../shared/data] [--out bench/out/default_model.md]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402
from pipeline.evaluate import report  # noqa: E402

BATCH = 512
TARGET = 3.0  # points the default may lose against one model per set
COLD_RUNS = 5
SPEED_DOCS = 2000  # held-back long articles timed for throughput
SPEED_RUNS = 3
COLD_START = """
import time
start = time.perf_counter()
import pipeline
model = pipeline.load({model!r})
model.predict(["国产新款折叠屏手机今天发布，铰链寿命提升到四十万次。"])
print(time.perf_counter() - start)
"""


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load("models_build", ROOT / "models" / "build.py")
topic = _load("bench_topic", HERE / "topic.py")
noise = _load("bench_noise", HERE / "noise.py")
NOISE_SEED = 0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def topic_proba(model: pipeline.Model, texts: list[str], clean: bool) -> np.ndarray:
    return np.vstack([model.predict_proba(texts[i : i + BATCH], clean=clean)["topic"] for i in range(0, len(texts), BATCH)])


def best(classes: np.ndarray, proba: np.ndarray, allowed=None) -> list[str]:
    """The most probable label of each row, among `allowed` labels only when given."""
    if allowed is not None:
        proba = np.where(np.isin(classes, sorted(allowed)), proba, -1.0)
    return list(classes[proba.argmax(axis=1)])


def accuracy(guess, truth) -> float:
    return sum(g == t for g, t in zip(guess, truth)) / len(truth)


def cold_start(model_dir: Path) -> tuple[float, float]:
    """Median (in-process seconds: import + load + one prediction, wall seconds of the whole process)."""
    inside, wall = [], []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", COLD_START.format(model=str(model_dir))], capture_output=True, text=True, check=True)
        wall.append(time.perf_counter() - start)
        inside.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(inside), statistics.median(wall)


def _median_seconds(run, runs: int = SPEED_RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(model: pipeline.Model, model_dir: Path, texts: dict[str, list[str]], ft_label) -> list[str]:
    """Table rows: docs/s of each way to label `texts` (kind -> texts), and each against fastText's."""
    topic_only = copy.copy(model)
    topic_only.quality = None
    ways = {
        "fastText (pooled), topic only, in process": lambda xs: ft_label(xs),
        "default, topic heads only (no quality part), in process": lambda xs: topic_proba(topic_only, xs, True),
        "default, topic + quality, in process": lambda xs: topic_proba(model, xs, True),
    }
    rates: dict[str, list[float]] = {}
    for xs in texts.values():
        for name, label in ways.items():
            rates.setdefault(name, []).append(len(xs) / _median_seconds(lambda: label(xs)))
        with tempfile.TemporaryDirectory() as work:
            source, out = Path(work) / "in.jsonl", Path(work) / "out.jsonl"
            source.write_text("".join(json.dumps({"text": x}, ensure_ascii=False) + "\n" for x in xs), encoding="utf-8")
            for command in ("predict", "clean"):
                for jobs in (1, 2):
                    argv = [sys.executable, "-m", "pipeline", command, str(source), "--model", str(model_dir), "-j", str(jobs), "--out", str(out)]
                    seconds = _median_seconds(lambda: subprocess.run(argv, capture_output=True, check=True))
                    rates.setdefault(f"`pipeline {command} -j {jobs}`, whole process", []).append(len(xs) / seconds)
    reference = rates[next(iter(ways))]
    return [
        f"| {name} | " + " | ".join(f"{r:,.0f} ({r / ref:.2f}x)" for r, ref in zip(row, reference)) + " |"
        for name, row in rates.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--data", type=Path, default=build.DATA)
    parser.add_argument("--out")
    args = parser.parse_args()
    model = pipeline.load(str(args.model))
    classes = np.asarray(model.classes_["topic"])
    without_long = copy.copy(model)
    without_long.long = None
    splits = {name: build.topic_split(args.data, name) for name in build.TOPIC_SETS}

    log("fastText on the pooled training rows")
    pooled_x = [x for s in splits.values() for x in s[0]]
    pooled_y = [y for s in splits.values() for y in s[1]]
    held_x = [x for s in splits.values() for x in s[2]]
    with tempfile.TemporaryDirectory() as work:
        ft_label, ft_fit, _ = topic.run_fasttext(pooled_x, pooled_y, Path(work))
        ft_guess, _ = ft_label(held_x)
    log(f"  fitted in {ft_fit:.0f} s")

    rows, all_truth, all_guess, long_x, long_noisy = [], [], [], [], []
    offset = 0
    for name, (train_x, train_y, test_x, test_y) in splits.items():
        log(name)
        proba = topic_proba(model, test_x, clean=True)
        cleaned = best(classes, proba)
        among_own = best(classes, proba, allowed=set(train_y))
        whole = best(classes, topic_proba(model, test_x, clean=False))
        short_only = best(classes, topic_proba(without_long, test_x, clean=True))
        alone = pipeline.train(train_x, {"topic": train_y}, valid=0, seed=build.SEED)
        own = best(np.asarray(alone.classes_["topic"]), topic_proba(alone, test_x, clean=False))
        ft = ft_guess[offset : offset + len(test_x)]
        offset += len(test_x)
        all_truth += test_y
        all_guess += cleaned
        a_clean, a_among, a_whole, a_short, a_own, a_ft = (accuracy(g, test_y) for g in (cleaned, among_own, whole, short_only, own, ft))
        noisy = "-"
        if name in build.LONG_SETS:
            noisy_x = [noise.noisy(t, noise.rng_for(NOISE_SEED, i)) for i, t in enumerate(test_x)]
            long_x += test_x
            long_noisy += noisy_x
            a_noisy = accuracy(best(classes, topic_proba(model, noisy_x, clean=True)), test_y)
            noisy = f"{a_noisy:.4f} ({100 * (a_noisy - a_clean):+.1f})"
        verdict = "met" if 100 * (a_own - a_clean) <= TARGET else "MISSED"
        rows.append(
            f"| {name} | {len(test_x):,} | {a_clean:.4f} | {a_whole:.4f} | {a_among:.4f} | {a_short:.4f} | {noisy} | {a_own:.4f} | "
            f"{100 * (a_clean - a_own):+.1f} ({verdict}) | {a_ft:.4f} | {100 * (a_clean - a_ft):+.1f} |"
        )

    log("throughput")
    speed_x = long_x[:SPEED_DOCS]
    speed_texts = {"held-back articles": speed_x, "their noisy copies": long_noisy[:SPEED_DOCS]}
    speed_rows = throughput(model, args.model, speed_texts, ft_label)
    per_topic = report(all_truth, all_guess)["per_class"]
    inside, wall = cold_start(args.model)
    size = sum(p.stat().st_size for p in args.model.rglob("*") if p.is_file())
    out = [
        f"Default model `{args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model}` on the held-back 20% of each topic set (labels mapped by labels/topics.toml)",
        "",
        "| set | held-back texts | default | default, --no-clean | default, among the set's labels | default without its long-text model | default on noisy copies (points) | one model per set | default vs per set, points | fastText, pooled | default vs fastText, points |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "| topic | held-back texts | precision | recall | F1 |",
        "|---|---|---|---|---|",
        *(
            f"| {label} | {r['support']:,} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} |"
            for label, r in sorted(per_topic.items(), key=lambda item: -item[1]["support"])
        ),
        "",
        f"Size {size / 2**20:.1f} MB. Cold start (fresh process: import, load, label one short text), median of {COLD_RUNS}: "
        f"{inside:.2f} s inside Python, {wall:.2f} s wall for the whole process.",
        f"{platform.machine()}, {platform.python_version()}; fastText: {topic.FT_MANUAL}, one thread, fitted in {ft_fit:.0f} s.",
        "",
        f"Throughput on the first {len(speed_x):,} held-back articles of {', '.join(build.LONG_SETS)} "
        f"({sum(map(len, speed_x)) / len(speed_x):,.0f} characters on average) and on their noisy copies; docs/s, "
        f"median of {SPEED_RUNS}, and against fastText's in brackets. In process: batches of {BATCH}, one thread; "
        "whole process: the command from start to end on a JSONL file (Python start, model load, reading and writing included).",
        "",
        "| how | " + " | ".join(speed_texts) + " |",
        "|---|" + "---|" * len(speed_texts),
        *speed_rows,
    ]
    text = "\n".join(out)
    print(text)
    topic.save(text, args.out)


if __name__ == "__main__":
    main()
