"""Saving and loading model directories: a JSON manifest beside .npy arrays and JSON term lists.

Loading never executes code from the files: arrays are read with allow_pickle=False, every file's
sha256 is checked against the manifest, and shapes are checked against each other.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import ConfigError, ModelFormatError
from .features import TfidfBlock
from .linear import Head
from .model import AUTO, Model, Settings
from .quality import Quality
from .quality.documents import DOCUMENT_LAYOUT_ADDED_7, DocumentModel, PageLines, document_head_width, document_layout_width
from .quality.lines import LINE_LAYOUT_WIDTH, LINE_LAYOUT_WIDTH_3, LineModel
from .text import Normalization, Tokenizer

FORMAT = "pipeline-model"
FORMAT_VERSION = 7  # 2: an optional quality part (line and document models); 3: more layout columns in it; 4: one more
# column; 5: the document model's page-line head (a format 3 or 4 quality part loads without it); 6: an optional
# long-text model (Model.add_long_model), and head weights stored in float16 or float32; 7: one more document layout
# column (a document model of format 6 or older reads without it)
QUALITY_SINCE = 3  # the oldest format whose quality part this pipeline reads
MANIFEST = "manifest.json"
_LIBRARIES = ("pipeline", "numpy", "scipy", "scikit-learn", "rjieba", "jieba", "opencc")


def library_versions() -> dict[str, str]:
    versions = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def _json_bytes(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _put_block(files: dict[str, bytes], stem: str, block: TfidfBlock) -> dict:
    files[f"{stem}.keys.npy"] = _npy_bytes(block.keys)
    files[f"{stem}.idf.npy"] = _npy_bytes(block.idf)
    if block.kind == "word":
        files[f"{stem}.tokens.json"] = _json_bytes(block.tokens)
    return {
        "kind": block.kind,
        "ngram_range": list(block.ngram_range),
        "min_df": block.min_df,
        "max_features": block.max_features,
        "sublinear_tf": block.sublinear_tf,
        "n_terms": block.n_terms,
        "keys": f"{stem}.keys.npy",
        "idf": f"{stem}.idf.npy",
        "tokens": f"{stem}.tokens.json" if block.kind == "word" else None,
    }


def _put_head(files: dict[str, bytes], stem: str, head: Head) -> dict:
    files[f"{stem}.coef.npy"] = _npy_bytes(head.coef)
    files[f"{stem}.intercept.npy"] = _npy_bytes(head.intercept)
    return {"classes": head.classes, "coef": f"{stem}.coef.npy", "intercept": f"{stem}.intercept.npy"}


def _put_quality(files: dict[str, bytes], quality: Quality) -> dict:
    lines = quality.lines
    files["quality/lines.transition.npy"] = _npy_bytes(lines.log_transition)
    files["quality/lines.prior.npy"] = _npy_bytes(lines.log_prior)
    spec = {
        "lines": {
            "features": _put_block(files, "quality/lines-char", lines.block),
            "head": _put_head(files, "quality/lines", lines.head),
            "log_transition": "quality/lines.transition.npy",
            "log_prior": "quality/lines.prior.npy",
            "emission_weight": lines.emission_weight,
            "normalization": asdict(lines.normalization),
            "layout_columns": lines.layout_width,
        },
        "document": None,
    }
    if quality.document:
        document = quality.document
        files["quality/lexicons.json"] = _json_bytes(document.lexicons)
        spec["document"] = {
            "features": _put_block(files, "quality/document-char", document.block),
            "head": _put_head(files, "quality/document", document.head),
            "lexicons": "quality/lexicons.json",
            "normalization": asdict(document.normalization),
            "page_lines": None,
            "layout_columns": document.layout_width,
        }
        if document.page_lines is not None:
            spec["document"]["page_lines"] = {
                "features": _put_block(files, "quality/page-lines-char", document.page_lines.block),
                "head": _put_head(files, "quality/page-lines", document.page_lines.head),
            }
    return spec


def _put_topic_part(files: dict[str, bytes], prefix: str, model: Model) -> dict:
    """The settings, feature blocks and heads of `model`, their files named under `prefix`."""
    settings = asdict(model.settings)
    settings["tokenizer"]["user_words"] = list(model.settings.tokenizer.user_words)
    settings["tokenizer"]["stopwords"] = sorted(model.settings.tokenizer.stopwords)
    return {
        "heads": {name: _put_head(files, f"{prefix}heads/{n}", head) for n, (name, head) in enumerate(model.heads.items())},
        "features": [_put_block(files, f"{prefix}features/{n}-{block.kind}", block) for n, block in enumerate(model.blocks)],
        "settings": settings,
    }


def save(model: Model, directory: str) -> None:
    """Write the model to `directory`, replacing what was there only once everything is written."""
    files: dict[str, bytes] = {}
    long = None
    if model.long:
        long = {
            **_put_topic_part(files, "long/", model.long.model),
            "training": model.long.model.training,
            "min_chars": model.long.min_chars,
            "weight": model.long.weight,
        }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        **_put_topic_part(files, "", model),
        "training": model.training,
        "quality": _put_quality(files, model.quality) if model.quality else None,
        "long": long,
        "versions": library_versions(),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files[MANIFEST] = _json_bytes(manifest)

    target = Path(directory)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a model is shared like any other file
    except OSError as e:
        raise ModelFormatError(f"{directory}: cannot write the model there ({e.strerror})") from None
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        if target.is_dir() and (target / MANIFEST).exists():
            shutil.rmtree(target)
        elif target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise ModelFormatError(f"{directory}: exists and is not a model directory; choose another --out")
        elif target.exists():
            target.rmdir()
        os.replace(staging, target)
    except OSError as e:
        raise ModelFormatError(f"{directory}: cannot write the model there ({e.strerror})") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def read_manifest(directory: str) -> dict:
    """The manifest of a model directory, checked for format and version."""
    return _read_manifest(directory)[0]


def _read_manifest(directory: str) -> tuple[dict, str]:
    """The checked manifest and the sha256 of its bytes, which names every file of the model."""
    path = Path(directory) / MANIFEST
    if not Path(directory).is_dir():
        raise ModelFormatError(f"{directory}: no such model directory")
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise ModelFormatError(f"{directory}: not a model directory (no {MANIFEST})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFormatError(f"{path}: not valid JSON; the model is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFormatError(f"{path}: not a pipeline model manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int):
        raise ModelFormatError(f"{path}: no format_version; the model is damaged")
    if version > FORMAT_VERSION:
        raise ModelFormatError(
            f"{directory}: model format version {version} is newer than this pipeline reads ({FORMAT_VERSION}); upgrade pipeline"
        )
    return manifest, hashlib.sha256(raw).hexdigest()


def _read_checked(directory: Path, name: str, manifest: dict) -> bytes:
    expected = manifest["sha256"].get(name)
    if expected is None or ".." in Path(name).parts or Path(name).is_absolute():
        raise ModelFormatError(f"{directory}: manifest names an unlisted file {name!r}; the model is damaged")
    try:
        data = (directory / name).read_bytes()
    except OSError:
        raise ModelFormatError(f"{directory / name}: missing; the model is incomplete") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise ModelFormatError(f"{directory / name}: checksum mismatch; the file was changed or truncated")
    return data


def _load_array(directory: Path, name: str, manifest: dict) -> np.ndarray:
    data = _read_checked(directory, name, manifest)
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError:
        raise ModelFormatError(f"{directory / name}: not a plain numeric array") from None


def load(directory: str) -> Model:
    """Read a model directory written by `Model.save`."""
    manifest, digest = _read_manifest(directory)
    root = Path(directory)
    try:
        settings, blocks, heads = _get_topic_part(root, manifest, manifest)
        quality = None
        if manifest.get("quality"):
            if manifest["format_version"] < QUALITY_SINCE:
                raise ModelFormatError(
                    f"{root}: its quality part was made by an older pipeline (format {manifest['format_version']}); "
                    "train it again with `pipeline train-quality`"
                )
            quality = _get_quality(root, manifest["quality"], manifest)
        model = Model(settings, blocks, heads, manifest.get("training", {}), source=(str(root.resolve()), digest), quality=quality)
        if manifest.get("long"):  # format 6 on
            spec = manifest["long"]
            long = Model(*_get_topic_part(root, spec, manifest), spec["training"])
            model.add_long_model(long, spec["min_chars"], spec["weight"])
    except (KeyError, TypeError, ValueError, ConfigError) as e:
        raise ModelFormatError(f"{root / MANIFEST}: malformed manifest ({e}); the model is damaged") from None
    return model


def _get_topic_part(root: Path, spec: dict, manifest: dict) -> tuple[Settings, list[TfidfBlock], dict[str, Head]]:
    """The settings, feature blocks and heads that `spec` (the manifest or its long-text part) names."""
    settings_dict = spec["settings"]
    settings = Settings(
        **{
            **settings_dict,
            "word_ngrams": _pair(settings_dict["word_ngrams"]),
            "char_ngrams": _pair(settings_dict["char_ngrams"]),
            "nb_scaling": settings_dict.get("nb_scaling"),  # models saved before it had none
            "normalization": Normalization(**settings_dict["normalization"]),
            "tokenizer": Tokenizer(
                engine=settings_dict["tokenizer"]["engine"],
                user_words=tuple(settings_dict["tokenizer"]["user_words"]),
                stopwords=frozenset(settings_dict["tokenizer"]["stopwords"]),
            ),
        }
    )
    blocks = [_get_block(root, block, manifest) for block in spec["features"]]
    n_features = sum(b.n_terms for b in blocks)
    heads = {name: _get_head(root, head, manifest, n_features) for name, head in spec["heads"].items()}
    return settings, blocks, heads


def _get_block(root: Path, spec: dict, manifest: dict) -> TfidfBlock:
    keys = _load_array(root, spec["keys"], manifest)
    idf = _load_array(root, spec["idf"], manifest)
    tokens = None
    if spec["kind"] == "word":
        tokens = json.loads(_read_checked(root, spec["tokens"], manifest).decode("utf-8"))
    if keys.dtype != np.int64 or not keys.shape == idf.shape == (spec["n_terms"],) or not isinstance(tokens, (list, type(None))):
        raise ModelFormatError(f"{root / spec['keys']}: does not match the manifest; the model is damaged")
    return TfidfBlock(
        spec["kind"], _pair(spec["ngram_range"]), spec["min_df"], spec["max_features"],
        spec["sublinear_tf"], keys=keys, idf=idf.astype(np.float32), tokens=tokens,
    )


def _get_head(root: Path, spec: dict, manifest: dict, n_features: int) -> Head:
    coef = _load_array(root, spec["coef"], manifest)
    intercept = _load_array(root, spec["intercept"], manifest)
    rows = 1 if len(spec["classes"]) == 2 else len(spec["classes"])
    if coef.shape != (rows, n_features) or intercept.shape != (rows,):
        raise ModelFormatError(f"{root / spec['coef']}: shape {coef.shape} does not fit the manifest; the model is damaged")
    if coef.dtype.kind != "f" or intercept.dtype.kind != "f":
        raise ModelFormatError(f"{root / spec['coef']}: weights of type {coef.dtype}, expected floating point; the model is damaged")
    return Head(list(spec["classes"]), coef, intercept)


def _get_quality(root: Path, spec: dict, manifest: dict) -> Quality:
    lines = spec["lines"]
    block = _get_block(root, lines["features"], manifest)
    layout = lines.get("layout_columns", LINE_LAYOUT_WIDTH_3)  # format 3 did not name it
    if not isinstance(layout, int) or not LINE_LAYOUT_WIDTH_3 <= layout <= LINE_LAYOUT_WIDTH:
        raise ModelFormatError(f"{root / MANIFEST}: the line model reads {layout!r} layout columns; the model is damaged")
    head = _get_head(root, lines["head"], manifest, block.n_terms + layout)
    k = len(head.classes)
    transition = _load_array(root, lines["log_transition"], manifest)
    prior = _load_array(root, lines["log_prior"], manifest)
    if transition.shape != (k, k) or prior.shape != (k,):
        raise ModelFormatError(f"{root / lines['log_transition']}: does not fit the line classes; the model is damaged")
    line_model = LineModel(block, head, transition, prior, float(lines["emission_weight"]), Normalization(**lines["normalization"]))
    document = None
    if spec.get("document"):
        doc = spec["document"]
        lexicons = json.loads(_read_checked(root, doc["lexicons"], manifest).decode("utf-8"))
        if not isinstance(lexicons, dict) or not all(isinstance(w, list) for w in lexicons.values()):
            raise ModelFormatError(f"{root / doc['lexicons']}: not a JSON object of word lists; the model is damaged")
        doc_block = _get_block(root, doc["features"], manifest)
        page_lines = None
        if doc.get("page_lines"):  # format 5 on; a format 3 or 4 document model reads without it
            lines_block = _get_block(root, doc["page_lines"]["features"], manifest)
            page_lines = PageLines(lines_block, _get_head(root, doc["page_lines"]["head"], manifest, lines_block.n_terms))
        full = document_layout_width(k)
        oldest = full - DOCUMENT_LAYOUT_ADDED_7
        layout = doc.get("layout_columns", oldest)  # format 6 and older did not name it
        if not isinstance(layout, int) or not oldest <= layout <= full:
            raise ModelFormatError(f"{root / MANIFEST}: the document model reads {layout!r} layout columns; the model is damaged")
        width = document_head_width(doc_block.n_terms, layout, len(lexicons), page_lines is not None)
        document = DocumentModel(
            doc_block, _get_head(root, doc["head"], manifest, width), lexicons, Normalization(**doc["normalization"]), page_lines
        )
    return Quality(line_model, document)


def _pair(value):
    return None if value is None else value if value == AUTO else tuple(value)
