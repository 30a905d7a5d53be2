"""Charts: ``plot_*(data, ..., ax=None) -> Axes``, one look across the report.

Each plot takes the same tidy table that goes into the sidecars, draws on the
given axes (or a new figure), labels axes with units and never calls
``plt.show()``. Mathtext is off, so a ``$`` in a client's tactic name stays a
dollar sign.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from matplotlib import font_manager

from ..core import i18n
from ..metrics.catalog import label
from ..core.i18n import _
from ..analysis.narrative import DECISION_LABELS, STAGE_LABELS, channel_label, quarter_label
from ..core.schema import CHANNELS
from ..core.vocab import ALL_CHANNELS, Decision
from .export import palette_png

__all__ = [
    "plot_monthly_trend",
    "plot_roi_by_tactic",
    "plot_funnel",
    "plot_rate_forest",
    "plot_cohort_heatmap",
    "plot_nps",
    "plot_budget",
    "plot_forecast",
    "CHANNEL_COLORS",
    "use_report_style",
]

#: One colour per channel, the same in every chart of every report.
CHANNEL_COLORS = dict(
    zip(CHANNELS, plt.get_cmap("tab20").colors[::2] + plt.get_cmap("tab20").colors[1::2])
)
DECISION_COLORS = {
    Decision.KEEP: "#2e7d32",
    Decision.OPTIMISE: "#f9a825",
    Decision.DROP: "#c62828",
    Decision.INSUFFICIENT_DATA: "#9e9e9e",
}


#: Legends of bar charts sit beside the axes, never on the bars (the figure is saved with a tight
#: bounding box).
_OUTSIDE = {
    "loc": "upper left",
    "bbox_to_anchor": (1.01, 1.0),
    "borderaxespad": 0.0,
    "frameon": False,
}


def use_report_style() -> None:
    """Apply the report's matplotlib settings: no mathtext (a ``$`` in client text stays a dollar
    sign),
    readable sizes, and a font list that falls back to the bundled Noto Sans Arabic for Persian."""
    _add_bundled_fonts()
    _no_second_render_inline()
    _palette_charts_inline()
    plt.rcParams.update(
        {
            "text.parse_math": False,
            "figure.dpi": 96,
            "savefig.dpi": 96,
            "savefig.bbox": "tight",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "figure.figsize": (9, 4),
            "font.family": ["DejaVu Sans", "Noto Sans Arabic"],
        }
    )


def _inline_shell():
    """The IPython shell when charts go through its inline backend (in a kernel), else None."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    return shell if shell is not None and "inline" in str(plt.rcParams["backend"]) else None


def _no_second_render_inline() -> None:
    """Under IPython's inline backend, render each chart once. After every cell pyplot redraws each
    changed
    figure (a full Agg render, meant for a window that shows it), then the inline backend renders it
    again into
    the PNG the notebook displays; the first render's pixels are never used. Without it the PNG is
    the same."""
    shell = _inline_shell()
    redraw = getattr(plt, "_draw_all_if_interactive", None)
    if shell is None or redraw is None:
        return
    try:
        shell.events.unregister("post_execute", redraw)
    except ValueError:  # not registered, or already removed
        pass


def _palette_charts_inline() -> None:
    """Under IPython's inline backend, each chart goes into the notebook as the 128-colour palette
    PNG the report shows (:func:`kpi_helpers.report.export.palette_png`): made once, where the chart
    is drawn, instead of a full-colour PNG that the export decodes and encodes again."""
    import base64

    shell = _inline_shell()
    if shell is None:
        return
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    render = formatter.lookup_by_type(Figure) if Figure in formatter.type_printers else None
    if render is None or getattr(render, "palette", False):
        return

    if isinstance(render, functools.partial) and render.func.__name__ == "print_figure":
        # IPython's PNG of the chart, uncompressed: the palette step reads it back at once
        options = {**render.keywords, "base64": False, "pil_kwargs": {"compress_level": 0}}
        render = functools.partial(render.func, *render.args, **options)

    def png(fig):
        data = render(fig)
        if data is None:  # an empty figure shows nothing
            return None
        raw = base64.b64decode(data) if isinstance(data, str) else data
        return base64.b64encode(palette_png(raw)).decode("ascii")

    png.palette = True
    formatter.for_type(Figure, png)


@functools.cache
def _add_bundled_fonts() -> None:
    """Register the bundled fonts once per process (each chart drawn without ``ax`` applies the
    style)."""
    for font in i18n.FONT_DIR.glob("*.ttf"):
        font_manager.fontManager.addfont(str(font))


def t(text: str) -> str:
    """A chart string: translated, and shaped for matplotlib when Persian."""
    return i18n.shape(_(text))


def _name(channel: str, tactic: str | None = None) -> str:
    return i18n.shape(channel_label(channel) + (f" · {tactic}" if tactic else ""))


def _pct(decimals: int = 0):
    return FuncFormatter(lambda v, _pos: i18n.shape(i18n.percent(v, decimals)))


def _ax(ax):
    if ax is None:
        use_report_style()
        _, ax = plt.subplots()
    return ax


def _money(currency: str):
    return FuncFormatter(lambda v, _pos: i18n.shape(i18n.number(v)))


def plot_monthly_trend(
    trend: pd.DataFrame, metric: str = "revenue", *, currency: str = "", ax=None
):
    """This year against last year, month by month, for one metric of :func:`review.monthly_trend`.

    Returns None (no chart) when the trend lacks the metric; the section says what it needs."""
    if metric not in trend or trend[metric].isna().all():
        return None
    ax = _ax(ax)
    for year, style in zip(sorted(trend["year"].unique()), ["--", "-"]):
        part = trend[trend["year"] == year]
        ax.plot(
            part["month"],
            part[metric],
            style,
            marker="o",
            label=i18n.shape(i18n.digits(str(year))),
            color="#1f4e79" if style == "-" else "#8fa9c4",
        )
    # tick names from the calendar months the trend's periods are (a fiscal year starts in another
    # month)
    names = dict(zip(trend["month"], trend["period"]))
    year = int(trend["year"].max())
    ax.set_xticks(
        range(1, 13),
        [
            i18n.shape(i18n.month_name(names[m].month if m in names else m, year, short=True))
            for m in range(1, 13)
        ],
    )
    unit = f" ({currency})" if metric in ("revenue", "cost") and currency else ""
    ax.set_ylabel(i18n.shape(label(metric) + unit))
    ax.yaxis.set_major_formatter(_money(currency))
    ax.set_title(i18n.shape(_("{kpi} by month").format(kpi=label(metric))))
    ax.legend(**_OUTSIDE)
    return ax


def plot_roi_by_tactic(decisions: pd.DataFrame, *, hurdle: float = 0.0, ax=None):
    """Decision ROI per tactic as horizontal bars coloured by the decision, with the hurdle line
    (None when no tactic has an ROI)."""
    d = decisions.dropna(subset=["roi"]).sort_values("roi")
    if d.empty:
        return None
    ax = _ax(ax)
    names = [_name(c, tc) for c, tc in zip(d["channel"], d["tactic"])]
    clipped = d["roi"].clip(upper=5.0)
    ax.barh(names, clipped, color=[DECISION_COLORS[x] for x in d["decision"]])
    for y, (v, c) in enumerate(zip(d["roi"], clipped)):
        ax.text(
            c,
            y,
            f" {i18n.shape(i18n.percent(v, 0))} ",
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize=8,
        )
    ax.set_xlim(min(clipped.min(), 0) - 0.6, max(clipped.max(), 0) * 1.15 + 0.1)
    ax.axvline(hurdle, color="black", lw=1)
    ax.xaxis.set_major_formatter(_pct())
    ax.set_xlabel(t("Decision ROI (bars capped at 500 %)"))
    ax.set_title(t("ROI by tactic, coloured by decision"))
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in DECISION_COLORS.values()]
    ax.legend(handles, [t(DECISION_LABELS[k]) for k in DECISION_COLORS], fontsize=8, **_OUTSIDE)
    return ax


def plot_funnel(funnel: pd.DataFrame, *, ax=None):
    """Stage-to-stage conversion by channel (one group of bars per stage); None without two
    stages."""
    rates = [c for c in funnel.columns if "→" in c]
    if not rates or funnel[rates].isna().all().all():
        return None
    ax = _ax(ax)
    f = funnel[funnel["channel"] != ALL_CHANNELS]
    width = 0.8 / max(len(f), 1)
    x = np.arange(len(rates))
    for i, (_idx, row) in enumerate(f.iterrows()):
        ax.bar(
            x + i * width,
            row[rates].astype(float),
            width,
            label=_name(row["channel"]),
            color=CHANNEL_COLORS.get(row["channel"], "#777777"),
        )
    ax.set_xticks(
        x + width * (len(f) - 1) / 2,
        [i18n.shape(" → ".join(_(STAGE_LABELS.get(p, p)) for p in r.split("→"))) for r in rates],
    )
    ax.yaxis.set_major_formatter(_pct())
    ax.set_ylabel(t("Conversion to the next stage"))
    ax.set_title(t("Funnel conversion by channel"))
    ax.legend(fontsize=8, **_OUTSIDE)
    return ax


def plot_rate_forest(rates: pd.DataFrame, *, title: str | None = None, ax=None):
    """A rate per channel with its interval (``comparisons.channel_rate_ci`` output); all channels
    dashed.

    The interval's level is read from ``rates.attrs["alpha"]`` (95 % without it). None when there
    are no
    rates (no visits or no leads)."""
    if rates.empty or rates["rate"].isna().all():
        return None
    from ..metrics.stats import confidence_level

    level = confidence_level(rates.attrs.get("alpha", 0.05))
    ax = _ax(ax)
    r = rates.iloc[::-1].reset_index(drop=True)
    for y, row in r.iterrows():
        overall = row["channel"] == ALL_CHANNELS
        color = "black" if overall else CHANNEL_COLORS.get(row["channel"], "#777777")
        ax.errorbar(
            row["rate"],
            y,
            xerr=[[row["rate"] - row["ci_low"]], [row["ci_high"] - row["rate"]]],
            fmt="D" if overall else "o",
            color=color,
            capsize=4,
        )
        if overall:
            ax.axvline(row["rate"], color="black", ls="--", lw=0.8)
    ax.set_yticks(
        range(len(r)), [t("all channels") if c == ALL_CHANNELS else _name(c) for c in r["channel"]]
    )
    ax.xaxis.set_major_formatter(_pct(1))
    ax.set_xlabel(i18n.shape(_("Rate (Wilson {level} interval)").format(level=level)))
    ax.set_title(
        t(title)
        if title
        else i18n.shape(_("Visit → lead by channel, {level} intervals").format(level=level))
    )
    return ax


def plot_cohort_heatmap(cohorts: pd.DataFrame, *, ax=None):
    """Acquisition cohorts (rows) × periods since acquisition (columns): share of the cohort
    ordering."""
    import seaborn as sns

    ax = _ax(ax)
    data = cohorts.copy()
    data.index = [i18n.shape(quarter_label(d)) for d in data.index]
    labels = data.map(lambda v: "" if pd.isna(v) else i18n.shape(i18n.percent(v, 0)))
    sns.heatmap(
        data,
        annot=labels,
        fmt="",
        cmap="Blues",
        vmin=0,
        vmax=1,
        cbar=False,
        ax=ax,
        annot_kws={"fontsize": 8},
    )
    ax.set_xticklabels([i18n.shape(i18n.digits(x.get_text())) for x in ax.get_xticklabels()])
    ax.set_xlabel(t("Quarters since acquisition"))
    ax.set_ylabel(t("Acquisition cohort"))
    ax.set_title(t("Share of each cohort ordering, by quarter"))
    return ax


def plot_nps(nps: pd.DataFrame, *, ax=None):
    """NPS by channel with its interval (``annual.customer_section()["nps"]``; level from
    ``attrs["alpha"]``)."""
    from ..metrics.stats import confidence_level

    ax = _ax(ax)
    r = nps.iloc[::-1].reset_index(drop=True)
    for y, row in r.iterrows():
        overall = row["channel"] == ALL_CHANNELS
        ax.errorbar(
            row["nps"],
            y,
            xerr=[[row["nps"] - row["ci_low"]], [row["ci_high"] - row["nps"]]],
            fmt="D" if overall else "o",
            capsize=4,
            color="black" if overall else CHANNEL_COLORS.get(row["channel"], "#777777"),
        )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(
        range(len(r)),
        [
            i18n.shape(
                f"{_('all channels') if c == ALL_CHANNELS else channel_label(c)} "
                f"(n={i18n.number(n)})"
            )
            for c, n in zip(r["channel"], r["n"])
        ],
    )
    ax.xaxis.set_major_formatter(_money(""))
    ax.set_xlabel(
        i18n.shape(
            _("NPS, points ({level} interval)").format(
                level=confidence_level(nps.attrs.get("alpha", 0.05))
            )
        )
    )
    ax.set_title(t("Net Promoter Score by acquisition channel"))
    return ax


def plot_budget(budget: pd.DataFrame, *, currency: str = "", ax=None):
    """Current and proposed budget per tactic (None when there is no budget to show)."""
    if budget.empty or not (budget["current_budget"].fillna(0) > 0).any():
        return None
    ax = _ax(ax)
    names = [_name(c, tc) for c, tc in zip(budget["channel"], budget["tactic"])]
    y = np.arange(len(budget))
    ax.barh(y + 0.2, budget["current_budget"], 0.4, label=t("this year"), color="#8fa9c4")
    ax.barh(y - 0.2, budget["proposed_budget"], 0.4, label=t("proposed"), color="#1f4e79")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_money(currency))
    ax.set_xlabel(i18n.shape(_("Budget") + (f" ({currency})" if currency else "")))
    ax.set_title(t("Budget: this year and proposed"))
    ax.legend(**_OUTSIDE)
    return ax


def _month_year(day: pd.Timestamp) -> str:
    """ "Jan 2025" in the report's language and calendar (the month's first day's year in that
    calendar)."""
    year = day.year
    if i18n.calendar() == "solar_hijri":
        import jdatetime

        year = jdatetime.date.fromgregorian(date=day.date()).year
    return f"{i18n.month_name(day.month, day.year, short=True)} {i18n.digits(str(year))}"


def plot_forecast(
    monthly: pd.DataFrame,
    metric: str = "revenue",
    *,
    channel: str = "all",
    currency: str = "",
    ax=None,
):
    """The last two years of one metric and the next twelve months' forecast with its 90 % band
    (``AnnualReview.forecast_monthly``); None when there is no forecast of it."""
    if monthly is None or monthly.empty:
        return None
    m = monthly[(monthly["channel"] == channel) & (monthly["metric"] == metric)]
    if m.empty or m["forecast"].isna().all():
        return None
    ax = _ax(ax)
    hist, fut = m[m["actual"].notna()], m[m["forecast"].notna()]
    ax.plot(
        hist["period"], hist["actual"], "-", marker="o", ms=3, color="#1f4e79", label=t("actual")
    )
    ax.plot(
        fut["period"], fut["forecast"], "--", marker="o", ms=3, color="#c77c02", label=t("forecast")
    )
    ax.fill_between(
        fut["period"],
        fut["ci_low"],
        fut["ci_high"],
        color="#c77c02",
        alpha=0.2,
        label=t("90 % interval"),
    )
    ticks = m["period"][m["period"].dt.month.isin([1, 7])]
    ax.set_xticks(ticks, [i18n.shape(_month_year(d)) for d in ticks], fontsize=8)
    unit = f" ({currency})" if metric in ("revenue", "cost") and currency else ""
    ax.set_ylabel(i18n.shape(label(metric) + unit))
    ax.yaxis.set_major_formatter(_money(currency))
    ax.set_ylim(bottom=0)
    ax.set_title(i18n.shape(_("{kpi}: next twelve months").format(kpi=label(metric))))
    ax.legend(frameon=False)
    return ax
