"""Reading documents from files in any common format and encoding, and writing results atomically.

Readers stream: memory does not grow with the number of rows. Every file is decoded with the
codec `detect_encoding` picks from its first 64 KiB (BOMs, UTF-16, UTF-8, GB18030 or Big5).
A problem with a whole file raises `DataError`; a single unreadable row becomes a `Document`
whose `text` is None and whose `error` says why, so the caller can count and report it.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import os
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

from .errors import DataError, PipelineError

__all__ = [
    "Document", "LabeledData", "atomic_output", "detect_encoding", "format_from_path",
    "iter_documents", "read_labeled", "read_lexicons", "read_pages", "read_text", "read_word_list", "Page", "write_records", "FORMATS",
]

CHUNK_SIZE = 64 * 1024  # also the sample detect_encoding sees
_KINDS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_DELIMITERS = {"csv": ",", "tsv": "\t"}
FORMATS = ("jsonl", "csv", "tsv")  # what write_records writes
# Frequent characters in both simplified and traditional form: the right decoding of Chinese
# text is full of them, a wrong one (GB18030 bytes read as Big5 or back) almost never.
_COMMON_HANZI = set(
    "的一是不了在人有我他她中大上你地到以就出要也可而生子自之年和下着心好天都多小然能去看家"
    "们这个来为国说时会对过后发么还没样现进经动开问学长见间两点实关从当头话机种车东业无与产电"
    "們這個來為國說時會對過後發麼還沒樣現進經動開問學長見間兩點實關從當頭話機種車東業無與產電"
)

# The default limit (128 KiB) rejects long documents stored in one cell.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class Document:
    """A text with the other fields of its row; `text` is None (and `error` says why) if unreadable.

    `id` is "path" (whole file), "path:ROW" (1-based data row; line for JSONL) or "-:LINE" (stdin).
    """

    id: str
    text: str | None
    fields: dict[str, str]
    error: str | None = None


@dataclass
class LabeledData:
    """Texts with one list of labels per label column (None where the cell is empty)."""

    texts: list[str]
    labels: dict[str, list[str | None]]
    ids: list[str]
    path: str


def detect_encoding(
    sample: bytes, name: str = "input", *, complete: bool = True, offset: int = 0
) -> str:
    """The codec to decode `sample` (the start of file `name`) with; DataError if not text.

    With `complete=False` (more bytes follow) a multibyte character cut at the end is
    tolerated. `offset` is where the sample starts in the file, for error messages.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\0" in sample:
        utf16 = _utf16_without_bom(sample, complete)
        if utf16:
            return utf16
        raise DataError(f"{name}: not a text file (it contains NUL bytes)")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, complete)
        return "utf-8"
    except UnicodeDecodeError as error:
        first_bad = offset + error.start
    scores = {}
    for encoding in ("gb18030", "cp950"):  # cp950 is Big5 as Windows writes it
        text = _try_decode(sample, encoding, complete)
        if text is not None:
            scores[encoding] = sum(char in _COMMON_HANZI for char in text)
    if not scores:
        raise DataError(
            f"{name}: bytes at offset {first_bad} are not valid UTF-8 (nor GB18030/Big5); "
            "re-save the file as UTF-8"
        )
    return max(scores, key=scores.__getitem__)


def _try_decode(sample: bytes, encoding: str, complete: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(sample, complete)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(sample: bytes, complete: bool) -> str | None:
    # ASCII in UTF-16 has a zero high byte: at odd offsets in little endian, even in big endian.
    # Some CJK characters (一 is U+4E00) have a zero low byte, so allow a few on the other side.
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    encoding = "utf-16-le" if odd >= 4 * even else "utf-16-be" if even >= 4 * odd else ""
    text = _try_decode(sample, encoding, complete) if encoding else None
    binary = text is None or any(char < " " and char not in "\t\n\r\f" for char in text)
    return None if binary else encoding


def _read(raw: IO[bytes], size: int, name: str) -> bytes:
    try:
        return raw.read(size)
    except (OSError, EOFError, zlib.error) as error:
        if isinstance(raw, gzip.GzipFile):
            raise DataError(f"{name}: not a valid gzip file ({error})") from None
        raise DataError(f"{name}: cannot read ({error})") from None


def _decode(raw: IO[bytes], name: str) -> Iterator[str]:
    """Decoded text of a binary stream, in chunks; DataError names the offset of bad bytes."""
    encoding = ""
    offset = 0  # bytes fed to the decoder so far
    ascii_so_far = True
    while True:
        chunk = _read(raw, CHUNK_SIZE, name)
        # ASCII reads the same in every candidate codec: choose when real text first shows up.
        if not encoding or (ascii_so_far and encoding == "utf-8" and not chunk.isascii()):
            complete = len(chunk) < CHUNK_SIZE
            encoding = detect_encoding(chunk, name, complete=complete, offset=offset)
            decoder = codecs.getincrementaldecoder(encoding)()
        ascii_so_far = ascii_so_far and chunk.isascii()
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            where = offset - pending + error.start
            raise DataError(f"{name}: bytes at offset {where} are not valid {encoding}") from None
        offset += len(chunk)
        if text:
            yield text
        if not chunk:
            return


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Split text chunks into lines ending in "\\n" (the last may lack it); "\\r\\n" is kept."""
    pending: list[str] = []
    for chunk in chunks:
        *complete, rest = chunk.split("\n")
        if complete:
            complete[0] = "".join(pending) + complete[0]
            pending = []
            yield from (line + "\n" for line in complete)
        if rest:
            pending.append(rest)
    if pending:
        yield "".join(pending)


def _file_text(path: str) -> Iterator[str]:
    try:
        raw = gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except OSError as error:
        raise DataError(f"{path}: cannot open ({error.strerror})") from None
    with raw:
        chunks = _decode(raw, path)
        first = next(chunks, None)
        if first is None:
            raise DataError(f"{path}: empty file")
        yield first
        yield from chunks


def read_text(path: str) -> str:
    """The whole text of a file (any supported encoding, transparent .gz), e.g. a word list."""
    return "".join(_file_text(path))


def read_word_list(path: str) -> list[str]:
    """The non-blank lines of a word list (stopwords, a user dictionary), stripped."""
    return [line.strip() for line in read_text(path).splitlines() if line.strip()]


def read_lexicons(paths: Sequence[str]) -> dict[str, list[str]]:
    """Word lists by name: a file's stem, or "stem:category" for `category<TAB>word` lines."""
    lexicons: dict[str, list[str]] = {}
    for path in paths:
        stem = os.path.basename(path).split(".")[0]
        for line in read_word_list(path):
            category, tab, word = line.rpartition("\t")
            lexicons.setdefault(f"{stem}:{category.strip()}" if tab else stem, []).append(word.strip())
    return lexicons


Row = tuple[int, "dict[str, str | None] | str"]  # (row number, values) or (row number, error)


def _kind(path: str) -> str:
    """ "csv", "tsv", "jsonl" or "text", from the extension under an optional .gz."""
    name = path.lower().removesuffix(".gz")
    return _KINDS.get(os.path.splitext(name)[1], "text")


def _rows(name: str, kind: str, lines: Iterator[str], columns: Sequence[str]) -> Iterator[Row]:
    """The rows of a table; DataError if it lacks one of `columns` (the first is the text)."""
    if kind == "jsonl":
        yield from _jsonl_rows(name, lines, columns[0])
        return
    reader = csv.reader(lines, delimiter=_DELIMITERS[kind])
    try:
        rows = filter(None, reader)  # blank lines come as []
        header = [column.strip() for column in next(rows, [])]
        if not header:
            raise DataError(f"{name}: no header row")
        for column in columns:
            if column not in header:
                raise DataError(f"{name}: no column {column!r}; columns are: {', '.join(header)}")
        for row, cells in enumerate(rows, 1):
            if len(cells) == len(header):
                yield row, dict(zip(header, cells))
            else:
                yield row, f"expected {len(header)} fields, got {len(cells)} (line {reader.line_num})"
    except csv.Error as error:
        raise DataError(f"{name}: line {reader.line_num}: {error}") from None


def _jsonl_rows(name: str, lines: Iterable[str], text_col: str) -> Iterator[Row]:
    seen_text = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"not valid JSON ({error.msg} at column {error.colno})"
            continue
        if not isinstance(value, dict):
            yield number, "not a JSON object"
        elif value.get(text_col) is None:
            # Missing in the first object: most likely a wrong text_col, so fail like a header would.
            if not seen_text and text_col not in value:
                raise DataError(
                    f"{name}: line {number} has no field {text_col!r}; fields are: {', '.join(value)}"
                )
            missing = f"no field {text_col!r}" if text_col not in value else f"{text_col!r} is null"
            yield number, missing
        else:
            seen_text = True
            yield number, {key: _cell(cell) for key, cell in value.items()}


def _cell(value: object) -> str | None:
    """A JSON value as a table cell: strings as they are, null as None, the rest as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _row_documents(prefix: str, rows: Iterable[Row], text_col: str) -> Iterator[Document]:
    for row, values in rows:
        if isinstance(values, str):
            yield Document(f"{prefix}:{row}", None, {}, error=values)
        else:
            text = values.pop(text_col)
            fields = {key: cell or "" for key, cell in values.items()}
            yield Document(f"{prefix}:{row}", text, fields)


def _file_documents(path: str, text_col: str) -> Iterator[Document]:
    kind = _kind(path)
    if kind == "text":
        yield Document(path, read_text(path), {})
    else:
        rows = _rows(path, kind, _lines(_file_text(path)), [text_col])
        yield from _row_documents(path, rows, text_col)


def iter_documents(
    inputs: Sequence[str],
    *,
    text_col: str = "text",
    glob: str = "*.txt",
    stdin: IO[Any] | None = None,
    whole_stdin: bool = False,
) -> Iterator[Document]:
    """Documents from files, directories and "-" (standard input), in input order.

    By extension (under an optional .gz): .csv and .tsv are tables with a header, .jsonl and
    .ndjson hold one JSON object per line; any other file is one document. A directory is walked
    recursively for files matching `glob`, in sorted path order; a text file found there that
    cannot be read becomes an unreadable Document instead of stopping the run.

    Standard input is JSONL if its first non-blank character is "{", otherwise one document per
    non-blank line (or, with `whole_stdin`, one document "-"); ids are "-:LINE" (1-based line
    number). Empty input gives none.
    Missing inputs raise DataError at once, before anything is read.
    """
    for path in inputs:
        if path != "-" and not os.path.exists(path):
            raise DataError(f"{path}: no such file or directory")
    return _iter_documents(inputs, text_col, glob, stdin, whole_stdin)


def _iter_documents(
    inputs: Sequence[str], text_col: str, glob: str, stdin: IO[Any] | None, whole_stdin: bool
) -> Iterator[Document]:
    for path in inputs:
        if path == "-":
            yield from _stdin_documents(sys.stdin if stdin is None else stdin, text_col, whole_stdin)
        elif os.path.isdir(path):
            for found in sorted(p for p in Path(path).rglob(glob) if p.is_file()):
                name = os.path.join(path, found.relative_to(path))
                if _kind(name) != "text":
                    yield from _file_documents(name, text_col)
                    continue
                try:
                    yield Document(name, read_text(name), {})
                except DataError as error:
                    yield Document(name, None, {}, error=str(error).removeprefix(f"{name}: "))
        else:
            yield from _file_documents(path, text_col)


def _stdin_documents(stream: IO[Any], text_col: str, whole: bool) -> Iterator[Document]:
    if isinstance(stream, io.TextIOBase):
        binary = getattr(stream, "buffer", None)  # decode sys.stdin ourselves: it may be GB18030
        lines = _lines(_decode(binary, "<stdin>")) if binary else iter(stream)
    else:
        lines = _lines(_decode(stream, "<stdin>"))
    head = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    lines = itertools.chain(head, lines)
    if head and head[-1].lstrip().startswith("{"):
        yield from _row_documents("-", _jsonl_rows("<stdin>", lines, text_col), text_col)
        return
    if whole:
        text = "".join(lines)
        if text.strip():
            yield Document("-", text, {})
        return
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield Document(f"-:{number}", line.rstrip("\r\n"), {})


def read_labeled(path: str, *, text_col: str = "text", label_cols: Sequence[str]) -> LabeledData:
    """All rows of a CSV, TSV or JSONL file (optionally .gz) with their labels, for training.

    Every row must be readable: the first bad row raises DataError naming it. Empty or
    whitespace label cells become None.
    """
    kind = _kind(path)
    if kind == "text" or os.path.isdir(path):
        raise DataError(f"{path}: labeled data must be a .csv, .tsv or .jsonl file (or .gz of one)")
    data = LabeledData(texts=[], labels={column: [] for column in label_cols}, ids=[], path=path)
    keys: set[str] = set()
    with closing(_file_text(path)) as chunks:
        for row, values in _rows(path, kind, _lines(chunks), [text_col, *label_cols]):
            if isinstance(values, str):
                where = "line" if kind == "jsonl" else "row"
                raise DataError(f"{path}: {where} {row}: {values}; fix or remove this row")
            keys.update(values)
            data.texts.append(values[text_col] or "")
            data.ids.append(f"{path}:{row}")
            for column in label_cols:
                cell = values.get(column)
                data.labels[column].append(cell if cell and cell.strip() else None)
    if not data.texts:
        raise DataError(f"{path}: no rows")
    for column in label_cols:  # JSONL has no header to check up front
        if column not in keys:
            fields = ", ".join(sorted(keys))
            raise DataError(f"{path}: no field {column!r} in any line; fields are: {fields}")
    return data


@dataclass
class Page:
    """A page with a label per line (None: unlabeled) and optionally a label for the whole page."""

    id: str
    lines: list[tuple[str, str | None]]
    label: str | None


def read_pages(path: str) -> list[Page]:
    """Pages with line labels from JSONL: {"lines": [{"text": ..., "label": ...}, ...], "doc_label": ...}
    per line of the file ("id" and "doc_label" optional); the first bad line raises DataError naming it."""
    if _kind(path) != "jsonl":
        raise DataError(f"{path}: pages with line labels must be a .jsonl file (or .jsonl.gz)")
    pages = []
    with closing(_file_text(path)) as chunks:
        for number, line in enumerate(_lines(chunks), 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
                lines = value["lines"]
                pairs = [(str(item["text"]), _label_cell(item.get("label"))) for item in lines]
                label = _label_cell(value.get("doc_label"))
            except json.JSONDecodeError as error:
                raise DataError(f"{path}: line {number}: not valid JSON ({error.msg} at column {error.colno})") from None
            except (KeyError, TypeError, AttributeError):
                raise DataError(
                    f'{path}: line {number}: expected {{"lines": [{{"text": ..., "label": ...}}, ...]}}; fix or remove this line'
                ) from None
            pages.append(Page(str(value.get("id", f"{path}:{number}")), pairs, label))
    if not pages:
        raise DataError(f"{path}: no pages")
    return pages


def _label_cell(value: object) -> str | None:
    return str(value).strip() or None if value is not None else None


@contextmanager
def atomic_output(path: str | None, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A file to write `path` through: it appears complete, or not at all if the block raises.

    None or "-" is standard output. Text is written as UTF-8 with "\\n" line ends.
    """
    if path is None or path == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    target = os.path.abspath(path)
    try:
        fd, temp = tempfile.mkstemp(
            dir=os.path.dirname(target), prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as error:
        raise _write_error(path, error) from None
    text_options = {} if binary else {"encoding": "utf-8", "newline": ""}
    try:
        with os.fdopen(fd, "wb" if binary else "w", **text_options) as out:
            yield out
            try:
                out.flush()
                os.fsync(out.fileno())
                # mkstemp makes the file readable by its owner only; give it the usual mode.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp, 0o666 & ~umask)
                os.replace(temp, target)
            except OSError as error:
                raise _write_error(path, error) from None
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def _write_error(path: str, error: OSError) -> DataError:
    reason = error.strerror or str(error)
    return DataError(f"{path}: cannot write ({reason}); check the directory exists and is writable")


def format_from_path(path: str | None, default: str = "jsonl") -> str:
    """The record format an output path asks for: "csv", "tsv" or "jsonl" (else `default`)."""
    extension = os.path.splitext(path.lower())[1] if path else ""
    return _KINDS.get(extension, default)


def write_records(records: Iterable[dict[str, Any]], out: TextIO, fmt: str) -> int:
    """Write dicts as JSONL, CSV or TSV; return how many.

    CSV and TSV take their header from the first record's keys; later records are written
    under those keys (missing ones empty, extra ones dropped), lists and dicts JSON-encoded.
    """
    if fmt not in FORMATS:
        raise PipelineError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")
    writer = csv.writer(out, delimiter=_DELIMITERS.get(fmt, ","), lineterminator="\n")
    columns: list[str] = []
    count = 0
    for count, record in enumerate(records, 1):
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False, default=_plain) + "\n")
            continue
        if not columns:
            columns = list(record)
            writer.writerow(columns)
        writer.writerow([_cell(record.get(column)) or "" for column in columns])
    return count


def _plain(value: Any) -> Any:
    """JSON for numpy scalars and arrays (anything with .tolist()), without importing numpy."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")
