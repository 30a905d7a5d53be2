"""Cross-client benchmarks (``kpi-review batch --benchmark``): where a client stands among
comparable ones.

Before the notebooks run, the batch computes each client's ratio KPIs of the reviewed year by
channel
(:func:`client_kpis`: the scorecard alone, none of the statistics), then one **peer table**
(:func:`peer_table`): per business type, KPI and channel, how many clients have the KPI and, where
at
least ``min_clients`` do, the quartiles. The table holds no client's name and no client's row; it is
written as the run's ``benchmarks.csv`` for the consultant and its path is the only thing each
notebook
receives. A report shows the client's own value and its quartile among the peers with their count,
never
the peers' figures (:func:`standing`). ROI is grouped by its basis too (margin-based or
revenue-based), so
unlike ROIs are never compared.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..metrics.catalog import REGISTRY, benchmark_kpis
from ..core.vocab import PORTFOLIO_SCOPE, Level

__all__ = ["BENCHMARK_KPIS", "MIN_CLIENTS", "client_kpis", "peer_table", "standing", "read_peers"]

#: Ratio KPIs, comparable between clients of different sizes (totals such as revenue are not):
#: registry entries with ``benchmark=``, in that order.
BENCHMARK_KPIS = benchmark_kpis()
#: Default minimum number of clients of one business type having a KPI before it is benchmarked.
MIN_CLIENTS = 5
ALL_CHANNELS = PORTFOLIO_SCOPE  # the portfolio's "channel" in the peer table
PEER_COLUMNS = [
    "business",
    "kpi",
    "basis",
    "channel",
    "clients",
    "min_clients",
    "q1",
    "median",
    "q3",
]
QUARTILES = {1: "best quartile", 2: "second quartile", 3: "third quartile", 4: "worst quartile"}


def roi_basis(gross_margin) -> str:
    return "margin" if gross_margin is not None else "revenue"


def kpi_rows(sc: pd.DataFrame, year: int, business: str, basis: str) -> pd.DataFrame:
    """A scorecard's benchmark KPIs of ``year``, long: business, kpi, basis, channel, value."""
    rows = sc[(sc["year"] == year) & sc["level"].isin([Level.CHANNEL, Level.PORTFOLIO])]
    kpis = [k for k in benchmark_kpis() if k in rows]
    long = (
        rows.assign(channel=rows["channel"].fillna(ALL_CHANNELS).astype(str))[["channel", *kpis]]
        .melt(id_vars="channel", var_name="kpi", value_name="value")
        .dropna(subset=["value"])
    )
    long = long.assign(business=business, basis=[basis if k == "roi" else "" for k in long["kpi"]])
    return long[["business", "kpi", "basis", "channel", "value"]].reset_index(drop=True)


def client_kpis(
    config_path: str | Path, year: int | None = None, as_of: str | None = None
) -> pd.DataFrame:
    """One client's benchmark KPIs of its reviewed year (empty without a ``business`` in
    client.yaml)."""
    from . import review
    from ..loaders.config import load_config
    from ..loaders import load_client
    from .period import first_month, restrict, review_period, to_fiscal

    cfg, _folder = load_config(config_path)
    if not cfg.business:
        return pd.DataFrame(columns=["business", "kpi", "basis", "channel", "value"])
    year = int(year or cfg.year)
    first = first_month(cfg.fiscal_year_start)
    data = to_fiscal(load_client(config_path), first)
    data = restrict(data, review_period(data, year, as_of, first_month=first))
    return kpi_rows(review.scorecard(data, year), year, cfg.business, roi_basis(cfg.gross_margin))


def peer_table(per_client: list[pd.DataFrame], min_clients: int = MIN_CLIENTS) -> pd.DataFrame:
    """Per business, KPI, basis and channel: the number of clients, and quartiles where at least
    ``min_clients`` have the KPI (blank below). Clients are counted, never named."""
    frames = [df.assign(client=i) for i, df in enumerate(per_client) if len(df)]
    if not frames:
        return pd.DataFrame(columns=PEER_COLUMNS)
    rows = pd.concat(frames, ignore_index=True)
    keys = ["business", "kpi", "basis", "channel"]
    g = rows.groupby(keys, sort=True)["value"]
    out = pd.DataFrame(
        {
            "clients": rows.groupby(keys, sort=True)["client"].nunique(),
            "q1": g.quantile(0.25),
            "median": g.median(),
            "q3": g.quantile(0.75),
        }
    ).reset_index()
    few = out["clients"] < min_clients
    out.loc[few, ["q1", "median", "q3"]] = float("nan")
    return out.assign(min_clients=min_clients)[PEER_COLUMNS]


def read_peers(path: str | Path) -> pd.DataFrame:
    """The peer table as written (``benchmarks.csv``), the spreadsheet guard on business names
    undone."""
    peers = pd.read_csv(
        path,
        encoding="utf-8-sig",
        keep_default_na=False,
        na_values=[""],
        dtype={"business": str, "kpi": str, "basis": str, "channel": str},
    )
    return peers.assign(
        business=[
            b[1:] if b.startswith("'") and b[1:2] in "=+-@\t\r" and b[1:] else b
            for b in peers["business"].fillna("")
        ],
        basis=peers["basis"].fillna(""),
    )


def _quartile(value: float, q1: float, median: float, q3: float, better: str) -> int:
    """1 (best) to 4 (worst) in the KPI's better direction."""
    if better == "lower":
        return 1 if value <= q1 else 2 if value <= median else 3 if value <= q3 else 4
    return 1 if value >= q3 else 2 if value >= median else 3 if value >= q1 else 4


def standing(own: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame:
    """The client's own KPI rows (:func:`kpi_rows`) against the peer table: kpi, channel, value,
    clients,
    min_clients and quartile (1 best … 4 worst; NaN where there are too few clients)."""
    if own.empty or peers.empty:
        return pd.DataFrame(
            columns=["kpi", "channel", "value", "clients", "min_clients", "quartile"]
        )
    m = own.merge(peers, on=["business", "kpi", "basis", "channel"], how="inner")
    m["quartile"] = [
        float("nan") if pd.isna(q2) else _quartile(v, q1, q2, q3, REGISTRY[k].better)
        for v, q1, q2, q3, k in zip(m["value"], m["q1"], m["median"], m["q3"], m["kpi"])
    ]
    order = {k: i for i, k in enumerate(benchmark_kpis())}
    m = m.assign(_k=m["kpi"].map(order), _c=m["channel"] != ALL_CHANNELS).sort_values(
        ["_k", "_c", "channel"]
    )
    return m[["kpi", "channel", "value", "clients", "min_clients", "quartile"]].reset_index(
        drop=True
    )
