#!/usr/bin/env bash
# The demo: train a small model on our hand-written examples, then label messy web pages with it.
# (Once a default model ships in models/default, the demo uses that instead of training one.)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.venv/bin

echo "== training a small model on labels/examples/topics.csv (topic and quality heads)"
$bin/pipeline train labels/examples/topics.csv --label-col topic --label-col quality \
  --min-df 1 --valid 0 --out build/demo-model

echo
echo "== labeling the pages in labels/examples/web/"
$bin/pipeline predict --model build/demo-model labels/examples/web/ --top-k 2 --out build/demo-predictions.jsonl
$bin/python - <<'PY'
import json, unicodedata

def pad(text, width):  # Chinese characters take two terminal columns
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))

print(pad("page", 26), pad("topic", 14), "quality")
for line in open("build/demo-predictions.jsonl", encoding="utf-8"):
    r = json.loads(line)
    print(pad(r["id"].rsplit("/", 1)[-1], 26), pad(f"{r['topic']} {r['topic_prob']:.2f}", 14), f"{r['quality']} {r['quality_prob']:.2f}")
PY
echo
echo "(full records with top-k labels: build/demo-predictions.jsonl)"
