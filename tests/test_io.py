"""Tests for pipeline.io: every input kind and encoding, the bad cases, and the writers."""

import codecs
import csv
import gzip
import io
import json
import os

import pytest

from pipeline.errors import DataError, PipelineError
from pipeline.io import (
    CHUNK_SIZE,
    Document,
    atomic_output,
    detect_encoding,
    format_from_path,
    iter_documents,
    read_labeled,
    read_text,
    write_records,
)

SIMPLIFIED = "今天的天气很好，我们一起去公园散步。这个问题还没有解决。"
TRADITIONAL = "今天的天氣很好，我們一起去公園散步。這個問題還沒有解決。"
CSV_TEXT = "text,label,source\n今天天气很好,生活,网\n股市今天上涨,财经,报\n"


def write(path, content, encoding="utf-8"):
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return str(path)


def docs(*inputs, **options):
    return list(iter_documents([str(i) for i in inputs], **options))


# ---- input kinds --------------------------------------------------------------------------------


def test_txt_file_is_one_document(tmp_path):
    path = write(tmp_path / "a.txt", "第一行\n第二行\n")
    assert docs(path) == [Document(path, "第一行\n第二行\n", {})]


def test_unknown_extension_is_one_text_document(tmp_path):
    path = write(tmp_path / "page.html", "<p>你好</p>")
    assert [d.text for d in docs(path)] == ["<p>你好</p>"]


def test_directory_is_walked_recursively_in_sorted_order_with_glob(tmp_path):
    write(tmp_path / "b.txt", "乙")
    write(tmp_path / "a.txt", "甲")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "c.txt", "丙")
    write(tmp_path / "notes.md", "丁")
    found = docs(tmp_path)
    assert [d.id for d in found] == [
        os.path.join(tmp_path, "a.txt"),
        os.path.join(tmp_path, "b.txt"),
        os.path.join(tmp_path, "sub", "c.txt"),
    ]
    assert [d.text for d in found] == ["甲", "乙", "丙"]
    assert [d.text for d in docs(tmp_path, glob="*.md")] == ["丁"]


def test_unreadable_file_in_directory_becomes_an_error_document(tmp_path):
    write(tmp_path / "a.txt", "甲")
    write(tmp_path / "b.txt", b"")
    found = docs(tmp_path)
    assert found[0].text == "甲"
    assert found[1].text is None and found[1].error == "empty file"


def test_csv_rows_keep_ids_fields_and_order(tmp_path):
    path = write(tmp_path / "d.csv", CSV_TEXT)
    assert docs(path) == [
        Document(f"{path}:1", "今天天气很好", {"label": "生活", "source": "网"}),
        Document(f"{path}:2", "股市今天上涨", {"label": "财经", "source": "报"}),
    ]


def test_csv_quoted_fields_with_newlines_commas_and_quotes(tmp_path):
    path = write(tmp_path / "d.csv", 'id,text\n1,"第一行\n第二行，还有,逗号 ""引号"""\n2,\n')
    found = docs(path)
    assert [d.text for d in found] == ['第一行\n第二行，还有,逗号 "引号"', ""]
    assert [d.error for d in found] == [None, None]  # an empty text cell is a valid document
    assert found[1].id == f"{path}:2"


def test_csv_field_larger_than_default_limit(tmp_path):
    big = "长" * 200_000
    path = write(tmp_path / "d.csv", f'text\n"{big}"\n')
    assert docs(path)[0].text == big


def test_tsv(tmp_path):
    path = write(tmp_path / "d.tsv", "label\ttext\n体育\t球赛,结束了\n")
    assert docs(path) == [Document(f"{path}:1", "球赛,结束了", {"label": "体育"})]


def test_jsonl_ids_are_line_numbers_and_values_become_strings(tmp_path):
    lines = ['{"text": "你好", "n": 3, "tags": ["甲"], "x": null}', "", '{"text": "再见"}']
    path = write(tmp_path / "d.jsonl", "\n".join(lines) + "\n")
    assert docs(path) == [
        Document(f"{path}:1", "你好", {"n": "3", "tags": '["甲"]', "x": ""}),
        Document(f"{path}:3", "再见", {}),
    ]


def test_text_col_option(tmp_path):
    path = write(tmp_path / "d.csv", "body,label\n正文,甲\n")
    assert docs(path, text_col="body")[0].text == "正文"


@pytest.mark.parametrize(
    "name, content, fields",
    [
        ("d.csv.gz", CSV_TEXT, {"label": "生活", "source": "网"}),
        ("d.jsonl.gz", '{"text": "今天天气很好"}\n', {}),
    ],
)
def test_gzip_inputs(tmp_path, name, content, fields):
    path = write(tmp_path / name, gzip.compress(content.encode("utf-8")))
    assert docs(path)[0] == Document(f"{path}:1", "今天天气很好", fields)


def test_stdin_lines_skip_blank_lines():
    found = docs("-", stdin=io.StringIO("第一句\n\n第二句\n"))
    assert found == [Document("-:1", "第一句", {}), Document("-:3", "第二句", {})]


@pytest.mark.parametrize("wrap", [io.BytesIO, lambda b: io.TextIOWrapper(io.BytesIO(b), "utf-8")])
def test_stdin_bytes_are_decoded_with_detection(wrap):
    # sys.stdin is a TextIOWrapper: its bytes are read through .buffer, whatever its encoding says.
    found = docs("-", stdin=wrap(SIMPLIFIED.encode("gb18030") + b"\r\n"))
    assert [d.text for d in found] == [SIMPLIFIED]


@pytest.mark.parametrize("stream", [io.BytesIO(b""), io.StringIO("\n \n")])
def test_empty_stdin_has_no_documents(stream):
    assert docs("-", stdin=stream) == []


def test_stdin_jsonl():
    stream = io.StringIO('\n  {"text": "甲", "k": "v"}\n{"text": "乙"}\nnot json\n')
    found = docs("-", stdin=stream)
    assert found[:2] == [Document("-:2", "甲", {"k": "v"}), Document("-:3", "乙", {})]
    assert found[2].id == "-:4" and found[2].text is None and "JSON" in found[2].error


def test_inputs_keep_their_order(tmp_path):
    a = write(tmp_path / "a.txt", "甲")
    b = write(tmp_path / "b.csv", "text\n乙\n")
    assert [d.text for d in docs(b, a, "-", stdin=io.StringIO("丙\n"))] == ["乙", "甲", "丙"]


# ---- encodings ----------------------------------------------------------------------------------


def encode(text, encoding):
    boms = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    return boms.get(encoding, b"") + text.encode(encoding)


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", SIMPLIFIED),
        ("utf-8-sig", SIMPLIFIED),
        ("gb18030", SIMPLIFIED),
        ("big5", TRADITIONAL),
        ("utf-16-le", SIMPLIFIED),  # with a BOM, see encode()
        ("utf-16-be", TRADITIONAL),
    ],
)
def test_encodings_are_detected(tmp_path, encoding, text):
    path = write(tmp_path / "d.csv", encode(f"text,label\n{text},甲\n", encoding))
    found = docs(path)
    assert [(d.text, d.fields) for d in found] == [(text, {"label": "甲"})]


def test_utf16_without_bom_is_detected_by_nul_bytes(tmp_path):
    path = write(tmp_path / "d.csv", f"text,label\n{SIMPLIFIED},甲\n".encode("utf-16-le"))
    assert docs(path)[0].text == SIMPLIFIED


def test_gb18030_and_big5_are_told_apart():
    assert detect_encoding(SIMPLIFIED.encode("gb18030")) == "gb18030"
    assert detect_encoding(TRADITIONAL.encode("big5")) in {"big5", "cp950"}


def test_character_cut_at_end_of_sample_is_tolerated():
    sample = SIMPLIFIED.encode("utf-8")[:-1]
    assert detect_encoding(sample, complete=False) == "utf-8"
    with pytest.raises(DataError):
        detect_encoding(sample, complete=True)


def test_characters_across_chunk_boundaries_decode(tmp_path):
    text = "a" * (CHUNK_SIZE - 1) + SIMPLIFIED * 3000  # first multibyte char straddles chunks
    path = write(tmp_path / "big.txt", text, "gb18030")
    assert read_text(path) == text


def test_ascii_start_longer_than_sample_then_gb18030(tmp_path):
    text = "text\n" + "hello\n" * (CHUNK_SIZE // 5) + SIMPLIFIED + "\n"
    path = write(tmp_path / "d.csv", text, "gb18030")
    assert docs(path)[-1].text == SIMPLIFIED


# ---- bad inputs ---------------------------------------------------------------------------------


def raises(match, *inputs, **options):
    with pytest.raises(DataError, match=match) as caught:
        docs(*inputs, **options)
    return str(caught.value)


def test_missing_file_raises_before_reading(tmp_path):
    with pytest.raises(DataError, match="nope.txt: no such file"):
        iter_documents([str(tmp_path / "nope.txt")])


def test_missing_text_column_names_existing_ones(tmp_path):
    path = write(tmp_path / "d.csv", CSV_TEXT)
    message = raises("no column 'body'", path, text_col="body")
    assert message == f"{path}: no column 'body'; columns are: text, label, source"


def test_jsonl_first_object_without_text_field_raises(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"body": "甲", "label": "乙"}\n')
    assert raises("no field 'text'", path).endswith("fields are: body, label")


def test_empty_file(tmp_path):
    path = write(tmp_path / "d.csv", b"")
    assert raises("empty file", path).startswith(path)


def test_header_only_file_has_no_documents(tmp_path):
    assert docs(write(tmp_path / "d.csv", "text,label\n")) == []


PNG_START = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
ZIP_START = b"PK\x03\x04\x14\x00\x00\x00\x08\x00"


@pytest.mark.parametrize("header", [PNG_START, ZIP_START])
def test_binary_file(tmp_path, header):
    path = write(tmp_path / "d.txt", header + bytes(range(256)) * 4)
    assert raises("not a text file", path).startswith(f"{path}: ")


def test_binary_that_looks_like_utf16(tmp_path):
    # 16-bit little-endian integers: zero bytes only at odd offsets, like UTF-16 ASCII text.
    path = write(tmp_path / "d.txt", b"".join(n.to_bytes(2, "little") for n in range(1, 500)))
    raises("not a text file", path)


def test_undecodable_byte_offset(tmp_path):
    content = "text\n你好\n".encode() + b"\xff\xfe ok\n"
    path = write(tmp_path / "d.csv", content)
    offset = content.index(b"\xff")
    message = raises("offset", path)
    assert message.startswith(f"{path}: bytes at offset {offset} are not valid UTF-8")


def test_undecodable_byte_after_the_sample(tmp_path):
    good = ("text\n" + "你好\n" * 1000).encode()
    good += b"a" * (CHUNK_SIZE - 1 - len(good))
    # The first chunk ends inside a character whose next byte, in the second chunk, is bad.
    path = write(tmp_path / "d.csv", good + "一".encode()[:1] + b"\xff\n")
    raises(f"offset {len(good)} are not valid utf-8", path)


def test_bad_gzip(tmp_path):
    path = write(tmp_path / "d.csv.gz", "text\n你好\n")
    assert raises("not a valid gzip file", path).startswith(f"{path}: ")


def test_truncated_gzip(tmp_path):
    path = write(tmp_path / "d.jsonl.gz", gzip.compress(b'{"text": "a"}\n' * 1000)[:-20])
    raises("not a valid gzip file", path)


def test_bad_jsonl_line_is_an_unreadable_document(tmp_path):
    content = '{"text": "甲"}\n{"text": \n["乙"]\n{"label": "丙"}\n{"text": null}\n'
    path = write(tmp_path / "d.jsonl", content)
    found = docs(path)
    assert [d.id for d in found] == [f"{path}:{n}" for n in range(1, 6)]
    assert found[0].text == "甲"
    assert all(d.text is None and d.fields == {} for d in found[1:])
    expected = ["not valid JSON", "not a JSON object", "no field 'text'", "'text' is null"]
    assert [e in d.error for e, d in zip(expected, found[1:])] == [True] * 4


def test_wrong_csv_field_count_is_an_unreadable_document(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\n甲,1\n乙,2,多余\n\n丙,3\n")  # blank line skipped
    found = docs(path)
    assert [d.text for d in found] == ["甲", None, "丙"]
    assert found[1] == Document(f"{path}:2", None, {}, "expected 2 fields, got 3 (line 3)")


# ---- read_labeled -------------------------------------------------------------------------------


def test_read_labeled_csv_with_empty_labels(tmp_path):
    path = write(tmp_path / "d.csv", "text,topic,quality\n甲,体育,\n乙, ,好\n")
    data = read_labeled(path, label_cols=["topic", "quality"])
    assert data.texts == ["甲", "乙"]
    assert data.labels == {"topic": ["体育", None], "quality": [None, "好"]}
    assert data.ids == [f"{path}:1", f"{path}:2"] and data.path == path


def test_read_labeled_jsonl_gz_values(tmp_path):
    lines = [
        '{"text": "甲", "stars": 5, "topic": null}',
        '{"text": "乙", "stars": 1.5, "topic": "体育"}',
    ]
    path = write(tmp_path / "d.jsonl.gz", gzip.compress("\n".join(lines).encode()))
    data = read_labeled(path, label_cols=["stars", "topic"])
    assert data.labels == {"stars": ["5", "1.5"], "topic": [None, "体育"]}


def test_read_labeled_missing_label_column(tmp_path):
    path = write(tmp_path / "d.csv", CSV_TEXT)
    with pytest.raises(DataError, match="no column 'topic'; columns are: text, label, source"):
        read_labeled(path, label_cols=["topic"])


def test_read_labeled_missing_label_field_in_jsonl(tmp_path):
    path = write(tmp_path / "d.jsonl", '{"text": "甲", "label": "乙"}\n')
    with pytest.raises(DataError, match="no field 'topic' in any line; fields are: label, text"):
        read_labeled(path, label_cols=["topic"])


@pytest.mark.parametrize("content, message", [("text,label\n", "no rows"), ("\n\n", "no header row")])
def test_read_labeled_without_rows(tmp_path, content, message):
    path = write(tmp_path / "d.csv", content)
    with pytest.raises(DataError, match=f"d.csv: {message}$"):
        read_labeled(path, label_cols=["label"])


def test_read_labeled_raises_on_bad_row(tmp_path):
    path = write(tmp_path / "d.csv", "text,label\n甲,1\n乙\n")
    with pytest.raises(DataError, match=r"d\.csv: row 2: expected 2 fields, got 1"):
        read_labeled(path, label_cols=["label"])


def test_read_labeled_missing_file(tmp_path):
    with pytest.raises(DataError, match="d.csv: no such file"):
        read_labeled(str(tmp_path / "d.csv"), label_cols=["label"])


def test_read_labeled_refuses_plain_text(tmp_path):
    path = write(tmp_path / "d.txt", "甲")
    with pytest.raises(DataError, match="must be a .csv, .tsv or .jsonl"):
        read_labeled(path, label_cols=["label"])


# ---- writers ------------------------------------------------------------------------------------

RECORDS = [
    {"id": "a:1", "text": '第一行\n第二行,有"引号"\t和制表符', "label": "体育", "top": [["体育", 0.9]]},
    {"id": "a:2", "text": "", "label": None, "top": []},
]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "tsv"])
def test_write_records_round_trips_through_readers(tmp_path, fmt):
    path = str(tmp_path / f"out.{fmt}")
    with atomic_output(path) as out:
        assert write_records(iter(RECORDS), out, format_from_path(path)) == 2
    found = docs(path)
    assert [d.text for d in found] == [r["text"] for r in RECORDS]
    expected_top = '[["体育", 0.9]]'
    assert found[0].fields == {"id": "a:1", "label": "体育", "top": expected_top}
    assert found[1].fields["label"] == ""
    assert read_labeled(path, label_cols=["label"]).labels == {"label": ["体育", None]}


def test_write_records_csv_header_comes_from_first_record(tmp_path):
    out = io.StringIO()
    write_records([{"b": 1, "a": "x"}, {"a": "y", "c": "dropped"}], out, "csv")
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["b", "a"], ["1", "x"], ["", "y"]]


def test_write_records_jsonl_keeps_chinese_and_numpy_like_values():
    class Scalar:
        def tolist(self):
            return 0.5

    out = io.StringIO()
    write_records([{"text": "中文", "p": Scalar()}], out, "jsonl")
    assert out.getvalue() == '{"text": "中文", "p": 0.5}\n'


def test_write_records_unknown_format():
    with pytest.raises(PipelineError, match="unknown output format 'xml'"):
        write_records([], io.StringIO(), "xml")


@pytest.mark.parametrize(
    "path, fmt",
    [("o.csv", "csv"), ("o.TSV", "tsv"), ("o.jsonl", "jsonl"), ("o.txt", "jsonl"), (None, "jsonl"), ("-", "jsonl")],
)
def test_format_from_path(path, fmt):
    assert format_from_path(path) == fmt


def test_format_from_path_default():
    assert format_from_path("out", default="tsv") == "tsv"


def test_atomic_output_writes_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "out.jsonl"
    with atomic_output(str(path)) as out:
        out.write("中文\n")
        assert not path.exists()  # only appears once complete
    assert path.read_text(encoding="utf-8") == "中文\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's owner-only mode


def test_atomic_output_on_exception_keeps_old_file_and_removes_temp(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_output(str(path)) as out:
            out.write("new")
            raise RuntimeError("boom")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_atomic_output_on_exception_creates_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with atomic_output(str(tmp_path / "out.csv"), binary=True) as out:
            out.write(b"x")
            raise RuntimeError("boom")
    assert os.listdir(tmp_path) == []


def test_atomic_output_unwritable_path(tmp_path):
    path = str(tmp_path / "missing" / "out.csv")
    with pytest.raises(DataError, match="cannot write"):
        with atomic_output(path):
            pass


def test_atomic_output_to_stdout(capsys):
    with atomic_output("-") as out:
        write_records([{"text": "中文"}], out, "jsonl")
    assert json.loads(capsys.readouterr().out) == {"text": "中文"}
