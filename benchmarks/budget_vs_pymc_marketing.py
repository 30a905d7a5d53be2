"""Our budget proposal beside PyMC-Marketing's MMM and budget optimiser, on one demo client.

Not a runtime dependency and not a test: a check, run by hand, of what an established optimiser does
with the same months, the same spend and the same constraints. Two steps, two environments:

1. ``.venv/bin/python benchmarks/budget_vs_pymc_marketing.py export --client northwind-home --out
   DIR``
   (the project's environment) writes ``DIR/monthly.csv`` (the two years' monthly allocated cost per
   tactic and the month's result, revenue x gross margin, the same inputs ``analysis.budget`` fits)
   and
   ``DIR/ours.csv`` (our proposal with each tactic's decision and bounds).
2. ``PYMC/bin/python benchmarks/budget_vs_pymc_marketing.py pymc --out DIR`` (an environment with
   ``pymc-marketing``; 0.19.2 is the newest for Python 3.11) fits PyMC-Marketing's ``MMM``
   (geometric
   adstock, logistic saturation, yearly Fourier seasonality, a linear trend as control) by NUTS and
   runs its
   ``BudgetOptimizer`` with the same bounds: dropped tactics at zero, ``optimise`` and no-curve
   tactics at
   most their current budget, ``keep`` tactics within +-50 %. It writes ``DIR/pymc.csv`` and prints
   the
   two proposals side by side, with PyMC-Marketing's 94 % interval of each tactic's contribution.

The result on this machine is in ``benchmarks/README.md`` ("Budget proposal against
PyMC-Marketing").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def export(client: str, out: Path, year: int) -> None:

    import kpi_helpers as kh
    from kpi_helpers.analysis.allocation import allocate_costs
    from kpi_helpers.core.resources import demo_data_dir

    data = kh.load_client(demo_data_dir() / client / "client.yaml")
    rv = kh.build_review(data, year=year)
    a = allocate_costs(data, data.config.cost_allocation)
    a = a[a["period"].dt.year.isin([year - 1, year])]
    margin = data.config.gross_margin if data.config.gross_margin is not None else 1.0
    cost = a.pivot_table(index="period", columns="tactic", values="cost", aggfunc="sum").fillna(0.0)
    result = a.groupby("period")["revenue"].sum() * margin
    monthly = cost.assign(result=result).reset_index().rename(columns={"period": "date"})
    out.mkdir(parents=True, exist_ok=True)
    monthly.to_csv(out / "monthly.csv", index=False)
    ours = rv.budget[["tactic", "decision", "current_budget", "proposed_budget", "note"]]
    ours.to_csv(out / "ours.csv", index=False)
    print(
        f"wrote {out / 'monthly.csv'} ({len(monthly)} months, {cost.shape[1]} tactics) and "
        f"{out / 'ours.csv'}"
    )


def _bounds(row) -> tuple[float, float]:
    """Monthly bounds for one tactic, the constraints our proposal works under."""
    monthly = row["current_budget"] / 12
    if row["decision"] == "drop":
        return 0.0, 0.0
    if row["decision"] == "keep":
        return 0.5 * monthly, 1.5 * monthly
    return 0.0, monthly  # optimise, too little data or no curve: may keep or lose, never gain


def pymc(out: Path, seed: int) -> None:
    import numpy as np
    import pandas as pd
    from pymc_marketing.mmm import MMM, GeometricAdstock, LogisticSaturation

    monthly = pd.read_csv(out / "monthly.csv", parse_dates=["date"])
    ours = pd.read_csv(out / "ours.csv")
    channels = [c for c in monthly.columns if c not in ("date", "result")]
    X = monthly[["date", *channels]].assign(trend=np.arange(len(monthly), dtype=float))
    mmm = MMM(
        date_column="date",
        channel_columns=channels,
        control_columns=["trend"],
        adstock=GeometricAdstock(l_max=3),
        saturation=LogisticSaturation(),
        yearly_seasonality=2,
    )
    mmm.fit(
        X,
        monthly["result"],
        chains=2,
        draws=500,
        tune=1000,
        random_seed=seed,
        progressbar=False,
        target_accept=0.95,
    )
    contrib = mmm.compute_channel_contribution_original_scale()  # (chain, draw, date, channel)
    total = contrib.sum("date").stack(sample=("chain", "draw"))
    lo, hi = total.quantile(0.03, "sample"), total.quantile(0.97, "sample")
    spent = monthly[channels].sum()
    bounds = {r["tactic"]: _bounds(r) for _, r in ours.iterrows() if r["tactic"] in channels}
    budget = sum((ours.set_index("tactic").loc[ch, "proposed_budget"] for ch in channels)) / 12
    budget = max(budget, sum(b[0] for b in bounds.values()) + 1e-6)
    allocation, res = mmm.optimize_budget(budget=budget, num_periods=12, budget_bounds=bounds)
    rows = []
    for ch in channels:
        r = ours.set_index("tactic").loc[ch]
        rows.append(
            {
                "tactic": ch,
                "decision": r["decision"],
                "current": round(r["current_budget"]),
                "ours": round(r["proposed_budget"]),
                "pymc_marketing": round(float(allocation.sel(channel=ch)) * 12),
                "contribution_2y_mean": round(float(total.sel(channel=ch).mean())),
                "contribution_2y_94lo": round(float(lo.sel(channel=ch))),
                "contribution_2y_94hi": round(float(hi.sel(channel=ch))),
                "spend_2y": round(float(spent[ch])),
            }
        )
    table = pd.DataFrame(rows)
    table.to_csv(out / "pymc.csv", index=False)
    print(table.to_string(index=False))
    print(
        json.dumps(
            {
                "optimizer_success": bool(res.success),
                "monthly_budget": round(budget),
                "divergences": int(mmm.idata.sample_stats["diverging"].sum()),
            }
        )
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    e = sub.add_parser("export")
    e.add_argument("--client", default="northwind-home")
    e.add_argument("--year", type=int, default=2025)
    e.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("pymc")
    m.add_argument("--out", type=Path, required=True)
    m.add_argument("--seed", type=int, default=20251)
    a = p.parse_args(argv)
    if a.step == "export":
        export(a.client, a.out, a.year)
    else:
        pymc(a.out, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
