"""bench/noise.py, the noisy copies of the robustness benchmark (loaded by path: bench/ is not a package)."""

import importlib.util
import random
import re
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "noise.py"
_spec = importlib.util.spec_from_file_location("bench_noise", _PATH)
noise = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(noise)

# Our own short article: four sentences on one line, long enough to be cut into paragraphs.
SENTENCES = [
    "今天上午，我们学校在操场举办了一年一度的秋季运动会。",
    "同学们积极报名参加跑步、跳远和拔河等各项比赛，场上气氛非常热烈。",
    "老师们也组成了一支队伍，和学生一起参加接力赛，赢得了阵阵掌声。",
    "运动会在傍晚结束，校长为获奖的班级颁发了奖状，并鼓励大家坚持锻炼身体。",
]
ARTICLE = "".join(SENTENCES) * 2
TWO_LINES = "第一段说的是天气很好。\n第二段说的是大家一起去公园散步。"
TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"


def _in_order(text: str, parts: list[str]) -> bool:
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


@pytest.mark.parametrize("seed", range(20))
def test_wrap_keeps_every_sentence_in_order_and_adds_lines_around(seed):
    out = noise.wrap(ARTICLE, random.Random(seed))
    assert _in_order(out, SENTENCES * 2)
    lines = out.split("\n")
    first = next(i for i, line in enumerate(lines) if SENTENCES[0] in line)
    last = max(i for i, line in enumerate(lines) if SENTENCES[-1] in line)
    assert first >= 3, "at least three boilerplate lines above the article"
    assert len(lines) - 1 - last >= 3, "at least three boilerplate lines below the article"
    # Removing the added lines gives the article back: paragraphs are cut only at 。 and never edited.
    assert "".join(line for line in lines if line in ARTICLE) == ARTICLE


@pytest.mark.parametrize("seed", range(10))
def test_bare_page_is_the_article_cut_into_paragraphs_only(seed):
    out = noise.bare_page(ARTICLE, random.Random(seed))
    assert out.replace("\n", "") == ARTICLE
    assert all(line.endswith("。") for line in out.split("\n"))
    assert noise.bare_page(TWO_LINES, random.Random(seed)) == TWO_LINES


def test_wrap_keeps_the_article_lines():
    out = noise.wrap(TWO_LINES, random.Random(3))
    lines = out.split("\n")
    for line in TWO_LINES.split("\n"):
        assert line in lines


def test_same_seed_same_text_other_seed_other_text():
    assert noise.wrap(ARTICLE, random.Random(7)) == noise.wrap(ARTICLE, random.Random(7))
    assert noise.wrap(ARTICLE, random.Random(7)) != noise.wrap(ARTICLE, random.Random(8))


def test_boilerplate_uses_only_fake_contacts():
    for phone in noise.PHONES:
        assert set(re.sub(r"\D", "", phone)[4:]) == {"0"}, phone
    text = "\n".join(noise.wrap(ARTICLE, random.Random(seed)) for seed in range(200))
    domains = re.findall(r"[a-z0-9.-]+\.(?:com|net|org|cn)\b", text)
    assert domains and all(d.split(".")[-2] == "example" for d in domains)


def test_to_traditional():
    assert noise.to_traditional("国家图书馆") == "國家圖書館"
    assert noise.to_traditional("abc 123") == "abc 123"


def test_inject_pinyin():
    pytest.importorskip("pypinyin")
    text = "今天上午我们在北京开会，讨论了3个问题。"
    out = noise.inject_pinyin(text, random.Random(0), rate=1.0)
    assert "北京(běijīng)" in out
    readings = re.findall(r"(?<=[\u4e00-\u9fff])\(([a-zü" + TONED + r"]+)\)", out)
    assert len(readings) >= 6 and sum(any(c in TONED for c in r) for r in readings) >= 5  # 了 (le) has no tone mark
    assert re.sub(r"\([^)]*\)", "", out) == text  # only readings were added, each right after a Chinese word
    assert "3(" not in out and "，(" not in out
    assert noise.inject_pinyin(text, random.Random(0), rate=0.0) == text


def test_noisy_is_deterministic_and_keeps_the_words():
    pytest.importorskip("pypinyin")
    outs = [noise.noisy(ARTICLE, random.Random(seed)) for seed in range(12)]
    assert outs == [noise.noisy(ARTICLE, random.Random(seed)) for seed in range(12)]
    assert len(set(outs)) == len(outs)
    assert any("運動會" in out for out in outs) and any("(" in out and "运动会" in out for out in outs)


@pytest.mark.parametrize("seed", range(10))
def test_wrap_lines_give_each_line_its_role(seed):
    lines = noise.wrap_lines(TWO_LINES, random.Random(seed))
    assert "\n".join(line for line, _ in lines) == noise.wrap(TWO_LINES, random.Random(seed))
    assert [line for line, role in lines if role == "article"] == TWO_LINES.split("\n")
    ads = [line for line, role in lines if role == "ad"]
    assert len(ads) <= 2 and all(line not in TWO_LINES for line in ads)
    roles = [role for _, role in lines]
    first, last = roles.index("article"), len(roles) - 1 - roles[::-1].index("article")
    assert set(roles[:first - 1]) == {"boilerplate"} and set(roles[last + 2:]) == {"boilerplate"}  # ads sit next to the article


def test_noisy_page_gives_a_role_to_every_line_of_the_noisy_text():
    pytest.importorskip("pypinyin")
    for seed in range(12):
        text, kind, roles = noise.noisy_page(TWO_LINES, random.Random(seed))
        assert (text, kind) == noise.noisy_with_kind(TWO_LINES, random.Random(seed))
        lines = text.splitlines()
        assert len(roles) == len(lines) and roles.count("article") in (2, 4)  # 4: the body repeated
        for line, role in zip(lines, roles):
            assert (role == "article") == any(s in re.sub(r"\([^)]*\)", "", line) for s in ("天气", "天氣", "公园", "公園"))
