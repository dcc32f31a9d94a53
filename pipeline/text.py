"""Text steps: normalize() turns messy web text into clean text, Tokenizer cuts it into words.

Both are pure and deterministic, and the same at train and predict time.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import filterfalse

import numpy as np

from .errors import ConfigError

ENGINES = ("rjieba", "jieba")

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_VOWEL = f"[aeiouü{_TONED}]"
# One pinyin syllable, loosely: an optional initial, one to three vowels, an optional nasal or r.
_SYLLABLE = f"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?{_VOWEL}{{1,3}}(?:ng|n|r)?"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Copy sites annotate words with their reading: 上午(shàngwǔ), 標志著(zhe). The reading follows a
# Han character directly, is lower case, and has at most four syllables. Some sites mangle the
# opening parenthesis and a character into "?": 新聞?lì)l道. Each branch starts with its literal
# character and looks behind that for the Han character: the same matches as a look-behind first,
# found several times faster.
_PINYIN = re.compile(
    f"\\((?<=[{_HAN}]\\()(?:{_SYLLABLE}){{1,4}}\\)|\\?(?<=[{_HAN}]\\?)(?:{_SYLLABLE}){{1,4}}\\)[a-z]?(?=[{_HAN}])"
)
# Zero-width characters, the BOM, soft hyphen and C0/C1 controls except tab and newline.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Normalization:
    """Which normalization steps run; each can be switched off."""

    nfkc: bool = True
    traditional_to_simplified: bool = True
    drop_pinyin: bool = True
    drop_invisible: bool = True
    lowercase: bool = True
    collapse_whitespace: bool = True


@functools.cache
def _opencc_t2s():
    import opencc

    return opencc.OpenCC("t2s")


def drop_pinyin(text: str) -> str:
    """Remove pinyin annotations injected after Chinese words: 上午(shàngwǔ) -> 上午."""
    return _PINYIN.sub("", text)


def normalize(text: str, steps: Normalization = Normalization()) -> str:
    """Return the clean form of `text` that features are built from."""
    return normalize_many([text], steps)[0]


# Joins texts so that each step runs once over all of them: a private-use character, which no step
# changes or reads as part of a word, a reading or a letter's context.
_JOIN = "\ue000"


def normalize_many(texts: Sequence[str], steps: Normalization = Normalization()) -> list[str]:
    """normalize() of each text; faster than one at a time (the lines of a page are many short texts)."""
    texts = nfkc_many(texts) if steps.nfkc else list(texts)
    done = []
    if len(texts) > 1:
        joined = _JOIN.join(texts)
        if joined.count(_JOIN) == len(texts) - 1:  # else a text holds the joining character itself
            done = _character_steps(joined, steps).split(_JOIN)
    if len(done) != len(texts):
        done = [_character_steps(text, steps) for text in texts]
    return [collapse_whitespace(text) for text in done] if steps.collapse_whitespace else done


def _character_steps(text: str, steps: Normalization) -> str:
    """The steps after NFKC that change characters without regard to where a text ends."""
    if steps.drop_invisible:
        text = _INVISIBLE.sub("", text)
    if steps.drop_pinyin:
        text = drop_pinyin(text)
    if steps.traditional_to_simplified:
        text = _opencc_t2s().convert(text)
    return text.lower() if steps.lowercase else text


def collapse_whitespace(text: str) -> str:
    """A run of whitespace becomes one line break if it holds one, else one space; none at the ends."""
    return "\n".join(filter(None, [" ".join(line.split()) for line in text.split("\n")]))


@functools.cache
def _nfkc_forms() -> tuple[np.ndarray, dict[str, str], re.Pattern]:
    """Each BMP code point's NFKC form where that is one character, else the code point itself;
    the BMP characters whose NFKC form is longer ("…" -> "..."), and a pattern that finds them."""
    table, longer = np.arange(0x10000, dtype=np.uint32), {}
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:
        nfkc = unicodedata.normalize("NFKC", chr(code))
        if len(nfkc) == 1:
            table[code] = ord(nfkc)
        elif len(nfkc) > 1:
            longer[chr(code)] = nfkc
    return table, longer, re.compile(f"[{''.join(map(re.escape, longer))}]")


def nfkc_many(texts: Sequence[str]) -> list[str]:
    """unicodedata.normalize("NFKC", text) of each text, several times faster on Chinese text.

    Putting a character's NFKC form in its place leaves the NFKC form of the whole text unchanged
    (compatibility equivalence holds under concatenation). So one table lookup over all the texts'
    code points makes the common replacements (full-width forms), a pattern the one-to-many ones
    ("…") in the texts that need them, and only a text that is still not in NFKC after that (rare:
    combining marks, characters beyond the BMP) goes through unicodedata.normalize.
    """
    table, longer, pattern = _nfkc_forms()
    joined = "".join(texts)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    points = np.where(points < 0x10000, table[points & 0xFFFF], points)
    joined = points.tobytes().decode("utf-32-le", "surrogatepass")
    out, start = [], 0
    for text in texts:
        piece = joined[start : start + len(text)]
        start += len(text)
        if not unicodedata.is_normalized("NFKC", piece):
            piece = pattern.sub(lambda m: longer[m.group()], piece)
            if not unicodedata.is_normalized("NFKC", piece):
                piece = unicodedata.normalize("NFKC", piece)
        out.append(piece)
    return out


@functools.cache
def _engine(name: str, user_words: tuple[str, ...]):
    """A segmenter with the user's words added; built once per process and settings."""
    if name == "rjieba":
        import rjieba

        segmenter = rjieba.Jieba()
        for word, freq, tag in map(_parse_user_word, user_words):
            segmenter.add_word(word, freq, tag)
        return segmenter.cut
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    for word, freq, tag in map(_parse_user_word, user_words):
        segmenter.add_word(word, freq, tag)
    return functools.partial(segmenter.lcut, HMM=True)


def _parse_user_word(line: str) -> tuple[str, int | None, str | None]:
    """A jieba user-dictionary line: `word [freq] [tag]`."""
    parts = line.split()
    freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
    return parts[0], freq, tag


@dataclass(frozen=True)
class Tokenizer:
    """jieba word segmentation (rjieba by default), with a user dictionary and stopwords.

    A plain frozen dataclass of settings, so it pickles for joblib workers; the segmenter itself
    is built lazily in each process.
    """

    engine: str = "rjieba"
    user_words: tuple[str, ...] = ()
    stopwords: frozenset[str] = frozenset()

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown tokenizer engine {self.engine!r}; choose one of {', '.join(ENGINES)}")
        for line in self.user_words:
            if not line.split():
                raise ConfigError("user dictionary lines must not be blank")

    def __call__(self, text: str) -> list[str]:
        tokens = filterfalse(str.isspace, _engine(self.engine, self.user_words)(text))
        return [t for t in tokens if t not in self.stopwords] if self.stopwords else list(tokens)
