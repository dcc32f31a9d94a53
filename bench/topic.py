"""Topic benchmark: pipeline against a tuned fastText and a plain scikit-learn baseline, side by side.

For each set in ../shared/data/topic: a seeded, stratified 80/20 split of train.csv; every system
trains on the 80% and labels the 20% from raw text (normalization and segmentation included in the
timings). Every system runs in a fresh process of this same script (hidden `--one SYSTEM SET`
mode, which prints one JSON line), so its peak RSS is its own. Prints a markdown table; `--out FILE`
also writes it.

fastText (tuned): two candidates are fitted on a further stratified 80/20 split of the training 80%
and scored on its 20% (validation, never the test rows): our manual settings (wordNgrams 2, 50
epochs, lr 1.0) and fastText's own autotune (`--autotune-duration` seconds per set). The better one on
validation accuracy is refitted on the whole training 80% with one thread and that is the row.

    .venv/bin/python bench/topic.py [--sets sogou_news,...] [--out bench/out/topic.md] [--autotune-duration 60]

`--cv K` instead cross-validates accuracy in K folds of each set's whole train.csv (see cross_validate).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "topic"
SETS = {
    "sogou_news": "sogou_news/train.csv.gz",
    "thucnews_articles": "thucnews_articles/train.csv",
    "thucnews_titles": "thucnews_titles/train.csv",
    "nlpcc_headlines": "nlpcc_headlines/train.csv",
}
BATCH = 512
PASSES = 3  # prediction is timed this many times over the test rows; the table gives the median
BINS = 15
MARK = "@@topic-bench@@ "  # prefix of the one JSON line a child prints; anything else on stdout is ignored
FT_MANUAL = dict(wordNgrams=2, epoch=50, lr=1.0, dim=100, minn=0, maxn=0)  # 25 epochs at lr 0.5 underfit the small sets
FT_ARGS = ["lr", "dim", "ws", "epoch", "minCount", "minCountLabel", "minn", "maxn", "neg", "wordNgrams", "loss", "bucket", "lrUpdateRate", "t"]
FT_SHOWN = ["epoch", "lr", "dim", "wordNgrams", "minn", "maxn", "bucket", "loss", "minCount"]


def _show(settings: dict) -> str:
    if "failed" in settings:
        return f"failed: {settings['failed']}"
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in settings.items() if k in FT_SHOWN)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def save(table: str, out: str | None) -> None:
    """Write a benchmark's table to `out` (folders made as needed), when one is given."""
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(table + "\n", encoding="utf-8")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ece(confidence, correct, bins: int = BINS) -> float:
    """Expected calibration error: equal-width bins of the top probability, |accuracy - confidence| weighted by bin size."""
    confidence, correct = np.clip(np.asarray(confidence, dtype=float), 0, 1), np.asarray(correct, dtype=float)
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.sum() * abs(correct[mask].mean() - confidence[mask].mean())
    return total / len(confidence)


def load_set(name: str) -> tuple[list[str], list[str]]:
    from pipeline import io

    data = io.read_labeled(str(DATA / SETS[name]), text_col="text", label_cols=["label"])
    return data.texts, data.labels["label"]


def load_split(name: str):
    from pipeline.model import stratified_split

    x, y = load_set(name)
    train_rows, test_rows = stratified_split(y, 0.2, seed=0)
    return [x[i] for i in train_rows], [y[i] for i in train_rows], [x[i] for i in test_rows], [y[i] for i in test_rows]


# --- systems: each trains on the training rows and returns (label function, train s, size bytes); the
# label function maps raw texts to (labels, top probabilities or None) ---


def run_pipeline(train_x, train_y, work: Path, **_):
    import pipeline

    start = time.perf_counter()
    model = pipeline.train(train_x, {"topic": train_y}, valid=0)
    fit = time.perf_counter() - start
    model.save(str(work / "pipeline"))
    classes = np.asarray(model.classes_["topic"], dtype=object)

    def label(texts):
        predicted, confidence = [], []
        for i in range(0, len(texts), BATCH):
            proba = model.predict_proba(texts[i : i + BATCH])["topic"]
            predicted.extend(classes[proba.argmax(axis=1)])
            confidence.extend(proba.max(axis=1))
        return predicted, confidence

    return label, fit, dir_size(work / "pipeline")


def _segmented(texts, tokenizer):
    import pipeline

    return [" ".join(tokenizer(pipeline.normalize(t).replace("\n", " "))) for t in texts]


def _ft_file(path: Path, texts, labels, tokenizer) -> Path:
    path.write_text("".join(f"__label__{y} {x}\n" for x, y in zip(_segmented(texts, tokenizer), labels)), encoding="utf-8")
    return path


def _ft_settings(ft) -> dict:
    a = ft.f.getArgs()
    return {k: (getattr(a, k).name if k == "loss" else getattr(a, k)) for k in FT_ARGS}


def run_fasttext(train_x, train_y, work: Path, ft_settings: dict | None = None, **_):
    """Fit with the given settings (the manual ones by default) on one thread; predict single-threaded in batches."""
    import fasttext
    import pipeline

    settings = ft_settings or FT_MANUAL
    tokenizer = pipeline.Tokenizer()
    start = time.perf_counter()
    _ft_file(work / "ft.txt", train_x, train_y, tokenizer)
    ft = fasttext.train_supervised(str(work / "ft.txt"), **settings, thread=1, verbose=0)
    fit = time.perf_counter() - start
    ft.save_model(str(work / "ft.bin"))

    def label(texts):
        predicted, confidence = [], []
        for i in range(0, len(texts), BATCH):
            labels, probs = ft.predict(_segmented(texts[i : i + BATCH], tokenizer), k=1)
            predicted.extend(label[0].removeprefix("__label__") for label in labels)
            confidence.extend(min(float(p[0]), 1.0) for p in probs)
        return predicted, confidence

    return label, fit, dir_size(work / "ft.bin")


def jieba_cut(text: str) -> list[str]:
    import jieba

    return jieba.lcut(text)


def run_sklearn(train_x, train_y, work: Path, **_):
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
    return lambda texts: (list(clf.predict(texts)), None), fit, dir_size(work / "sk.pkl")


def search_fasttext(train_x, train_y, work: Path, duration: int) -> dict:
    """Pick fastText's settings on a validation split of the training rows: manual settings vs autotune."""
    import fasttext
    import pipeline
    from pipeline.model import stratified_split

    start = time.perf_counter()
    tokenizer = pipeline.Tokenizer()
    fit_rows, valid_rows = stratified_split(train_y, 0.2, seed=1)
    fit_file = _ft_file(work / "fit.txt", [train_x[i] for i in fit_rows], [train_y[i] for i in fit_rows], tokenizer)
    valid_file = _ft_file(work / "valid.txt", [train_x[i] for i in valid_rows], [train_y[i] for i in valid_rows], tokenizer)
    threads = os.cpu_count() or 1
    try:
        manual = fasttext.train_supervised(str(fit_file), **FT_MANUAL, thread=threads, verbose=0)
        manual_acc = manual.test(str(valid_file))[1]  # precision@1 = accuracy with one label per row
        del manual
    except RuntimeError as error:  # lr 1.0 can diverge ("Encountered NaN"): then autotune wins
        print(f"manual fastText settings failed: {error}", file=sys.stderr)
        manual_acc = -1.0
    try:  # autotune's final "training again with best arguments" can diverge too (hogwild, high lr)
        tuned = fasttext.train_supervised(
            input=str(fit_file), autotuneValidationFile=str(valid_file), autotuneDuration=duration, thread=threads, verbose=0
        )
        tuned_acc = tuned.test(str(valid_file))[1]
        tuned_settings = _ft_settings(tuned)
        del tuned
    except RuntimeError as error:
        print(f"fastText autotune failed: {error}", file=sys.stderr)
        tuned_acc, tuned_settings = -1.0, {"failed": str(error)}
    if max(manual_acc, tuned_acc) < 0:
        raise RuntimeError("both fastText candidates failed")
    chosen = "autotune" if tuned_acc > manual_acc else "manual"
    return {
        "chosen": chosen,
        "settings": tuned_settings if chosen == "autotune" else dict(FT_MANUAL),
        "autotune_settings": tuned_settings,
        "valid_acc": {"manual": manual_acc, "autotune": tuned_acc},
        "valid_rows": len(valid_rows),
        "search_s": time.perf_counter() - start,
        "peak_mb": peak_mb(),
    }


SYSTEMS = {"fastText (tuned)": run_fasttext, "pipeline": run_pipeline, "sklearn tfidf+LinearSVC": run_sklearn}  # fastText first: the ratios need it


def one(system: str, name: str, ft_settings: dict | None, duration: int) -> dict:
    """Child process: run one system (or the fastText search) on one set, return what the table needs."""
    train_x, train_y, test_x, test_y = load_split(name)
    with tempfile.TemporaryDirectory() as work:
        if system == "fastText search":
            return search_fasttext(train_x, train_y, Path(work), duration)
        label, fit, size = SYSTEMS[system](train_x, train_y, Path(work), ft_settings=ft_settings)
        seconds = []
        for _ in range(PASSES):
            start = time.perf_counter()
            predicted, confidence = label(test_x)
            seconds.append(time.perf_counter() - start)
    from sklearn.metrics import accuracy_score, f1_score

    correct = [p == t for p, t in zip(predicted, test_y)]
    return {
        "accuracy": accuracy_score(test_y, predicted),
        "macro_f1": f1_score(test_y, predicted, average="macro"),
        "ece": None if confidence is None else ece(confidence, correct),
        "train_s": fit,
        "docs_per_s": len(test_x) / statistics.median(seconds),
        "size_mb": size / 1e6,
        "peak_mb": peak_mb(),
    }


def cross_validate(names: list[str], folds: int) -> str:
    """--cv K: every system's accuracy in K seeded, stratified folds of the whole train.csv, all in this
    process; fastText with the manual settings (no search per fold). For a small set, whose 20% test
    split is a few hundred texts (one text of thucnews_articles is 0.36 points), K folds score
    every text once."""
    from sklearn.model_selection import StratifiedKFold

    rows = [
        f"| set | system | accuracy, mean of {folds} folds | lowest - highest fold | pipeline minus it, points | folds pipeline is ahead |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        x, y = load_set(name)
        correct = {system: [] for system in SYSTEMS}
        for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
            for system, run in SYSTEMS.items():
                with tempfile.TemporaryDirectory() as work:
                    label, _, _ = run([x[i] for i in train], [y[i] for i in train], Path(work))
                    predicted, _ = label([x[i] for i in test])
                correct[system].append(np.mean([p == y[i] for p, i in zip(predicted, test)]))
                print(f"{name} fold {len(correct[system])} {system}: {correct[system][-1]:.4f}", file=sys.stderr, flush=True)
        ours = np.array(correct["pipeline"])
        for system, accs in correct.items():
            accs = np.array(accs)
            lead = "- | -" if system == "pipeline" else f"{100 * (ours - accs).mean():+.2f} | {(ours > accs).sum()} of {folds}"
            shown = "fastText (manual)" if system.startswith("fastText") else system  # no search per fold
            rows.append(f"| {name} | {shown} | {accs.mean():.4f} | {accs.min():.4f} - {accs.max():.4f} | {lead} |")
    return "\n".join(rows) + (
        f"\n\nEach set's whole train.csv; {platform.machine()}, Python {platform.python_version()}; fastText: {FT_MANUAL}, one thread."
    )


def child(system: str, name: str, args, ft_settings: dict | None = None) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--one", system, name, "--autotune-duration", str(args.autotune_duration)]
    if ft_settings is not None:
        command += ["--ft-settings", json.dumps(ft_settings)]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # autotune's progress is noisy
    if done.returncode != 0:
        sys.exit(f"{done.stderr}\nerror: {system} on {name} failed (exit {done.returncode})")
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith(MARK))[len(MARK) :])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--autotune-duration", type=int, default=60, help="seconds of fastText autotune per set (default 60)")
    parser.add_argument("--cv", type=int, metavar="K", help="cross-validate every system in K folds of the whole set instead")
    parser.add_argument("--one", nargs=2, metavar=("SYSTEM", "SET"), help=argparse.SUPPRESS)
    parser.add_argument("--ft-settings", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"error: {DATA} not found; the benchmark needs ../shared/data beside the repository")
    if args.one:
        result = one(*args.one, json.loads(args.ft_settings) if args.ft_settings else None, args.autotune_duration)
        print(MARK + json.dumps(result), flush=True)
        return
    names = args.sets.split(",")
    unknown = [n for n in names if n not in SETS]
    if unknown:
        sys.exit(f"error: unknown set {unknown[0]!r}; the sets are: {', '.join(SETS)}")

    if args.cv:
        table = cross_validate(names, args.cv)
        print(table)
        save(table, args.out)
        return
    header = (
        "| set | system | accuracy | macro-F1 | ECE | train s | predict docs/s | size MB | peak MB | docs/s vs fastText | acc vs fastText |"
    )
    rows = [header, "|---" * (header.count("|") - 1) + "|"]
    print(rows[0], rows[1], sep="\n", flush=True)
    notes = []
    for name in names:
        search = child("fastText search", name, args)
        ft = None
        for system in SYSTEMS:
            r = child(system, name, args, search["settings"] if system.startswith("fastText") else None)
            ft = ft or r
            ece_cell = "-" if r["ece"] is None else f"{r['ece']:.3f}"
            row = (
                f"| {name} | {system} | {r['accuracy']:.4f} | {r['macro_f1']:.4f} | {ece_cell} | {r['train_s']:.1f} | "
                f"{r['docs_per_s']:,.0f} | {r['size_mb']:.1f} | {r['peak_mb']:,.0f} | {r['docs_per_s'] / ft['docs_per_s']:.2f}x | "
                f"{(r['accuracy'] - ft['accuracy']) * 100:+.1f} |"
            )
            rows.append(row)
            print(row, flush=True)
        shown = _show(search["settings"])
        valid = search["valid_acc"]
        note = (
            f"- {name}: fastText chose **{search['chosen']}** ({shown}); validation accuracy "
            f"autotune {valid['autotune']:.4f} vs manual {valid['manual']:.4f} on {search['valid_rows']:,} rows; "
            f"search {search['search_s']:.0f} s, peak {search['peak_mb']:,.0f} MB (not in the row)"
        )
        if search["chosen"] == "manual":
            note += "; autotune had: " + _show(search["autotune_settings"])
        notes.append(note)
    footer = "\n".join(
        [
            "",
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            "80/20 seeded split; every system in its own process (peak MB = its max RSS, interpreter, imports and the "
            "loaded set included); training and prediction on one thread, prediction from raw text in batches of "
            f"{BATCH}, docs/s the median of {PASSES} passes over the test rows; ECE over {BINS} equal-width bins of the top probability (- : LinearSVC gives none); "
            "acc vs fastText in points.",
            "",
            f"fastText (tuned): the better on a validation split of the training 80% (manual settings "
            f"{', '.join(f'{k}={v}' for k, v in FT_MANUAL.items())} vs autotune for {args.autotune_duration} s on "
            f"{os.cpu_count()} threads), refitted on the training 80%; train s is that refit, the search is extra:",
            *notes,
        ]
    )
    print(footer)
    save("\n".join(rows) + "\n" + footer, args.out)


if __name__ == "__main__":
    main()
