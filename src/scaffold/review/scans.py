"""What a reviewer finds by looking through the files: secrets, large and data files, notebooks
saved with their outputs, and tests that cannot fail (or cannot pass).

Each scan takes a `Repository` and returns findings as short strings, `path:line: what`, ready
to list in a check's message. Secrets are shown redacted.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from scaffold.review.repository import Repository, git_attribute

MB = 1024 * 1024
LARGE_FILE_MB = 10  # one file larger than this does not belong in git
DATA_TOTAL_MB = 50  # nor data and model files larger than this, all together
SCANNED_FILE_MB = 2  # secrets are looked for in text files up to this size

# Well-known credential formats: each is specific enough that a match is almost surely real.
SECRET_PATTERNS = {
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret key": re.compile(
        r"aws_secret_access_key\s*[=:]\s*[\"']?[A-Za-z0-9/+=]{40}\b", re.IGNORECASE
    ),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    "GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),
    "OpenAI or Anthropic key": re.compile(r"\bsk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_\-]{32,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    "Stripe live key": re.compile(r"\b[rs]k_live_[0-9a-zA-Z]{24,}"),
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
}
# `.env` files hold a developer's own settings and keys; templates of them are fine.
ENV_FILE = re.compile(r"(^|/)\.env(\.(?!example$|sample$|template$|dist$|defaults?$)[^/]+)?$")
DATA_SUFFIXES = frozenset(
    {".csv", ".tsv", ".jsonl", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".xlsx",
     ".xls", ".h5", ".hdf5", ".nc", ".npy", ".npz", ".mat", ".pkl", ".pickle", ".joblib",
     ".pt", ".pth", ".ckpt", ".safetensors", ".onnx", ".tflite", ".pb", ".bin", ".gguf",
     ".tfrecord", ".db", ".sqlite", ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z",
     ".wav", ".mp3", ".flac", ".mp4", ".avi", ".tif", ".tiff"}
)  # fmt: skip


def secrets(repo: Repository) -> list[str]:
    found = [f"{name}: a `.env` file (settings and keys of one machine)" for name in repo.files
             if ENV_FILE.search(name)]  # fmt: skip
    for name in repo.files:
        size = repo.size(name)
        if size is not None and size > SCANNED_FILE_MB * MB:
            continue
        text = repo.read_text(name)
        if not text:
            continue
        for what, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{name}:{line}: {what} `{_redact(match.group(0))}`")
    return found


def _redact(secret: str) -> str:
    return secret[:6] + "…" if len(secret) > 10 else "…"


def lfs_files(repo: Repository, names: list[str]) -> set[str]:
    """Those of `names` stored with Git LFS (git keeps a pointer, not the file)."""
    if repo.path is None or not repo.in_git:
        return set()
    return {name for name, value in git_attribute(repo.path, "filter", names).items()
            if value == "lfs"}  # fmt: skip


def large_files(repo: Repository) -> list[tuple[str, int]] | None:
    """(name, bytes) of files over LARGE_FILE_MB, largest first; None off this disk."""
    if repo.path is None:
        return None
    sizes = [(name, repo.size(name) or 0) for name in repo.files]
    large = [(name, size) for name, size in sizes if size > LARGE_FILE_MB * MB]
    in_lfs = lfs_files(repo, [name for name, _ in large])
    return sorted(((n, s) for n, s in large if n not in in_lfs), key=lambda item: -item[1])


def data_files(repo: Repository) -> list[tuple[str, int]] | None:
    """(name, bytes) of data and model files (by suffix, or anything under data/), largest
    first, Git LFS files left out; None off this disk."""
    if repo.path is None:
        return None
    names = [
        name
        for name in repo.files
        if PurePosixPath(name).suffix.lower() in DATA_SUFFIXES
        or (name.startswith("data/") and PurePosixPath(name).suffix.lower() != ".md")
    ]
    in_lfs = lfs_files(repo, names)
    sized = [(name, repo.size(name) or 0) for name in names if name not in in_lfs]
    return sorted(sized, key=lambda item: -item[1])


def notebooks_with_outputs(repo: Repository) -> list[str]:
    found = []
    for name in repo.files:
        if not name.endswith(".ipynb"):
            continue
        try:
            notebook = json.loads(repo.read_text(name) or "")
        except json.JSONDecodeError:
            found.append(f"{name}: not a valid notebook (JSON)")
            continue
        cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
        with_outputs = sum(
            1 for cell in cells if isinstance(cell, dict) and cell.get("outputs")
        )  # fmt: skip
        if with_outputs:
            found.append(f"{name}: {with_outputs} cell(s) with outputs")
    return found


@dataclass(frozen=True)
class TestFunction:
    file: str
    name: str
    line: int
    placeholder: str | None  # what makes it one ("only `assert True`"), or None for a real test


TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test)\.py$")


def test_functions(repo: Repository) -> list[TestFunction]:
    """Every test function pytest would collect from the repository's test files."""
    found = []
    for name in repo.files:
        if not TEST_FILE.search(name):
            continue
        try:
            tree = ast.parse(repo.read_text(name) or "", filename=name)
        except (SyntaxError, ValueError):
            continue
        for node in _test_nodes(tree.body):
            found.append(TestFunction(name, node.name, node.lineno, _placeholder(node)))
    return found


def _test_nodes(body: list[ast.stmt]) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    nodes: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            nodes.append(node)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            nodes += _test_nodes(node.body)
    return nodes


def _placeholder(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """Why a test cannot fail or cannot pass: a body of `pass`, `...`, an `assert` of a
    constant (or of two constants compared), or `raise NotImplementedError`."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # a docstring
    if not body:
        return "an empty body"
    if len(body) != 1:
        return None
    statement = body[0]
    if isinstance(statement, ast.Pass) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    ):
        return "an empty body"
    if isinstance(statement, ast.Assert) and _constant(statement.test):
        return f"only `{ast.unparse(statement)}`"
    if isinstance(statement, ast.Raise) and "NotImplementedError" in ast.unparse(statement):
        return "only `raise NotImplementedError`"
    return None


def _constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Compare):
        return all(isinstance(part, ast.Constant) for part in (node.left, *node.comparators))
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand)
    return False
