"""Topic benchmark: pipeline against fastText and a plain scikit-learn baseline, side by side.

For each set in ../shared/data/topic: a seeded, stratified 80/20 split of train.csv; every system
trains on the 80% and labels the 20% from raw text (normalization and segmentation included in the
timings). Prints a markdown table; `--out FILE` also writes it.

    .venv/bin/python bench/topic.py [--sets sogou_news,...] [--out bench/out/topic.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

from sklearn.metrics import accuracy_score, f1_score

import pipeline
from pipeline import io
from pipeline.model import stratified_split

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "topic"
SETS = {
    "sogou_news": "sogou_news/train.csv.gz",
    "thucnews_articles": "thucnews_articles/train.csv",
    "thucnews_titles": "thucnews_titles/train.csv",
    "nlpcc_headlines": "nlpcc_headlines/train.csv",
}
BATCH = 512


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def run_pipeline(train_x, train_y, test_x, work: Path):
    start = time.perf_counter()
    model = pipeline.train(train_x, {"topic": train_y}, valid=0)
    fit = time.perf_counter() - start
    model.save(str(work / "pipeline"))
    start = time.perf_counter()
    predicted = []
    for i in range(0, len(test_x), BATCH):
        predicted.extend(model.predict(test_x[i : i + BATCH])["topic"])
    return predicted, fit, time.perf_counter() - start, dir_size(work / "pipeline")


def _segmented(texts, tokenizer):
    return [" ".join(tokenizer(pipeline.normalize(t).replace("\n", " "))) for t in texts]


def run_fasttext(train_x, train_y, test_x, work: Path):
    import fasttext

    tokenizer = pipeline.Tokenizer()
    start = time.perf_counter()
    lines = [f"__label__{y} {x}" for x, y in zip(_segmented(train_x, tokenizer), train_y)]
    (work / "ft.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ft = fasttext.train_supervised(str(work / "ft.txt"), wordNgrams=2, epoch=25, lr=0.5, dim=100, minn=0, maxn=0, thread=1, verbose=0)
    fit = time.perf_counter() - start
    ft.save_model(str(work / "ft.bin"))
    start = time.perf_counter()
    predicted = [ft.predict(line)[0][0].removeprefix("__label__") for line in _segmented(test_x, tokenizer)]
    return predicted, fit, time.perf_counter() - start, dir_size(work / "ft.bin")


def jieba_cut(text: str) -> list[str]:
    import jieba

    return jieba.lcut(text)


def run_sklearn(train_x, train_y, test_x, work: Path):
    import pickle

    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    jieba.setLogLevel(60)
    start = time.perf_counter()
    clf = make_pipeline(TfidfVectorizer(tokenizer=jieba_cut, token_pattern=None, lowercase=False), LinearSVC())
    clf.fit(train_x, train_y)
    fit = time.perf_counter() - start
    (work / "sk.pkl").write_bytes(pickle.dumps(clf))
    start = time.perf_counter()
    predicted = list(clf.predict(test_x))
    return predicted, fit, time.perf_counter() - start, dir_size(work / "sk.pkl")


SYSTEMS = {"fastText": run_fasttext, "pipeline": run_pipeline, "sklearn tfidf+LinearSVC": run_sklearn}  # fastText first: the ratios need it


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--out", help="also write the table to this file")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"error: {DATA} not found; the benchmark needs ../shared/data beside the repository")

    header = "| set | system | accuracy | macro-F1 | train s | predict docs/s | size MB | docs/s vs fastText |"
    rows = [header, "|---" * (header.count("|") - 1) + "|"]
    print(rows[0], rows[1], sep="\n", flush=True)
    for name in args.sets.split(","):
        data = io.read_labeled(str(DATA / SETS[name]), text_col="text", label_cols=["label"])
        y = data.labels["label"]
        train_rows, test_rows = stratified_split(y, 0.2, seed=0)
        train_x, train_y = [data.texts[i] for i in train_rows], [y[i] for i in train_rows]
        test_x, test_y = [data.texts[i] for i in test_rows], [y[i] for i in test_rows]
        fasttext_rate = None
        for system, run in SYSTEMS.items():
            with tempfile.TemporaryDirectory() as work:
                predicted, fit, predict, size = run(train_x, train_y, test_x, Path(work))
            rate = len(test_x) / predict
            fasttext_rate = fasttext_rate or rate
            acc, f1 = accuracy_score(test_y, predicted), f1_score(test_y, predicted, average="macro")
            row = f"| {name} | {system} | {acc:.4f} | {f1:.4f} | {fit:.1f} | {rate:,.0f} | {size / 1e6:.1f} | {rate / fasttext_rate:.2f}x |"
            rows.append(row)
            print(row, flush=True)
    footer = (
        f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; single process, 80/20 seeded split"
    )
    print(footer)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text("\n".join(rows) + "\n" + footer + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
