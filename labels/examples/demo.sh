#!/usr/bin/env bash
# The demo: label and clean messy web pages (labels/examples/web/, written by us) with the default model.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.venv/bin
mkdir -p build

echo "== pipeline predict labels/examples/web/   (the default model: models/default)"
$bin/pipeline predict labels/examples/web/ --top-k 2 --out build/demo-predictions.jsonl
echo "== pipeline clean labels/examples/web/ --lines"
$bin/pipeline clean labels/examples/web/ --lines --out build/demo-lines.jsonl
$bin/python - <<'PY'
import json, unicodedata

def pad(text, width):  # Chinese characters take two terminal columns
    return text + " " * (width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))

kept = {}
for line in open("build/demo-lines.jsonl", encoding="utf-8"):
    r = json.loads(line)
    first = next((x["text"] for x in r["lines"] if x["label"] == "content"), "-")
    kept[r["id"]] = (r["content_lines"], r["total_lines"], first)
print()
print(pad("page", 24), pad("topic", 12), pad("quality", 14), pad("content lines", 14), "first content line")
for line in open("build/demo-predictions.jsonl", encoding="utf-8"):
    r = json.loads(line)
    content, total, first = kept[r["id"]]
    first = first if len(first) <= 24 else first[:23] + "…"
    print(
        pad(r["id"].rsplit("/", 1)[-1], 24),
        pad(f"{r['topic']} {r['topic_prob']:.2f}", 12),
        pad(f"{r['quality']} {r['quality_prob']:.2f}", 14),
        pad(f"{content} of {total}", 14),
        first,
    )
PY
echo
echo "== pipeline clean labels/examples/web/education_with_ads.txt   (the page as crawled: head -8; then cleaned)"
head -8 labels/examples/web/education_with_ads.txt | sed 's/^/  | /'
echo "  ..."
$bin/pipeline clean labels/examples/web/education_with_ads.txt | sed 's/^/  > /'
echo
echo "(all records: build/demo-predictions.jsonl with top-2 labels, build/demo-lines.jsonl with every line's label)"
