"""The ``kpi-review`` command: run, batch, demo, validate, init, kpis."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

__all__ = ["main"]

EXAMPLE_CONFIG = """\
# Client settings for the annual KPI review. Paths are relative to this file's folder.
schema_version: 1
name: "Example Client"          # shown on the report
currency: EUR                   # every money column is in this currency
language: en                    # report language: en, ru or fa
year: 2025                      # the reviewed year; --year overrides
gross_margin: 0.4               # optional; with it, decisions use margin-based ROI
customer_lifetime_years: 3      # assumption behind the simple LTV
# sources: any tables you have (at least one); KPIs whose inputs are missing show as n/a, and
# `kpi-review validate` lists which are out of reach and why.
# Client shapes (see README, "Client shapes"):
#   CRM only: deals | online shop: orders (+ customers) | ads only: activity from an ad platform
#   web analytics + costs: activity + costs | survey only: survey
sources:  # a canonical file per table (README: "The canonical input format"), or an export
  - {table: activity, path: activity.csv}
  - {table: costs, path: costs.csv}
  # - {table: deals, path: deals.csv}
  # - {table: orders, path: orders.csv}
  # - {table: customers, path: customers.csv}
  # - {table: survey, path: survey.csv}
  # A platform export through a preset (kpi-review presets are listed in the README):
  # - {table: activity, path: meta_ads.csv, preset: meta_ads}
  # Any other export: map its columns; set what it lacks as constants (README, section
  # "Mapping keys of a source")
  # - table: orders
  #   path: transactions.txt          # CSV, TSV, whitespace-aligned text or XLSX; format detected
  #   columns: {cust: customer_id, dollar_value: amount}
  #   row_id: order_id                # the export has no order id: one is made per row
  #   date_format: "%Y%m%d"           # only when detection cannot tell
  # Two files forming one table, joined on a key (every row of the first stays):
  # - table: deals
  #   path: leads.csv
  #   columns: {lead_id: deal_id, created_at: created, source: channel}
  #   constants: {stage: mql, tactic: all}
  #   join: {path: closed_deals.csv, on: lead_id, columns: {won_date: closed},
  #          constants: {stage: won}}
channel_map: {}                 # export name -> channel, e.g. {"Google / cpc": paid_search}
targets:  # SMART targets: a KPI, a scope (all or a channel), a value or a change
  - {kpi: revenue, scope: all, change: 0.15}
thresholds:                     # decision thresholds, the same for every tactic
  roi_hurdle: 0.0
  min_customers: 20
  weak_stage_ratio: 0.6
overrides: []  # e.g. - {channel: events, tactic: Expo, decision: keep, comment: "contract signed"}
history: []  # last year's calls made without the toolkit, checked in this year's review, e.g.
    # - {year: 2024, channel: display, tactic: Banners, decision: drop}
    # - {year: 2024, channel: email, tactic: News, decision: optimise, stage: traffic_to_lead}
"""


def _init_config(goal, business, stage) -> str:
    """The example client.yaml, with targets pre-filled from the KPI sets when a goal/business/stage
    is given."""
    if not (goal or business or stage):
        return EXAMPLE_CONFIG
    from ..metrics.catalog import REGISTRY
    from ..analysis.plan import suggest_kpis

    lines = [
        f"targets:                        # suggested for goal={goal}, business={business}, "
        f"stage={stage} "
        "(S1: 3-5 KPIs); set your own values"
    ]
    for k in suggest_kpis(goal, business, stage):
        change = -0.1 if REGISTRY[k].better == "lower" else 0.1
        lines.append(f"  - {{kpi: {k}, scope: all, change: {change}}}   # {REGISTRY[k].label}")
    head, _, rest = EXAMPLE_CONFIG.partition("targets:")
    rest = rest.split("\n", 2)[2]  # drop the example target line
    return head + "\n".join(lines) + "\n" + rest


def _date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


# long: the run and batch options, one add_argument each
def _run_options(p: argparse.ArgumentParser, batch: bool) -> None:
    p.add_argument("--year", type=int, help="the reviewed year (default: year in client.yaml)")
    p.add_argument(
        "--as-of",
        type=_date,
        help="review the year up to this date, like for like with the same "
        "months of last year (default: up to the last month with data)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("reports"), help="reports folder (default: reports/)"
    )
    p.add_argument(
        "--run-date",
        type=_date,
        default=dt.date.today().isoformat(),
        help="YYYY-MM-DD (default: today)",
    )
    p.add_argument(
        "--language", choices=["en", "ru", "fa"], help="report language (default: from client.yaml)"
    )
    p.add_argument(
        "--timeout",
        type=int,
        default=900,
        help="wall-clock seconds one client may take (default: 900)",
    )
    p.add_argument(
        "--force", action="store_true", help="replace a report of the same date and client"
    )
    p.add_argument(
        "--notebook",
        type=Path,
        help="notebook to run (default: the packaged kpi_helpers/notebooks/annual_review.ipynb)",
    )
    _allow_outside(p)
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also write annual_review.pdf beside the HTML (headless Chromium)",
    )
    p.add_argument(
        "--previous",
        type=Path,
        metavar="DIR",
        help="last year's review folder (or its run date's folder), whose decisions are checked "
        "(default: the latest run under --out that reviewed year - 1)",
    )
    if batch:
        p.add_argument(
            "--workers",
            type=int,
            help="clients run at once, each in its own process (default: cores)",
        )
        p.add_argument(
            "--dask", metavar="ADDRESS", help="run on an existing Dask cluster (scheduler address)"
        )
        p.add_argument(
            "--benchmark",
            action="store_true",
            help="compare each client with the batch's clients of the same business type; writes "
            "benchmarks.csv (reports show quartiles and peer counts, never other clients' figures)",
        )
        p.add_argument(
            "--min-clients",
            type=_min_clients,
            default=5,
            metavar="N",
            help="--benchmark: clients of one business type that must have a KPI to compare it "
            "(default 5, at least 3)",
        )


def _min_clients(text: str) -> int:
    n = int(text) if text.isdigit() else 0
    if n < 3:
        raise argparse.ArgumentTypeError(
            f"{text!r}: at least 3 (with fewer, a client could work out another's figures)"
        )
    return n


def _allow_outside(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-outside",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help="a folder or file outside the client's folder that its sources or logo may read "
        "(repeatable; by default nothing outside the folder is read)",
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kpi-review", description="Annual marketing KPI reviews, one report per client."
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run the review for one client")
    r.add_argument("client", type=Path, help="client.yaml (or its folder)")
    _run_options(r, batch=False)
    b = sub.add_parser("batch", help="run the review for many clients")
    b.add_argument("clients", type=Path, nargs="+", help="client.yaml files (or their folders)")
    _run_options(b, batch=True)
    d = sub.add_parser(
        "demo", help="copy the bundled demo clients into a writable folder and run them"
    )
    d.add_argument(
        "slugs", nargs="*", metavar="SLUG", help="run only these demo clients (default: all five)"
    )
    d.add_argument("--out", type=Path, default=Path("reports"))
    d.add_argument(
        "--clients", type=Path, help="where the demo clients are copied (default: OUT/demo-clients)"
    )
    d.add_argument("--run-date", type=_date, default=dt.date.today().isoformat())
    d.add_argument("--workers", type=int, help="clients run at once (default: cores)")
    v = sub.add_parser("validate", help="check a client's data without making a report")
    v.add_argument("client", type=Path)
    _allow_outside(v)
    i = sub.add_parser("init", help="scaffold a client folder with a commented client.yaml")
    i.add_argument("folder", type=Path)
    i.add_argument(
        "--goal", choices=["awareness", "sales", "relations"], help="pre-fill targets for this goal"
    )
    i.add_argument("--business", choices=["ecommerce", "media", "b2b_saas", "local_services"])
    i.add_argument("--stage", choices=["start", "mature"], help="the business's life stage")
    sub.add_parser("kpis", help="print the KPI catalogue")
    return p


def _opts(args):
    from .batch import DEFAULT_NOTEBOOK, RunOptions

    return RunOptions(
        out=args.out,
        run_date=args.run_date,
        year=getattr(args, "year", None),
        as_of=getattr(args, "as_of", None),
        language=getattr(args, "language", None),
        timeout=getattr(args, "timeout", 900),
        force=getattr(args, "force", False),
        notebook=getattr(args, "notebook", None) or DEFAULT_NOTEBOOK,
        pdf=getattr(args, "pdf", False),
        benchmark=getattr(args, "benchmark", False),
        min_clients=getattr(args, "min_clients", 5),
        previous=getattr(args, "previous", None),
    )


def _finish(results: list[dict], out: Path, run_date: str) -> int:
    index = out / run_date / "index.html"
    if index.exists():
        print(index.resolve())
    return 0 if all(r["status"] in ("ok", "skipped") for r in results) else 1


def _grant(paths: list[Path]) -> None:
    """Pass ``--allow-outside`` to load_config here and in every worker and kernel (they inherit the
    environment)."""
    import os

    from ..loaders.config import ALLOW_OUTSIDE_ENV

    if paths:
        os.environ[ALLOW_OUTSIDE_ENV] = os.pathsep.join(
            str(p.expanduser().resolve()) for p in paths
        )
    else:
        os.environ.pop(ALLOW_OUTSIDE_ENV, None)


def _review_problems(client: Path) -> list[str]:
    """What stops the review itself (its tables, without the notebook), as validate's errors."""
    import warnings

    from ..analysis.annual import build_review
    from ..loaders import load_client
    from ..core.schema import DataError, excerpt

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build_review(load_client(client))
    except DataError as exc:
        return [f"{client}: the review stops: {p}" for p in exc.problems]
    except Exception as exc:  # noqa: BLE001 - a bug met by this data: said in one line, never a traceback
        return [
            f"{client}: the review stops on an unexpected problem ({type(exc).__name__}: "
            f"{excerpt(exc, 200)}); "
            f"please report it with this client's files"
        ]
    return []


def _without_iri_grammars() -> None:
    """The runner validates notebooks with nbformat, which imports jsonschema, which imports
    ``rfc3987_syntax`` when it is installed (jupyter-events asks for it): that compiles 38 grammars
    at import, 1.5 s of CPU per command, for the "iri" string formats that no notebook schema uses.
    A ``kpi-review`` process goes without them (jsonschema then leaves those formats unchecked)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" fails


def main(argv: list[str] | None = None) -> int:
    """Run one command; output cut short by a closed pipe (`kpi-review validate ... | head`) is no
    error."""
    _without_iri_grammars()
    code = 0
    try:
        code = _main(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's documented recipe: send the rest of the output nowhere, so the interpreter's own
        # flush at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return code


def _main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _grant(getattr(args, "allow_outside", []))
    command = {"kpis": _kpis, "init": _init, "validate": _validate, "demo": _demo}.get(
        args.command, _run
    )
    return command(args)


def _kpis(args) -> int:
    from ..metrics.catalog import REGISTRY, computed_by

    for k in REGISTRY.values():
        variants = ", ".join(("*" + v) if i == 0 else v for i, v in enumerate(k.variants))
        print(
            f"{k.id:<22} {k.label:<30} {k.formula}"
            + (f"  [variants: {variants}]" if variants else "")
            + f"  ({k.seeds or 'standard'})"
        )
        if k.compute is not None:
            print(f"{'':<22} = {computed_by(k.id)}")
    print(
        '\n* marks the default variant; pass variant= to the formula for another. "= '
        'kpis.cac(cost, customers)"'
        "\nis the function (kpi_helpers/metrics/) the scorecard calls on the summed totals. In "
        "brackets: the"
        "\nsource articles (S0–S4) of the KPI catalogue the definition follows."
    )
    return 0


def _init(args) -> int:
    args.folder.mkdir(parents=True, exist_ok=True)
    target = args.folder / "client.yaml"
    if target.exists():
        print(f"{target} exists; not overwritten", file=sys.stderr)
        return 2
    target.write_text(_init_config(args.goal, args.business, args.stage), encoding="utf-8")
    print(target)
    return 0


def _validate(args) -> int:
    from ..loaders import validate_client

    report = validate_client(args.client)
    if (
        report.ok
    ):  # the data pass: compute the review too, so validate finds whatever would stop `run`
        report.errors.extend(_review_problems(args.client))
    code = 0 if report.ok else 1
    try:
        print(report)
    except BrokenPipeError:  # keep the verdict's exit code when the reader stops early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def _demo(args) -> int:
    from ..core.resources import copy_demo_clients
    from .batch import run_batch

    try:  # copies, so nothing is ever written into the installed package
        configs = copy_demo_clients(args.clients or args.out / "demo-clients", args.slugs)
    except ValueError as exc:
        print(f"kpi-review: {exc}", file=sys.stderr)
        return 2
    opts = _opts(args)
    opts.force = True  # the demo always replaces its own reports
    return _finish(run_batch(configs, opts, workers=args.workers), args.out, args.run_date)


def _refusal(args, configs) -> str | None:
    """Why ``run`` / ``batch`` cannot start (a folder without client.yaml, no Chromium for --pdf,
    ...)."""
    for c in configs:
        if not (c.is_file() or (c / "client.yaml").is_file()):
            return f"{c}: no client.yaml there"
    if getattr(args, "pdf", False):
        from ..report.pdf import PdfError, require_chromium

        try:
            require_chromium()
        except PdfError as exc:
            return str(exc)
    previous = getattr(args, "previous", None)
    if previous is not None and not previous.is_dir():
        return (
            f"--previous {previous}: no such folder (give the folder of last year's report, which "
            "holds "
            f"summary.json and decisions.csv, or its run date's folder)"
        )
    return None


def _run(args) -> int:
    from ..core.schema import DataError
    from .batch import run_batch

    configs = [args.client] if args.command == "run" else args.clients
    if (why := _refusal(args, configs)) is not None:
        print(f"kpi-review: {why}", file=sys.stderr)
        return 2
    try:
        results = run_batch(
            configs,
            _opts(args),
            workers=getattr(args, "workers", None),
            dask=getattr(args, "dask", None),
        )
    except DataError as exc:  # a batch that cannot start (two clients with one slug)
        print(f"kpi-review: {exc}", file=sys.stderr)
        return 2
    return _finish(results, args.out, args.run_date)


if __name__ == "__main__":
    sys.exit(main())
