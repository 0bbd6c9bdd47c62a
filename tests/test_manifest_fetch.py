"""The manifest and the fetch step: mirror copy, sha256 checks, idempotence, no bad file left behind."""

import io

import pytest

from analysis.acquire import fetch, manifest
from analysis.acquire.manifest import Entry


def _entry(local_path: str, data: bytes, url: str = "https://example.org/x.csv", derived: str = "") -> Entry:
    import hashlib

    return Entry(local_path=local_path, dataset="t", url=url, sha256=hashlib.sha256(data).hexdigest(),
                 bytes=len(data), license="CC BY 4.0", citation="test", snapshot_date="2026-01-01",
                 upstream_repo="", upstream_path="", commit="", derived_from=derived)


def test_real_manifest_loads_and_every_url_is_pinned_to_a_commit():
    entries = manifest.load()
    assert entries, "manifest is empty"
    for e in entries:
        if e.url:
            assert e.commit and e.commit in e.url and e.upstream_path in e.url, e.local_path
            assert e.url.startswith("https://raw.githubusercontent.com/"), e.local_path
        else:
            assert e.derived_from, e.local_path


def test_fetch_copies_from_mirror_and_is_idempotent(tmp_path):
    mirror, dest = tmp_path / "mirror", tmp_path / "dest"
    (mirror / "a").mkdir(parents=True)
    (mirror / "a" / "f.csv").write_bytes(b"x,y\n1,2\n")
    e = _entry("a/f.csv", b"x,y\n1,2\n")
    out = io.StringIO()
    fetch.fetch(mirror=mirror, entries=[e], dest=dest, out=out)
    assert (dest / "a" / "f.csv").read_bytes() == b"x,y\n1,2\n"
    assert "[  1/1] a/f.csv: fetched from mirror" in out.getvalue()
    out = io.StringIO()
    fetch.fetch(mirror=mirror, entries=[e], dest=dest, out=out)
    assert "ok (already present)" in out.getvalue()


def test_fetch_refuses_a_sha256_mismatch_and_leaves_no_file(tmp_path):
    mirror, dest = tmp_path / "mirror", tmp_path / "dest"
    (mirror / "a").mkdir(parents=True)
    (mirror / "a" / "f.csv").write_bytes(b"tampered\n")
    e = _entry("a/f.csv", b"x,y\n1,2\n")
    with pytest.raises(fetch.FetchError) as err:
        fetch.fetch(mirror=mirror, entries=[e], dest=dest, out=io.StringIO())
    msg = str(err.value)
    assert "a/f.csv" in msg and e.sha256 in msg and manifest.sha256_of(mirror / "a" / "f.csv") in msg
    assert not (dest / "a" / "f.csv").exists()
    assert list((dest / "a").iterdir()) == []  # no temporary file either


def test_fetch_replaces_a_corrupted_local_copy(tmp_path):
    mirror, dest = tmp_path / "mirror", tmp_path / "dest"
    (mirror / "a").mkdir(parents=True)
    (mirror / "a" / "f.csv").write_bytes(b"good\n")
    (dest / "a").mkdir(parents=True)
    (dest / "a" / "f.csv").write_bytes(b"bad\n")
    fetch.fetch(mirror=mirror, entries=[_entry("a/f.csv", b"good\n")], dest=dest, out=io.StringIO())
    assert (dest / "a" / "f.csv").read_bytes() == b"good\n"


def test_derived_file_needs_a_mirror(tmp_path):
    e = _entry("a/derived.csv", b"1\n", url="", derived="joined from three files")
    with pytest.raises(fetch.FetchError, match="DERIVED"):
        fetch.fetch(mirror=None, entries=[e], dest=tmp_path, out=io.StringIO())


def test_manifest_rejects_a_row_without_licence(tmp_path):
    p = tmp_path / "m.csv"
    row = dict(zip(manifest.COLUMNS, ["a.csv", "d", "https://x/y", "0" * 64, "1", "", "c", "2026-01-01",
                                      "", "", "", ""], strict=True))
    p.write_text(",".join(manifest.COLUMNS) + "\n" + ",".join(row.values()) + "\n")
    with pytest.raises(manifest.ManifestError, match="line 2, column 'license' is empty"):
        manifest.load(p)


def test_check_verb_validates_everything(built, capsys):
    from analysis.cli import main

    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "ok  models" in out and "ok  capability" in out


# --- issue 31: manifest errors are one line naming data/manifest.csv, the line and the column --------------------

def _manifest_text(rows: list[list[str]]) -> str:
    return ",".join(manifest.COLUMNS) + "\n" + "".join(",".join(r) + "\n" for r in rows)


def _row(local_path="a.csv", sha="0" * 64, size="1"):
    return [local_path, "d", "https://x/y", sha, size, "CC BY 4.0", "c", "2026-01-01", "", "", "", ""]


MANIFEST_FAULTS = {
    "bad-sha256": ([_row(), _row("b.csv", sha="not-a-digest")], "line 3, column 'sha256': 'not-a-digest' is not a "
                                                                 "sha256 hex digest"),
    "sha256-not-hex": ([_row(sha="z" * 64)], "line 2, column 'sha256'"),
    "repeated-local-path": ([_row(), _row("b.csv"), _row()], "line 4, column 'local_path': 'a.csv' is repeated "
                                                             "(first on line 2)"),
    "bytes-not-a-number": ([_row(size="12kB")], "line 2, column 'bytes': '12kB' is not a size in bytes"),
    "ragged": ([_row() + ["extra"]], "line 2: not 12 fields"),
}


@pytest.mark.parametrize("fault", sorted(MANIFEST_FAULTS))
def test_manifest_error_is_an_input_error_naming_line_and_column(tmp_path, fault):
    from analysis.core.errors import InputError

    rows, message = MANIFEST_FAULTS[fault]
    p = tmp_path / "m.csv"
    p.write_text(_manifest_text(rows))
    with pytest.raises(InputError) as e:
        manifest.load(p)
    assert isinstance(e.value, manifest.ManifestError) and message in str(e.value) and "\n" not in str(e.value)


def test_a_manifest_read_again_is_its_current_bytes_never_an_earlier_parse(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(_manifest_text([_row()]))
    first = manifest.load(p)
    first.append("caller's own list")  # a caller's change to its list is not kept for the next
    assert [e.local_path for e in manifest.load(p)] == ["a.csv"]
    # rewritten at once with as many bytes (a file's modification time may not move): read as it is now
    p.write_text(_manifest_text([_row("b.csv")]))
    assert [e.local_path for e in manifest.load(p)] == ["b.csv"]
    p.write_text(_manifest_text([_row("c.csv", sha="z" * 64)]))
    with pytest.raises(manifest.ManifestError, match="column 'sha256'"):
        manifest.load(p)


@pytest.mark.parametrize("verb", ["fetch", "build"])
@pytest.mark.parametrize("fault", ["bad-sha256", "repeated-local-path"])
def test_manifest_error_through_the_cli_is_one_line_with_a_repository_path(tmp_path, monkeypatch, capsys, verb, fault):
    """Before: `fetch` and `build` ended in a ManifestError traceback naming the absolute path. Now: one line."""
    from analysis.cli import main
    from analysis.core import paths

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "manifest.csv").write_text(_manifest_text(MANIFEST_FAULTS[fault][0]))
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    for var, sub in (("ANALYSIS_EXTERNAL_DIR", "external"), ("ANALYSIS_CLEAN_DIR", "clean"),
                     ("ANALYSIS_CURATED_DIR", "curated")):
        monkeypatch.setenv(var, str(tmp_path / sub))
    assert main([verb, *(["--mirror", str(tmp_path / "mirror")] if verb == "fetch" else [])]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: data/manifest.csv, line "), err
    assert MANIFEST_FAULTS[fault][1] in err and str(tmp_path) not in err, err
