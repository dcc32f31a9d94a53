"""Speed of pipeline's stages on sogou_news: prediction per stage and end to end, and training.

Split as bench/topic.py does it (seeded, stratified 80/20 of train.csv). Training is timed on the
80% (one process, valid=0, stages: prepare = normalize, and segment when the model has word
n-grams; features, classifier), the prediction stages on the first --sample test articles, end to
end with Model.predict_proba in batches of 512. Segmentation is timed even when the model does not
use it: it is the tokenizer's ceiling. Every figure is the median of --repeats runs
(--train-repeats for training), wall time unless --cpu.

    .venv/bin/python bench/speed.py --data /work/shared/data/topic [--sample 2000] [--repeats 5]
        [--train-repeats 1] [--save DIR] [--cpu]

Run the code of another checkout with the same script: PYTHONPATH=/path/to/checkout python bench/speed.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "topic"
BATCH = 512
CLOCK = time.perf_counter


def timed(fn, *args):
    start = CLOCK()
    result = fn(*args)
    return result, CLOCK() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the topic data directory (default: %(default)s)")
    parser.add_argument("--sample", type=int, default=2000, help="test articles timed for prediction")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--train-repeats", type=int, default=1)
    parser.add_argument("--save", help="also save the trained model here (to compare model bytes)")
    parser.add_argument("--cpu", action="store_true", help="time with this process's CPU time (steadier on a busy machine)")
    args = parser.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time

    import pipeline
    from pipeline import io
    from pipeline.features import featurize, fit_featurize, needs_tokens
    from pipeline.model import Settings, _fit_head, prepare, stratified_split
    from pipeline.text import normalize

    data = io.read_labeled(str(args.data / "sogou_news" / "train.csv.gz"), text_col="text", label_cols=["label"])
    y = data.labels["label"]
    train_rows, test_rows = stratified_split(y, 0.2, seed=0)
    train_x, train_y = [data.texts[i] for i in train_rows], [y[i] for i in train_rows]
    sample = [data.texts[i] for i in test_rows[: args.sample]]
    chars = sum(map(len, sample))

    model, train_s = timed(lambda: pipeline.train(train_x, {"topic": train_y}, valid=0))
    if args.save:
        model.save(args.save)

    settings = Settings().for_texts(train_x)
    stages = {"prepare": [], "features": [], "classifier": [], "sum": []}
    for _ in range(args.train_repeats):
        (clean, tokens), a = timed(prepare, train_x, settings)
        X, b = timed(fit_featurize, settings.feature_blocks(), clean, tokens, list(range(len(train_x))), [])
        _, c = timed(_fit_head, X, train_y, settings, 0)
        for key, value in zip(stages, (a, b, c, a + b + c)):
            stages[key].append(value)
    del clean, tokens, X

    steps = {"normalize": [], "segment": [], "features": [], "classifier": [], "end to end": []}
    head = model.heads["topic"]
    norm, tokenizer = model.settings.normalization, model.settings.tokenizer
    for _ in range(args.repeats):
        clean, a = timed(lambda: [normalize(t, norm) for t in sample])
        tokens, b = timed(lambda: [tokenizer(t) for t in clean])
        X, c = timed(featurize, model.blocks, clean, tokens)
        _, d = timed(head.predict_proba, X)
        _, e = timed(lambda: [model.predict_proba(sample[i : i + BATCH]) for i in range(0, len(sample), BATCH)])
        for key, value in zip(steps, (a, b, c, d, e)):
            steps[key].append(value)

    unused = "" if needs_tokens(model.blocks) else " (not used: no word n-grams)"
    med = {key + (unused if key == "segment" else ""): statistics.median(v) for key, v in steps.items()}
    clock = "CPU" if args.cpu else "wall"
    print(f"predict: {len(sample)} sogou_news test articles ({chars / 1e6:.1f}M chars), {clock} s, median of {args.repeats}")
    print("| stage | s | docs/s |")
    print("|---|---:|---:|")
    for key, value in med.items():
        print(f"| {key} | {value:.3f} | {len(sample) / value:,.0f} |")
    print()
    print(f"train: {len(train_x)} articles (80% split), one process, {clock} s, median of {args.train_repeats}")
    print("| stage | s |")
    print("|---|---:|")
    for key, values in stages.items():
        print(f"| {key} | {statistics.median(values):.2f} |")
    print(f"| pipeline.train() | {train_s:.2f} |")
    proba = model.predict_proba(sample)["topic"]
    print(f"\nsample check: sum of probabilities {float(np.sum(proba, dtype=np.float64)):.6f}, "
          f"labels hash {hash(tuple(proba.argmax(axis=1).tolist())) & 0xFFFFFFFF:08x}")


if __name__ == "__main__":
    main()
