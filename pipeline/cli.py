"""The command line: parse options, call the library and io, print. No training or feature logic here."""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from . import io
from .errors import ConfigError, DataError, PipelineError
from .evaluate import format_report
from .features import needs_tokens
from .model import AUTO, LONG_MIN_CHARS, LONG_TEXT, LONG_WEIGHT, NB_SMOOTHING, UNCERTAIN, Model, Settings, train
from .quality import DOCUMENT_HEAD, train_quality
from .quality.lines import CONTENT, clean_lines, split_lines
from .store import load, read_manifest
from .text import ENGINES, Normalization, Tokenizer
from .tune import tune

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "default"
LABELS = Path(__file__).resolve().parent.parent / "labels"
DEFAULTS = Settings()
NORMALIZATION = Normalization()
BATCH = 512
PARALLEL_BATCH = 2048  # per process: each parallel call has a fixed cost, so batches are bigger than BATCH

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Topic and quality labels for messy Chinese web text.",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # never wrap: paths and messages stay on one line

TextCol = Annotated[str, typer.Option("--text-col", help="Column (CSV/TSV) or field (JSONL) holding the text.")]
LabelCols = Annotated[list[str], typer.Option("--label-col", help="Column holding a head's labels; repeat for more heads.")]
ModelDir = Annotated[Path, typer.Option("--model", "-m", help="Model directory.", show_default="models/default, shipped")]
Out = Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")]
Valid = Annotated[float, typer.Option(min=0, max=0.9, help="Share held out for validation (stratified); 0 trains on everything.")]
Jobs = Annotated[int, typer.Option("--jobs", "-j", min=1, help="Processes to share the work.")]
Inputs = Annotated[list[str], typer.Argument(help="Files, directories, CSV/TSV/JSONL tables (.gz too), or - for stdin.")]
Glob = Annotated[str, typer.Option(help="Which files to take from directories.")]
SkipBad = Annotated[bool, typer.Option(help="Skip unreadable rows, writing a record with an error for each.")]


def _ngrams(value: str, option: str) -> tuple[int, int] | None | str:
    """'1-2' -> (1, 2), '2' -> (2, 2), 'none' -> None; 'auto' stays 'auto'."""
    if value.strip().lower() in ("none", "off", "0"):
        return None
    if value.strip().lower() == AUTO:
        return AUTO
    lo, _, hi = value.partition("-")
    try:
        return int(lo), int(hi or lo)
    except ValueError:
        raise ConfigError(f"{option}: expected a range like 1-2, a single n like 2, none or auto; got {value!r}") from None


def _auto_or(value: str, parse, option: str, expected: str):
    """'auto' stays 'auto'; anything else is `parse`d, or refused naming `option` and what it `expected`."""
    if value.strip().lower() == AUTO:
        return AUTO
    try:
        return parse(value)
    except ValueError:
        raise ConfigError(f"{option}: expected {expected}; got {value!r}") from None


def _min_df(value: str) -> int | str:
    """'3' -> 3; 'auto' stays 'auto'."""
    return _auto_or(value, int, "--min-df", "a whole number or auto")


def _nb_scaling(value: str) -> float | None | str:
    """'0.1' -> 0.1, 'none' -> None; 'auto' stays 'auto'."""
    if value.strip().lower() in ("none", "off"):
        return None
    return _auto_or(value, float, "--nb-scaling", "a positive number (the smoothing), none or auto")


def _range_text(ngrams: tuple[int, int] | None | str) -> str:
    """The n-gram range as the options spell it: 1-2, none or auto."""
    return ngrams if isinstance(ngrams, str) else "-".join(map(str, ngrams)) if ngrams else "none"


@contextmanager
def _user_errors():
    """The one translation point: library errors become one line on stderr and exit code 2."""
    try:
        yield
    except PipelineError as e:
        err.print(f"error: {e}", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None


@contextmanager
def _about(path: Path):
    """The library's errors about labeled rows name the file the rows came from."""
    try:
        yield
    except DataError as e:
        raise DataError(f"{path}: {e}") from None


@contextmanager
def _progress(total: int | None, what: str):
    """A rich progress bar on stderr when stderr is a terminal; else nothing."""
    if not err.is_terminal:
        yield lambda n: None
        return
    from rich.progress import Progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda n: bar.advance(task, n)


def _load_model(path: Path) -> Model:
    if path == DEFAULT_MODEL and not (path / "manifest.json").exists():
        raise PipelineError(f"{path}: the default model is missing; restore it with `git checkout models/default`, rebuild it with `make model`, or pass --model DIR")
    return load(str(path))


@app.command("train")
def train_command(
    data: Annotated[Path, typer.Argument(help="Labeled CSV, TSV or JSONL (optionally .gz).")],
    label_col: LabelCols,
    out: Out,
    text_col: TextCol = "text",
    valid: Valid = 0.1,
    seed: Annotated[int, typer.Option(help="Seed of the split and the solver: same data and seed, same model bytes.")] = 0,
    word_ngrams: Annotated[str, typer.Option(help=f"Word n-gram range, e.g. 1-2, none, or auto: 1-1 when the median text is under {LONG_TEXT} characters, none on longer texts (no segmentation: faster).")] = _range_text(DEFAULTS.word_ngrams),
    char_ngrams: Annotated[str, typer.Option(help=f"Character n-gram range, e.g. 1-3, none, or auto: 1-2 when the median text is under {LONG_TEXT} characters, 1-3 on longer texts.")] = _range_text(DEFAULTS.char_ngrams),
    min_df: Annotated[str, typer.Option(help=f"Drop n-grams seen in fewer documents; auto: 1 when the median text is under {LONG_TEXT} characters, 2 on longer texts.")] = str(DEFAULTS.min_df),
    max_features: Annotated[Optional[int], typer.Option(min=1, help="Keep at most this many n-grams per block.")] = DEFAULTS.max_features,
    sublinear_tf: Annotated[bool, typer.Option(help="Use 1+log(tf) instead of raw counts.")] = DEFAULTS.sublinear_tf,
    alpha: Annotated[float, typer.Option(help="Regularization strength of the classifier (larger: simpler model).")] = DEFAULTS.alpha,
    epochs: Annotated[int, typer.Option(min=1, help="Most passes over the data the classifier makes.")] = DEFAULTS.epochs,
    nb_scaling: Annotated[str, typer.Option(help=f"Scale each class's features by their naive Bayes log-count ratio, smoothed by this much (e.g. 0.1), or none; auto: none when the median text is under {LONG_TEXT} characters, {NB_SMOOTHING} on longer texts.")] = str(DEFAULTS.nb_scaling),
    balanced: Annotated[bool, typer.Option(help="Weight classes inversely to their frequency.")] = DEFAULTS.class_weight == "balanced",
    tokenizer: Annotated[str, typer.Option(help=f"Segmenter: {' or '.join(ENGINES)}.")] = DEFAULTS.tokenizer.engine,
    user_dict: Annotated[Optional[Path], typer.Option(help="jieba user dictionary: `word [freq] [tag]` per line.")] = None,
    stopwords: Annotated[Optional[Path], typer.Option(help="Words to drop, one per line.")] = None,
    nfkc: Annotated[bool, typer.Option(help="Unicode NFKC normalization.")] = NORMALIZATION.nfkc,
    t2s: Annotated[bool, typer.Option(help="Convert traditional to simplified script (OpenCC).")] = NORMALIZATION.traditional_to_simplified,
    drop_pinyin: Annotated[bool, typer.Option(help="Drop injected pinyin like 上午(shàngwǔ).")] = NORMALIZATION.drop_pinyin,
    drop_invisible: Annotated[bool, typer.Option(help="Drop zero-width and control characters.")] = NORMALIZATION.drop_invisible,
    lowercase: Annotated[bool, typer.Option(help="Lower-case Latin letters.")] = NORMALIZATION.lowercase,
    collapse_whitespace: Annotated[bool, typer.Option(help="Collapse runs of whitespace.")] = NORMALIZATION.collapse_whitespace,
    long_model: Annotated[Optional[Path], typer.Option(help=f"A trained model (e.g. of long articles only) whose heads are mixed into this model's (weight {LONG_WEIGHT}) on texts of {LONG_MIN_CHARS} characters or more; its labels must be among this model's. The validation report is of this model alone.")] = None,
    jobs: Jobs = 1,
):
    """Train a model with one head per --label-col, print validation reports, save it.

    Example: pipeline train news.csv --label-col topic --label-col quality --out models/mine
    """
    with _user_errors():
        long = _load_model(long_model) if long_model else None
        settings = Settings(
            word_ngrams=_ngrams(word_ngrams, "--word-ngrams"),
            char_ngrams=_ngrams(char_ngrams, "--char-ngrams"),
            min_df=_min_df(min_df),
            max_features=max_features,
            sublinear_tf=sublinear_tf,
            alpha=alpha,
            epochs=epochs,
            nb_scaling=_nb_scaling(nb_scaling),
            class_weight="balanced" if balanced else None,
            normalization=Normalization(nfkc, t2s, drop_pinyin, drop_invisible, lowercase, collapse_whitespace),
            tokenizer=Tokenizer(
                engine=tokenizer,
                user_words=tuple(io.read_word_list(str(user_dict))) if user_dict else (),
                stopwords=frozenset(io.read_word_list(str(stopwords))) if stopwords else frozenset(),
            ),
        )
        data_set = io.read_labeled(str(data), text_col=text_col, label_cols=label_col)
        with _about(data), _progress(len(data_set.texts), "preparing texts") as advance:
            model = train(data_set.texts, data_set.labels, settings, valid=valid, seed=seed, jobs=jobs, progress=advance)
        model.training["source"] = str(data)
        if long:
            try:
                model.add_long_model(long)
            except ConfigError as e:
                raise ConfigError(f"--long-model {long_model}: {e}") from None
        model.save(str(out))
    _trained(model, out)


def _trained(model: Model, out: Path):
    err.print(f"settings: {_describe(model.settings)}", markup=False)
    for name, info in model.training["heads"].items():
        skipped = f", {info['empty_rows']} rows with an empty label skipped" if info["empty_rows"] else ""
        err.print(f"{name}: trained on {info['train_rows']} rows{skipped}", markup=False)
    for name, rep in model.training["metrics"].items():
        typer.echo(format_report(name, rep))
    err.print(f"model written to {out}", markup=False)


@app.command("predict")
def predict_command(
    inputs: Inputs,
    model_dir: ModelDir = DEFAULT_MODEL,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Output file (written atomically); stdout when absent.")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="jsonl, csv or tsv; by default from --out's extension, else jsonl.")] = None,
    top_k: Annotated[int, typer.Option(min=1, help="How many ranked labels to give per head.")] = 3,
    threshold: Annotated[Optional[float], typer.Option(min=0, max=1, help=f"Label a head {UNCERTAIN!r} when its best probability is below this.")] = None,
    text_col: TextCol = "text",
    glob: Glob = "*.txt",
    skip_bad: SkipBad = False,
    clean: Annotated[bool, typer.Option(help="With a quality model, topic heads read only each document's content lines.")] = True,
    jobs: Jobs = 1,
):
    """Label documents with every head of a model, keeping input order.

    Example: pipeline predict --model models/mine pages/ news.csv --out labels.jsonl
    """
    with _user_errors():
        fmt = fmt or io.format_from_path(out)
        if fmt not in io.FORMATS:
            raise PipelineError(f"unknown --format {fmt!r}; choose one of {', '.join(io.FORMATS)}")
        model = _load_model(model_dir)
        bad: list[str] = []
        with _progress(None, "predicting") as advance, io.atomic_output(out) as stream:
            documents = io.iter_documents(inputs, text_col=text_col, glob=glob)
            records = _batched(documents, _batch_size(jobs), bad, advance, lambda docs: _predict_batch(model, docs, top_k, threshold, jobs, clean, skip_bad))
            count = io.write_records(records, stream, fmt)
            _refuse_bad(bad, skip_bad)
    err.print(f"{count} document{'s' * (count != 1)} labeled{_skipped(bad)}", markup=False)


def _batch_size(jobs: int) -> int:
    return BATCH if jobs == 1 else PARALLEL_BATCH * jobs


def _refuse_bad(bad: list[str], skip_bad: bool) -> None:
    if bad and not skip_bad:
        raise PipelineError(
            f"{len(bad)} unreadable row{'s' * (len(bad) != 1)} ({'; '.join(bad[:3])}{'; ...' if len(bad) > 3 else ''}); "
            "fix them or pass --skip-bad"
        )


def _skipped(bad: list[str]) -> str:
    return f", {len(bad)} unreadable row{'s' * (len(bad) != 1)} skipped" if bad else ""


def _batched(documents, size: int, bad: list[str], advance, handle):
    """handle(batch) for batches of `size` documents, in input order, so memory stays flat; unreadable ones noted in `bad`."""
    batch = []
    for doc in documents:
        if doc.error is not None:
            bad.append(f"{doc.id}: {doc.error}")
        batch.append(doc)
        if len(batch) == size:
            yield from handle(batch)
            advance(len(batch))
            batch = []
    yield from handle(batch)
    advance(len(batch))


def _predict_batch(model: Model, docs, top_k: int, threshold: float | None, jobs: int, clean: bool, skip_bad: bool):
    good = [d for d in docs if d.error is None]
    ranked = iter(model.top_k([d.text for d in good], top_k, jobs, clean) if good else [])
    for doc in docs:
        record = {"id": doc.id}
        if doc.error is None:
            for head, top in next(ranked).items():
                certain = threshold is None or top[0][1] >= threshold
                record[head], record[f"{head}_prob"] = top[0][0] if certain else UNCERTAIN, round(top[0][1], 4)
                record[f"{head}_top"] = [[label, round(p, 4)] for label, p in top]
        else:
            for head in model.classes_:
                record[head] = record[f"{head}_prob"] = record[f"{head}_top"] = None
        if skip_bad:
            record["error"] = doc.error or ""
        for key, value in doc.fields.items():
            record[f"input_{key}" if key in record else key] = value
        yield record


@app.command("evaluate")
def evaluate_command(
    data: Annotated[Path, typer.Argument(help="Labeled CSV, TSV or JSONL (optionally .gz).")],
    label_col: LabelCols,
    model_dir: ModelDir = DEFAULT_MODEL,
    text_col: TextCol = "text",
    json_out: Annotated[Optional[str], typer.Option("--json", help="Also write the reports as JSON to this file.")] = None,
    jobs: Jobs = 1,
):
    """Score a model on labeled data: per-class precision, recall, F1, averages, confusion matrix.

    Example: pipeline evaluate --model models/mine test.csv --label-col topic --json report.json
    """
    with _user_errors():
        model = _load_model(model_dir)
        data_set = io.read_labeled(str(data), text_col=text_col, label_cols=label_col)
        with _about(data):
            reports = model.evaluate(data_set.texts, data_set.labels, jobs=jobs)
        if json_out:
            with io.atomic_output(json_out) as stream:
                json.dump(reports, stream, ensure_ascii=False, indent=1)
    for name, rep in reports.items():
        typer.echo(format_report(name, rep))


@app.command("tune")
def tune_command(
    data: Annotated[Path, typer.Argument(help="Labeled CSV, TSV or JSONL (optionally .gz).")],
    label_col: Annotated[str, typer.Option("--label-col", help="Column holding the labels of the one head to tune.")],
    out: Out,
    text_col: TextCol = "text",
    time_budget: Annotated[float, typer.Option(min=0, help="Seconds to spend searching; at least one try always runs.")] = 300,
    max_trials: Annotated[Optional[int], typer.Option(min=1, help="Stop after this many tries, even within the time budget.")] = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds (stratified) per try.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the folds, the search order and the solver.")] = 0,
    valid: Valid = 0.1,
):
    """Search n-grams, min_df, alpha, max_features and sublinear tf by cross-validation, then train the best.

    Prints one line per try, then the best, then trains the best settings like `pipeline train`.

    Example: pipeline tune news.csv --label-col topic --time-budget 600 --out models/tuned
    """
    with _user_errors():
        data_set = io.read_labeled(str(data), text_col=text_col, label_cols=[label_col])
        labels = data_set.labels[label_col]
        with _about(data):
            best, _ = tune(data_set.texts, labels, time_budget=time_budget, max_trials=max_trials, folds=folds, seed=seed, on_trial=_print_trial)
            typer.echo(f"best: {_describe(best)}")
            model = train(data_set.texts, {label_col: labels}, best, valid=valid, seed=seed)
        model.training["source"] = str(data)
        model.save(str(out))
    _trained(model, out)


def _describe(s: Settings) -> str:
    return (
        f"word {_range_text(s.word_ngrams)}, char {_range_text(s.char_ngrams)}, min_df {s.min_df}, alpha {s.alpha:g}, "
        f"max_features {s.max_features or 'all'}, sublinear_tf {'on' if s.sublinear_tf else 'off'}, nb_scaling {s.nb_scaling or 'none'}"
    )


def _print_trial(trial) -> None:
    typer.echo(
        f"try: {_describe(trial.settings)}: macro-F1 {trial.macro_f1:.4f}, accuracy {trial.accuracy:.4f}, {trial.seconds:.2f} s"
    )


@app.command("train-quality")
def train_quality_command(
    pages: Annotated[Path, typer.Argument(help="JSONL of pages with a label per line (and optionally doc_label per page).")],
    out: Out,
    docs: Annotated[Optional[Path], typer.Option(help="Labeled documents (CSV, TSV or JSONL) for the document model.")] = None,
    doc_label_col: Annotated[str, typer.Option(help="Column of --docs holding content, ad or spam.")] = "label",
    text_col: TextCol = "text",
    lexicon: Annotated[Optional[list[Path]], typer.Option(help="Word list used as document features (`word` or `category<TAB>word` per line); repeatable.")] = None,
    model_dir: Annotated[Optional[Path], typer.Option("--model", "-m", help="A topic model to add the quality part to (its heads are kept).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the solvers: same data and seed, same model bytes.")] = 0,
):
    """Train the line model (content, boilerplate, ad, spam per line) and the document model (content, ad, spam).

    Lines labeled null are context only. The document model trains on the pages that have a
    doc_label plus --docs; without any document label only the line model is built.

    Example: pipeline train-quality pages.jsonl --docs docs.csv --lexicon ads.txt --model models/mine --out models/mine-q
    """
    with _user_errors():
        page_set = io.read_pages(str(pages))
        texts, labels = [], []
        if docs:
            data_set = io.read_labeled(str(docs), text_col=text_col, label_cols=[doc_label_col])
            rows = [i for i, y in enumerate(data_set.labels[doc_label_col]) if y is not None]
            texts = [data_set.texts[i] for i in rows]
            labels = [data_set.labels[doc_label_col][i] for i in rows]
        words = io.read_lexicons([str(p) for p in lexicon or []])
        base = load(str(model_dir)) if model_dir else None
        if base and DOCUMENT_HEAD in base.heads:
            raise PipelineError(f"{model_dir}: already has a head named {DOCUMENT_HEAD!r}; the quality part would replace it")
        with _about(pages):
            quality = train_quality([p.lines for p in page_set], [p.label for p in page_set], texts, labels, words, seed=seed)
        model = base or Model(Settings(), [], {}, {})
        model.quality = quality
        model.training["quality"] = {
            "pages": str(pages), "page_count": len(page_set), "documents": str(docs) if docs else None,
            "document_count": len(texts), "lexicons": {name: len(w) for name, w in words.items()}, "seed": seed,
        }
        model.save(str(out))
    parts = "line and document models" if quality.document else "line model (no document labels given)"
    err.print(f"quality: {parts} trained on {len(page_set)} pages and {len(texts)} documents; model written to {out}", markup=False)


@app.command("clean")
def clean_command(
    inputs: Inputs,
    model_dir: ModelDir = DEFAULT_MODEL,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="A directory (one .txt per document) or a file; stdout when absent.")] = None,
    with_lines: Annotated[bool, typer.Option("--lines", help="Write every line with its label and probability (JSONL) instead.")] = False,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="text, jsonl, csv or tsv; by default from --out's extension, else text.")] = None,
    text_col: TextCol = "text",
    glob: Glob = "*.txt",
    skip_bad: SkipBad = False,
    jobs: Jobs = 1,
):
    """Keep the main content of each document: its content lines in order, boilerplate, ads, spam and repeated copies removed.

    Text output separates documents by a blank line. A document with no content line gives an
    empty text (and content_lines 0), which is not an error.

    Example: pipeline clean page.txt crawl/ --out cleaned/
    """
    with _user_errors():
        model = _load_model(model_dir)
        if model.quality is None:
            raise PipelineError(f"{model_dir}: this model has no quality part; train one with `pipeline train-quality`")
        to_dir = out is not None and (Path(out).is_dir() or out.endswith(("/", os.sep)))
        fmt = "jsonl" if with_lines else fmt or ("text" if to_dir else io.format_from_path(out, default="text"))
        if fmt not in (*io.FORMATS, "text") or (with_lines and to_dir):
            raise PipelineError("--lines writes one JSONL file or stdout" if with_lines else f"unknown --format {fmt!r}; choose text or one of {', '.join(io.FORMATS)}")
        bad: list[str] = []
        documents = io.iter_documents(inputs, text_col=text_col, glob=glob, whole_stdin=True)
        with _progress(None, "cleaning") as advance:
            records = _batched(documents, _batch_size(jobs), bad, advance, lambda docs: _clean_batch(model, docs, with_lines, jobs, skip_bad))
            if to_dir:
                count, empty = _write_text_files(records, Path(out))
            else:
                with io.atomic_output(out) as stream:
                    count, empty = _write_cleaned(records, stream, fmt)
            _refuse_bad(bad, skip_bad)
    none = f", {empty} with no content line" if empty else ""
    err.print(f"{count} document{'s' * (count != 1)} cleaned{none}{_skipped(bad)}", markup=False)


def _clean_batch(model: Model, docs, with_lines: bool, jobs: int, skip_bad: bool):
    pages = [split_lines(d.text) if d.error is None else [] for d in docs]
    labeled = model.label_pages(pages, jobs)
    for doc, page in zip(docs, labeled):
        if doc.error is not None and not skip_bad:
            continue
        record = {"id": doc.id, "content_lines": sum(line.label == CONTENT for line in page), "total_lines": len(page)}
        if with_lines:
            record["lines"] = [{"text": line.text, "label": line.label, "prob": round(line.prob, 4)} for line in page]
        else:
            record["text"] = clean_lines(page)
        if skip_bad:
            record["error"] = doc.error or ""
        for key, value in doc.fields.items():
            record[f"input_{key}" if key in record else key] = value
        yield record


def _write_cleaned(records, stream, fmt: str) -> tuple[int, int]:
    count = empty = 0

    def counted():
        nonlocal count, empty
        for record in records:
            count += 1
            empty += record["content_lines"] == 0
            yield record

    if fmt != "text":
        io.write_records(counted(), stream, fmt)
    else:
        for record in counted():
            stream.write(("\n" if count > 1 else "") + record["text"] + "\n")
    return count, empty


def _write_text_files(records, directory: Path) -> tuple[int, int]:
    """One .txt per document, named after its id; a name already used gets a number."""
    directory.mkdir(parents=True, exist_ok=True)
    count = empty = 0
    used: set[str] = set()
    for record in records:
        count += 1
        empty += record["content_lines"] == 0
        stem = re.sub(r"[^\w.-]+", "_", Path(record["id"].replace(":", "-")).name).removesuffix(".txt") or "stdin"
        name, n = f"{stem}.txt", 1
        while name in used:
            n += 1
            name = f"{stem}-{n}.txt"
        used.add(name)
        with io.atomic_output(str(directory / name)) as stream:
            stream.write(record["text"] + ("\n" if record["text"] else ""))
    return count, empty


@app.command("labels")
def labels_command(
    schema: Annotated[Path, typer.Argument(help="A label schema (TOML).")] = LABELS / "quality.toml",
):
    """Show the labels of a schema with their descriptions and an example each.

    Example: pipeline labels labels/quality.toml
    """
    import tomllib

    with _user_errors():
        try:
            with open(schema, "rb") as f:
                levels = tomllib.load(f)
        except OSError as e:
            raise PipelineError(f"{schema}: cannot read ({e.strerror})") from None
        except tomllib.TOMLDecodeError as e:
            raise PipelineError(f"{schema}: not valid TOML ({e})") from None
    out = []
    for level, labels in levels.items():
        if not isinstance(labels, dict):
            continue
        out.append(f"{level}:")
        for name, spec in labels.items():
            if isinstance(spec, dict) and "description" in spec:
                out.append(f"  {name}: {spec['description']}")
                if spec.get("examples"):
                    out.append(f"    e.g. {spec['examples'][0]}")
            elif isinstance(spec, dict):  # a mapping table, e.g. a data set's labels onto the topics
                out.append(f"  {name}: " + ", ".join(f"{k} -> {v}" for k, v in spec.items()))
    typer.echo("\n".join(out))


@app.command("info")
def info_command(
    model_dir: Annotated[Path, typer.Argument(help="Model directory.", show_default="models/default, shipped")] = DEFAULT_MODEL,
):
    """Describe a model: heads and labels, features, training data, validation metrics, versions.

    Example: pipeline info models/mine
    """
    with _user_errors():
        model = _load_model(model_dir)
        manifest = read_manifest(str(model_dir))
    t = model.training
    lines = [f"model: {model_dir} (format {manifest['format_version']})"]
    for name, classes in model.classes_.items():
        lines.append(f"head {name}: {len(classes)} labels: {', '.join(classes)}")
    if model.quality:
        q = model.quality
        lines.append(f"quality lines: {', '.join(q.lines.classes)} ({q.lines.block.n_terms} char n-grams + layout, smoothed along the page)")
        if q.document:
            lexicons = ", ".join(f"{k} ({len(v)})" for k, v in q.document.lexicons.items()) or "none"
            lines.append(f"quality document: {', '.join(q.document.head.classes)}; lexicons: {lexicons}")
    lines += _features_and_classifier(model)
    if model.long:
        long = model.long
        lines.append(
            f"long texts (from {long.min_chars} characters on): head {', '.join(long.model.heads)} mixed with a long-text model "
            f"at weight {long.weight:g}; its labels: {', '.join(label for c in long.model.classes_.values() for label in c)}"
        )
        lines += ["  long-text " + line for line in _features_and_classifier(long.model)]
    s = model.settings
    if needs_tokens(model.blocks):
        lines.append(
            f"tokenizer: {s.tokenizer.engine}, {len(s.tokenizer.user_words)} user words, {len(s.tokenizer.stopwords)} stopwords"
        )
    else:
        lines.append("tokenizer: not used (no word n-grams)")
    steps = [k for k, v in vars(s.normalization).items() if v]
    lines.append(f"normalization: {', '.join(steps) or 'none'}")
    if "rows" in t:
        lines.append(
            f"training data: {t.get('source', '(library)')}, {t['rows']} rows, {t['fingerprint']}, valid {t['valid']}, seed {t['seed']}"
        )
        for name, rep in t.get("metrics", {}).items():
            lines.append(f"validation {name}: accuracy {rep['accuracy']:.4f}, macro-F1 {rep['macro']['f1']:.4f} on {rep['n']} rows")
    if "quality" in t:
        q = t["quality"]
        lines.append(f"quality training data: {q['page_count']} pages from {q['pages']}, {q['document_count']} documents from {q['documents']}, seed {q['seed']}")
    lines.append("versions: " + ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items()))
    typer.echo("\n".join(lines))


def _features_and_classifier(model: Model) -> list[str]:
    lines = []
    for block in model.blocks:
        lo, hi = block.ngram_range
        lines.append(
            f"features {block.kind} {lo}-{hi}-grams: {block.n_terms} terms "
            f"(min_df {block.min_df}, max_features {block.max_features}, sublinear_tf {block.sublinear_tf})"
        )
    s = model.settings
    nb = f", features scaled by naive Bayes log-count ratios (smoothing {s.nb_scaling})" if s.nb_scaling else ""
    lines.append(f"classifier: logistic regression (SGD), alpha {s.alpha}, epochs {s.epochs}, class_weight {s.class_weight}{nb}")
    return lines


def main():
    app(prog_name="pipeline")


if __name__ == "__main__":
    main()
