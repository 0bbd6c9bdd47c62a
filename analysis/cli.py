"""Command line: `python -m analysis <verb>`."""

from __future__ import annotations

import argparse
import sys


def _fetch(args) -> int:
    from analysis.acquire import fetch
    from analysis.core import paths
    from analysis.store import locking

    with locking.build_lock("fetch"):
        fetch.fetch(mirror=paths.mirror_dir(args.mirror), datasets=args.dataset or None)
    return 0


def _build(args) -> int:
    from analysis.store import build, locking

    with locking.build_lock("build"):
        build.build(only=args.table or None)
    return 0


def _report(args) -> int:
    from analysis.site import kernels

    # named reports are usually rebuilt (new parameters, --force): the first kernel starts before anything else,
    # and boots while the build imports itself, checks the parameters and hashes its inputs; killed if nothing
    # runs (analysis.site.kernels.WarmKernels)
    warm = kernels.WarmKernels()
    if args.notebook and not args.output_name and not args.help_params:
        warm.start(1)
        # until its process is launched (about a tenth of a second) this thread waits: the launch would otherwise
        # share the interpreter with the imports below and take twice as long, and the kernel's start-up, not
        # this process's work, is what the report waits for
        warm.settle()
    try:
        return _report_with(args, warm)
    finally:
        warm.close()  # report.build_reports closes it too; this covers a bad parameter or --help-params


def _report_with(args, warm) -> int:
    from analysis.site import report
    from analysis.store import locking

    if args.help_params:
        from analysis.site import params as nbparams

        specs, unknown = report._select(report.load_specs(), args.notebook or [])
        if unknown or not args.notebook:
            print(f"error: --help-params needs report name(s); known: {', '.join(s.name for s in report.load_specs())}",
                  file=sys.stderr)
            return 2
        for notebook in dict.fromkeys(s.notebook.removesuffix(".ipynb") for s in specs):
            print(nbparams.help_table(notebook))
        return 0
    params = {}
    for key, value in args.param or []:
        params[key] = report.parse_value(value)
    with locking.build_lock("report"):
        code = report.build_reports(names=args.notebook or None, extra_params=params, force=args.force,
                                    show_code=args.show_code, jobs=args.jobs,
                                    output_name=args.output_name, warm=warm)
    if args.standalone and code == 0:
        return _write_standalone(args.notebook or [s.name for s in report.load_specs()])
    return code


def _write_standalone(names: list[str]) -> int:
    """Single-file copies (plotly.js embedded) of built reports, in standalone/."""
    from analysis.site import report, shared_assets

    specs, unknown = report._select(report.load_specs(), names)
    if unknown:
        print(f"error: unknown report(s) {sorted(unknown)}; known: {[s.name for s in report.load_specs()]}",
              file=sys.stderr)
        return 2
    try:
        written = shared_assets.export([s.name for s in specs])
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for w in written:
        print(f"export: wrote {w.parent.name}/{w.name} (single file, plotly.js embedded)")
    return 0


def _export(args) -> int:
    return _write_standalone(args.notebook)


def _all(args) -> int:
    from analysis.acquire import fetch
    from analysis.core import paths
    from analysis.site import report
    from analysis.store import build, locking

    with locking.build_lock("all"):
        fetch.fetch(mirror=paths.mirror_dir(args.mirror))
        build.build()
        return report.build_reports(force=args.force)


def _check(args) -> int:
    from analysis.store import check

    return check.main()


def _dictionary(args) -> int:
    from analysis.store import dictionary

    return dictionary.main(check=args.check)


def _pin(args) -> int:
    from analysis.acquire import manifest
    from analysis.core import paths

    mirror = paths.mirror_dir(args.mirror)
    if mirror is None:
        print("pin needs --mirror or ANALYSIS_MIRROR", file=sys.stderr)
        return 2
    e = manifest.pin(mirror, args.path, dataset=args.dataset, license=args.license, citation=args.citation,
                     snapshot_date=args.snapshot_date, upstream_repo=args.repo or "",
                     upstream_path=args.upstream_path or "", commit=args.commit or "",
                     derived_from=args.derived_from or "")
    manifest.upsert([e])
    print(f"pinned {e.local_path} sha256={e.sha256}")
    return 0


def _update(args) -> int:
    from analysis.core import paths
    from analysis.store import build, locking
    from analysis.store import update as upd

    mirror = None if args.to else paths.mirror_dir(args.mirror)
    with locking.build_lock("update"):
        done = upd.update(args.source, mirror=mirror, to=args.to, snapshot_date=args.snapshot_date,
                          build=build.build)
    if not done:
        return 0
    from analysis.store import changes, generations, tables

    shown = tables.path(changes.CHANGES_FILE, generations.current_link())
    try:
        shown = shown.relative_to(paths.ROOT)
    except ValueError:
        pass
    print(f"update: the data diff is in {shown}; "
          + ("publishing the reports with it (reports/changes.html)" if args.report
             else "`python -m analysis report` publishes it with the front page's changes (reports/changes.html)"))
    if args.report:
        from analysis.site import report

        with locking.build_lock("report"):
            return report.build_reports()
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m analysis",
        description="thousand-models: fetch pinned snapshots, clean them into validated tables, build reports.",
    )
    sub = p.add_subparsers(dest="verb", required=True, metavar="VERB")

    f = sub.add_parser("fetch", help="copy/download the pinned upstream snapshots into data/external/ (sha256-checked)")
    f.add_argument("--mirror", help="local mirror directory (default: $ANALYSIS_MIRROR; else the upstream URLs)")
    f.add_argument("--dataset", action="append", help="only this dataset of the manifest (repeatable)")
    f.set_defaults(func=_fetch)

    b = sub.add_parser("build", help="clean the snapshots into data/clean/current/ (+ derived/, bookkeeping/)")
    b.add_argument("--table", action="append", help="only the steps of this table (repeatable)")
    b.set_defaults(func=_build)

    r = sub.add_parser("report", help="execute the out-of-date notebooks (in parallel) and write HTML reports + index")
    r.add_argument("notebook", nargs="*", help="report names from notebooks/reports.toml (default: all)")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("KEY", "VALUE"),
                   help="override a notebook parameter (value parsed as JSON, else string)")
    r.add_argument("--force", action="store_true", help="re-execute every report, even those up to date")
    r.add_argument("--show-code", action="store_true", help="keep the code cells in the HTML")
    r.add_argument("--output-name", metavar="NAME",
                   help="write this one report's run as reports/NAME.html (+ CSVs), beside the defaults, listed "
                        "under 'Your variants' on the index; without it, -p rebuilds the default report itself")
    r.add_argument("--help-params", action="store_true",
                   help="print the parameters of the named reports' notebooks (type, default, allowed values)")
    r.add_argument("-j", "--jobs", type=int, help="notebooks run at once (default $ANALYSIS_REPORT_JOBS, else 2)")
    r.add_argument("--standalone", action="store_true",
                   help="also write single-file copies with plotly.js embedded to standalone/ (for mailing one report)")
    r.set_defaults(func=_report)

    ex = sub.add_parser("export", help="single-file HTML of built reports (plotly.js embedded) in standalone/")
    ex.add_argument("notebook", nargs="+", help="report names from notebooks/reports.toml")
    ex.set_defaults(func=_export)

    a = sub.add_parser("all", help="fetch + build + report")
    a.add_argument("--mirror")
    a.add_argument("--force", action="store_true")
    a.set_defaults(func=_all)

    c = sub.add_parser("check", help="check the curated CSVs and the clean tables against their schemas")
    c.set_defaults(func=_check)

    dc = sub.add_parser("dictionary", help="render data/README.md (the data dictionary) from the table schemas")
    dc.add_argument("--check", action="store_true", help="only check that data/README.md is up to date")
    dc.set_defaults(func=_dictionary)

    pn = sub.add_parser("pin", help="(maintainers) add or update a manifest row for a file of the mirror")
    pn.add_argument("path", help="path below the mirror root, e.g. epoch/notable_ai_models.csv")
    pn.add_argument("--mirror")
    pn.add_argument("--dataset", required=True)
    pn.add_argument("--license", required=True)
    pn.add_argument("--citation", required=True)
    pn.add_argument("--snapshot-date", required=True)
    pn.add_argument("--repo")
    pn.add_argument("--upstream-path")
    pn.add_argument("--commit")
    pn.add_argument("--derived-from")
    pn.set_defaults(func=_pin)

    up = sub.add_parser("update", help="move sources' pins to newer versions (a mirror's newer dated files, or an "
                                       "upstream commit), verify them, rebuild and write the data diff")
    up.add_argument("source", nargs="+", help="manifest dataset(s), e.g. litellm lmarena")
    up.add_argument("--mirror", help="take newer versions from this mirror (default: $ANALYSIS_MIRROR)")
    up.add_argument("--to", metavar="COMMIT", help="take each file at this commit of its upstream repository")
    up.add_argument("--snapshot-date", help="the date the new version's data run to (needed with --to, and for a "
                                            "mirror file updated under the same name)")
    up.add_argument("--report", action="store_true", help="then rebuild the reports (reports/changes.html)")
    up.set_defaults(func=_update)

    args = p.parse_args(argv)
    from analysis.acquire.fetch import FetchError
    from analysis.core.errors import InputError, SchemaError
    from analysis.store.locking import LockTimeout

    try:
        return args.func(args)
    except (FetchError, InputError, SchemaError, LockTimeout) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())


