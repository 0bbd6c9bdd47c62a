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
