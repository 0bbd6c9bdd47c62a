"""The snapshot manifest: every upstream file the project uses, pinned by sha256.

`data/manifest.csv` has one row per file. `local_path` is the file's path below the mirror root and
below `data/external/` (the same relative path in both). `url` is the raw URL of the file at its
pinned upstream commit; files that were DERIVED by the mirror's curators have no single upstream URL:
their `url` is empty and `derived_from` says what they were made from and how, so they come from a
mirror only.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import InputError

COLUMNS = [
    "local_path",
    "dataset",
    "url",
    "sha256",
    "bytes",
    "license",
    "citation",
    "snapshot_date",
    "upstream_repo",
    "upstream_path",
    "commit",
    "derived_from",
]


class ManifestError(InputError):
    """A manifest that cannot be used: one line naming the file (repository-relative), the line and the column;
    an InputError, so the command line prints it as `error: data/manifest.csv, line N, column 'C': ...`."""


@dataclass(frozen=True)
class Entry:
    local_path: str
    dataset: str
    url: str
    sha256: str
    bytes: int
    license: str
    citation: str
    snapshot_date: str
    upstream_repo: str
    upstream_path: str
    commit: str
    derived_from: str = ""

    @property
    def is_derived(self) -> bool:
        return not self.url


def raw_github_url(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def label(path: Path) -> str:
    """How errors name the manifest: its path relative to the repository ('data/manifest.csv'), else as given."""
    try:
        return path.resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(path)


_HEX = frozenset("0123456789abcdef")


# The entries of the last manifest text parsed, per file: every chart's source line and the index's table
# package read the manifest, dozens of times a build; a file read again with the same bytes is not parsed again.
_PARSED: dict[str, tuple[bytes, tuple[Entry, ...]]] = {}


def load(path: Path | None = None) -> list[Entry]:
    path = path or paths.manifest_path()
    name = label(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{name}: cannot be read ({exc.strerror})") from None
    seen = _PARSED.get(str(path))
    if seen is not None and seen[0] == raw:
        return list(seen[1])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{name}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    try:
        entries = _entries(name, text)
    except csv.Error as exc:
        raise ManifestError(f"{name}: cannot be parsed as CSV: {exc}") from None
    _PARSED[str(path)] = (raw, tuple(entries))
    return entries


def _entries(name: str, text: str) -> list[Entry]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restkey="_extra")
    if reader.fieldnames != COLUMNS:
        raise ManifestError(f"{name}, line 1: header {reader.fieldnames} != expected {COLUMNS}")
    entries = []
    seen: dict[str, int] = {}
    for row in reader:
        lineno = reader.line_num  # the line the record ends on (a manifest record is one line)
        where = f"{name}, line {lineno}"
        if row.get("_extra") or any(row[c] is None for c in COLUMNS):
            raise ManifestError(f"{where}: not {len(COLUMNS)} fields as the header has")
        for col in ("local_path", "dataset", "sha256", "license", "citation", "snapshot_date"):
            if not row[col].strip():
                raise ManifestError(f"{where}, column {col!r} is empty")
        if not row["url"] and not row["derived_from"]:
            raise ManifestError(f"{where}: a row needs a url or a derived_from note")
        if row["url"] and not row["url"].startswith("https://"):
            raise ManifestError(f"{where}, column 'url' is not https: {row['url']!r:.80}")
        if len(row["sha256"]) != 64 or not set(row["sha256"]) <= _HEX:
            raise ManifestError(f"{where}, column 'sha256': {row['sha256']!r:.80} is not a sha256 hex digest "
                                "(64 lowercase hex characters)")
        if not row["bytes"].strip().isdigit():
            raise ManifestError(f"{where}, column 'bytes': {row['bytes']!r:.40} is not a size in bytes")
        try:
            dt.date.fromisoformat(row["snapshot_date"])
        except ValueError:
            raise ManifestError(f"{where}, column 'snapshot_date': {row['snapshot_date']!r:.40} is not an ISO "
                                "date") from None
        if row["local_path"] in seen:
            raise ManifestError(f"{where}, column 'local_path': {row['local_path']!r:.120} is repeated (first on "
                                f"line {seen[row['local_path']]})")
        seen[row["local_path"]] = lineno
        entries.append(Entry(**{**{c: row[c] for c in COLUMNS}, "bytes": int(row["bytes"])}))
    return entries


def save(entries: list[Entry], path: Path | None = None) -> None:
    from analysis.core.atomic import atomic_path

    path = path or paths.manifest_path()
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for e in sorted(entries, key=lambda e: e.local_path):
            w.writerow(asdict(e))


def by_dataset(dataset: str, entries: list[Entry] | None = None) -> list[Entry]:
    entries = entries if entries is not None else load()
    return [e for e in entries if e.dataset == dataset]


def entry(local_path: str, entries: list[Entry] | None = None) -> Entry:
    entries = entries if entries is not None else load()
    for e in entries:
        if e.local_path == local_path:
            return e
    raise ManifestError(f"{local_path!r} is not in the manifest")


def pin(
    mirror: Path,
    local_path: str,
    *,
    dataset: str,
    license: str,
    citation: str,
    snapshot_date: str,
    upstream_repo: str = "",
    upstream_path: str = "",
    commit: str = "",
    derived_from: str = "",
) -> Entry:
    """Make a manifest entry for a file of the mirror (computes sha256 and size)."""
    file = mirror / local_path
    url = raw_github_url(upstream_repo, commit, upstream_path) if upstream_repo and commit else ""
    return Entry(
        local_path=local_path,
        dataset=dataset,
        url=url,
        sha256=sha256_of(file),
        bytes=file.stat().st_size,
        license=license,
        citation=citation,
        snapshot_date=snapshot_date,
        upstream_repo=upstream_repo,
        upstream_path=upstream_path,
        commit=commit,
        derived_from=derived_from,
    )


def upsert(new: list[Entry], path: Path | None = None) -> None:
    path = path or paths.manifest_path()
    current = load(path) if path.is_file() else []
    keep = {e.local_path: e for e in current}
    for e in new:
        keep[e.local_path] = e
    save(list(keep.values()), path)


__all__ = [
    "COLUMNS", "Entry", "ManifestError", "by_dataset", "entry", "label", "load", "pin", "raw_github_url",
    "save", "sha256_of", "upsert",
]


# The name a reader sees for each source (the freshness table, each chart's short source line), keyed by dataset,
# or by dataset/repository for the datasets of SPLIT. A source without a name here is shown by its key (a test
# checks every row has one).
SOURCE_NAMES: dict[str, str] = {
    "epoch_models": "Epoch AI, Notable / Large-Scale / Frontier AI Models",
    "epoch_eci": "Epoch AI, Epoch Capabilities Index",
    "epoch_benchmarks": "Epoch AI, Benchmarking Hub",
    "epoch_hardware": "Epoch AI, Machine Learning Hardware",
    "models_dev": "models.dev, model catalogue",
    "openrouter_endpoints": "OpenRouter, model endpoints",
    "epoch_price_trends": "Epoch AI, LLM price-trend inputs (replication)",
    "artificial_analysis": "Artificial Analysis, models leaderboard",
    "lmarena": "LMArena, text leaderboard",
    "lmarena_history": "LMArena leaderboard history (first-seen dates)",
    "livebench": "LiveBench results",
    "litellm": "LiteLLM price file",
    "llm_prices": "llm-prices (Simon Willison)",
    "llm_prices_cn": "llm-prices-cn (LLM Abacus)",
    "llm_price_cn_tables": "llmprice.cn and LLM-Price README tables",
    "policy": "Vorp Labs, US AI law changes",
    "adoption/Franri3008/franri3008.github.io": "Hugging Face Hub activity per lab (CEPS chart data)",
    "adoption/Interconnects-AI/tracked-models": "The ATOM Project, organisation regions",
    "adoption/Kenneth-Top/workflows-": "OpenRouter tokens (rankings scrape)",
}
SPLIT = ("adoption",)


def source_key(entry: Entry) -> str:
    """The source a pinned file belongs to: its dataset, or dataset/repository for the datasets of SPLIT."""
    return f"{entry.dataset}/{entry.upstream_repo}" if entry.dataset in SPLIT else entry.dataset


def publisher(entry: Entry) -> str:
    """A source's short name for a chart's one-line source note: its reader-facing name up to the first comma,
    without a parenthesis ('Epoch AI', 'OpenRouter', 'models.dev'); a source without one, its citation's first
    words (up to the first comma, whole words up to 40 characters)."""
    name = SOURCE_NAMES.get(source_key(entry)) or entry.citation.split(";")[0]
    name = name.split(",")[0].split(" (")[0].strip()
    if source_key(entry) in SOURCE_NAMES:
        return name
    out = ""
    for w in name.split():
        if out and len(out) + 1 + len(w) > 40:
            break
        out = f"{out} {w}" if out else w
    return out
