"""Build models/default from ../shared/data: the topic head on labels/topics.toml, and the quality part.

Reads (all under DATA, default ../shared/data next to this repository):
  topic/sogou_news/train.csv.gz, topic/thucnews_articles/train.csv, topic/thucnews_titles/train.csv,
  topic/nlpcc_headlines/train.csv   -> the topic head, each set's labels mapped by labels/topics.toml;
                                       only the seeded 80% training split of each set (the same split
                                       as bench/topic.py), so the other 20% stays held back for the card
  quality/web_pages/train.jsonl, quality/web_docs_dev.jsonl, quality/email_ads, quality/chat_ads,
  lexicons/*                        -> the line and document quality models, by the recipe that
                                       bench/quality.py evaluates (its train_full)
  labels/examples/pages.jsonl       -> our hand-written line-labeled pages (part of that recipe)

    .venv/bin/python models/build.py [--data ../shared/data] [--out models/default]     (or: make model)
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pipeline  # noqa: E402
from pipeline import io  # noqa: E402
from pipeline.model import Settings, stratified_split  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
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
SETTINGS = Settings(word_ngrams=(1, 1), max_features=80_000)
# Training copies per text. thucnews_articles is the only long-article set with 房产, 时政, 娱乐, 时尚 and
# 游戏, and has a tenth of sogou_news's articles: ten copies make the two long-article sets weigh alike
# (held-back thucnews_articles 0.893 -> 0.929, sogou_news 0.907 -> 0.902).
REPEAT = {"thucnews_articles": 10}


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


def load_bench(name: str):
    """A script of bench/ as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    texts, labels = [], []
    for name in TOPIC_SETS:
        train_x, train_y, _, _ = topic_split(args.data, name)
        texts += train_x * REPEAT.get(name, 1)
        labels += train_y * REPEAT.get(name, 1)
        print(f"{name}: {len(train_x):,} training texts x {REPEAT.get(name, 1)}", file=sys.stderr)
    start = time.perf_counter()
    model = pipeline.train(texts, {"topic": labels}, SETTINGS, valid=0, seed=SEED)
    model.training["source"] = "models/build.py: the 80% splits of " + ", ".join(TOPIC_SETS) + " (models/README.md)"
    print(f"topic head: {len(texts):,} texts, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    start = time.perf_counter()
    model.quality = load_bench("quality").train_full(seed=SEED)
    print(f"quality part: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    model.save(str(args.out))
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({size / 2**20:.1f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
