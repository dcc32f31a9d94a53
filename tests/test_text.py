import pickle
import random
import re
import unicodedata

import pytest

from pipeline import ConfigError, Normalization, Tokenizer, normalize
from pipeline.text import _HAN, _INVISIBLE, _PINYIN, _SYLLABLE, collapse_whitespace, drop_pinyin, nfkc_many, normalize_many


def test_nfkc_turns_full_width_forms_into_plain_ones():
    assert normalize("ＡＢＣ１２３，") == "abc123,"


def test_traditional_script_becomes_simplified():
    assert normalize("關注我們的網站") == "关注我们的网站"


@pytest.mark.parametrize(
    "noisy, clean",
    [
        ("今天上午(shàngwǔ)开会", "今天上午开会"),
        ("标志着(zhe)新的开始", "标志着新的开始"),
        ("今天上午（shàngwǔ）开会", "今天上午开会"),  # full-width parentheses
        ("關(guān)注我們", "关注我们"),  # traditional script with pinyin after each character
        ("發(fā)布時(shí)間", "发布时间"),
    ],
)
def test_injected_pinyin_is_dropped(noisy, clean):
    assert normalize(noisy) == clean


def test_mangled_pinyin_with_a_lost_parenthesis_is_dropped():
    out = normalize("新聞?lì)l道")
    assert out.startswith("新闻") and out.endswith("道")
    assert not any(c.isascii() and c.isalpha() for c in out) and "?" not in out


@pytest.mark.parametrize("kept", ["双立人(ZWILLING)", "价值(value)", "北京(Beijing)", "(shàngwǔ)开始"])
def test_parentheses_that_are_not_pinyin_annotations_stay(kept):
    assert drop_pinyin(kept) == kept


def test_invisible_and_control_characters_are_removed():
    assert normalize("北\u200b京\ufeff欢\x07迎") == "北京欢迎"


def test_whitespace_is_collapsed_but_line_breaks_stay():
    assert normalize("  第一行 \t  文字 \n\n\n  第二行  ") == "第一行 文字\n第二行"


@pytest.mark.parametrize(
    "step, text, kept",
    [
        ("nfkc", "第①名", "①"),
        ("traditional_to_simplified", "關注", "關注"),
        ("drop_pinyin", "上午(shàngwǔ)", "(shàngwǔ)"),
        ("drop_invisible", "北\u200b京", "\u200b"),
        ("lowercase", "NBA", "NBA"),
        ("collapse_whitespace", "北京   欢迎", "   "),
    ],
)
def test_each_step_can_be_switched_off(step, text, kept):
    assert kept not in normalize(text) or kept == normalize(text)
    assert kept in normalize(text, Normalization(**{step: False}))


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_tokenizer_segments_words(engine):
    tokens = Tokenizer(engine)("我们明天去图书馆看书")
    assert "".join(tokens) == "我们明天去图书馆看书"
    assert "图书馆" in tokens and len(tokens) < 8


def test_rjieba_and_jieba_agree_on_dictionary_words():
    text = "国家队主教练宣布了参加世界杯的球员名单"
    assert Tokenizer("rjieba")(text) == Tokenizer("jieba")(text)


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_user_words_are_kept_whole(engine):
    text = "星河湾区块体育馆开放"
    assert "星河湾区块" not in Tokenizer(engine)(text)
    assert "星河湾区块" in Tokenizer(engine, user_words=("星河湾区块 100 ns",))(text)


def test_stopwords_and_whitespace_are_dropped():
    tokens = Tokenizer(stopwords=frozenset({"的"}))("我的 书  和你的书")
    assert "的" not in tokens and all(t.strip() for t in tokens)
    assert tokens.count("书") == 2


def test_tokenizer_pickles_for_worker_processes():
    tokenizer = Tokenizer("jieba", ("星河湾区块",), frozenset({"的"}))
    copy = pickle.loads(pickle.dumps(tokenizer))
    assert copy == tokenizer and copy("星河湾区块的书") == tokenizer("星河湾区块的书")


def test_unknown_engine_is_refused():
    with pytest.raises(ConfigError, match="unknown tokenizer engine 'hanlp'"):
        Tokenizer("hanlp")


# Strings where a fast path could go wrong: traditional script, pinyin, full-width and one-to-many
# NFKC forms, combining marks (before and after full-width letters), Hangul jamo, supplementary
# compatibility characters, emoji, lone surrogates, every kind of whitespace, and nothing at all.
TRICKY = [
    "", " ", "\n", "關注我們的網站", "上午(shàngwǔ)开会", "新聞?lì)l道", "今天上午（shàngwǔ）开会",
    "ＡＢＣ１２３，。！", "第①名…℃㎏", "Ａ\u0301", "e\u0301", "e\u200b\u0301", "\u1100\u1161\u11a8",
    "\U0001d400\U0001d7ce\U0002f800", "😀👍🏽中文", "a\ud800b\udfff", "\u3000全角空格\u00a0不换行",
    "  第一行 \t  文字 \r\n\n\n  第二行  ", "\x1c\x1d\x1e\x1f\x85\u2028\u2029\v\f",
    "\ufb01\u2126\u212b\uf900\uff76\uff9e", "北\u200b京\ufeff欢\x07迎", "NBA球星ＬｅＢｒｏｎ",
]
_POOL = "".join(dict.fromkeys("".join(TRICKY) + "中国(ā)?ǎlngnr \t\n\u3000\u0308\u0301\u20dd"))


def _random_texts(n, seed=0):
    rng = random.Random(seed)
    return ["".join(rng.choice(_POOL) for _ in range(rng.randrange(0, 40))) for _ in range(n)]


def test_nfkc_many_equals_unicodedata():
    texts = TRICKY + _random_texts(3000)
    assert nfkc_many(texts) == [unicodedata.normalize("NFKC", t) for t in texts]
    assert nfkc_many([]) == []


def slow_collapse_whitespace(text):
    return re.sub(r"\s*\n\s*", "\n", re.sub(r"[^\S\n]+", " ", text)).strip()


SLOW_PINYIN = re.compile(
    f"(?<=[{_HAN}])\\((?:{_SYLLABLE}){{1,4}}\\)|(?<=[{_HAN}])\\?(?:{_SYLLABLE}){{1,4}}\\)[a-z]?(?=[{_HAN}])"
)


def test_collapse_whitespace_equals_the_regular_expressions():
    for text in TRICKY + _random_texts(3000, seed=1):
        assert collapse_whitespace(text) == slow_collapse_whitespace(text), repr(text)


def test_pinyin_pattern_equals_the_look_behind_first_form():
    for text in TRICKY + _random_texts(3000, seed=2) + ["上午(shàngwǔ)", "国(guó)(zhōng)家?jiā)x人"]:
        assert _PINYIN.sub("", text) == SLOW_PINYIN.sub("", text), repr(text)


@pytest.mark.parametrize("steps", [Normalization(), Normalization(nfkc=False), Normalization(collapse_whitespace=False)])
def test_normalize_many_equals_the_steps_one_by_one(steps):
    import opencc

    t2s = opencc.OpenCC("t2s").convert

    def slow(text):
        if steps.nfkc:
            text = unicodedata.normalize("NFKC", text)
        text = _INVISIBLE.sub("", text)
        text = SLOW_PINYIN.sub("", text)
        text = t2s(text).lower()
        return slow_collapse_whitespace(text) if steps.collapse_whitespace else text

    texts = [t for t in TRICKY + _random_texts(500, seed=3) if not re.search("[\ud800-\udfff]", t)]  # OpenCC refuses lone surrogates
    assert normalize_many(texts, steps) == [slow(t) for t in texts]
    assert [normalize(t, steps) for t in texts[:50]] == normalize_many(texts[:50], steps)


def test_normalizing_many_texts_at_once_keeps_each_to_itself():
    # normalize_many runs its steps over the texts joined: nothing may reach across a join, and a
    # text holding the joining character itself must still come back whole.
    texts = [
        "上午", "(shàngwǔ)後來", "新聞?lì", ")l道", "ΑΣ", "Σα", "發", "展覽", " 甲 \n\n", "\n乙", "\u200b", "",
        "丙\ue000丁", "ＡＢＣ１２３", "…",
    ]
    assert normalize_many(texts) == [normalize(t) for t in texts]
    assert normalize_many(texts[:-3]) == [normalize(t) for t in texts[:-3]]  # no text with the joining character
