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

from .errors import ModelFormatError
from .features import TfidfBlock
from .linear import Head
from .model import Model, Settings
from .text import Normalization, Tokenizer

FORMAT = "pipeline-model"
FORMAT_VERSION = 1
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


def save(model: Model, directory: str) -> None:
    """Write the model to `directory`, replacing what was there only once everything is written."""
    files: dict[str, bytes] = {}
    features = []
    for n, block in enumerate(model.blocks):
        stem = f"features/{n}-{block.kind}"
        files[f"{stem}.keys.npy"] = _npy_bytes(block.keys)
        files[f"{stem}.idf.npy"] = _npy_bytes(block.idf)
        if block.kind == "word":
            files[f"{stem}.tokens.json"] = _json_bytes(block.tokens)
        features.append(
            {
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
        )
    heads = {}
    for n, (name, head) in enumerate(model.heads.items()):
        stem = f"heads/{n}"
        files[f"{stem}.coef.npy"] = _npy_bytes(head.coef)
        files[f"{stem}.intercept.npy"] = _npy_bytes(head.intercept)
        heads[name] = {"classes": head.classes, "coef": f"{stem}.coef.npy", "intercept": f"{stem}.intercept.npy"}
    settings = asdict(model.settings)
    settings["tokenizer"]["user_words"] = list(model.settings.tokenizer.user_words)
    settings["tokenizer"]["stopwords"] = sorted(model.settings.tokenizer.stopwords)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "heads": heads,
        "features": features,
        "settings": settings,
        "training": model.training,
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
        settings_dict = manifest["settings"]
        settings = Settings(
            **{
                **settings_dict,
                "word_ngrams": _pair(settings_dict["word_ngrams"]),
                "char_ngrams": _pair(settings_dict["char_ngrams"]),
                "normalization": Normalization(**settings_dict["normalization"]),
                "tokenizer": Tokenizer(
                    engine=settings_dict["tokenizer"]["engine"],
                    user_words=tuple(settings_dict["tokenizer"]["user_words"]),
                    stopwords=frozenset(settings_dict["tokenizer"]["stopwords"]),
                ),
            }
        )
        blocks = []
        for spec in manifest["features"]:
            keys = _load_array(root, spec["keys"], manifest)
            idf = _load_array(root, spec["idf"], manifest)
            tokens = None
            if spec["kind"] == "word":
                tokens = json.loads(_read_checked(root, spec["tokens"], manifest).decode("utf-8"))
            if keys.dtype != np.int64 or not keys.shape == idf.shape == (spec["n_terms"],) or not isinstance(tokens, (list, type(None))):
                raise ModelFormatError(f"{root / spec['keys']}: does not match the manifest; the model is damaged")
            blocks.append(
                TfidfBlock(
                    spec["kind"], _pair(spec["ngram_range"]), spec["min_df"], spec["max_features"],
                    spec["sublinear_tf"], keys=keys, idf=idf.astype(np.float32), tokens=tokens,
                )
            )
        n_features = sum(b.n_terms for b in blocks)
        heads = {}
        for name, spec in manifest["heads"].items():
            coef = _load_array(root, spec["coef"], manifest)
            intercept = _load_array(root, spec["intercept"], manifest)
            rows = 1 if len(spec["classes"]) == 2 else len(spec["classes"])
            if coef.shape != (rows, n_features) or intercept.shape != (rows,):
                raise ModelFormatError(f"{root / spec['coef']}: shape {coef.shape} does not fit the manifest; the model is damaged")
            heads[name] = Head(list(spec["classes"]), coef, intercept)
    except (KeyError, TypeError, ValueError) as e:
        raise ModelFormatError(f"{root / MANIFEST}: malformed manifest ({e}); the model is damaged") from None
    return Model(settings, blocks, heads, manifest.get("training", {}), source=(str(root.resolve()), digest))


def _pair(value):
    return None if value is None else tuple(value)
