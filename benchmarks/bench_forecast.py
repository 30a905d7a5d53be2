"""Backtest of next year's forecast (kpi_helpers.analysis.forecast) on the demo clients and a public
series.

For each series: fit on every month but the last year's, forecast the last year, compare with what
happened (bias of the year's total, monthly sMAPE, actual inside the 90 % interval). The demo
clients have 24 months (2024-2025), so their backtest fits one year (seasonal-naive fallback).
CDNOW (orders-only shop, 18 months 1997-01 .. 1998-06) is read through the toolkit's loaders as
a client (``table: orders``); its backtest fits the 12 months of 1997 and forecasts the 6 of 1998.

    .venv/bin/python benchmarks/bench_forecast.py [--datasets DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from kpi_helpers.analysis import forecast as F
from kpi_helpers.loaders import load_client

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"


def demo_rows() -> list[dict]:
    rows = []
    for cfg in sorted((ROOT / "kpi_helpers" / "demo_data").glob("*/client.yaml")):
        data = load_client(cfg)
        h = F.monthly_history(data, pd.Timestamp(2025, 12, 1))
        rows += [r | {"client": cfg.parent.name} for r in F.backtest(h).to_dict("records")]
    return rows


def cdnow_rows(datasets: Path) -> list[dict]:
    src = datasets / "cdnow" / "CDNOW_master.txt"
    if not src.is_file():
        print(f"{src} not found: CDNOW left out")
        return []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copy(src, folder / src.name)
        (folder / "client.yaml").write_text(
            textwrap.dedent("""\
            name: CDNOW (orders only)
            currency: USD
            year: 1998
            sources:
              - table: orders
                path: CDNOW_master.txt
                columns: {dollar_value: amount}
                row_id: order_id
            """),
            encoding="utf-8",
        )
        data = load_client(folder / "client.yaml")
        y = data.orders.set_index("date")["amount"].resample("MS").sum()
    fit, test = y[y.index.year == 1997], y[y.index.year == 1998]
    monthly, total = F.forecast_series(fit, horizon=len(test))
    return [
        {
            "client": "CDNOW (public)",
            "channel": "all",
            "metric": "revenue",
            "method": total["method"],
            "months_fitted": len(fit),
            "actual": float(test.sum()),
            "forecast": total["forecast"],
            "bias": (total["forecast"] - test.sum()) / test.sum(),
            "smape": F.smape(monthly["forecast"], test),
            "inside": bool(total["ci_low"] <= test.sum() <= total["ci_high"]),
        }
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--datasets", type=Path, default=DEFAULT_DATASETS, help="the shared datasets folder"
    )
    args = ap.parse_args()
    t = pd.DataFrame(demo_rows() + cdnow_rows(args.datasets))
    port = t[t["channel"] == "all"]
    print("| client | metric | model | months fitted | bias | sMAPE | actual in 90 % interval |")
    print("|---|---|---|---:|---:|---:|---|")
    for r in port.itertuples():
        print(
            f"| {r.client} | {r.metric} | {r.method} | {r.months_fitted} | {r.bias:+.1%} | "
            f"{r.smape:.1%} | "
            f"{'yes' if r.inside else 'no'} |"
        )
    ch = t[t["channel"] != "all"]
    print(
        f"\nPer channel ({len(ch)} series of the demo clients): median |bias| "
        f"{ch['bias'].abs().median():.1%}, "
        f"median sMAPE {ch['smape'].median():.1%}, actual inside the interval "
        f"{ch['inside'].mean():.0%}."
    )
    print(
        f"Portfolio series: median |bias| {port['bias'].abs().median():.1%}, median sMAPE "
        f"{np.nanmedian(port['smape']):.1%}."
    )


if __name__ == "__main__":
    main()
