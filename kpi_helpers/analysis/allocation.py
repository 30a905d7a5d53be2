"""Costs onto activity rows, and the KPI set for any grouping, always as ratios of totals.

Every cost of the ``costs`` table is put onto the finest activity rows (month ×
channel × tactic × device …) once, by a stated rule; any grouping is then a sum
of those rows, so a channel's cost is exactly the sum of its tactics' costs and
no KPI is ever a mean of ratios.

Allocation, month by month:

- a **direct** cost (channel and tactic given) goes to that tactic's rows of the
  month, split by the tactic's own spend, else visits, else equally;
- a cost with a channel but **no tactic** is shared over that channel's rows of
  the month, and a cost with **no channel** over all rows of the month, in
  proportion to the rule's key: ``direct_cost`` (default), ``spend`` or
  ``leads``. A month whose key is zero everywhere is split equally.
"""

from __future__ import annotations

import pandas as pd

from ..metrics import kpis
from ..loaders import ClientData

__all__ = ["allocate_costs", "cac_by_flow", "RULES"]

RULES = ("direct_cost", "spend", "leads")
_ROW_KEYS = ["period", "channel", "tactic"]


def _share(weights: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Each row's share of its group's total weight; equal shares where the total is zero."""
    total = weights.groupby(groups).transform("sum")
    count = weights.groupby(groups).transform("size")
    return kpis.ratio(weights, total).fillna(1.0 / count)


def allocate_costs(data: ClientData, rule: str = "direct_cost") -> pd.DataFrame:
    """The activity table with ``direct_cost``, ``shared_cost``, ``cost`` and ``flow`` per row.

    Computed once per client and rule, then shared: treat the result as read-only.

    Without a costs table, ``cost`` is the row's ad spend (NaN, not zero, when activity has no spend
    column either) and ``flow`` is empty.
    Costs of months or tactics that have no activity rows are returned in
    ``df.attrs["unallocated"]`` (a number), so they are never lost silently.
    """
    if rule not in RULES:
        raise ValueError(f"allocation rule {rule!r} is unknown; use one of {', '.join(RULES)}")
    # Scorecard, evidence, budget, forecast and notes share one result per client. It depends on the
    # rule and on the activity and costs tables: the entry keeps the very frames it was computed
    # from and is used only while the client still holds them (a table replaced, e.g. by
    # period.restrict, computes anew).
    cache = data.__dict__.setdefault("_allocated", {})
    hit = cache.get(rule)
    if hit is None or hit[0] is not data.activity or hit[1] is not data.costs:
        hit = cache[rule] = (data.activity, data.costs, _allocate(data, rule))
    return hit[2]


# long: the allocation rules share one pass over the activity rows; split, each part would need all
# of the cells' keys
def _allocate(data: ClientData, rule: str) -> pd.DataFrame:
    a = data.activity.copy()
    spend = a["spend"].fillna(0.0) if "spend" in a else pd.Series(0.0, index=a.index)
    if data.costs is None:
        if "spend" not in a:  # no cost recorded anywhere: cost is unknown (n/a), never zero
            spend = pd.Series(float("nan"), index=a.index)
        a["direct_cost"], a["shared_cost"], a["cost"], a["flow"] = spend, 0.0, spend, pd.NA
        a.attrs["unallocated"] = 0.0
        return a
    c = data.costs
    direct = c[c["channel"].notna() & c["tactic"].notna()].groupby(_ROW_KEYS)["amount"].sum()
    cells = [a[k] for k in _ROW_KEYS]
    visits = a["visits"].fillna(0.0) if "visits" in a else pd.Series(0.0, index=a.index)
    split_key = spend.where(spend.groupby(cells).transform("sum") > 0, visits)
    direct_of_cell = direct.reindex(pd.MultiIndex.from_frame(a[_ROW_KEYS])).fillna(0.0).to_numpy()
    a["direct_cost"] = direct_of_cell * _share(split_key, cells)
    key = {
        "direct_cost": a["direct_cost"],
        "spend": spend,
        "leads": a["leads"].fillna(0.0) if "leads" in a else pd.Series(0.0, index=a.index),
    }[rule]
    a["shared_cost"] = 0.0
    chan = (
        c[c["channel"].notna() & c["tactic"].isna()].groupby(["period", "channel"])["amount"].sum()
    )
    a["shared_cost"] += chan.reindex(pd.MultiIndex.from_frame(a[["period", "channel"]])).fillna(
        0.0
    ).to_numpy() * _share(key, [a["period"], a["channel"]])
    pool = c[c["channel"].isna()].groupby("period")["amount"].sum()
    a["shared_cost"] += a["period"].map(pool).fillna(0.0) * _share(key, [a["period"]])
    a["cost"] = a["direct_cost"] + a["shared_cost"]
    flows = c[c["tactic"].notna()].groupby(["channel", "tactic", "flow"])["amount"].sum()
    main_flow = (
        flows.sort_values()
        .groupby(level=[0, 1])
        .tail(1)
        .reset_index()
        .set_index(["channel", "tactic"])["flow"]
    )
    a["flow"] = main_flow.reindex(pd.MultiIndex.from_frame(a[["channel", "tactic"]])).to_numpy()
    a.attrs["unallocated"] = float(c["amount"].sum() - a["cost"].sum())
    return a


def cac_by_flow(data: ClientData, year: int, *, lag_months: int = 0) -> pd.DataFrame:
    """Inbound and outbound CAC side by side (S3), with an optional lag.

    Each cost pool is the costs table's rows of that ``flow`` (S3's inbound:
    labour, technology, overheads; outbound: advertising, staff, overheads);
    its customers are the new customers of the tactics whose direct costs are
    mostly of that flow. With ``lag_months = k``, costs of month m − k are set
    against customers of month m. Columns: ``flow, cost, customers, cac``.
    """
    if data.costs is None:
        raise ValueError("cac_by_flow needs a costs table with a flow column (inbound / outbound)")
    c = data.costs.assign(period=data.costs["period"] + pd.DateOffset(months=lag_months))
    cost = c[c["period"].dt.year == year].groupby("flow")["amount"].sum()
    a = allocate_costs(data)
    a = a[a["period"].dt.year == year]
    customers = a.groupby("flow")["customers"].sum() if "customers" in a else pd.Series(dtype=float)
    flows = sorted(set(cost.index) | set(customers.index))
    out = pd.DataFrame(
        {
            "flow": flows,
            "cost": cost.reindex(flows).fillna(0.0).to_numpy(),
            "customers": customers.reindex(flows).to_numpy(),
        }
    )
    out["cac"] = kpis.cac(out["cost"], out["customers"])
    return out
