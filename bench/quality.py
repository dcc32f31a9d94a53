"""Quality benchmark: content lines of web pages, and content / ad / spam documents.

Lines: `quality/web_pages/train.jsonl` (44 pages, content / boilerplate per line), 5-fold
cross-validation by page (pages shuffled with a seeded generator, never lines of one page on both
sides). Each fold's line model trains on the other pages plus our hand-written
`labels/examples/pages.jsonl` and the line labels of the content documents of
`quality/web_docs_dev.jsonl` (see dev_pages in models/build.py). Scored: content-line precision, recall and F1, and F1
by characters (NFKC, whitespace removed, as the data README counts). Then the held-out pages again, with
up to two real ad lines put between two of their content lines (the ad lines of web_docs_dev's ad
documents, which the line model takes as context only): how many it labels content.

Documents: `quality/web_docs_dev.jsonl` (50 hand-labeled documents), 5-fold stratified
cross-validation (seeded). Each fold trains the line model as above on the other folds' documents
(and scores the lines of its held-out content documents: crawled pages of another source than web_pages),
and the document model on the other folds' documents and our hand-written pages, plus (with
`--sample N`) N documents of each of `email_ads` and `chat_ads`, with the lexicons of
../shared/data/lexicons and labels/lexicons as features. Each fold's document model also labels real
news, which is content every one (real_news: held-back articles of the topic sets, their noisy
copies, held-back headlines): the share it labels content. The document model's page-line head learns
every line label of those documents, the ad and spam lines of ad and spam documents too (which the
line model takes as context only). Compared with the plain pipeline text classifier (word and char
n-grams, `pipeline.train`) trained on the same documents: what the line labels, layout and lexicons
add.

The recipe lives in models/build.py (`quality_recipe`; `train_quality_part` trains it on all the data
for the default model); `--big` only times label_lines and clean on one line of 1, 5 and 10 MB.

With `--doc-share F`, each fold trains on a seeded share F of the other folds' documents (per label):
how the document figure grows with the number of labeled documents.

    .venv/bin/python bench/quality.py [--out bench/out/quality.md] [--seed 0] [--sample 0] [--doc-share 1] [--big]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402
from pipeline import io  # noqa: E402
from pipeline.evaluate import report  # noqa: E402
from pipeline.quality import DOCUMENT_LABELS, train_quality  # noqa: E402


def _load(name: str, path: Path):
    """A module by path (models/ and bench/ are not packages)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load("models_build", ROOT / "models" / "build.py")
noise = _load("bench_noise", ROOT / "bench" / "noise.py")
DATA = build.DATA
FOLDS = 5
NEWS = 250  # held-back texts taken from each topic set for the real-news row


def squeezed_len(text: str) -> int:
    return len("".join(unicodedata.normalize("NFKC", text).split()))


def with_ads(lines: list[tuple[str, str]], ads: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """The page with up to two of `ads` put between two of its content lines, labeled "ad"."""
    gaps = [i for i in range(1, len(lines)) if lines[i - 1][1] == lines[i][1] == "content"]
    out = list(lines)
    for gap in sorted(rng.sample(gaps, min(len(gaps), 2)), reverse=True):
        out.insert(gap, (rng.choice(ads), "ad"))
    return out


def line_benchmark(seed: int) -> dict:
    pages = io.read_pages(str(DATA / "quality" / "web_pages" / "train.jsonl"))
    dev = io.read_pages(str(DATA / "quality" / "web_docs_dev.jsonl"))
    extra = [p.lines for p in io.read_pages(str(ROOT / "labels" / "examples" / "pages.jsonl"))]
    extra += build.dev_pages(dev)
    # Real ad lines the line model never learns (those of ad documents are context only, dev_pages).
    ads = [t for d in dev if d.label == "ad" for t, y in d.lines if y == "ad" and len(t) >= 8]
    rng = random.Random(seed)
    order = np.random.default_rng(seed).permutation(len(pages))
    truth, guess, chars = [], [], []
    ads_kept = ads_put = 0
    start = time.perf_counter()
    for k in range(FOLDS):
        held = set(order[k::FOLDS].tolist())
        train = [p.lines for i, p in enumerate(pages) if i not in held] + extra
        quality = train_quality(train, seed=seed)
        test = [pages[i] for i in sorted(held)]
        score_lines(test, quality.label_pages([[t for t, _ in p.lines] for p in test]), truth, guess, chars)
        injected = [with_ads(p.lines, ads, rng) for p in test]
        for page, labeled in zip(injected, quality.label_pages([[t for t, _ in p] for p in injected])):
            for (_, y), line in zip(page, labeled):
                if y == "ad":
                    ads_put += 1
                    ads_kept += line.label == "content"
    return {**content_scores(truth, guess, chars), "ads": (ads_kept, ads_put), "seconds": time.perf_counter() - start}


def score_lines(pages: list[io.Page], labeled, truth: list, guess: list, chars: list) -> None:
    """Add each line's truth (labeled content), guess (`labeled` says content) and size to the lists."""
    for page, lines in zip(pages, labeled):
        for (text, y), line in zip(page.lines, lines):
            truth.append(y == "content")
            guess.append(line.label == "content")
            chars.append(squeezed_len(text))


def content_scores(truth, guess, chars) -> dict:
    """Content-line precision, recall and F1, and F1 by characters."""
    t, g, c = np.array(truth), np.array(guess), np.array(chars, dtype=float)
    tp, fp, fn = (t & g).sum(), (~t & g).sum(), (t & ~g).sum()
    ctp, cfp, cfn = c[t & g].sum(), c[~t & g].sum(), c[t & ~g].sum()
    return {
        "lines": len(t),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "f1": 2 * tp / (2 * tp + fp + fn),
        "char_f1": 2 * ctp / (2 * ctp + cfp + cfn),
    }


def share_of(docs: list[io.Page], share: float, rng: np.random.Generator) -> list[io.Page]:
    """A seeded `share` of each label's documents (at least one), in their order."""
    picked = set()
    for label in sorted({d.label for d in docs}):
        rows = [i for i, d in enumerate(docs) if d.label == label]
        picked.update(rng.choice(rows, max(1, round(share * len(rows))), replace=False).tolist())
    return [d for i, d in enumerate(docs) if i in picked]


def real_news() -> dict[str, list[str]]:
    """Published news, a content document every one: the first NEWS held-back articles of each
    long-article topic set (the rows models/build.py leaves out), their noisy copies (bench/noise.py,
    noise seed 0: boilerplate and ad lines around and between paragraphs, traditional script,
    pinyin; still content by labels/quality.toml), and the first NEWS held-back headlines of each
    headline set."""
    articles = [x for name in build.LONG_SETS for x in build.topic_split(DATA, name)[2][:NEWS]]
    headlines = [x for name in build.TOPIC_SETS if name not in build.LONG_SETS for x in build.topic_split(DATA, name)[2][:NEWS]]
    noisy = [noise.noisy(text, noise.rng_for(0, i)) for i, text in enumerate(articles)]
    return {"articles": articles, "their noisy copies": noisy, "headlines": headlines}


def document_benchmark(seed: int, n_sample: int, share: float = 1.0) -> tuple[dict, dict, dict]:
    """The document label's scores per system, the content-line scores of the held-out content
    documents (each fold's line model never saw them), and per kind of real news the share of it
    each fold's document model labels content (all folds together)."""
    news = real_news()
    news_content = dict.fromkeys(news, 0)
    docs = io.read_pages(str(DATA / "quality" / "web_docs_dev.jsonl"))
    # Stratified folds: each label's documents dealt round-robin after a seeded shuffle.
    rng = np.random.default_rng(seed)
    fold = np.empty(len(docs), dtype=int)
    for label in DOCUMENT_LABELS:
        rows = rng.permutation([i for i, d in enumerate(docs) if d.label == label])
        fold[rows] = np.arange(len(rows)) % FOLDS
    # Each fold's training data, read once for both systems.
    splits = []
    for k in range(FOLDS):
        train = [d for i, d in enumerate(docs) if fold[i] != k]
        if share < 1:
            train = share_of(train, share, np.random.default_rng([seed, k]))
        splits.append((build.quality_recipe(train, seed, n_sample), [d for i, d in enumerate(docs) if fold[i] == k]))
    results = {}
    line_truth, line_guess, line_chars = [], [], []
    for name, full in (("pipeline quality model", True), ("pipeline text classifier (n-grams only)", False)):
        truth, guess = [], []
        start = time.perf_counter()
        for r, test in splits:
            test_texts = ["\n".join(t for t, _ in d.lines) for d in test]
            if full:
                quality = train_quality(
                    r["pages"], r["page_labels"], r["documents"], r["document_labels"], r["lexicons"],
                    document_line_labels=r["document_line_labels"], seed=seed,
                )
                proba = quality.document_proba(test_texts)
                guess += [quality.document.head.classes[j] for j in proba.argmax(axis=1)]
                articles = [d for d in test if d.label == "content"]
                labeled = quality.label_pages([[t for t, _ in d.lines] for d in articles])
                score_lines(articles, labeled, line_truth, line_guess, line_chars)
                content = quality.document.head.classes.index("content")
                for kind, texts in news.items():
                    news_content[kind] += int((quality.document_proba(texts).argmax(axis=1) == content).sum())
            else:
                pages = [p for p, y in zip(r["pages"], r["page_labels"]) if y]
                train_texts = ["\n".join(t for t, _ in p) for p in pages] + r["documents"]
                train_labels = [y for y in r["page_labels"] if y] + r["document_labels"]
                model = pipeline.train(train_texts, {"quality": train_labels}, valid=0, seed=seed)
                guess += list(model.predict(test_texts)["quality"])
            truth += [d.label for d in test]
        results[name] = {**report(truth, guess), "seconds": time.perf_counter() - start}
    shares = {kind: (news_content[kind] / (FOLDS * len(texts)), len(texts)) for kind, texts in news.items()}
    return results, content_scores(line_truth, line_guess, line_chars), shares


def big_line_timing(sizes_mb=(1, 5, 10)) -> list[tuple[int, float, float]]:
    """Seconds for label_lines and clean on one line of 1, 5 and 10 MB (a model trained on our
    pages only): the time should grow linearly with the size."""
    quality = train_quality([p.lines for p in io.read_pages(str(ROOT / "labels" / "examples" / "pages.jsonl"))])
    unit = "市图书馆新馆下月正式开放，馆内藏书超过两百万册，设有少儿阅览区和自习室。"
    rows = []
    for mb in sizes_mb:
        text = unit * (mb * 1_000_000 // len(unit))
        start = time.perf_counter()
        labeled = quality.label_lines(text)
        middle = time.perf_counter()
        quality.clean(text)
        rows.append((mb, middle - start, time.perf_counter() - middle))
        assert len(labeled) == 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=build.QUALITY_SAMPLE, help=f"documents taken from each of email_ads and chat_ads (default {build.QUALITY_SAMPLE})")
    parser.add_argument("--doc-share", type=float, default=1.0, help="share of the other folds' documents each fold trains on (default 1)")
    parser.add_argument("--big", action="store_true", help="only time label_lines and clean on a 1, 5 and 10 MB single line")
    args = parser.parse_args()
    if args.big:
        print("| one line of | label_lines s | per MB | clean s | per MB |", "|---|---|---|---|---|", sep="\n")
        for mb, label_s, clean_s in big_line_timing():
            print(f"| {mb} MB | {label_s:.2f} | {label_s / mb:.2f} | {clean_s:.2f} | {clean_s / mb:.2f} |")
        return
    lines = line_benchmark(args.seed)
    docs, dev_lines, news = document_benchmark(args.seed, args.sample, args.doc_share)
    out = [
        f"Line level: web_pages, {FOLDS}-fold cross-validation by page ({lines['lines']} lines), {lines['seconds']:.0f} s; "
        "then the content documents of web_docs_dev, by the document folds below",
        "",
        "| content lines | precision | recall | F1 | F1 by characters |",
        "|---|---|---|---|---|",
        f"| pipeline | {lines['precision']:.4f} | {lines['recall']:.4f} | {lines['f1']:.4f} | {lines['char_f1']:.4f} |",
        f"| pipeline, web_docs_dev content documents ({dev_lines['lines']} lines, by the folds below) | "
        f"{dev_lines['precision']:.4f} | {dev_lines['recall']:.4f} | {dev_lines['f1']:.4f} | {dev_lines['char_f1']:.4f} |",
        "",
        f"Ad lines of web_docs_dev's ad documents put between two paragraphs of those pages (up to two a page): "
        f"{lines['ads'][0]} of {lines['ads'][1]} labeled content",
        "",
        f"Document level: web_docs_dev, {FOLDS}-fold stratified cross-validation (50 documents"
        + (f"; each fold trains on {args.doc_share:.0%} of the others'" if args.doc_share < 1 else "") + ")",
        "",
        "| system | accuracy | macro-F1 | F1 content | F1 ad | F1 spam | s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in docs.items():
        f1 = {c: r["per_class"].get(c, {"f1": 0.0})["f1"] for c in DOCUMENT_LABELS}
        out.append(
            f"| {name} | {r['accuracy']:.4f} | {r['macro']['f1']:.4f} | {f1['content']:.4f} | {f1['ad']:.4f} | "
            f"{f1['spam']:.4f} | {r['seconds']:.0f} |"
        )
    out += [
        "",
        "Real news, a content document every one (held-back rows of the topic sets): share labeled content "
        f"by the quality model's document head, all {FOLDS} folds' models together",
        "",
        "| " + " | ".join(f"{kind} ({n:,})" for kind, (_, n) in news.items()) + " |",
        "|---" * len(news) + "|",
        "| " + " | ".join(f"{share:.3f}" for share, _ in news.values()) + " |",
    ]
    text = "\n".join(out)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
