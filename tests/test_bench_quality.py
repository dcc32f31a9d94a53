"""bench/quality.py's page with real ad lines put into it (loaded by path: bench/ is not a package)."""

import importlib.util
import random
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "quality.py"
_spec = importlib.util.spec_from_file_location("bench_quality", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

PAGE = [("首页 > 新闻", "boilerplate"), ("第一段。", "content"), ("第二段。", "content"), ("第三段。", "content"), ("版权所有", "boilerplate")]
ADS = ["本店长期供应各类水泵，欢迎选购。", "专业生产不锈钢管件，质量可靠。"]


@pytest.mark.parametrize("seed", range(10))
def test_ads_go_only_between_two_content_lines_and_the_page_is_kept(seed):
    out = bench.with_ads(PAGE, ADS, random.Random(seed))
    assert [line for line in out if line[1] != "ad"] == PAGE
    added = [i for i, (text, label) in enumerate(out) if label == "ad"]
    assert 1 <= len(added) <= 2 and all(out[i][0] in ADS for i in added)
    assert all(out[i - 1][1] == "content" and out[i + 1][1] == "content" for i in added)


def test_a_page_without_two_content_lines_in_a_row_gets_no_ad():
    page = [("首页", "boilerplate"), ("正文。", "content"), ("版权所有", "boilerplate")]
    assert bench.with_ads(page, ADS, random.Random(0)) == page


def _doc(label: str, n: int):
    return bench.io.Page(id=f"{label}-{n}", lines=[(f"{label} {n}", "content")], label=label)


@pytest.mark.parametrize("share", [0.25, 0.5, 0.75])
def test_share_of_keeps_that_share_of_each_label_in_order(share):
    docs = [_doc("content", i) for i in range(12)] + [_doc("ad", i) for i in range(4)] + [_doc("spam", 0)]
    picked = bench.share_of(docs, share, bench.np.random.default_rng(0))
    for label, n in (("content", 12), ("ad", 4), ("spam", 1)):
        assert sum(d.label == label for d in picked) == max(1, round(share * n))
    assert picked == [d for d in docs if d in picked]  # a subset, in the documents' order


def test_content_scores_count_lines_and_characters():
    scores = bench.content_scores([True, True, False, False], [True, False, True, False], [1, 2, 3, 4])
    assert scores["lines"] == 4
    assert scores["precision"] == scores["recall"] == scores["f1"] == 0.5  # one hit, one miss, one false alarm
    assert scores["char_f1"] == 2 * 1 / (2 * 1 + 3 + 2)  # the hit 1 char, the false alarm 3, the miss 2
