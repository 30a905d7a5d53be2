"""``make catalogues``: collect every message id and update the Russian and Persian catalogues.

Message ids are found statically: the ``_("...")`` calls in the package and the
``N_("...")`` marks where tables of labels define them (Babel's extractor, and an
:mod:`ast` pass that also sees calls inside f-strings), plus the labels of the tables
the code defines (the KPI registry, channel names, actions, assumptions). A test
renders the demo clients' reports and checks that every id they look up was found. The template
``kpi_helpers/locale/messages.pot`` is rewritten; each language's
``messages.po`` keeps its translations and gains the new ids, untranslated.

    python -m kpi_helpers.run.i18n_tools
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from babel.messages.catalog import Catalog  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po, write_po  # noqa: E402

from ..core import i18n  # noqa: E402

PACKAGE = (
    Path(__file__).resolve().parent.parent
)  # the whole kpi_helpers package, scanned for _() calls


# long: every demo client rendered as the notebook does, to list the ids seen
def _render_demo() -> None:
    """Build and render every demo client's review in English, as the notebook does."""
    import matplotlib.pyplot as plt

    from ..analysis import annual
    from ..report import plots, export as report, show
    from .demo import demo_dir
    from ..analysis.plan import kpi_sets_table
    from ..analysis.targets import targets_yaml

    for cfg in sorted(demo_dir().glob("*/client.yaml")):
        rv = annual.build_review(cfg, language="en")
        for key in show.SECTIONS:
            show.section(key)
        for fn in (
            show.title,
            show.headlines,
            show.summary,
            show.decisions,
            show.channel_pairs,
            show.tactic_evidence,
            show.customer_value,
            show.order_values,
            show.plan,
            show.funnel,
            show.devices,
            show.customers_by_channel,
            show.retention,
            show.cohort_ltv,
            show.nps,
            show.budget,
            show.data_quality,
            show.unavailable,
            show.glossary,
            show.provenance,
            show.previous,
            show.forecast,
            show.next_targets,
        ):
            fn(rv)
        show.scorecard(rv, "channel")
        show.scorecard(rv, "tactic")
        show.kpi_sets()
        kpi_sets_table()
        plots.plot_roi_by_tactic(rv.decisions)
        plots.plot_rate_forest(rv.channel_rates)
        plots.plot_monthly_trend(rv.trend, "revenue")
        plots.plot_funnel(rv.funnel)
        plots.plot_budget(rv.budget)
        plots.plot_forecast(rv.forecast_monthly, "revenue")
        targets_yaml(rv)
        if "cohorts" in rv.customers:
            plots.plot_cohort_heatmap(rv.customers["cohorts"])
        if "nps" in rv.customers:
            plots.plot_nps(rv.customers["nps"])
        plt.close("all")
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "x").mkdir()
            report.write_index(Path(tmp), "en")
    i18n._("{client} · annual marketing review {year}")  # the page title, set by report.export_html


# long: the tables of labels gathered from each module that defines them
def _static_ids() -> set[str]:
    from ..metrics.catalog import REGISTRY
    from ..analysis.decisions import ACTIONS
    from ..analysis.budget import MODEL_TEXT, ASSUMPTIONS
    from ..analysis.decisions import _PROJECTION
    from ..analysis.narrative import CHANNEL_LABELS

    ids = (
        set(CHANNEL_LABELS.values())
        | set(ACTIONS.values())
        | set(ASSUMPTIONS)
        | set(MODEL_TEXT.values())
        | set(_PROJECTION.values())
    )
    from ..analysis.benchmarks import (
        QUARTILES,
    )  # the benchmark section, shown only in a batch with --benchmark

    ids |= set(QUARTILES.values()) | {"This client", "Where it stands"}
    for k in REGISTRY.values():
        ids |= {k.label, k.formula, *k.variants} | ({k.variant} if k.variant else set())
    from ..analysis.previous import VERDICT_LABELS
    from ..report.show import PREVIOUS_LABELS

    ids |= set(VERDICT_LABELS.values()) | set(PREVIOUS_LABELS.values())
    ids |= {"seasonal naive", "elasticity", "proportional", "mixed", "budget", "unchanged"}
    ids |= {
        "ok",
        "failed",
        "skipped",
        "desktop",
        "mobile",
        "tablet",
        "customers",
        "months",
        "direct_cost",
        "spend",
        "leads",
        "high",
        "medium",
        "low",
        "activity",
        "costs",
        "deals",
        "orders",
        "survey",
    }
    return ids


#: Functions whose first argument, a string literal, is a message id: ``_`` translates, ``N_`` marks
#: an id where a table defines it; the charts' ``t`` (kpi_helpers.report.plots) translates and
#: shapes.
KEYWORDS = ("_", "N_")
CHART_KEYWORDS = ("t",)


def _source_ids(package: Path = PACKAGE) -> set[str]:
    """The message ids of every ``_("...")`` and ``N_("...")`` in the package's source, read with
    :mod:`ast`: the
    calls inside f-strings too, which Babel's extractor does not see on Python 3.11."""
    import ast

    ids = set()
    for path in sorted(package.rglob("*.py")):
        names = KEYWORDS + (CHART_KEYWORDS if path.name == "plots.py" else ())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                ids.add(node.args[0].value)
    return ids


def collect() -> set[str]:
    """Every message id, found statically: Babel's extractor and :func:`_source_ids` over the
    package's source,
    and the ids of the tables the code defines (:func:`_static_ids`). Nothing is rendered: a test
    checks that
    every id looked up while the demo reports are rendered is among them (:func:`seen_in_demo`)."""
    ids = {
        msg
        for _file, _line, msg, _comments, _ctx in (
            (r[0], r[1], r[2], r[3], r[4])
            for r in extract_from_dir(str(PACKAGE), keywords=dict.fromkeys(KEYWORDS))
        )
        if isinstance(msg, str)
    }
    return {m for m in ids | _source_ids() | _static_ids() if m and m.strip()}


def seen_in_demo() -> set[str]:
    """The message ids looked up while every demo client's report is built and rendered (the check
    that
    :func:`collect` misses none)."""
    i18n.SEEN.clear()
    _render_demo()
    return {m for m in i18n.SEEN if m and m.strip()}


def update(ids: set[str]) -> None:
    pot = Catalog(project="kpi-helpers", version="0.1.0")
    for mid in sorted(ids):
        pot.add(mid)
    (i18n.LOCALE_DIR).mkdir(parents=True, exist_ok=True)
    with (i18n.LOCALE_DIR / "messages.pot").open("wb") as fh:
        write_po(fh, pot, width=0, omit_header=False)
    for lang in ("ru", "fa"):
        path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                cat = read_po(fh, locale=lang)
        else:
            cat = Catalog(locale=lang, project="kpi-helpers", version="0.1.0")
        cat.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, cat, width=0, ignore_obsolete=True)


if __name__ == "__main__":
    ids = collect()
    update(ids)
    print(f"{len(ids)} message ids; catalogues under {i18n.LOCALE_DIR}")
