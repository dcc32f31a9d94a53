"""Robustness benchmark: topic accuracy on clean articles against noisy copies of the same articles.

For each long-article topic set in ../shared/data/topic: the same seeded, stratified 80/20 split as
bench/topic.py. A topic model is trained on the 80% with default settings; every 20% article is
turned into a noisy copy by bench/noise.py (wrapped in page boilerplate and ad lines; then
traditional script, pinyin after words, or both; sometimes the body twice), seeded per document. The
table gives accuracy on the clean and the noisy texts and the drop in points. With `--quality DIR`,
the noisy texts are also passed through that model's `clean()` first (the noisy+clean column), and
the footer gives accuracy on what `pipeline predict` reads of them (the whole page where `clean()`
leaves less than a short headline: `pipeline.quality.topic_text`), the lines that model labels content
by what they are, and the same for two kinds of short page: each article bare (its paragraphs,
nothing around them) and each noisy page cut to the article and the one line above and below it.
fastText (our manual settings from bench/topic.py, one thread) gets the same columns when it is
installed.

    .venv/bin/python bench/robustness.py [--sets thucnews_articles,sogou_news] [--quality models/quality] [--limit 200] [--out bench/out/robustness.md]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "topic"
DEFAULT_SETS = "thucnews_articles,sogou_news"
BATCH = 512
TARGET = 1.0  # the bound on the drop, in points


def _load(name: str, path: Path):
    """A module of this folder by path (bench/ is not a package; `noise` is also a PyPI name)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


topic = _load("bench_topic", HERE / "topic.py")
noise = _load("bench_noise", HERE / "noise.py")
PINYIN_SHOWN = f"{noise.PINYIN_RATE[0]:.0%}-{noise.PINYIN_RATE[1]:.0%}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def accuracy(predicted, truth) -> float:
    return sum(p == t for p, t in zip(predicted, truth)) / len(truth)


class PipelineSystem:
    name = "pipeline"

    def __init__(self, train_x, train_y, work: Path):
        import pipeline

        self.model = pipeline.train(train_x, {"topic": train_y}, valid=0)

    def predict(self, texts) -> list[str]:
        out = []
        for i in range(0, len(texts), BATCH):
            out.extend(self.model.predict(texts[i : i + BATCH])["topic"])
        return out


class FastTextSystem:
    """bench/topic.py's manual fastText: same normalized and segmented text, FT_MANUAL settings, one thread."""

    name = "fastText (manual)"

    def __init__(self, train_x, train_y, work: Path):
        import fasttext

        import pipeline

        self.tokenizer = pipeline.Tokenizer()
        path = topic._ft_file(work / "ft.txt", train_x, train_y, self.tokenizer)
        self.model = fasttext.train_supervised(str(path), **topic.FT_MANUAL, thread=1, verbose=0)

    def predict(self, texts) -> list[str]:
        out = []
        for i in range(0, len(texts), BATCH):
            labels, _ = self.model.predict(topic._segmented(texts[i : i + BATCH], self.tokenizer), k=1)
            out.extend(label[0].removeprefix("__label__") for label in labels)
        return out


def noisy_copies(texts, rows, seed: int) -> tuple[list[str], list[str], list[list[str]]]:
    """A noisy copy of each text, what was done to it and its lines' roles, seeded by (seed, its row in
    the evaluation split): --limit does not change it."""
    pages = [noise.noisy_page(text, noise.rng_for(seed, row)) for text, row in zip(texts, rows)]
    return [p[0] for p in pages], [p[1] for p in pages], [p[2] for p in pages]


def kept_by_role(texts, labeled, roles) -> dict[str, tuple[int, int, float]]:
    """Per role of a line (article, ad, boilerplate): lines labeled content (`labeled`: label_lines of
    each text), lines in all, and the share of the role's characters in those content lines."""
    lines, kept, chars, kept_chars = Counter(), Counter(), Counter(), Counter()
    for text, page_lines, page_roles in zip(texts, labeled, roles):
        present = [role for line, role in zip(text.splitlines(), page_roles, strict=True) if line.strip()]
        for line, role in zip(page_lines, present, strict=True):
            size = len("".join(line.text.split()))
            lines[role] += 1
            chars[role] += size
            if line.label == "content":
                kept[role] += 1
                kept_chars[role] += size
    return {role: (kept[role], lines[role], kept_chars[role] / max(chars[role], 1)) for role in sorted(lines)}


def bare_note(cleaner, texts, rows, seed: int) -> str:
    """What `cleaner` keeps of the clean articles themselves, cut into paragraphs as the noisy copies
    are and with nothing around them: all of it, ideally."""
    pages = [noise.bare_page(text, noise.rng_for(seed, row)) for text, row in zip(texts, rows)]
    labeled = [cleaner.label_lines(page) for page in pages]
    kept = kept_by_role(pages, labeled, [["article"] * len(page.splitlines()) for page in pages])["article"]
    whole = sum(all(line.label == "content" for line in page) for page in labeled)
    return (
        f"the same articles bare (their paragraphs, nothing around them): {kept[0]:,} of {kept[1]:,} lines "
        f"labeled content ({kept[2]:.1%} of the characters); {whole} of {len(pages)} articles kept whole"
    )


def short_note(cleaner, texts, roles) -> str:
    """What `cleaner` labels content of the noisy pages cut down to the article and the one line above
    and below it: a short page, of a size the line classifier saw few of."""
    pages, page_roles = [], []
    for text, text_roles in zip(texts, roles):
        lines = [(line, role) for line, role in zip(text.splitlines(), text_roles, strict=True) if line.strip()]
        where = [i for i, (_, role) in enumerate(lines) if role == "article"]
        cut = lines[max(where[0] - 1, 0) : where[-1] + 2]
        pages.append("\n".join(line for line, _ in cut))
        page_roles.append([role for _, role in cut])
    kept = kept_by_role(pages, [cleaner.label_lines(page) for page in pages], page_roles)
    return "the same noisy pages cut to the article and one line above and below it, lines labeled content: " + "; ".join(
        f"{role} {k:,} of {n:,}" for role, (k, n, _) in kept.items()
    )


def cell(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=DEFAULT_SETS, help=f"comma-separated set names (default {DEFAULT_SETS})")
    parser.add_argument("--quality", metavar="DIR", help="a model directory whose clean(text) is applied to the noisy texts")
    parser.add_argument("--out", metavar="FILE", help="also write the table to this file")
    parser.add_argument("--limit", type=int, metavar="N", help="evaluate on a seeded sample of N documents of the 20%% (quick runs)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise (default 0)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"error: {DATA} not found; the benchmark needs ../shared/data beside the repository")
    names = args.sets.split(",")
    unknown = [n for n in names if n not in topic.SETS]
    if unknown:
        sys.exit(f"error: unknown set {unknown[0]!r}; the sets are: {', '.join(topic.SETS)}")
    if args.limit is not None and args.limit < 1:
        sys.exit("error: --limit must be at least 1")
    try:
        import pypinyin  # noqa: F401
    except ImportError:
        sys.exit("error: the noise needs pypinyin: .venv/bin/pip install -e '.[bench]'")

    cleaner = None
    if args.quality:
        import pipeline

        cleaner = pipeline.load(args.quality)
        if not callable(getattr(cleaner, "label_lines", None)):
            sys.exit(
                f"error: the model in {args.quality} has no label_lines() method; --quality needs a pipeline "
                "version with Model.label_lines(text) (the cleaning component)"
            )
    systems = [PipelineSystem]
    try:
        import fasttext  # noqa: F401

        systems.append(FastTextSystem)
    except ImportError:
        log("fasttext is not installed: pipeline rows only (.venv/bin/pip install -e '.[bench]')")

    header = "| set | system | acc clean | acc noisy | drop (points) | acc noisy+clean | drop (points) |"
    rows = [header, "|---" * (header.count("|") - 1) + "|"]
    print(*rows, sep="\n", flush=True)
    notes = []
    for name in names:
        train_x, train_y, test_x, test_y = topic.load_split(name)
        picked = list(range(len(test_x)))
        if args.limit is not None and args.limit < len(test_x):
            picked = sorted(random.Random(0).sample(picked, args.limit))
        clean_x, truth = [test_x[i] for i in picked], [test_y[i] for i in picked]
        start = time.perf_counter()
        noisy_x, kinds, roles = noisy_copies(clean_x, picked, args.seed)
        log(f"{name}: {len(noisy_x):,} noisy copies in {time.perf_counter() - start:.1f} s")
        cleaned_x = read_x = None
        if cleaner is not None:
            from pipeline.quality import clean_lines, topic_text

            start = time.perf_counter()
            labeled = [cleaner.label_lines(t) for t in noisy_x]  # once, for both the cleaned texts and the line counts
            cleaned_x = [clean_lines(page) for page in labeled]
            read_x = [topic_text(t, c) for t, c in zip(noisy_x, cleaned_x)]
            log(f"{name}: cleaned in {time.perf_counter() - start:.1f} s")
            kept = kept_by_role(noisy_x, labeled, roles)
            notes.append(
                f"- {name}: lines of the noisy pages that `{args.quality}` labels content, by what they are: "
                + "; ".join(f"{role} {k:,} of {n:,} ({share:.1%} of the characters)" for role, (k, n, share) in kept.items())
            )
            notes.append(f"- {name}: {bare_note(cleaner, clean_x, picked, args.seed)}")
            notes.append(f"- {name}: {short_note(cleaner, noisy_x, roles)}")
        by_kind = defaultdict(list)
        as_read = []
        for system in systems:
            log(f"{name}: training {system.name} on {len(train_x):,} documents")
            with tempfile.TemporaryDirectory() as work:
                try:
                    fitted = system(train_x, train_y, Path(work))
                except RuntimeError as error:  # fastText at lr 1.0 can diverge ("Encountered NaN")
                    log(f"{name}: {system.name} failed: {error}")
                    continue
                clean_acc = accuracy(fitted.predict(clean_x), truth)
                noisy_pred = fitted.predict(noisy_x)
                noisy_acc = accuracy(noisy_pred, truth)
                cleaned_acc = None if cleaned_x is None else accuracy(fitted.predict(cleaned_x), truth)
                if read_x is not None:
                    read_acc = accuracy(fitted.predict(read_x), truth)
                    as_read.append(f"{system.name} {read_acc:.4f} (drop {(clean_acc - read_acc) * 100:.1f})")
            groups = defaultdict(list)
            for kind, p, t in zip(kinds, noisy_pred, truth):
                groups[kind].append(p == t)
            for kind, hits in groups.items():
                by_kind[kind].append(f"{system.name} {sum(hits) / len(hits):.3f}")
            drop2 = None if cleaned_acc is None else (clean_acc - cleaned_acc) * 100
            row = (
                f"| {name} | {system.name} | {clean_acc:.4f} | {noisy_acc:.4f} | {(clean_acc - noisy_acc) * 100:.1f} | "
                f"{cell(cleaned_acc)} | {cell(drop2, 1)} |"
            )
            rows.append(row)
            print(row, flush=True)
        counts = Counter(kinds)
        notes.append(
            f"- {name}: {len(train_x):,} training, {len(clean_x):,} evaluation documents; noisy accuracy by kind of noise: "
            + "; ".join(f"{kind} (n={counts[kind]}): {', '.join(by_kind[kind])}" for kind in sorted(by_kind))
        )
        if read_x is not None:
            fell_back = sum(r is t for r, t in zip(read_x, noisy_x))
            notes.append(
                f"- {name}: clean() left less than a short headline of {fell_back} noisy page(s); accuracy on what "
                f"`pipeline predict` reads (the whole page for those): {', '.join(as_read)}"
            )
    footer = "\n".join(
        [
            "",
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"same seeded 80/20 split as bench/topic.py{f', evaluation capped at {args.limit} documents' if args.limit else ''}; "
            f"noise seed {args.seed}. drop = clean minus noisy accuracy, in points (the target is at most {TARGET:g}); "
            "noisy+clean: the noisy texts through "
            + (f"`{args.quality}`'s clean()" if args.quality else "a quality model's clean() (not run: no --quality)")
            + f". fastText (manual): {', '.join(f'{k}={v}' for k, v in topic.FT_MANUAL.items())}, one thread.",
            "",
            (
                "Noise (bench/noise.py): every document wrapped in 3-8 boilerplate lines above and below and 0-2 ad lines "
                f"between paragraphs; then one in three each traditional script, pinyin after {PINYIN_SHOWN} of the words, "
                f"or both; {noise.REPEAT:.0%} with the body repeated."
            ),
            *notes,
        ]
    )
    print(footer)
    topic.save("\n".join(rows) + "\n" + footer, args.out)

if __name__ == "__main__":
    main()
