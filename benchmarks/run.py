"""The benchmark: the real pipeline against the I/O floor, at a quick and at national scale.

    python -m benchmarks [--preset quick|national|both] [--out DIR]

For each preset it generates synthetic data (benchmarks/synthetic.py), then
measures, side by side and in one run:

  floor_read_bytes   reading every byte of every return file, nothing else
  floor_duckdb_glob  DuckDB read_csv over the glob + a cost-per-outcome aggregation
  floor_bulk_arrow   the bytes concatenated and parsed once by Arrow + the same aggregation
  startup            `opcc refresh` of the project's own small raw folder (fixed cost)
  full_refresh       `opcc refresh` of everything but the last quarter (Dagster + dbt + checks)
  incremental        `opcc refresh --period <last>` once the last quarter's files land
  query_in_process   cost_per_outcome_query, warm, p50/p95 over many calls
  query_command      `opcc cost-per-outcome ...` as a command, p50/p95

and the peak memory of each refresh (benchmarks/measure.py: the largest single
process, and the whole process tree at its fullest). It prints a table with the
ratios and writes the results as JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from orchestration.queries import cost_per_outcome_query

from .synthetic import PRESETS, generate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OPCC = str(Path(sys.executable).parent / "opcc")
COLUMNS = ["contract_id", "period", "measure", "value", "comment"]

AGGREGATION = """
with outcomes as (
    select r.contract_id, r.period, r.measure, try_cast(r.value as double) as value
    from returns r join indicators i on i.indicator_code = r.measure
    where i.kind = 'outcome' and i.unit = 'count' and i.better = 'higher'
),
spend as (select contract_id, period, try_cast(value as double) as spend from returns where measure = 'spend_gbp')
select split_part(o.contract_id, '-', 1) as commissioner, o.period, o.measure,
       sum(s.spend) / nullif(sum(o.value), 0) as cost_per_outcome
from outcomes o join spend s using (contract_id, period)
group by all
"""


def return_files(raw: Path) -> list[Path]:
    return sorted((raw / "returns").glob("*/*.csv"))


def floor_read_bytes(files: list[Path]) -> dict:
    started = time.perf_counter()
    total = 0
    for path in files:
        with open(path, "rb") as handle:
            total += len(handle.read())
    return {"seconds": time.perf_counter() - started, "bytes": total}


def _aggregate(con: duckdb.DuckDBPyConnection, raw: Path) -> int:
    con.execute(f"create or replace table indicators as select * from read_csv('{raw / 'reference' / 'indicators.csv'}', all_varchar=true)")
    return len(con.execute(AGGREGATION).fetchall())


def floor_duckdb_glob(raw: Path) -> dict:
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        f"create table returns as select * from read_csv('{raw / 'returns'}/*/*.csv', header=true, all_varchar=true, union_by_name=false)"
    )
    rows = con.execute("select count(*) from returns").fetchone()[0]
    groups = _aggregate(con, raw)
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": rows, "groups": groups}


def floor_bulk_arrow(files: list[Path], raw: Path) -> dict:
    started = time.perf_counter()
    parts = []
    for path in files:
        data = path.read_bytes()
        parts.append(data[data.index(b"\n") + 1 :])
    table = pacsv.read_csv(
        io.BytesIO(b"".join(parts)),
        read_options=pacsv.ReadOptions(column_names=COLUMNS, block_size=64 << 20),
        convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in COLUMNS}),
    )
    con = duckdb.connect()
    con.register("returns", table)
    groups = _aggregate(con, raw)
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": table.num_rows, "groups": groups}


def run_measured(args: list[str]) -> dict:
    """Run a command under benchmarks.measure: wall time, peak RSS of a process and of the tree."""
    completed = subprocess.run([sys.executable, "-m", "benchmarks.measure", *args], capture_output=True, text=True,
                               cwd=PROJECT_ROOT, check=True)
    return json.loads(completed.stdout)


COMMISSIONER = "NAB"  # the first synthetic commissioner


def refresh(live: Path, raw: Path, *extra: str) -> dict:
    result = run_measured([OPCC, "refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet", *extra])
    if result["returncode"] != 0:
        raise RuntimeError(f"refresh failed:\n{result['stdout']}\n{result['stderr']}")
    return {k: v for k, v in result.items() if k not in ("stdout", "stderr")}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def queries(live: Path, periods: list[str], calls: int = 200, commands: int = 15) -> dict:
    rng = random.Random(7)
    priorities = [f"SP{n}" for n in range(1, 18)]
    # The synthetic commissioners' returns are what is measured (the bundled one has none in this data).
    cost_per_outcome_query(live, "SP9", None, True, None, "json", COMMISSIONER)  # warm
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        cost_per_outcome_query(live, rng.choice(priorities), rng.choice(periods), rng.random() < 0.5, None, "json", COMMISSIONER)
        timings.append(time.perf_counter() - started)
    command = []
    for _ in range(commands):
        started = time.perf_counter()
        subprocess.run([OPCC, "cost-per-outcome", "--warehouse", str(live), "--commissioner", COMMISSIONER, "--priority", "SP9",
                        "--ytd", "--format", "json"],
                       check=True, capture_output=True)
        command.append(time.perf_counter() - started)
    return {
        "in_process_p50_ms": statistics.median(timings) * 1000,
        "in_process_p95_ms": percentile(timings, 0.95) * 1000,
        "command_p50_s": statistics.median(command),
        "command_p95_s": percentile(command, 0.95),
        "calls": calls,
        "commands": commands,
    }


def bench_preset(name: str, workdir: Path) -> dict:
    preset = PRESETS[name]
    root = workdir / name
    raw = root / "raw"
    print(f"[{name}] generating {preset.commissioners} commissioners x {preset.contracts} contracts x {preset.quarters} quarters ...", flush=True)
    started = time.perf_counter()
    data = generate(raw, preset, PROJECT_ROOT / "raw")
    data["generate_seconds"] = time.perf_counter() - started
    files = return_files(raw)
    print(f"[{name}] {data['return_files']} return files, {data['return_rows']} rows; measuring floors ...", flush=True)
    floors = {
        "floor_read_bytes": floor_read_bytes(files),
        "floor_duckdb_glob": floor_duckdb_glob(raw),
        "floor_bulk_arrow": floor_bulk_arrow(files, raw),
    }
    live = root / "warehouse" / "opcc.duckdb"
    if live.parent.exists():
        shutil.rmtree(live.parent)
    print(f"[{name}] full refresh ...", flush=True)
    full = refresh(live, raw)
    held = Path(data["held_back"])
    shutil.move(str(held), str(raw / "returns" / held.name))
    print(f"[{name}] incremental refresh of {held.name} ...", flush=True)
    incremental = refresh(live, raw, "--period", held.name)
    periods = sorted(p.name for p in (raw / "returns").iterdir() if p.is_dir())
    print(f"[{name}] queries ...", flush=True)
    query = queries(live, periods)
    return {"data": data, **floors, "full_refresh": full, "incremental": incremental, "queries": query,
            "warehouse_mb": live.stat().st_size / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=["quick", "national", "both"], default="quick")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")
    args.out.mkdir(parents=True, exist_ok=True)

    print("startup: refreshing the project's own small raw folder ...", flush=True)
    startup_live = args.out / "startup" / "opcc.duckdb"
    if startup_live.parent.exists():
        shutil.rmtree(startup_live.parent)
    refresh(startup_live, PROJECT_ROOT / "raw")  # first run pays dbt's full parse
    startup = refresh(startup_live, PROJECT_ROOT / "raw")

    names = ["quick", "national"] if args.preset == "both" else [args.preset]
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "startup": startup,
        "presets": {name: bench_preset(name, args.out) for name in names},
    }
    for result in results["presets"].values():
        best_floor = min(result["floor_bulk_arrow"]["seconds"], result["floor_duckdb_glob"]["seconds"])
        fixed = startup["seconds"]
        full_beyond = result["full_refresh"]["seconds"] - fixed
        incremental_beyond = result["incremental"]["seconds"] - fixed
        result["ratios"] = {
            "best_floor_seconds": best_floor,
            "full_beyond_startup_over_floor": full_beyond / best_floor,
            "incremental_over_full": result["incremental"]["seconds"] / result["full_refresh"]["seconds"],
            "incremental_beyond_over_full_beyond": incremental_beyond / full_beyond if full_beyond > 0 else None,
        }
    if len(names) == 2:
        quick, national = (results["presets"][n] for n in names)
        results["growth"] = {
            "rows_factor": national["data"]["return_rows"] / quick["data"]["return_rows"],
            "full_refresh_factor": national["full_refresh"]["seconds"] / quick["full_refresh"]["seconds"],
            "full_beyond_startup_factor": (national["full_refresh"]["seconds"] - startup["seconds"])
            / max(quick["full_refresh"]["seconds"] - startup["seconds"], 0.1),
        }
    path = args.out / f"results-{args.preset}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(render(results))
    print(f"\nresults: {path}")
    return 0


def render(results: dict) -> str:
    lines = [f"{'measure':<34}" + "".join(f"{name:>16}" for name in results["presets"])]
    rows = [
        ("return files", lambda r: f"{r['data']['return_files']:,}"),
        ("return rows", lambda r: f"{r['data']['return_rows']:,}"),
        ("bytes", lambda r: f"{r['floor_read_bytes']['bytes'] / 1e6:,.0f} MB"),
        ("floor: read every byte", lambda r: f"{r['floor_read_bytes']['seconds']:.2f} s"),
        ("floor: DuckDB read_csv glob", lambda r: f"{r['floor_duckdb_glob']['seconds']:.2f} s"),
        ("floor: bytes + one Arrow parse", lambda r: f"{r['floor_bulk_arrow']['seconds']:.2f} s"),
        ("full refresh (pipeline)", lambda r: f"{r['full_refresh']['seconds']:.1f} s"),
        ("incremental refresh (1 quarter)", lambda r: f"{r['incremental']['seconds']:.1f} s"),
        ("(full - startup) / best floor", lambda r: f"{r['ratios']['full_beyond_startup_over_floor']:.1f} x"),
        ("incremental / full", lambda r: f"{r['ratios']['incremental_over_full']:.2f}"),
        ("(incr - startup) / (full - startup)", lambda r: f"{r['ratios']['incremental_beyond_over_full_beyond']:.2f}"
         if r["ratios"]["incremental_beyond_over_full_beyond"] is not None else "n/a"),
        ("peak RSS, full (process / tree)", lambda r: f"{r['full_refresh']['peak_rss_mb']:,.0f}/{r['full_refresh']['peak_tree_rss_mb']:,.0f} MB"),
        ("peak RSS, incremental (proc/tree)", lambda r: f"{r['incremental']['peak_rss_mb']:,.0f}/{r['incremental']['peak_tree_rss_mb']:,.0f} MB"),
        ("query in-process p50 / p95", lambda r: f"{r['queries']['in_process_p50_ms']:.1f}/{r['queries']['in_process_p95_ms']:.1f} ms"),
        ("query command p50 / p95", lambda r: f"{r['queries']['command_p50_s']:.2f}/{r['queries']['command_p95_s']:.2f} s"),
        ("warehouse size", lambda r: f"{r['warehouse_mb']:,.0f} MB"),
    ]
    for label, cell in rows:
        lines.append(f"{label:<34}" + "".join(f"{cell(r):>16}" for r in results["presets"].values()))
    lines.append(f"{'startup (small refresh)':<34}{results['startup']['seconds']:>16.1f} s, peak RSS {results['startup']['peak_rss_mb']:,.0f} MB")
    if "growth" in results:
        g = results["growth"]
        lines.append(f"growth quick -> national: rows x{g['rows_factor']:.0f}, full refresh x{g['full_refresh_factor']:.1f}, beyond start-up x{g['full_beyond_startup_factor']:.1f}")
    return "\n".join(lines)
