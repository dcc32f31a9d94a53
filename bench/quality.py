"""Quality benchmark: content lines of web pages, and content / ad / spam documents.

Lines: `quality/web_pages/train.jsonl` (44 pages, content / boilerplate per line), 5-fold
cross-validation by page (pages shuffled with a seeded generator, never lines of one page on both
sides). Each fold's line model trains on the other pages plus our hand-written
`labels/examples/pages.jsonl` and the line labels of `quality/web_docs_dev.jsonl`. Scored: content-line
precision, recall and F1, and F1 by characters (NFKC, whitespace removed, as the data README counts).

Documents: `quality/web_docs_dev.jsonl` (50 hand-labeled documents), 5-fold stratified
cross-validation (seeded). Each fold trains the line model on web_pages, our pages and the other
folds' lines, and the document model on the other folds' documents, our hand-written examples,
a seeded sample of `email_ads` and `chat_ads`, with the lexicons as features. Compared with the plain
pipeline text classifier (word and char n-grams, `pipeline.train`) trained on the same documents:
what the line labels, layout and lexicons add.

    .venv/bin/python bench/quality.py [--out bench/out/quality.md] [--sample 2000]
"""

from __future__ import annotations

import argparse
import json
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

DATA = ROOT.parent / "shared" / "data"
FOLDS = 5


def pages_of(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def line_pairs(page: dict) -> list[tuple[str, str]]:
    return [(line["text"], line["label"]) for line in page["lines"]]


def lexicons() -> dict[str, list[str]]:
    words = {}
    for name in ("ads", "porn", "porn_types", "spam_domains"):
        words[name] = io.read_word_list(str(DATA / "lexicons" / f"{name}.txt"))
    for line in io.read_word_list(str(DATA / "lexicons" / "chinesewebtext_filter_words.tsv")):
        category, _, word = line.partition("\t")
        words.setdefault(f"filter_{category}", []).append(word)
    return words


def squeezed_len(text: str) -> int:
    return len("".join(unicodedata.normalize("NFKC", text).split()))


def line_benchmark(seed: int) -> dict:
    pages = pages_of(DATA / "quality" / "web_pages" / "train.jsonl")
    extra = [line_pairs(p) for p in pages_of(ROOT / "labels" / "examples" / "pages.jsonl")]
    extra += [line_pairs(p) for p in pages_of(DATA / "quality" / "web_docs_dev.jsonl")]
    order = np.random.default_rng(seed).permutation(len(pages))
    truth, guess, chars = [], [], []
    start = time.perf_counter()
    for k in range(FOLDS):
        held = set(order[k::FOLDS].tolist())
        train = [line_pairs(p) for i, p in enumerate(pages) if i not in held] + extra
        quality = train_quality(train, seed=seed)
        test = [pages[i] for i in sorted(held)]
        for page, labeled in zip(test, quality.label_pages([[t for t, _ in line_pairs(p)] for p in test])):
            for (text, y), line in zip(line_pairs(page), labeled):
                truth.append(y == "content")
                guess.append(line.label == "content")
                chars.append(squeezed_len(text))
    t, g, c = np.array(truth), np.array(guess), np.array(chars, dtype=float)
    tp, fp, fn = (t & g).sum(), (~t & g).sum(), (t & ~g).sum()
    ctp, cfp, cfn = c[t & g].sum(), c[~t & g].sum(), c[t & ~g].sum()
    return {
        "lines": len(t),
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "f1": 2 * tp / (2 * tp + fp + fn),
        "char_f1": 2 * ctp / (2 * ctp + cfp + cfn),
        "seconds": time.perf_counter() - start,
    }


def sample(path: Path, n: int, seed: int) -> tuple[list[str], list[str]]:
    data = io.read_labeled(str(path), text_col="text", label_cols=["label"])
    rows = np.random.default_rng(seed).permutation(len(data.texts))[:n]
    return [data.texts[i] for i in rows], [data.labels["label"][i] for i in rows]


def document_benchmark(seed: int, n_sample: int) -> dict:
    docs = pages_of(DATA / "quality" / "web_docs_dev.jsonl")
    web_pages = [line_pairs(p) for p in pages_of(DATA / "quality" / "web_pages" / "train.jsonl")]
    ours = pages_of(ROOT / "labels" / "examples" / "pages.jsonl")
    examples = io.read_labeled(str(ROOT / "labels" / "examples" / "topics.csv"), text_col="text", label_cols=["quality"])
    texts, labels = list(examples.texts), list(examples.labels["quality"])
    for name in ("email_ads/train.csv.gz", "chat_ads/train.csv"):
        t, y = sample(DATA / "quality" / name, n_sample, seed)
        texts += t
        labels += y
    words = lexicons()
    # Stratified folds: each label's documents dealt round-robin after a seeded shuffle.
    rng = np.random.default_rng(seed)
    fold = np.empty(len(docs), dtype=int)
    for label in DOCUMENT_LABELS:
        rows = rng.permutation([i for i, d in enumerate(docs) if d["doc_label"] == label])
        fold[rows] = np.arange(len(rows)) % FOLDS
    results = {}
    for name, full in (("pipeline quality model", True), ("pipeline text classifier (n-grams only)", False)):
        truth, guess = [], []
        start = time.perf_counter()
        for k in range(FOLDS):
            train = [d for i, d in enumerate(docs) if fold[i] != k]
            test = [d for i, d in enumerate(docs) if fold[i] == k]
            pages = web_pages + [line_pairs(p) for p in ours + train]
            page_labels = [None] * len(web_pages) + [p["doc_label"] for p in ours + train]
            test_texts = ["\n".join(t for t, _ in line_pairs(d)) for d in test]
            if full:
                quality = train_quality(pages, page_labels, texts, labels, words, seed=seed)
                proba = quality.document_proba(test_texts)
                guess += [quality.document.head.classes[j] for j in proba.argmax(axis=1)]
            else:
                train_texts = ["\n".join(t for t, _ in p) for p, y in zip(pages, page_labels) if y] + texts
                train_labels = [y for y in page_labels if y] + labels
                model = pipeline.train(train_texts, {"quality": train_labels}, valid=0, seed=seed)
                guess += list(model.predict(test_texts)["quality"])
            truth += [d["doc_label"] for d in test]
        results[name] = {**report(truth, guess), "seconds": time.perf_counter() - start}
    return results


def train_full(seed: int = 0, n_sample: int = 2000):
    """The quality part trained on everything the benchmark draws from: what models/build.py ships."""
    docs = pages_of(DATA / "quality" / "web_docs_dev.jsonl")
    web_pages = [line_pairs(p) for p in pages_of(DATA / "quality" / "web_pages" / "train.jsonl")]
    ours = pages_of(ROOT / "labels" / "examples" / "pages.jsonl")
    examples = io.read_labeled(str(ROOT / "labels" / "examples" / "topics.csv"), text_col="text", label_cols=["quality"])
    texts, labels = list(examples.texts), list(examples.labels["quality"])
    for name in ("email_ads/train.csv.gz", "chat_ads/train.csv"):
        t, y = sample(DATA / "quality" / name, n_sample, seed)
        texts += t
        labels += y
    pages = web_pages + [line_pairs(p) for p in ours + docs]
    page_labels = [None] * len(web_pages) + [p["doc_label"] for p in ours + docs]
    return train_quality(pages, page_labels, texts, labels, lexicons(), seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample", type=int, default=2000, help="documents taken from each of email_ads and chat_ads")
    args = parser.parse_args()
    lines = line_benchmark(args.seed)
    docs = document_benchmark(args.seed, args.sample)
    out = [
        f"Line level: web_pages, {FOLDS}-fold cross-validation by page ({lines['lines']} lines), {lines['seconds']:.0f} s",
        "",
        "| content lines | precision | recall | F1 | F1 by characters |",
        "|---|---|---|---|---|",
        f"| pipeline | {lines['precision']:.4f} | {lines['recall']:.4f} | {lines['f1']:.4f} | {lines['char_f1']:.4f} |",
        "",
        f"Document level: web_docs_dev, {FOLDS}-fold stratified cross-validation (50 documents)",
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
    text = "\n".join(out)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
