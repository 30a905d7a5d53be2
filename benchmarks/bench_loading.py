"""Benchmark of loading and validating a 5-million-row orders CSV (about 300 MB) with
``load_client``.

Writes a synthetic canonical ``orders.csv`` (and the same rows in Russian format: ``;`` between
fields, decimal commas, spaces between thousands, ``DD.MM.YYYY`` dates) into a temporary folder
(``/tmp`` by default, never the repository), then times in separate subprocesses:

* ``load_client`` on a client whose ``orders`` source is that file (read, detect, parse, validate,
  duplicate and consistency checks, SHA-256 of the file), for both formats;
* a bare ``pandas.read_csv`` of the same file, with ``engine="pyarrow"`` when pyarrow can be
  imported (``--pyarrow-path DIR`` adds a folder holding it to the subprocess's path only), and
  always with the default C engine.

Each subprocess resets the kernel's peak-RSS counter after its imports (``/proc/self/clear_refs``)
and reads ``VmHWM`` at the end, so "peak" is its own high-water resident memory, data included.

    .venv/bin/python benchmarks/bench_loading.py                      # 5 000 000 rows
    .venv/bin/python benchmarks/bench_loading.py --rows 500000        # quick
    .venv/bin/python benchmarks/bench_loading.py --pyarrow-path PYARROW_DIR   # a folder holding
    pyarrow only

Floor from the issue: under 40 s and under 4 GB peak memory on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20251231
FLOOR_SECONDS, FLOOR_BYTES = 40.0, 4 * 1024**3
CHUNK = 1_000_000


def _chunk(rng: np.random.Generator, start: int, n: int, russian: bool) -> pd.DataFrame:
    day = np.datetime64("2024-01-01") + rng.integers(0, 731, n)
    amount = np.round(rng.lognormal(6.5, 1.2, n), 2)
    margin = np.round(amount * rng.uniform(0.1, 0.5, n), 2)
    frame = pd.DataFrame(
        {
            "order_id": np.char.mod("ORD-2025-%010d", np.arange(start, start + n)),
            "customer_id": np.char.mod("CUST-%07d", rng.integers(0, 1_000_000, n)),
            "date": pd.to_datetime(day).strftime("%d.%m.%Y" if russian else "%Y-%m-%d"),
            "amount": amount,
            "margin": margin,
        }
    )
    if russian:
        for col in ("amount", "margin"):
            frame[col] = (
                frame[col].map("{:,.2f}".format).str.replace(",", " ").str.replace(".", ",")
            )
    return frame


def make_files(folder: Path, rows: int) -> dict[str, Path]:
    """The canonical and Russian-format orders files, plus a one-line activity file and two
    client.yaml."""
    rng = np.random.default_rng(SEED)
    paths = {"canonical": folder / "orders.csv", "russian": folder / "orders_ru.csv"}
    with (
        paths["canonical"].open("w", encoding="utf-8") as en,
        paths["russian"].open("w", encoding="utf-8") as ru,
    ):
        for start in range(0, rows, CHUNK):
            n = min(CHUNK, rows - start)
            state = rng.bit_generator.state
            _chunk(rng, start, n, False).to_csv(en, index=False, header=start == 0)
            rng.bit_generator.state = state  # the same draws for the Russian copy
            _chunk(rng, start, n, True).to_csv(ru, index=False, header=start == 0, sep=";")
    (folder / "activity.csv").write_text(
        "period,channel,tactic,spend\n2025-01,email,News,10\n", encoding="utf-8"
    )
    for name, path in paths.items():
        (folder / name).mkdir(exist_ok=True)
        (folder / name / "client.yaml").write_text(
            textwrap.dedent(f"""\
            name: Benchmark
            year: 2025
            sources:
              - {{table: activity, path: ../activity.csv}}
              - {{table: orders, path: ../{path.name}}}
            allow_outside: [..]    # the shared files beside the two client folders
            """),
            encoding="utf-8",
        )
    return paths


_CHILD = r"""
import json, os, sys, time
mode, path, extra = sys.argv[1], sys.argv[2], sys.argv[3]
if extra:
    sys.path.insert(0, extra)
import pandas as pd
import kpi_helpers as kh
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) * 1024
base = peak()
try:
    open("/proc/self/clear_refs", "w").write("5")
except OSError:
    pass
start = time.perf_counter()
if mode == "load":
    data = kh.load_client(path)
    rows = len(data.orders)
    info = [i for i in data.inputs if i["table"] == "orders"][0]
    extra_info = {k: info.get(k) for k in ("encoding", "delimiter", "decimal", "thousands",
                                           "date_format",
                                           "rows_in", "rows_out")}
    extra_info["amount_sum"] = round(float(data.orders["amount"].sum()), 2)
    extra_info["first_date"] = str(data.orders["date"].min())
elif mode == "pyarrow":
    df = pd.read_csv(path, engine="pyarrow"); rows = len(df); extra_info = {}
elif mode == "pyarrow_ru":
    import pyarrow
    df = pd.read_csv(path, engine="pyarrow", sep=";"); rows = len(df); extra_info = {}
elif mode == "default":
    df = pd.read_csv(path); rows = len(df); extra_info = {}
elif mode == "default_ru":
    df = pd.read_csv(path, sep=";", decimal=",", thousands=" "); rows = len(df); extra_info = {}
seconds = time.perf_counter() - start
print(json.dumps({"mode": mode, "seconds": seconds, "peak": peak(), "after_imports": base,
                  "rows": rows,
                  "info": extra_info}, default=str))
"""


def measure(mode: str, path: Path, pyarrow_path: str = "") -> dict:
    env = os.environ | {"PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path), pyarrow_path],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        return {"mode": mode, "error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def has_pyarrow(pyarrow_path: str) -> bool:
    code = "import sys; sys.path.insert(0, sys.argv[1]) if sys.argv[1] else None; import pyarrow"
    return (
        subprocess.run(
            [sys.executable, "-c", code, pyarrow_path], capture_output=True, check=False
        ).returncode
        == 0
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to write the files (default: a /tmp folder)"
    )
    parser.add_argument(
        "--pyarrow-path", default="", help="a folder holding pyarrow, for the baseline only"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kpi-bench-loading-", dir=args.dir) as tmp:
        folder = Path(tmp)
        paths = make_files(folder, args.rows)
        sizes = {k: p.stat().st_size for k, p in paths.items()}
        print(
            f"{args.rows:,} rows; canonical {sizes['canonical'] / 1e6:.0f} MB, "
            f"Russian format {sizes['russian'] / 1e6:.0f} MB",
            flush=True,
        )
        arrow = has_pyarrow(args.pyarrow_path)
        runs = {
            "load_client, canonical": measure("load", folder / "canonical" / "client.yaml"),
            "load_client, Russian format": measure("load", folder / "russian" / "client.yaml"),
            "read_csv, default engine": measure("default", paths["canonical"]),
            "read_csv, default engine, Russian format": measure("default_ru", paths["russian"]),
        }
        if arrow:
            runs["read_csv, engine='pyarrow'"] = measure(
                "pyarrow", paths["canonical"], args.pyarrow_path
            )
    print("\n| run | seconds | peak memory (MiB) | rows |\n|---|---:|---:|---:|")
    for name, r in runs.items():
        if "error" in r:
            print(f"| {name} | failed: {r['error']} | | |")
            continue
        print(f"| {name} | {r['seconds']:.1f} | {r['peak'] / 2**20:,.0f} | {r['rows']:,} |")
    canon = runs["load_client, canonical"]
    base = runs.get("read_csv, engine='pyarrow'") or runs["read_csv, default engine"]
    print(
        "\nload_client / bare read_csv "
        f"({'pyarrow' if arrow else 'default engine; pyarrow not installed'}): "
        f"{canon['seconds'] / base['seconds']:.1f}x"
    )
    print(
        "load_client / read_csv default engine: "
        f"{canon['seconds'] / runs['read_csv, default engine']['seconds']:.1f}x"
    )
    same = (
        runs["load_client, canonical"]["info"]["amount_sum"]
        == runs["load_client, Russian format"]["info"]["amount_sum"]
    )
    print(f"both formats load the same amounts: {same}")
    for name in ("load_client, canonical", "load_client, Russian format"):
        r = runs[name]
        verdict = "PASS" if r["seconds"] < FLOOR_SECONDS and r["peak"] < FLOOR_BYTES else "FAIL"
        print(
            f"{name}: {verdict} (floor {FLOOR_SECONDS:.0f} s, {FLOOR_BYTES / 2**30:.0f} GiB); "
            f"detected {r['info']}"
        )
    print(
        json.dumps({"rows": args.rows, "bytes": sizes, "pyarrow": arrow, "runs": runs}, default=str)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
