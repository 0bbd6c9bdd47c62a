"""Updating a source (`python -m analysis update`) and the data diff of every build (analysis.store.changes,
analysis.site.changes): the diff by key on inline tables; the real mirror's dated versions (LiteLLM pinned to
2026-01-01, LMArena to its 2026-02-27 / 2026-04-01 scrapes, then updated to the newest) against counts taken
independently from the raw files; the front page's changed numbers on reports/changes.html; refusals of a new
version whose shape changed, leaving the manifest and the clean tables as they were."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from conftest import mirror

from analysis.acquire import fetch, manifest, versions
from analysis.cli import main
from analysis.core import paths
from analysis.site import changes as site_changes
from analysis.store import changes, generations, update

LITELLM = "pricing/litellm/model_prices_{date}.json"
ARENA_TEXT = "capability/smallai-api_llm-ranking/leaderboard-text_{date}.json"
ARENA_STYLE = "capability/smallai-api_llm-ranking/leaderboard-text-style-control_{date}.json"
LAB_PROVIDERS = ("openai", "anthropic", "gemini", "xai", "mistral", "deepseek", "dashscope", "moonshot", "zai",
                 "volcengine", "minimax")  # written out here: the independent count does not read the package


# --- dated families ------------------------------------------------------------------------------------------

def test_family_and_date_of_a_dated_file():
    assert versions.family("pricing/litellm/model_prices_2026-07-24.json") == LITELLM
    assert versions.date_of("capability/x/leaderboard-text_2026-04-01.json") == "2026-04-01"
    assert versions.family("epoch/notable_ai_models.csv") is None
    assert versions.family("a/table_2026_01_08.csv") is None  # not an ISO date: not a family
    assert versions.matches(LITELLM, "pricing/litellm/model_prices_2025-02-06.json")
    assert not versions.matches(LITELLM, "pricing/litellm/model_prices_pypi-litellm-1.0.0.json")
    assert versions.pinned(ARENA_TEXT, ["capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json",
                                        "capability/smallai-api_llm-ranking/leaderboard-text-style-control_2026-04-01.json",
                                        "capability/smallai-api_llm-ranking/leaderboard-text_2026-02-27.json"]) == [
        "capability/smallai-api_llm-ranking/leaderboard-text_2026-02-27.json",
        "capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json"]


# --- the diff by key on inline tables ------------------------------------------------------------------------

def test_diff_frames_added_removed_changed_with_columns():
    old = pl.DataFrame({"model": ["a", "b", "c", "d"], "score": [1.0, 2.0, float("nan"), None],
                        "org": [["X"], ["Y"], ["Z"], ["W"]], "source_row": [1, 2, 3, 4]})
    new = pl.DataFrame({"model": ["a", "b", "c", "e"], "score": [1.0, 2.5, float("nan"), 7.0],
                        "org": [["X"], ["Y"], ["Z", "Q"], ["V"]], "source_row": [9, 9, 9, 9]})
    d = changes.diff_frames(old, new, ("model",))
    assert d["added"]["model"].to_list() == ["e"]
    assert d["removed"]["model"].to_list() == ["d"]
    ch = d["changed"].sort("model")
    # a: only its source_row moved (where it was read from, not what it says); NaN = NaN; c's list changed
    assert ch["model"].to_list() == ["b", "c"]
    assert ch["columns"].to_list() == ["score", "org"]
    assert d["column_counts"] == {"score": 1, "org": 1}
    assert ch.filter(pl.col("model") == "c")["org_new"].item() == "Z | Q"


def test_diff_frames_repeated_key_is_matched_in_order_and_nulls_are_equal():
    old = pl.DataFrame({"k": ["x", "x", None], "v": [1, 2, 3]})
    new = pl.DataFrame({"k": ["x", "x", "x", None], "v": [1, 2, 5, 3]})
    d = changes.diff_frames(old, new, ("k",))
    assert len(d["added"]) == 1 and d["added"]["v"].item() == 5 and not len(d["removed"]) and not len(d["changed"])


def test_diff_frames_of_a_table_without_a_key_match_whole_rows():
    """A table that declares no key (evaluations, openrouter_endpoints) is matched row by row on all its values:
    one new row is one added row, never every row 'changed' against every other."""
    old = pl.DataFrame({"bench": ["a", "a", "b"], "score": [1.0, 2.0, 3.0], "source_row": [1, 2, 3]})
    new = pl.DataFrame({"bench": ["a", "a", "b", "b"], "score": [1.0, 2.0, 3.0, 4.0], "source_row": [7, 8, 9, 10]})
    d = changes.diff_frames(old, new, ())
    assert (len(d["added"]), len(d["removed"]), len(d["changed"])) == (1, 0, 0)
    assert d["added"]["score"].to_list() == [4.0]


def test_capability_rows_of_a_newer_scrape_match_by_family_and_name():
    f_old = "capability/smallai-api_llm-ranking/leaderboard-text_2026-02-27.json"
    f_new = "capability/smallai-api_llm-ranking/leaderboard-text_2026-07-08.json"
    old = pl.DataFrame({"metric": ["m", "m"], "source_file": [f_old, f_old], "source_model": ["a", "b"],
                        "score": [1.0, 2.0], "as_of": ["2026-02-27"] * 2, "source_row": [1, 2]})
    new = pl.DataFrame({"metric": ["m", "m"], "source_file": [f_new, f_new], "source_model": ["b", "c"],
                        "score": [2.0, 3.0], "as_of": ["2026-07-08"] * 2, "source_row": [5, 1]})
    key = changes.diff_key("capability", ("model_id", "source_file", "source_row"))
    d = changes.diff_frames(changes.family_column(old), changes.family_column(new), key)
    assert d["added"]["source_model"].to_list() == ["c"] and d["removed"]["source_model"].to_list() == ["a"]
    assert not len(d["changed"])  # b: same score, read again from the newer scrape


def test_price_changes_compare_each_series_latest_price():
    base = dict(source="s", provider="p", price_kind="base", min_input_tokens=0, context_tier=None, currency="USD",
                cached_input_orig=None)
    old = pl.DataFrame([dict(base, model_key="a", valid_from="2026-01-01", input_orig=1.0, output_orig=2.0),
                        dict(base, model_key="b", valid_from="2026-01-01", input_orig=1.0, output_orig=2.0)])
    new = pl.DataFrame([dict(base, model_key="a", valid_from="2026-01-01", input_orig=1.0, output_orig=2.0),
                        dict(base, model_key="a", valid_from="2026-04-02", input_orig=0.5, output_orig=2.0),
                        dict(base, model_key="b", valid_from="2026-01-01", input_orig=1.0, output_orig=2.0),
                        dict(base, model_key="c", valid_from="2026-04-02", input_orig=3.0, output_orig=4.0)])
    p = changes.price_changes(old, new)
    assert p["changed"] == 1 and p["new_series"] == 1 and p["gone_series"] == 0
    assert p["rows"][0]["series"]["model_key"] == "a" and p["rows"][0]["old"]["input_orig"] == 1.0
    assert p["rows"][0]["new"]["input_orig"] == 0.5


def test_pins_diff_names_the_version_a_new_file_follows():
    def pin(p, sha):
        return {"local_path": p, "dataset": "d", "sha256": sha, "snapshot_date": versions.date_of(p) or "2026-01-01",
                "commit": sha * 2}
    old = {p["local_path"]: p for p in (pin("x/f_2026-01-01.json", "a"), pin("x/g.csv", "b"))}
    new = {p["local_path"]: p for p in (pin("x/f_2026-04-01.json", "c"), pin("x/g.csv", "d"))}
    d = changes.pins_diff(old, new)
    assert [a["local_path"] for a in d["added"]] == ["x/f_2026-04-01.json"]
    assert d["added"][0]["follows"] == "x/f_2026-01-01.json"
    assert [r["local_path"] for r in d["removed"]] == ["x/f_2026-01-01.json"]
    assert d["changed"][0]["old"]["sha256"] == "b" and d["changed"][0]["new"]["sha256"] == "d"
    assert not changes.pins_diff(None, new)["recorded"]


# --- shapes --------------------------------------------------------------------------------------------------

def test_shape_change_names_a_renamed_field_a_new_category_and_accepts_a_new_field():
    assert update.shape_change({"field": {"rating", "rating_q025"}}, {"field": {"rating", "rating_lo"}}) == \
        "field 'rating_q025' gone (new: 'rating_lo')"
    assert update.shape_change({"category": {"full"}}, {"category": {"full", "vision"}}) == "new category 'vision'"
    assert update.shape_change({"field": {"rating"}}, {"field": {"rating", "extra"}}) is None
    assert update.shape_change({"column": {"a", "b"}}, {"column": {"a"}}) == "column 'b' gone"


# --- the front page's changes --------------------------------------------------------------------------------

def test_front_page_diff_lists_each_changed_field_old_to_new():
    def claim(key, finding, verdict, line):
        return dict(key=key, quote=f"claim {key}", finding=finding, date="d", verdict=verdict, shown_verdict=verdict,
                    robustness={"line": line})
    old = dict(claims=[claim("a", "x 1", "supported", "Holds in 2 of 2"), claim("b", "y", "supported", "l")],
               findings=[dict(report="r", value="3 points", date="d1", text="t")])
    new = dict(claims=[claim("a", "x 2", "not supported", "Holds in 1 of 2"), claim("b", "y", "supported", "l")],
               findings=[dict(report="r", value="4 points", date="d2", text="t")])
    d = site_changes.front_page_diff(old, new)
    got = {(c["key"], c["field"]): (c["old"], c["new"]) for c in d["changes"]}
    assert got == {("a", "finding"): ("x 1", "x 2"), ("a", "verdict"): ("supported", "not supported"),
                   ("a", "shown_verdict"): ("supported", "not supported"),
                   ("a", "robustness"): ("Holds in 2 of 2", "Holds in 1 of 2"),
                   ("r#1", "value"): ("3 points", "4 points"), ("r#1", "date"): ("d1", "d2")}
    assert not site_changes.front_page_diff(new, new)["changes"]
    assert not site_changes.front_page_diff(None, new)["compared"]


def test_builds_since_stops_at_the_build_the_front_page_was_computed_from():
    builds = [{"build": "c"}, {"build": "b"}, {"build": "a"}]
    assert site_changes.builds_since(builds, "a") == ([{"build": "c"}, {"build": "b"}], True)
    assert site_changes.builds_since(builds, "c") == ([], True)
    assert site_changes.builds_since(builds, "z") == (builds, False)  # older than the history kept
    assert site_changes.builds_since(builds, None) == ([{"build": "c"}], False)


# --- the real mirror: pin the older versions, build, update ----------------------------------------------------

def _raw(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _scratch(root: Path, mp: pytest.MonkeyPatch, entries: list[manifest.Entry]) -> None:
    shutil.copytree(paths.external_dir(), root / "external", copy_function=shutil.copy)
    manifest.save(entries, root / "manifest.csv")
    for var, sub in (("ANALYSIS_EXTERNAL_DIR", "external"), ("ANALYSIS_CLEAN_DIR", "clean"),
                     ("ANALYSIS_REPORTS_DIR", "reports"), ("ANALYSIS_MANIFEST", "manifest.csv")):
        mp.setenv(var, str(root / sub))


def _older_pins(mirror: Path) -> list[manifest.Entry]:
    """The project's manifest with LiteLLM pinned up to 2026-01-01 and LMArena up to its scrapes of 2026-02-27
    (plain; the mirror has no plain scrape of 2026-04-01) and 2026-04-01 (style control): the project pins every
    scrape, so the older pins are the ones dated up to then."""
    out = []
    for e in manifest.load():
        if e.dataset == "litellm" and e.snapshot_date > "2026-01-01":
            continue
        if e.dataset == "lmarena" and versions.date_of(e.local_path) > (
                "2026-04-01" if "style-control" in e.local_path else "2026-02-27"):
            continue
        out.append(e)
    return out


def _front_page() -> dict:
    from analysis.site import findings, robustness

    return dict(built_at="test", reports={}, headlines=[], claims=robustness.front_page(),
                findings=findings.findings())


@pytest.fixture(scope="module")
def updated(built, tmp_path_factory):
    """A scratch project on the older pins: built, its front page published, then `update litellm lmarena` from
    the mirror and the front page published again."""
    from analysis.site import index_page
    from analysis.store import build

    root = tmp_path_factory.mktemp("update")
    m = mirror()
    older = _older_pins(m)
    with pytest.MonkeyPatch.context() as mp:
        _scratch(root, mp, older)
        fetch.fetch(mirror=m, out=io.StringIO())  # the older LMArena scrapes
        build.build(out=io.StringIO())
        before = _front_page()
        index_page.write_index(before)
        out = io.StringIO()
        new_pins = update.update(["litellm", "lmarena"], mirror=m, out=out, build=lambda: build.build(out=out))
        after = _front_page()
        index_page.write_index(after)
        record = changes.read()["builds"][0]
        site = root / "reports"
        yield dict(root=root, mirror=m, older=older, new_pins=new_pins, out=out.getvalue(), record=record,
                   before=before, after=after, page=(site / "changes.html").read_text(encoding="utf-8"),
                   site_record=json.loads((site / "changes.json").read_text(encoding="utf-8")),
                   index=(site / "index.html").read_text(encoding="utf-8"),
                   manifest=manifest.load(root / "manifest.csv"))


def _files(mirror_dir: Path, pattern: str, after: str | None = None, upto: str | None = None) -> list[Path]:
    return [mirror_dir / p for p in versions.in_mirror(pattern, mirror_dir)
            if (after is None or versions.date_of(p) > after) and (upto is None or versions.date_of(p) <= upto)]


@pytest.mark.snapshots
def test_update_moves_the_pins_as_the_project_pins_them(updated):
    """LiteLLM and LMArena keep every older version (a step reads them all: prices and context windows, the
    LMArena snapshots) and gain the newer ones; each new row (URL at the new commit, sha256, snapshot date,
    citation) is the row the project's own manifest holds for that file."""
    got = {e.local_path: e for e in updated["manifest"] if e.dataset in ("litellm", "lmarena")}
    want = {e.local_path: e for e in manifest.load() if e.dataset in ("litellm", "lmarena")}
    assert got == want
    pins = updated["record"]["pins"]
    assert sorted(a["local_path"] for a in pins["added"]) == sorted(
        set(want) - {e.local_path for e in updated["older"]})
    assert pins["removed"] == []
    follows = {a["local_path"]: a.get("follows") for a in pins["added"]}
    assert follows["pricing/litellm/model_prices_2026-04-02.json"] == "pricing/litellm/model_prices_2026-01-01.json"
    assert follows["capability/smallai-api_llm-ranking/leaderboard-text-style-control_2026-05-01.json"] == \
        "capability/smallai-api_llm-ranking/leaderboard-text-style-control_2026-04-01.json"
    assert "replaces" not in updated["out"] and "older versions kept" in updated["out"]


@pytest.mark.snapshots
def test_update_diff_counts_match_the_raw_files(updated):
    """New LiteLLM keys, changed LiteLLM prices and new / vanished LMArena entries, counted from the raw JSON
    files, equal the diff's."""
    m, rec = updated["mirror"], updated["record"]
    old_files, all_files = _files(m, LITELLM, upto="2026-01-01"), _files(m, LITELLM, upto="2026-07-24")
    keys_old = set().union(*(_raw(f).keys() for f in old_files))
    keys_new = set().union(*(_raw(f).keys() for f in all_files))
    assert rec["source_keys"][LITELLM]["added"] == len(keys_new - keys_old) > 0
    assert rec["source_keys"][LITELLM]["removed"] == 0  # every older version is still read

    def last_prices(files):  # the last listed base price of every key of a lab's own API, text modes
        out = {}
        for f in files:
            for k, v in _raw(f).items():
                if isinstance(v, dict) and v.get("litellm_provider") in LAB_PROVIDERS and not k.startswith("ft:") \
                        and v.get("mode") in ("chat", "responses", "completion"):
                    out[k] = (v.get("input_cost_per_token"), v.get("output_cost_per_token"),
                              v.get("cache_read_input_token_cost"))
        return out
    a, b = last_prices(old_files), last_prices(all_files)
    raw_changed = {k for k in a if k in b and a[k] != b[k]}
    diff_changed = {r["series"]["model_key"] for r in rec["prices"]["rows"]
                    if r["series"]["source"] == "litellm" and r["series"]["price_kind"] == "base"}
    assert not rec["prices"]["truncated"]
    assert diff_changed == raw_changed and raw_changed

    for pattern, old_date in ((ARENA_TEXT, "2026-02-27"), (ARENA_STYLE, "2026-04-01")):
        old = set(_raw(m / versions.with_date(pattern, old_date))["full"])
        new = set(_raw(_files(m, pattern)[-1])["full"])
        k = rec["source_keys"][pattern]
        assert (k["added"], k["removed"]) == (len(new - old), len(old - new)) and k["added"]
        assert sorted(k["added_keys"]) == sorted(new - old)
    cap = rec["tables"]["capability"]
    assert cap["changed_columns"].get("score")  # re-fitted ratings of the same models
    assert updated["out"].count("changes: ") >= 2  # the console's short summary


@pytest.mark.snapshots
def test_changes_page_lists_the_front_page_numbers_that_moved(updated):
    """reports/changes.html lists every claim field and number of the front page that differs between the front
    page on the older pins and the one on the newer, old -> new, and the index links it."""
    want = site_changes.front_page_diff(updated["before"], updated["after"])["changes"]
    assert want, "the newer LMArena scrapes should move at least the arena numbers' dates"
    entry = updated["site_record"]["updates"][0]
    assert entry["front_page"]["changes"] == json.loads(json.dumps(want, default=str))
    assert [b["build"] for b in entry["builds"]] == [updated["record"]["build"]]
    page = updated["page"]
    for c in want:
        assert f'data-key="{c["key"]}" data-field="{c["field"]}"' in page
    assert 'href="changes.html"' in updated["index"]
    assert len(updated["site_record"]["updates"]) == 2  # the first publication, then this update


def _arena_mirror(tmp: Path, edit) -> Path:
    """A mirror holding one newer plain LMArena scrape, edited by `edit`, with the SOURCES.md line naming it."""
    src = paths.external_dir() / next(e.local_path for e in manifest.load()
                                      if versions.family(e.local_path) == ARENA_TEXT)
    new = versions.with_date(ARENA_TEXT, "2099-01-01")
    (tmp / new).parent.mkdir(parents=True)
    data = _raw(src)
    edit(data)
    (tmp / new).write_text(json.dumps(data), encoding="utf-8")
    (tmp / new).with_name("SOURCES.md").write_text(f"| `{Path(new).name}` | x | y | {'ab' * 20} |\n",
                                                   encoding="utf-8")
    return tmp


def _rename_q025(data):
    for v in data["full"].values():
        v["rating_lo"] = v.pop("rating_q025")


@pytest.mark.snapshots
@pytest.mark.parametrize("edit, change", [
    (_rename_q025, "field 'rating_q025' gone (new: 'rating_lo')"),
    (lambda d: d.__setitem__("vision_new", {}), "new category 'vision_new'"),
])
def test_a_new_version_of_another_shape_is_refused_and_nothing_changes(built, tmp_path, monkeypatch, capsys, edit,
                                                                       change):
    from analysis.store import build

    _scratch(tmp_path / "p", monkeypatch, manifest.load())
    build.build(out=io.StringIO())
    mirror_dir = _arena_mirror(tmp_path / "m", edit)
    man = (tmp_path / "p" / "manifest.csv").read_bytes()
    current = generations.current_generation()
    tables_before = {f.name: f.read_bytes() for f in current.rglob("*") if f.is_file()}
    code = main(["update", "lmarena", "--mirror", str(mirror_dir)])
    err = capsys.readouterr().err
    new = versions.with_date(ARENA_TEXT, "2099-01-01")
    assert code == 1 and err.count("\n") == 1, err
    assert err.startswith(f"error: {new}: {change} against ")
    assert (tmp_path / "p" / "manifest.csv").read_bytes() == man
    assert generations.current_generation() == current
    assert {f.name: f.read_bytes() for f in current.rglob("*") if f.is_file()} == tables_before
    assert not (tmp_path / "p" / "external" / new).exists()


@pytest.mark.snapshots
def test_a_failed_build_puts_the_manifest_and_files_back(built, tmp_path, monkeypatch):
    from analysis.store import build

    _scratch(tmp_path / "p", monkeypatch, manifest.load())
    build.build(out=io.StringIO())
    mirror_dir = _arena_mirror(tmp_path / "m", lambda d: None)
    man = (tmp_path / "p" / "manifest.csv").read_bytes()
    current = generations.current_generation()

    def failing():
        raise RuntimeError("the build broke")
    with pytest.raises(RuntimeError, match="the build broke"):
        update.update(["lmarena"], mirror=mirror_dir, out=io.StringIO(), build=failing)
    assert (tmp_path / "p" / "manifest.csv").read_bytes() == man
    assert not (tmp_path / "p" / "external" / versions.with_date(ARENA_TEXT, "2099-01-01")).exists()
    assert generations.current_generation() == current


@pytest.mark.snapshots
def test_up_to_date_source_is_left_alone(built, tmp_path, monkeypatch, capsys):
    _scratch(tmp_path / "p", monkeypatch, manifest.load())
    man = (tmp_path / "p" / "manifest.csv").read_bytes()
    assert main(["update", "litellm", "lmarena", "--mirror", str(mirror())]) == 0
    assert "up to date" in capsys.readouterr().out
    assert (tmp_path / "p" / "manifest.csv").read_bytes() == man


def test_unknown_source_and_missing_origin_are_one_line_errors(capsys):
    assert main(["update", "no-such-source", "--mirror", "."]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unknown source(s) ['no-such-source']; known: ") and err.count("\n") == 1
    assert main(["update", "litellm", "--to", "abc1234"]) == 1
    assert "--snapshot-date" in capsys.readouterr().err


class _Response(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


@pytest.mark.snapshots
def test_update_to_a_commit_downloads_each_file_at_that_commit(built, tmp_path, monkeypatch):
    """`--to COMMIT`: the newest pinned file of each family at the commit, named with the snapshot date, its URL at
    the commit; the older LMArena pins stay (every version is read) (no network: the download is served from the
    fetched files)."""
    _scratch(tmp_path / "p", monkeypatch, manifest.load())
    before = [e for e in manifest.load() if e.dataset == "lmarena"]
    newest = {versions.family(e.local_path): e for e in sorted(before, key=lambda e: e.local_path)}
    pinned = {e.upstream_path: e for e in newest.values()}
    asked = []

    def urlopen(url, timeout=None):
        asked.append(url)
        path = next(e.local_path for p, e in pinned.items() if url.endswith("/" + p))
        return _Response((paths.external_dir() / path).read_bytes())
    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    commit = "ab" * 20
    done = update.update(["lmarena"], to=commit, snapshot_date="2099-01-01", out=io.StringIO(), build=lambda: None)
    assert sorted(asked) == sorted(manifest.raw_github_url(e.upstream_repo, commit, p) for p, e in pinned.items())
    got = {e.local_path: e for e in manifest.load() if e.dataset == "lmarena"}
    added = {versions.with_date(fam, "2099-01-01") for fam in newest}
    assert set(got) == added | {e.local_path for e in before}
    assert all(e.commit == commit and e.url.startswith("https://raw.githubusercontent.com/") and commit in e.url
               and e.snapshot_date == "2099-01-01" for p, e in got.items() if p in added)
    assert len(done) == 2 and all((paths.external_dir() / p).is_file() for p in got)
