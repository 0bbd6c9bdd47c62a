"""One model crosswalk for the project: every source's name for a model -> one canonical model.

A canonical model is a *release*: a canonical `model_id` (the slug of the Epoch model name, else of
the Artificial Analysis slug) plus its release date, organizations and country bucket. Names resolve in
this order:

1. the curated exceptions file `data/curated/model_crosswalk_capability.csv` (source, source_name ->
   target, the key or canonical id of a known model, or '-' for a name that must stay unlinked; every row
   says why);
2. rules: `norm_key` folds a name (case, provider prefix `org/`, parenthesised qualifiers, separators,
   serving suffixes such as `-instruct`, `-chat`, `-preview`, reasoning-effort suffixes) and looks the key
   up among the keys of the known models (Epoch ECI 'Model version' and 'Model name', AA slug and name).

Reference models come from Epoch's ECI file (first), the Artificial Analysis snapshot, then the language
models of Epoch's notable / large-scale / frontier model files that neither knows (origin 'epoch_models',
with their publication date, when every organization is in the registry: e.g. Doubao, ERNIE, moonshot-v1);
LMArena, LiveBench and the price keys resolve against them; the build then adds the models only those sources
know (`analysis.link.canonical`: organization from the price provider or `data/curated/model_name_orgs.csv`, release date by
a documented precedence, `Model.release_date_basis`). Moving API ids are dated in
`data/curated/model_aliases.csv` (`resolve_alias`). `Crosswalk.resolve_model(name, source)` is the entry point
for every table; register a source name in the exceptions file or rely on the rules.

Price keys (sources in `PRICE_SOURCES`; the adapter for the prices table is at the end of this module) follow
the same exceptions; then, with the provider prefix and a `:free`/`:batch`-style suffix dropped: an exact match
of the slugged key on a canonical model id (also ignoring hyphens; so 'o1-preview' stays o1-preview), the
rules; the same two with a trailing date stamp dropped ('-2024-07-18', '-20241022'); last the folded key
compared without hyphens ('qwen3.7-max' = 'qwen-3-7-max'). Moving aliases (a key containing
'latest', e.g. 'claude-3-5-sonnet-latest') never resolve by rule: they point at different models over
time, and link only through the dated aliases.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from analysis.acquire.readers import curated_label, read_curated_csv
from analysis.core import paths, vocab
from analysis.core.errors import InputError
from analysis.core.rules import slug
from analysis.curated import registry

ECI_FILE = "epoch/epoch_capabilities_index.csv"
AA_FILE = "capability/japhba_artificial-analysis-snapshot/aa_models_2026-07-02.json"
EPOCH_MODEL_FILES = ("epoch/notable_ai_models.csv", "epoch/large_scale_ai_models.csv", "epoch/frontier_ai_models.csv")
EXCEPTIONS_COLUMNS = ["source", "source_name", "target", "reason"]
PRICE_SOURCES = ("llm-prices", "llm-prices-cn", "llm-price-cn-tables", "litellm", "llm-price-syaoranwe")
UNLINKED = "-"  # exceptions target: the name must not resolve (e.g. an API alias that served several releases)

# trailing tokens that name a serving mode / effort level, not a different release
_SUFFIXES = ("instruct", "chat", "it", "preview", "latest", "bf16", "fp8", "reasoning", "non-reasoning",
             "nonthinking", "high", "medium", "low", "minimal", "xhigh", "none", "beta", "hf")
_SUFFIX_RE = re.compile(r"-(?:" + "|".join(re.escape(s) for s in sorted(_SUFFIXES, key=len, reverse=True)) + r")$")
_PAREN_RE = re.compile(r"\([^)]*\)")
_SEP_RE = re.compile(r"[^a-z0-9]+")
# mode suffixes tried only when the full key is unknown ('kimi-k2-thinking' is its own release, but
# 'deepseek-v3-2-thinking' is DeepSeek-V3.2 in thinking mode)
_MODE_RE = re.compile(r"-(?:no-thinking|nothinking|thinking|instant|reasoning|base)(?:-\d+k)?$|-\d+k$"
                      r"|-(?:high|low|medium|xhigh|max|minimal)-effort$|-auto$|-highthinking$")
# LiveBench writes 'claude-4-1-opus' for Claude Opus 4.1
_CLAUDE_RE = re.compile(r"^claude-(\d+(?:-\d)?)-(opus|sonnet|haiku)")
_EFFORT_RE = re.compile(r"_(?:\d+k|low|medium|high|xhigh|none|minimal|max)$", re.IGNORECASE)
_DATE_STAMP_RE = re.compile(r"-(?:20\d\d-\d\d-\d\d|20\d{6})$")


def norm_key(name: str) -> str:
    """Fold a model name from any source to a lookup key.

    'moonshotai/Kimi-K2-Instruct' -> 'kimi-k2'; 'claude-3-7-sonnet-20250219_2K' ->
    'claude-3-7-sonnet-20250219'; 'gemini-3-flash (thinking-minimal)' -> 'gemini-3-flash';
    'GPT-4.1' and 'gpt-4-1' -> 'gpt-4-1'. '-thinking' is kept (a separate release for several labs)."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip()
    s = s.rsplit("/", 1)[-1]
    s = _EFFORT_RE.sub("", s)
    s = _PAREN_RE.sub(" ", s).casefold()
    s = _SEP_RE.sub("-", s).strip("-")
    while True:
        t = _SUFFIX_RE.sub("", s)
        if t == s or not t:
            break
        s = t
    return s


@dataclass(frozen=True)
class Model:
    model_id: str
    model: str
    release_date: dt.date | None  # None: no source dates the release (basis 'first_seen'; see `first_seen`)
    organizations: tuple[str, ...]
    country_bucket: str
    open_weights: bool | None
    origin: str  # 'eci', 'aa', 'epoch_models'; for models only other sources know, that source (analysis.link.canonical)
    basis: str = ""  # where release_date comes from, when not the origin itself ('source_date', 'first_seen')
    first_seen: dt.date | None = None  # models only other sources know: the first pinned file listing a name of it

    @property
    def key(self) -> str:
        return f"{self.model_id}@{self.release_date or self.first_seen}"

    @property
    def sort_date(self) -> dt.date:
        """The release date, else the first-seen bound (for ordering only, never shown as a release date)."""
        return self.release_date or self.first_seen or dt.date.max

    @property
    def release_date_basis(self) -> str:
        """'eci' | 'aa' | 'epoch_models' | 'source_date' | 'first_seen' (precedence in analysis.link.canonical)."""
        return self.basis or self.origin


@dataclass
class Crosswalk:
    models: dict[str, Model] = field(default_factory=dict)  # Model.key -> Model
    keys: dict[str, str] = field(default_factory=dict)  # norm_key -> Model.key
    ambiguous: set[str] = field(default_factory=set)
    strong: set[str] = field(default_factory=set)  # keys a source's own id holds (ECI version, AA slug)
    exceptions: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, name) -> norm key
    _compact: dict[str, str | None] | None = None  # hyphen-less key -> Model.key (None: ambiguous)
    _ids: dict[str, str] | None = None  # model_id and its hyphen-less form -> Model.key of its first release
    # set by analysis.link.canonical.extend: why a name stays unlinked ((source, name) -> reason), and the release-date
    # disagreements of the models it adds
    unlinked_reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    conflicts: list = field(default_factory=list)

    def copy(self) -> Crosswalk:
        """An independent copy (the build's extension step adds models to a copy of the Epoch / AA crosswalk)."""
        return Crosswalk(dict(self.models), dict(self.keys), set(self.ambiguous), set(self.strong),
                         dict(self.exceptions), unlinked_reasons=dict(self.unlinked_reasons),
                         conflicts=list(self.conflicts))

    def add_alias(self, name: str, model_key: str, strong: bool = True) -> None:
        """Register a name of a model. Weak aliases (display names shared by several releases) that
        point at two different models become ambiguous and resolve to nothing. A weak name whose parenthesised
        qualifier the fold drops never blurs a key a source's own id holds: ECI's display name 'DeepSeek-R1 (May
        2025)' folds to 'deepseek-r1', the version id of DeepSeek-R1 of 2025-01-20, which stays R1's key."""
        k = norm_key(name)
        if not k:
            return
        have = self.keys.get(k)
        if strong and k in self.ambiguous:  # a source's own key settles an ambiguous display name
            self.ambiguous.discard(k)
            self.keys[k] = model_key
            self.strong.add(k)
        elif have is None and k not in self.ambiguous:
            self.keys[k] = model_key
            if strong:
                self.strong.add(k)
        elif have is not None and have != model_key and not strong and not (k in self.strong and "(" in name):
            if self.models[have].model_id != self.models[model_key].model_id:
                del self.keys[k]
                self.ambiguous.add(k)

    def lookup(self, name: str, source: str) -> Model | None:
        target = self.exceptions.get((source, name))
        if target == UNLINKED:
            return None
        if target is not None:
            mk = self.keys.get(norm_key(target))
            return self.models[mk] if mk else None
        k = norm_key(name)
        mk = self.keys.get(k)
        if mk is None:  # fallback rules: a thinking-mode / budget / effort variant of a known release
            for base in dict.fromkeys((k, _CLAUDE_RE.sub(r"claude-\2-\1", k))):
                cand = base
                mk = mk or self.keys.get(cand)
                while mk is None and (t := _MODE_RE.sub("", cand)) != cand:
                    cand = t
                    mk = self.keys.get(cand)
        return self.models[mk] if mk else None

    def compact_keys(self) -> dict[str, str | None]:
        if self._compact is None:
            out: dict[str, str | None] = {}
            for k, mk in self.keys.items():
                c = k.replace("-", "")
                out[c] = mk if out.get(c, mk) == mk else None
            self._compact = out
        return self._compact

    def model_ids(self) -> dict[str, str]:
        if self._ids is None:
            out: dict[str, str] = {}
            for mk, m in sorted(self.models.items(), key=lambda kv: kv[1].sort_date):
                out.setdefault(m.model_id, mk)
            for mid, mk in list(out.items()):
                out.setdefault(mid.replace("-", ""), mk)
            self._ids = out
        return self._ids

    def lookup_price(self, key: str, source: str) -> tuple[Model | None, str]:
        """A price key: (model, how) with how = 'exception' | 'rule' | 'unlinked' (see the module doc)."""
        target = self.exceptions.get((source, key))
        if target is not None:
            mk = self.model_ids().get(target)
            m = self.models[mk] if mk else self.lookup(key, source)
            return m, ("exception" if m else "unlinked")
        if "latest" in key.casefold():
            return None, "unlinked"
        k = key.split(":")[0]
        ids = self.model_ids()
        dated, undated = slug(k.rsplit("/", 1)[-1]), price_rule_id(k)
        mk = ids.get(dated) or ids.get(dated.replace("-", ""))
        m = self.models[mk] if mk else self.lookup(k, source)
        if m is None:
            mk = ids.get(undated) or ids.get(undated.replace("-", ""))
            m = self.models[mk] if mk else self.lookup(undated, source)
        if m is None:
            mk = self.compact_keys().get(norm_key(undated).replace("-", ""))
            m = self.models[mk] if mk else None
        return m, ("rule" if m else "unlinked")

    def resolve_model(self, name: str, source: str) -> str | None:
        m = self.lookup_price(name, source)[0] if source in PRICE_SOURCES else self.lookup(name, source)
        return m.model_id if m else None


def price_rule_id(key: str) -> str:
    """Id of a price key the crosswalk does not know: provider prefix and ':free'-style suffix dropped, slugged,
    a trailing date stamp dropped ('openai/gpt-4o-mini-2024-07-18:free' -> 'gpt-4o-mini')."""
    return _DATE_STAMP_RE.sub("", slug(key.split("/")[-1].split(":")[0]))


def load_exceptions(path: Path | None = None) -> dict[tuple[str, str], str]:
    path = path or paths.curated_dir() / "model_crosswalk_capability.csv"
    label = curated_label(path)
    # the project's curated-CSV reader: BOM accepted; empty, not UTF-8, NUL, ragged, cut short -> InputError
    return parse_exceptions(label, read_curated_csv(path, label, EXCEPTIONS_COLUMNS))


def parse_exceptions(label: str, df: pl.DataFrame) -> dict[tuple[str, str], str]:
    """The exceptions file's rows (read by the curated-CSV reader) -> (source, name) -> target."""
    out: dict[tuple[str, str], str] = {}
    for row in df.iter_rows(named=True):
        lineno = f"record {row['source_row']} (line {row['source_row'] + 1})"
        if not all((row[c] or "").strip() for c in EXCEPTIONS_COLUMNS):
            raise InputError(f"{label}: {lineno}: every column is required")
        key = (row["source"].strip(), row["source_name"].strip())
        if key in out:
            raise InputError(f"{label}: {lineno}, column 'source_name': {key[1]!r} of {key[0]} appears twice")
        out[key] = row["target"].strip()
    return out


def _orgs(text: str, reg: registry.Registry) -> tuple[str, ...] | None:
    res = [reg.resolve(p.strip()) for p in text.split(",") if p.strip()]
    if not res or any(r is None for r in res):
        return None
    return tuple(dict.fromkeys(r.name for r in res))


def _epoch_model(display: str, date_text: str, org_text: str, row: dict, reg: registry.Registry,
                 bucket: dict[str, str], source: str) -> Model | None:
    """A canonical model from a row of an Epoch file (ECI or the model files); None when its date is not an
    ISO date or an organization is not in the registry."""
    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        return None
    orgs = _orgs(org_text, reg)
    if orgs is None:
        return None
    return Model(slug(display), display, date, orgs, registry.bucket([bucket[o] for o in orgs]),
                 _open_weights(row.get("Model accessibility"), row.get("Open model weights?")), source)


@functools.cache
def _open_weights(access: str | None, open_q: str | None) -> bool | None:
    """`analysis.clean.common.open_weights` on one record (a few distinct pairs: each evaluated once)."""
    from analysis.core.rules import clean_text, open_weights
    df = pl.DataFrame({"a": [access or None], "q": [open_q or None]}, schema={"a": pl.String, "q": pl.String})
    return df.select(open_weights(clean_text(pl.col("a")), clean_text(pl.col("q"))))[0, 0]


_ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def aa_release(r: dict, record: int, label: str = AA_FILE) -> dt.date | None:
    """The one rule for an Artificial Analysis record's 'release': a YYYY-MM-DD date, None when absent; any other
    value is an InputError naming the file, the record and the column ('2024-13-01' is not a date)."""
    rel = r.get("release")
    if rel is None or rel == "":
        return None
    if isinstance(rel, str) and _ISO_DAY_RE.match(rel):
        try:
            return dt.date.fromisoformat(rel)
        except ValueError:
            pass
    raise InputError(f"{label}: record {record}, column 'release': {rel!r} is not a YYYY-MM-DD date")


def check_aa(data, label: str = AA_FILE) -> list[dict]:
    """The Artificial Analysis records as the crosswalk reads them: a list of objects, each with a slug."""
    from analysis.acquire.readers import expect_json

    data = expect_json(label, "top level", data, list)
    for i, r in enumerate(data, start=1):
        expect_json(label, f"record {i}", r, dict)
        if not isinstance(r.get("slug"), str):
            raise InputError(f"{label}: record {i}, key 'slug': expected a model slug, found {r.get('slug')!r}")
    return data


def eci_records(result) -> list[dict]:
    """What the crosswalk takes from the ECI file: the release records of the ECI step (analysis.clean.eci): the rows
    it accepted, the variants it set aside as repeating a kept model's score (their versions are names of that
    model) and the records without a score whose release facts pass its rules, in record order. A record the step
    quarantines for its date or organization (a release dated after the build date) never becomes a model."""
    return result.extra["releases"].sort("source_row").to_dicts()


def build(eci_rows: list[dict], aa_rows: list[dict], reg: registry.Registry,
          exceptions: dict[tuple[str, str], str] | None = None, epoch_rows: list[dict] | None = None) -> Crosswalk:
    """Crosswalk from the ECI step's records (`eci_records`), AA records (the JSON objects; 'release' by
    `aa_release`), then the language models of Epoch's model files (`epoch_rows`: Model, Organization, Publication
    date, Domain, Model accessibility) that neither knows: a model any of these sources dates, whose organizations
    are all in the registry, is a canonical model (origin 'epoch_models')."""
    cw = Crosswalk(exceptions=exceptions or {})
    bucket = {o: reg.orgs[o].country for o in reg.orgs}
    for r in eci_rows:
        m = Model(slug(r["model"]), r["model"], r["release_date"], tuple(r["organizations"]), r["country_bucket"],
                  r["open_weights"], "eci")
        cw.models.setdefault(m.key, m)
        cw.add_alias(r["source_model"], m.key)
    for r in eci_rows:  # display names last: weak, may be shared by several releases
        mk = f"{slug(r['model'])}@{r['release_date']}"
        if r["model"] != r["source_model"] and mk in cw.models:
            cw.add_alias(r["model"], mk, strong=False)
    for i, r in enumerate(aa_rows, start=1):
        s, name, rel = r.get("slug") or "", r.get("name") or "", aa_release(r, i)
        known = cw.lookup(s, "artificial_analysis")
        if known is None and "(" not in name:  # AA's parentheses distinguish versions ("GPT-4o (Mar '25)")
            known = cw.lookup(name, "artificial_analysis")
        if known is not None:
            cw.add_alias(s, known.key)
            continue
        if not (s and rel and r.get("creator")):
            continue
        orgs = _orgs(r["creator"], reg)
        if orgs is None:
            continue
        m = Model(norm_key(s), name, rel, orgs,
                  registry.bucket([bucket[o] for o in orgs]), r.get("open"), "aa")
        m = cw.models.setdefault(m.key, m)
        cw.add_alias(s, m.key)
        if "(" not in name:
            cw.add_alias(name, m.key, strong=False)
    ids = set(cw.model_ids())  # the keys of model_ids(), kept up to date here (not recomputed after each add)
    for r in epoch_rows or []:
        name = " ".join((r.get("Model") or "").split())
        date_text, org_text = (r.get("Publication date") or "").strip(), (r.get("Organization") or "").strip()
        if not (name and date_text and org_text) or "Language" not in (r.get("Domain") or ""):
            continue
        if cw.lookup(name, "epoch_models") is not None or slug(name) in ids:
            continue
        m = _epoch_model(name, date_text, org_text, r, reg, bucket, "epoch_models")
        if m is None or m.key in cw.models:
            continue
        cw.models[m.key] = m
        ids.update((m.model_id, m.model_id.replace("-", "")))
        cw.add_alias(name, m.key, strong=False)
    cw._ids = cw._compact = None
    return cw


def frame_records(df: pl.DataFrame) -> list[dict]:
    """A CSV frame of the build's reader as csv.DictReader-like records (empty fields are '')."""
    return [{k: (v or "") for k, v in r.items()} for r in df.drop("source_row").iter_rows(named=True)]


# --- dated API aliases ------------------------------------------------------------------------------
ALIASES_COLUMNS = ["organization", "alias", "valid_from", "valid_to", "model_id", "source_url", "source_note"]


@dataclass(frozen=True)
class AliasPeriod:
    """One period of a moving API id: `alias` of `organization` served `model_id` from `valid_from`
    (inclusive) to `valid_to` (exclusive; None = open). model_id '-' = the target is not sourced."""
    organization: str
    alias: str
    valid_from: dt.date
    valid_to: dt.date | None
    model_id: str
    source_url: str

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def alias_id(key: str) -> str:
    """The API id of a price key as the aliases file spells it: provider prefix and ':suffix' dropped,
    case folded ('deepseek/deepseek-chat' -> 'deepseek-chat')."""
    return key.split(":")[0].rsplit("/", 1)[-1].strip().casefold()


def load_aliases(path: Path | None = None, known_ids: set[str] | None = None) -> list[AliasPeriod]:
    """Read and check `data/curated/model_aliases.csv` (see `parse_aliases`)."""
    path = path or paths.curated_dir() / "model_aliases.csv"
    label = curated_label(path)
    # the project's curated-CSV reader: BOM accepted; empty, not UTF-8, NUL, ragged, cut short -> InputError
    return parse_aliases(label, read_curated_csv(path, label, ALIASES_COLUMNS), known_ids)


def parse_aliases(label: str, df: pl.DataFrame, known_ids: set[str] | None = None) -> list[AliasPeriod]:
    """The dated aliases file's rows: every column but valid_to required, valid_from < valid_to, no two periods of one
    alias overlap, every model_id known (when `known_ids` is given)."""
    out: list[AliasPeriod] = []
    for row in df.iter_rows(named=True):
        lineno = f"{row['source_row'] + 1} (record {row['source_row']})"
        row = {k: (v or "").strip() for k, v in row.items() if k != "source_row"}
        for c in ALIASES_COLUMNS:
            if c != "valid_to" and not row[c]:
                raise InputError(f"{label}: line {lineno}: column {c} is required")
        try:
            start = dt.date.fromisoformat(row["valid_from"])
            end = dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        except ValueError as e:
            raise InputError(f"{label}: line {lineno}: valid_from/valid_to: {e}") from None
        if end is not None and end <= start:
            raise InputError(f"{label}: line {lineno}: valid_to {end} is not after valid_from {start}")
        mid = row["model_id"]
        if known_ids is not None and mid != UNLINKED and mid not in known_ids:
            raise InputError(f"{label}: line {lineno}: model_id {mid!r} is not a canonical model")
        p = AliasPeriod(row["organization"], row["alias"].casefold(), start, end, mid, row["source_url"])
        for q in out:
            if (q.organization, q.alias) == (p.organization, p.alias) and (
                    (q.valid_to is None or p.valid_from < q.valid_to)
                    and (p.valid_to is None or q.valid_from < p.valid_to)):
                raise InputError(f"{label}: line {lineno}: period of {p.alias} overlaps "
                                 f"{q.valid_from}..{q.valid_to or 'open'}")
        out.append(p)
    return sorted(out, key=lambda p: (p.organization, p.alias, p.valid_from))


def alias_periods(key: str, organization: str | None, aliases: list[AliasPeriod]) -> list[AliasPeriod]:
    """The dated periods of a price key sold by `organization` (empty: not a known moving alias)."""
    a = alias_id(key)
    return [p for p in aliases if p.alias == a and p.organization == organization]


def resolve_alias(key: str, day: dt.date, organization: str | None,
                  aliases: list[AliasPeriod] | tuple[AliasPeriod, ...]) -> str | None:
    """Which canonical model did API id `key` mean on `day`? None when the key is no known alias of
    `organization` (any organization when None), the day is outside its sourced periods or the
    target is not sourced ('-')."""
    a = alias_id(key)
    for p in aliases:
        if p.alias == a and (organization is None or p.organization == organization) and p.covers(day):
            return None if p.model_id == UNLINKED else p.model_id
    return None


# --- price keys: the prices table's adapter -------------------------------------------------------
# Prices and every capability source share one crosswalk, so a price row's `model_id` is the same canonical id
# as the model's `capability` rows (ECI, Artificial Analysis, LMArena, LiveBench). The rules and the one curated
# exceptions file (`data/curated/model_crosswalk_capability.csv`, rows whose source is a price source) are those above:
# 1. an exception row (source, price key -> target model, with the reason) wins;
# 2. otherwise the project rules (`norm_key`, thinking/effort fallbacks), then the price-key rules (drop a
#    ':free'-style suffix, then a trailing date stamp, then compare without hyphens); moving '-latest' aliases
#    are never linked.
# Keys that match nothing keep their rule id (`crosswalk.price_rule_id`) and `crosswalk` = 'unlinked' (listed
# by the build's coverage report).
#
# Moving API ids (`deepseek-chat`, ...) sold by the organization named in the dated aliases file
# (`data/curated/model_aliases.csv`, one sourced row per period the alias served one model) are linked per date
# (`crosswalk` = 'alias'): a price period with a start that spans a switch is split at the switch, each part
# linked to the model served then; a part in a '-' period (target not sourced) is 'unlinked'; a part outside
# every sourced period keeps the key's own link (exception / rule / unlinked: 'deepseek-v4-flash' seen the day
# before its first period is the release of that name; 'deepseek-chat' before 2024-05-17 stays unlinked).
# A period without a stated start is not split (the source does not say the price held earlier): it is linked to
# the model served on the last day it is known to hold (the day before `valid_to`, else its first observation).


def normalise(key: str) -> str:
    """Rule id of a price key (see `analysis.curated.crosswalk.price_rule_id`)."""
    return price_rule_id(key)


def exceptions(cw: Crosswalk) -> dict[tuple[str, str], str]:
    """The curated exceptions whose source is a price source: (source, price key) -> target."""
    return {k: v for k, v in cw.exceptions.items() if k[0] in PRICE_SOURCES}


def link(source: str, key: str, cw: Crosswalk) -> tuple[str, str]:
    """(model_id, how) for one price key: how = 'exception' | 'rule' | 'unlinked'."""
    m, how = cw.lookup_price(key, source)
    return (m.model_id, how) if m else (normalise(key), "unlinked")


def attach(df: pl.DataFrame, cw: Crosswalk, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = ()
           ) -> pl.DataFrame:
    """model_id and crosswalk for every row (moving API ids linked per date through `aliases`)."""
    pairs = df.select("source", "model_key").unique(maintain_order=True)
    res = [link(s, k, cw) for s, k in pairs.iter_rows()]
    m = pairs.with_columns(pl.Series("model_id", [r[0] for r in res], dtype=pl.String),
                           pl.Series("crosswalk", [r[1] for r in res], dtype=pl.String))
    df = df.join(m, on=["source", "model_key"], how="left", maintain_order="left")
    return split_aliases(df, aliases)


_NO_PERIOD = ""  # a day outside every sourced period of the alias (not a '-' period)


def _pieces(start: dt.date | None, end: dt.date | None, last_day: dt.date,
            periods: list[AliasPeriod]) -> list[tuple[dt.date | None, dt.date | None, str | None]]:
    """(valid_from, valid_to, target) parts of one price period: target = the model_id served, None in a '-'
    period (target not sourced), `_NO_PERIOD` outside every sourced period."""
    def target(day: dt.date) -> str | None:
        for p in periods:
            if p.covers(day):
                return None if p.model_id == UNLINKED else p.model_id
        return _NO_PERIOD
    if start is None:
        return [(None, end, target(last_day))]
    cuts = sorted({d for p in periods for d in (p.valid_from, p.valid_to)
                   if d is not None and start < d and (end is None or d < end)})
    bounds = [start, *cuts, end]
    return [(a, b, target(a)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def split_aliases(df: pl.DataFrame, aliases: tuple[AliasPeriod, ...] | list[AliasPeriod]
                  ) -> pl.DataFrame:
    """Link the rows of moving API ids per date (see the module doc); other rows pass unchanged."""
    if not aliases or df.is_empty():
        return df
    names = {(p.organization, p.alias) for p in aliases}
    is_alias = pl.struct("organization", "model_key").map_elements(
        lambda r: (r["organization"], alias_id(r["model_key"])) in names, return_dtype=pl.Boolean)
    df = df.with_columns(is_alias.fill_null(False).alias("_alias"))
    keep, moving = df.filter(~pl.col("_alias")).drop("_alias"), df.filter(pl.col("_alias")).drop("_alias")
    rows = []
    for r in moving.iter_rows(named=True):
        periods = alias_periods(r["model_key"], r["organization"], aliases)
        last = (r["valid_to"] - dt.timedelta(days=1)) if r["valid_to"] else r["observed_from"]
        for a, b, mid in _pieces(r["valid_from"], r["valid_to"], last, periods):
            if mid == _NO_PERIOD:  # no sourced period says what the id served: the key's own link holds
                rows.append({**r, "valid_from": a, "valid_to": b})
                continue
            rows.append({**r, "valid_from": a, "valid_to": b,
                         "model_id": mid or normalise(r["model_key"]), "crosswalk": "alias" if mid else "unlinked"})
    return pl.concat([keep, pl.DataFrame(rows, schema=moving.schema)]) if rows else keep


# keys of models that are not chat / text-generation models: counted apart from the chat-key coverage
NON_CHAT_RE = re.compile(r"audio|realtime|image|tts|embed|search|transcribe|whisper|dall-e|moderation|live"
                         r"|computer-use|robotics|deep-research|speech|rerank", re.IGNORECASE)


def key_status(prices: pl.DataFrame, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = ()) -> pl.DataFrame:
    """One row per distinct (source, model_key): linked (any period linked), mode ('chat' | 'non-chat'),
    country bucket of the provider's organization, and the reason an unlinked key stays unlinked:
    'moving alias (no sourced target)' | 'unknown model'."""
    keys = prices.group_by("source", "model_key", maintain_order=True).agg(
        (pl.col("crosswalk") != "unlinked").any().alias("linked"),
        (pl.col("crosswalk") == "alias").any().alias("_alias"),
        pl.col("country_bucket").drop_nulls().first().alias("country_bucket"))
    moving = set(alias_id(k) for k in keys["model_key"].to_list()
                 if "latest" in k.casefold()) | {p.alias for p in aliases}
    return keys.with_columns(
        pl.when(pl.col("model_key").str.contains(NON_CHAT_RE.pattern)).then(pl.lit("non-chat"))
        .otherwise(pl.lit("chat")).alias("mode"),
        pl.when(pl.col("linked")).then(pl.lit(None, pl.String))
        .when(pl.col("model_key").map_elements(lambda k: alias_id(k) in moving, return_dtype=pl.Boolean))
        .then(pl.lit("moving alias (no sourced target)"))
        .otherwise(pl.lit("unknown model")).alias("reason"),
    ).drop("_alias").sort("source", "model_key")


def coverage(prices: pl.DataFrame, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = ()) -> pl.DataFrame:
    """Share of distinct price keys linked to a canonical model, per source (all keys, any mode)."""
    keys = key_status(prices, aliases)
    return keys.group_by("source", maintain_order=True).agg(
        pl.len().alias("keys"), pl.col("linked").sum().alias("linked")
    ).with_columns((pl.col("linked") / pl.col("keys")).alias("share_linked")).sort("source")


def chat_coverage(prices: pl.DataFrame, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = ()) -> pl.DataFrame:
    """Per source: chat keys linked / total, the same for US and Chinese providers, and the non-chat keys."""
    k = key_status(prices, aliases)
    chat = k.filter(pl.col("mode") == "chat")
    us, cn = pl.col("country_bucket") == vocab.US, pl.col("country_bucket") == vocab.CHINA
    return (chat.group_by("source", maintain_order=True).agg(
        pl.len().alias("chat_keys"), pl.col("linked").sum().alias("chat_linked"),
        us.sum().alias("us_keys"), (us & pl.col("linked")).sum().alias("us_linked"),
        cn.sum().alias("cn_keys"), (cn & pl.col("linked")).sum().alias("cn_linked"))
        .join(k.filter(pl.col("mode") == "non-chat").group_by("source", maintain_order=True).agg(pl.len().alias("non_chat_keys")),
              on="source", how="left").with_columns(pl.col("non_chat_keys").fill_null(0)).sort("source"))


def unlinked_names(prices: pl.DataFrame, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = (),
                   reasons: dict[tuple[str, str], str] | None = None) -> pl.DataFrame:
    """Every unlinked price key with its reason (non-chat keys: 'non-chat mode'; `reasons`, the crosswalk's
    `unlinked_reasons`, replace 'unknown model' where they say more, e.g. a key the exceptions file keeps unlinked)."""
    k = key_status(prices, aliases).filter(~pl.col("linked"))
    out = k.select("source", pl.col("model_key").alias("name"), "country_bucket",
                   pl.when(pl.col("mode") == "non-chat").then(pl.lit("non-chat mode"))
                   .otherwise(pl.col("reason")).alias("reason"))
    if reasons:
        better = [reasons.get((s, n), r) if r == "unknown model" else r
                  for s, n, r in out.select("source", "name", "reason").iter_rows()]
        out = out.with_columns(pl.Series("reason", better, dtype=pl.String))
    return out


def _share(a: int, b: int) -> str:
    return f"{a}/{b} ({a / b:.0%})" if b else "0/0"


def coverage_report(prices: pl.DataFrame, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = (),
                    max_list: int = 0, unlinked: pl.DataFrame | None = None) -> str:
    """One short line per price source; the names go to the unlinked-names file (a report may show the first
    `max_list` unlinked chat keys: from `unlinked`, the build's file as analysis.store.tables.unlinked_names reads
    it, when given, else worked out from `prices` and `aliases` as the build does)."""
    lines = ["crosswalk coverage of price keys (chat keys linked; non-chat keys counted apart):"]
    for r in chat_coverage(prices, aliases).iter_rows(named=True):
        lines.append(f"  {r['source']:<22} chat {_share(r['chat_linked'], r['chat_keys']):<15} "
                     f"US {_share(r['us_linked'], r['us_keys']):<15} China {_share(r['cn_linked'], r['cn_keys']):<15} "
                     f"non-chat {r['non_chat_keys']}")
    if max_list > 0:
        un = unlinked_names(prices, aliases) if unlinked is None else unlinked.filter(
            pl.col("source").is_in(prices["source"].unique(maintain_order=True).implode()))
        un = un.filter(pl.col("reason") != "non-chat mode").select("source", "name", "reason")
        lines.append(f"  unlinked chat keys (first {min(max_list, len(un))} of {len(un)}; all in "
                     "data/clean/current/bookkeeping/unlinked_names.csv): "
                     + ", ".join(f"{s}:{k} ({r})" for s, k, r in un.head(max_list).iter_rows()))
    return "\n".join(lines)


# --- coverage sentences of the reports that join sources ---------------------------------------------------
SOURCE_LABELS = {"litellm": "LiteLLM", "llm-prices": "llm-prices", "llm-prices-cn": "llm-prices-cn",
                 "llm-price-cn-tables": "the llmprice.cn tables", "llm-price-syaoranwe": "the LLM-Price tables"}


def price_coverage_sentence(prices: pl.DataFrame, aliases: list[AliasPeriod] | tuple[AliasPeriod, ...] = ()) -> str:
    """One sentence for a report that joins prices to models: per price source, how many of the distinct US and
    Chinese chat-model price keys link to a canonical model (non-chat keys counted apart)."""
    cov = chat_coverage(prices, aliases)
    if cov.is_empty():
        return "No price key links to a canonical model."
    parts = [f"{SOURCE_LABELS.get(r['source'], r['source'])} {r['us_linked']} of {r['us_keys']} US and "
             f"{r['cn_linked']} of {r['cn_keys']} Chinese" for r in cov.iter_rows(named=True)]
    non_chat = int(cov["non_chat_keys"].sum())
    return ("Crosswalk coverage: of the distinct chat-model price keys of US and Chinese labs, "
            + "; ".join(parts) + " link to a canonical model"
            + (f" ({non_chat} non-chat keys, such as audio, image or embeddings, counted apart)"
               if non_chat else "")
            + ". Unlinked keys are left out of every join; each is listed with its reason in "
              "data/clean/current/bookkeeping/unlinked_names.csv.")

