"""Cross-client benchmarks: quartiles over comparable clients, and nothing of one client in
another's report."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import write_tiny_client
from kpi_helpers.analysis.benchmarks import PEER_COLUMNS, peer_table, standing

RUN_DATE = "2026-02-02"


def _rows(business, kpi, channel, value, basis=""):
    return pd.DataFrame(
        {
            "business": [business],
            "kpi": [kpi],
            "basis": [basis],
            "channel": [channel],
            "value": [value],
        }
    )


def test_peer_table_counts_clients_and_hides_small_groups():
    clients = [
        pd.concat(
            [_rows("shop", "cac", "paid_search", v), _rows("shop", "roi", "all", v / 100, "margin")]
        )
        for v in (10.0, 20.0, 30.0, 40.0, 50.0)
    ]
    clients.append(_rows("shop", "roi", "all", 9.0, "revenue"))  # another ROI basis: its own group
    clients.append(_rows("media", "cac", "paid_search", 1.0))
    peers = peer_table(clients, min_clients=5)
    assert list(peers.columns) == PEER_COLUMNS
    cac = peers[(peers["business"] == "shop") & (peers["kpi"] == "cac")].iloc[0]
    assert (cac["clients"], cac["q1"], cac["median"], cac["q3"]) == (5, 20.0, 30.0, 40.0)
    small = peers[(peers["kpi"] == "roi") & (peers["basis"] == "revenue")].iloc[0]
    assert small["clients"] == 1 and pd.isna(
        small["median"]
    )  # below the minimum: counted, no quartiles
    assert pd.isna(peers[peers["business"] == "media"]["median"]).all()


def test_standing_follows_the_better_direction():
    clients = [
        pd.concat([_rows("shop", "cac", "all", v), _rows("shop", "aov", "all", v)])
        for v in (10.0, 20.0, 30.0, 40.0, 50.0)
    ]
    peers = peer_table(clients, min_clients=5)
    cheap = standing(
        pd.concat([_rows("shop", "cac", "all", 10.0), _rows("shop", "aov", "all", 10.0)]), peers
    )
    assert dict(zip(cheap["kpi"], cheap["quartile"])) == {
        "cac": 1,
        "aov": 4,
    }  # low CAC is good, low AOV is not
    assert set(cheap["clients"]) == {5}


NAMES = ["Alpha Peer Ltd", "Bravo Peer Ltd", "Charlie Peer Ltd"]


@pytest.fixture(scope="module")
def benchmark_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    configs = []
    for k, name in enumerate(NAMES):

        def more_customers(df, k=k):
            df.loc[df["tactic"] == "Search A", "customers"] = 10 + 4 * k
            df.loc[df["tactic"] == "Search A", "revenue"] = 500 + 130 * k
            df.loc[df["tactic"] == "Newsletter", "customers"] = 5 + 2 * k
            return df

        cfg = write_tiny_client(
            tmp / f"peer-{k}", activity_edit=more_customers, extra_yaml="business: shop\n"
        )
        cfg.write_text(cfg.read_text().replace('name: "Tiny <b>Test</b> & Co"', f'name: "{name}"'))
        configs.append(cfg)
    out = tmp / "reports"
    env = os.environ | {"MPLBACKEND": "Agg"}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_helpers.run.cli",
            "batch",
            *map(str, configs),
            "--out",
            str(out),
            "--run-date",
            RUN_DATE,
            "--benchmark",
            "--min-clients",
            "3",
            "--workers",
            "2",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert res.returncode == 0, res.stderr
    return out / RUN_DATE


def test_each_report_shows_its_standing_with_the_peer_count(benchmark_batch):
    peers = pd.read_csv(benchmark_batch / "benchmarks.csv", encoding="utf-8-sig")
    assert list(peers.columns) == PEER_COLUMNS and (peers["clients"] == 3).any()
    assert 'href="benchmarks.csv"' in (benchmark_batch / "index.html").read_text(encoding="utf-8")
    for k in range(3):
        html = (benchmark_batch / f"peer-{k}" / "annual_review.html").read_text(encoding="utf-8")
        assert 'id="benchmarks"' in html and "of 3 comparable clients" in html
    best = (benchmark_batch / "peer-2" / "annual_review.html").read_text(encoding="utf-8")
    assert (
        "best quartile of 3 comparable clients" in best
    )  # the most customers for the same cost: lowest CAC


def test_no_client_name_or_figure_reaches_another_report(benchmark_batch):
    from kpi_helpers.core import i18n
    from kpi_helpers.metrics.catalog import format_value

    i18n.set_language("en")
    figures = {}
    for k in range(3):
        head = json.loads((benchmark_batch / f"peer-{k}" / "summary.json").read_text())["headline"]
        figures[k] = {
            format_value(head[kpi]["value"], head[kpi]["unit"], "EUR")
            for kpi in ("revenue", "roi", "cac")
        }
    peers_csv = (benchmark_batch / "benchmarks.csv").read_text(encoding="utf-8-sig")
    assert not any(n in peers_csv or f"peer-{k}" in peers_csv for k, n in enumerate(NAMES))
    for k in range(3):
        folder = benchmark_batch / f"peer-{k}"
        texts = {
            p.name: p.read_text(encoding="utf-8", errors="replace")
            for p in (
                folder / "annual_review.html",
                folder / "annual_review.ipynb",
                folder / "summary.json",
            )
        }
        for other in set(range(3)) - {k}:
            for name, text in texts.items():
                assert NAMES[other] not in text and f"peer-{other}" not in text, (k, other, name)
                leaked = {f for f in figures[other] - figures[k] if f in text}
                assert not leaked, (k, other, name, leaked)
        # the notebook received the aggregated table's path, nothing else about the others
        nb = json.loads(texts["annual_review.ipynb"])
        injected = "".join(
            next(
                c["source"]
                for c in nb["cells"]
                if "injected-parameters" in c["metadata"].get("tags", [])
            )
        )
        assert f'benchmarks = "{benchmark_batch.resolve() / "benchmarks.csv"}"' in injected
