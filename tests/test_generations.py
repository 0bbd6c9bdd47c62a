"""The switch between build generations (analysis.store.generations) on small scratch folders."""

from __future__ import annotations

import json
import os

import polars as pl
import pytest

from analysis.core import paths
from analysis.store import generations, tables


def _gen(files: dict[str, str]):
    build_id, gen = generations.new_generation()
    for name, text in files.items():
        (gen / name).parent.mkdir(parents=True, exist_ok=True)
        (gen / name).write_text(text)
    return build_id, gen


def test_before_any_build_readers_say_so(scratch):
    assert paths.tables_dir() == paths.clean_dir() / "current" and not paths.tables_dir().exists()
    assert generations.current_generation() is None
    with pytest.raises(FileNotFoundError, match="run `python -m analysis build` first"):
        tables.load("models")


def test_switch_points_current_at_the_new_set_in_one_rename_and_removes_the_old(scratch):
    id1, g1 = _gen({"a.parquet": "1", "b.parquet": "1"})
    generations.switch(id1, g1)
    link = paths.clean_dir() / "current"
    assert link.is_symlink() and os.readlink(link) == f"generations/{id1}"  # relative: the folder can move
    assert paths.tables_dir() == g1.resolve()
    m = generations.read_manifest(g1)
    assert m["build_id"] == id1 and set(m["files"]) == {"a.parquet", "b.parquet"}
    # a second build: until its switch, readers still see the first set, whole
    id2, g2 = _gen({"a.parquet": "2", "b.parquet": "2"})
    assert (paths.tables_dir() / "a.parquet").read_text() == "1"
    generations.switch(id2, g2)
    assert [(paths.tables_dir() / n).read_text() for n in ("a.parquet", "b.parquet")] == ["2", "2"]
    assert [d.name for d in generations.generations_dir().iterdir()] == [id2]  # the old one is gone
    assert not list(paths.clean_dir().glob(".current.*"))  # no temporary link left


def test_partial_build_links_the_unchanged_outputs(scratch):
    id1, g1 = _gen({"a.parquet": "1", "b.parquet": "1", "unlinked_names.csv": "x", "notes.txt": "not ours"})
    generations.switch(id1, g1)
    id2, g2 = _gen({"a.parquet": "2"})
    carried = generations.carry_over(g1, g2, skip={"a.parquet"})
    # build.json and unknown files are not carried; a flat generation (before stage folders) lands in stages
    assert carried == ["b.parquet", "bookkeeping/unlinked_names.csv"]
    assert (g2 / "b.parquet").stat().st_ino == (g1 / "b.parquet").stat().st_ino  # a hard link, not a copy
    generations.switch(id2, g2, carried)
    assert generations.read_manifest(g2)["carried_over"] == carried
    assert (paths.tables_dir() / "a.parquet").read_text() == "2"
    assert (paths.tables_dir() / "b.parquet").read_text() == "1"


def test_unfinished_generation_is_removed_and_never_read(scratch):
    id1, g1 = _gen({"a.parquet": "1"})
    generations.switch(id1, g1)
    _, killed = _gen({"a.parquet": "half"})  # a build killed before its switch
    assert paths.tables_dir() == g1.resolve()
    gone = generations.remove_stale()
    assert gone == [killed] and not killed.exists() and g1.exists()


def test_a_plain_current_folder_and_legacy_outputs_are_replaced(scratch):
    # a copy made without symlinks turns `current` into a plain folder; builds before generations wrote
    # their tables straight into data/clean/
    plain = paths.clean_dir() / "current"
    plain.mkdir(parents=True)
    pl.DataFrame({"x": [0]}).write_parquet(plain / "a.parquet")
    pl.DataFrame({"x": [0]}).write_parquet(paths.clean_dir() / "models.parquet")
    assert tables.load("a")["x"].to_list() == [0]
    id1, g1 = _gen({"a.parquet": "1"})
    generations.switch(id1, g1)
    assert (paths.clean_dir() / "current").is_symlink() and paths.tables_dir() == g1.resolve()
    assert not (paths.clean_dir() / "models.parquet").exists()
    assert [d.name for d in generations.generations_dir().iterdir()] == [id1]
    assert json.loads((g1 / "build.json").read_text())["build_id"] == id1


def test_stage_folders_of_a_generation():
    """Per-source tables at the top, cross-source tables in derived/, the build's bookkeeping in bookkeeping/."""
    from analysis.store import tables

    assert tables.relpath("models") == "models.parquet"
    assert tables.relpath("price_conflicts") == "derived/price_conflicts.parquet"
    assert tables.relpath("quarantine") == "bookkeeping/quarantine.parquet"
    assert tables.relpath("unlinked_names.csv") == "bookkeeping/unlinked_names.csv"


def test_partial_build_from_staged_generation_keeps_stages(scratch):
    from analysis.store import tables

    id1, g1 = _gen({"a.parquet": "1", "derived/c.parquet": "1", "bookkeeping/quarantine.parquet": "q"})
    generations.switch(id1, g1)
    assert set(generations.read_manifest(g1)["files"]) == {"a.parquet", "derived/c.parquet",
                                                           "bookkeeping/quarantine.parquet"}
    id2, g2 = _gen({"a.parquet": "2"})
    carried = generations.carry_over(g1, g2, skip={"a.parquet"})
    assert carried == ["bookkeeping/quarantine.parquet", "derived/c.parquet"]
    generations.switch(id2, g2, carried)
    assert tables.path("quarantine").read_text() == "q" and (paths.tables_dir() / "derived/c.parquet").exists()
