"""Derive what can honestly be derived when a client has no activity table (or one without funnel
counts).

A CRM-only client (deals), an online shop with only orders (and customers), or a web-analytics
export
without leads still has a funnel, new customers and revenue per month, channel and tactic: they are
counted here from the rows that carry them and stacked into ``activity`` as columns the activity
table lacks. Each derivation is stated in a note that the report's data-quality section shows.

Rules (one per derived column; a column the activity table already has is never overwritten):

- **from deals** (month of ``created``, the lead's month, so that a stage rate compares one cohort
  of leads): ``leads`` every deal; ``mql``, ``sql``, ``opportunities`` deals whose furthest stage
  reached is at least that stage, derived only when some deal was recorded as stopping at or past it
  (a CRM that never records a stage does not get one), and only when the activity table has no
  ``leads`` (a funnel comes from one source); ``customers`` won deals; ``revenue`` the amount of won
  deals.
- **from customers** (month of ``acquired``): ``customers`` new customers, when deals gave none.
- **from orders** (month of the order, credited to the acquiring customer's channel and tactic):
  ``orders`` and ``revenue``, when deals gave none.
- **orders without customers**: each customer's first order is their acquisition; their channel is
  ``other`` and their tactic ``unattributed`` (the data do not say where they came from).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..core.i18n import _
from ..core.schema import DEAL_STAGES

__all__ = ["Derived", "derive_tables", "UNATTRIBUTED"]

#: Tactic given to customers whose acquisition channel the data do not record.
UNATTRIBUTED = "unattributed"
_KEYS = ["period", "channel", "tactic"]
_STAGE_COLUMNS = {"mql": "mql", "sql": "sql", "opportunity": "opportunities"}


@dataclass
class Derived:
    """The tables after derivation and what was derived, for the report.

    ``notes``: one sentence per derivation (data quality). ``columns``: activity column -> source
    table it was derived from. ``by_construction``: stage KPI id -> why its rate is fixed by the way
    the data were recorded (not evidence about the tactic).
    """

    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    by_construction: dict[str, str] = field(default_factory=dict)


def _month(s: pd.Series) -> pd.Series:
    return s.dt.to_period("M").dt.to_timestamp()


def _from_deals(deals: pd.DataFrame, out: Derived) -> pd.DataFrame:
    rank = deals["stage"].map({s: i for i, s in enumerate(DEAL_STAGES)})
    d = deals.assign(period=_month(deals["created"]), leads=1)
    cols = ["leads"]
    for stage, col in _STAGE_COLUMNS.items():
        at = DEAL_STAGES.index(stage)
        # recorded: some deal stopped at this stage or past it without being won (or was won, for
        # mql); a CRM export that holds only won and untouched leads never recorded the intermediate
        # stages
        stopped = (rank >= at) & (deals["stage"] != "won")
        if stopped.any() or (stage == "mql" and (rank >= at).all()):
            d[col] = (rank >= at).astype(int)
            cols.append(col)
    won = deals["status"] == "won"
    d["customers"] = won.astype(int)
    cols.append("customers")
    if "amount" in deals and deals.loc[won, "amount"].notna().any():
        d["revenue"] = deals["amount"].where(won)
        cols.append("revenue")
    if "mql" in cols and (rank >= DEAL_STAGES.index("mql")).all():
        out.by_construction["lead_to_mql"] = _(
            "Every deal in the CRM export entered at MQL, so lead → MQL is 100 % by construction "
            "and is not used "
            "as evidence."
        )
    return d.groupby(_KEYS)[cols].sum(min_count=1).reset_index()


def _customers_from_orders(orders: pd.DataFrame) -> pd.DataFrame:
    first = orders.groupby("customer_id", as_index=False)["date"].min()
    return first.rename(columns={"date": "acquired"}).assign(channel="other", tactic=UNATTRIBUTED)


def _from_customers_and_orders(
    customers: pd.DataFrame, orders: pd.DataFrame | None
) -> pd.DataFrame:
    c = customers.assign(
        tactic=customers["tactic"].fillna(UNATTRIBUTED) if "tactic" in customers else UNATTRIBUTED
    )
    parts = [
        c.assign(period=_month(c["acquired"]), customers=1).groupby(_KEYS)[["customers"]].sum()
    ]
    if orders is not None:
        o = orders.merge(c[["customer_id", "channel", "tactic"]], on="customer_id", how="inner")
        o = o.assign(period=_month(o["date"]), orders=1, revenue=o["amount"])
        parts.append(o.groupby(_KEYS)[["orders", "revenue"]].sum(min_count=1))
    out = pd.concat(parts, axis=1)
    out["customers"] = out["customers"].fillna(
        0
    )  # the full customer list: a month without one acquired none
    return out.reset_index()


def _merge(
    activity: pd.DataFrame | None, derived: pd.DataFrame, source: str, out: Derived
) -> pd.DataFrame:
    """Add the derived columns the activity table lacks (outer join on month × channel × tactic)."""
    have = set() if activity is None else set(activity.columns)
    new = [c for c in derived.columns if c not in _KEYS and c not in have and c not in out.columns]
    if not new:
        return activity
    for c in new:
        out.columns[c] = source
    derived = derived[_KEYS + new]
    if activity is None:
        return derived.sort_values(_KEYS, kind="stable").reset_index(drop=True)
    merged = activity.merge(derived, on=_KEYS, how="outer")
    # activity may hold several rows of one month x tactic (devices, campaigns, stacked exports): a
    # derived count belongs to the first of them only, so that sums count it once
    merged.loc[merged.duplicated(_KEYS, keep="first"), new] = float("nan")
    return merged


# long: each derivation (leads, stages, customers, orders) stated where it is made
def derive_tables(tables: dict[str, pd.DataFrame]) -> Derived:
    """Fill ``activity`` (and ``customers`` for an orders-only shop) from the tables that hold the
    facts."""
    out = Derived(tables=dict(tables))
    t = out.tables
    activity = t.get("activity")
    if t.get("orders") is not None and t.get("customers") is None:
        t["customers"] = _customers_from_orders(t["orders"])
        out.notes.append(
            _(
                "No customers table: each customer's first order is taken as their acquisition; "
                "their channel is unknown (shown as 'other' / '{tactic}')."
            ).format(tactic=UNATTRIBUTED)
        )
    if t.get("deals") is not None:
        from_deals = _from_deals(t["deals"], out)
        if (
            activity is not None and "leads" in activity
        ):  # one source per funnel: the activity table's
            from_deals = from_deals.drop(
                columns=["leads", "mql", "sql", "opportunities"], errors="ignore"
            )
            out.by_construction.clear()
        activity = _merge(activity, from_deals, "deals", out)
    if t.get("customers") is not None:
        activity = _merge(
            activity, _from_customers_and_orders(t["customers"], t.get("orders")), "customers", out
        )
    if (
        activity is None
    ):  # a survey or costs alone: no activity rows, but the review still has a frame
        activity = pd.DataFrame(
            {
                "period": pd.Series(dtype="datetime64[ns]"),
                "channel": pd.Series(dtype=object),
                "tactic": pd.Series(dtype=object),
            }
        )
    t["activity"] = activity
    by_source: dict[str, list[str]] = {}
    for col, source in out.columns.items():
        by_source.setdefault(source, []).append(col)
    names = {
        "deals": _("the CRM deals (by the lead's month)"),
        "customers": _(
            "the customers and orders (new customers by acquisition month, orders and revenue by "
            "order month)"
        ),
    }
    for source, cols in by_source.items():
        out.notes.append(
            _(
                "Derived from {source}: {columns} per month, channel and tactic (no activity table "
                "holds them)."
            ).format(source=names[source], columns=", ".join(cols))
        )
    # a stage fixed by the recording is explained with the others by
    # comparisons.funnel_quality_notes
    return out
