"""The benchmark: the real pipeline against its floors, at a quick and at national scale.

    python -m benchmarks [--preset quick|national|both] [--out DIR]

It first refreshes the project's own bundled raw folder (the fixed cost every refresh pays), then
for each preset generates synthetic data (benchmarks/synthetic.py) and measures, in one run:

  floor_read_bytes    reading every byte of every return file, nothing else
  floor_duckdb_glob   DuckDB read_csv over the glob + a cost-per-outcome aggregation
  floor_bulk_arrow    the bytes concatenated and parsed once by Arrow + the same aggregation
  floor_compiled_sql  the project's own dbt models and tests, compiled by dbt, then run from their
                      SQL in one DuckDB connection with no dbt or Dagster (benchmarks/compiled_floor.py)
  full_refresh        `opcc refresh` of everything but the last quarter
  incremental         `opcc refresh --period <last>` once the last quarter's files land
  validate_return     `opcc validate-return` on one return file, as a provider would run it
  queries             cost_per_outcome_query in-process and `opcc cost-per-outcome`, p50/p95

Every refresh reports where its time went, stage by stage (`opcc refresh --timings`), and the
peak memory of its process and process tree (benchmarks/measure.py). It prints the tables, writes
everything as JSON, and writes the docs' figures page from that JSON (benchmarks/docs_table.py).
"""

from __future__ import annotations

import argparse
import contextlib
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
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from opcc.core.queries import cost_per_outcome_query

from .compiled_floor import compiled_floor
from .docs_table import record
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
    # every indicator the project defines: the plans' rows of kind indicator, and the catalogue's if there is one
    catalogue = raw / "reference" / "indicators.csv"
    shared = (
        f"select * from read_csv('{catalogue}', all_varchar=true) union all by name " if catalogue.exists() else ""
    )
    con.execute(
        f"create or replace table indicators as select distinct * from ({shared}select code as indicator_code, "
        f"name as indicator_name, unit, indicator_kind as kind, better, bounded_by "
        f"from read_csv('{raw / 'plans'}/*/elements.csv', all_varchar=true, union_by_name=true) where kind = 'indicator')"
    )
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
    """`opcc refresh` as a user runs it: wall time, memory, and the stages it reports."""
    timings = live.with_name(f"{live.stem}.timings.json")
    result = run_measured([OPCC, "refresh", "--warehouse", str(live), "--raw", str(raw), "--quiet", "--timings", str(timings), *extra])
    if result["returncode"] != 0:
        raise RuntimeError(f"refresh failed:\n{result['stdout']}\n{result['stderr']}")
    measured = {k: v for k, v in result.items() if k not in ("stdout", "stderr")}
    stages = json.loads(timings.read_text(encoding="utf-8"))["stages"]
    # What the process spent before the refresh could time itself (the interpreter starting).
    stages["start-up"] = stages.get("start-up", 0.0) + max(0.0, measured["seconds"] - sum(stages.values()))
    return {**measured, "stages": stages}


def validate_return_timing(raw: Path, runs: int = 5) -> dict:
    """`opcc validate-return` on one of the preset's return files, as a command."""
    path = next(iter(return_files(raw)))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([OPCC, "validate-return", "--raw", str(raw), str(path)], capture_output=True, check=True)
        timings.append(time.perf_counter() - started)
    return {"p50_s": statistics.median(timings), "max_s": max(timings), "runs": runs}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def queries(live: Path, periods: list[str], calls: int = 200, commands: int = 15) -> dict:
    rng = random.Random(7)
    # The synthetic commissioners' returns are what is measured (the bundled one has none in this data).
    with duckdb.connect(str(live), read_only=True) as con:  # the priorities it has figures for
        priorities = [r[0] for r in con.execute(
            "select distinct strategic_priority from marts.fct_cost_per_outcome"
            " where strategic_priority is not null and commissioner_code = ? order by 1", [COMMISSIONER]
        ).fetchall()]
    cost_per_outcome_query(live, priorities[0], None, True, None, "json", COMMISSIONER)  # warm
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        cost_per_outcome_query(live, rng.choice(priorities), rng.choice(periods), rng.random() < 0.5, None, "json", COMMISSIONER)
        timings.append(time.perf_counter() - started)
    command = []
    for _ in range(commands):
        started = time.perf_counter()
        subprocess.run([OPCC, "cost-per-outcome", "--warehouse", str(live), "--commissioner", COMMISSIONER,
                        "--priority", rng.choice(priorities), "--ytd", "--format", "json"],
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
    print(f"[{name}] compiled-SQL floor ...", flush=True)
    floors["floor_compiled_sql"] = compiled_floor(live)
    held = Path(data["held_back"])
    shutil.move(str(held), str(raw / "returns" / held.name))
    print(f"[{name}] incremental refresh of {held.name} ...", flush=True)
    incremental = refresh(live, raw, "--period", held.name)
    periods = sorted(p.name for p in (raw / "returns").iterdir() if p.is_dir())
    print(f"[{name}] validate-return and queries ...", flush=True)
    return {"data": data, **floors, "full_refresh": full, "incremental": incremental,
            "validate_return": validate_return_timing(raw), "queries": queries(live, periods),
            "warehouse_mb": live.stat().st_size / 1e6}


def machine() -> dict:
    """What the figures were measured on: the docs' table names it beside them."""
    memory_gb = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").split("\n")
        memory_gb = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1]) / 1024 / 1024
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "memory_gb": memory_gb, "load_1min": load, "python": platform.python_version(),
            "platform": platform.platform()}


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

    measured_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = ["quick", "national"] if args.preset == "both" else [args.preset]
    results = {
        "machine": machine(),
        "startup": startup,
        "presets": {name: bench_preset(name, args.out) for name in names},
    }
    for result in results["presets"].values():
        best_floor = min(result["floor_bulk_arrow"]["seconds"], result["floor_duckdb_glob"]["seconds"])
        fixed = startup["seconds"]
        full_beyond = result["full_refresh"]["seconds"] - fixed
        incremental_beyond = result["incremental"]["seconds"] - fixed
        transformations = result["floor_compiled_sql"]["seconds"] + best_floor
        result["ratios"] = {
            "best_floor_seconds": best_floor,
            "compiled_plus_ingest_floor_seconds": transformations,
            "full_beyond_startup_over_floor": full_beyond / best_floor,
            "full_beyond_startup_over_compiled_plus_ingest": full_beyond / transformations,
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
    print(f"docs: {record(results, measured_at)}")
    return 0


def render(results: dict) -> str:
    presets = results["presets"]
    lines = [f"{'measure':<40}" + "".join(f"{name:>16}" for name in presets)]
    rows = [
        ("return files", lambda r: f"{r['data']['return_files']:,}"),
        ("return rows", lambda r: f"{r['data']['return_rows']:,}"),
        ("bytes", lambda r: f"{r['floor_read_bytes']['bytes'] / 1e6:,.0f} MB"),
        ("floor: read every byte", lambda r: f"{r['floor_read_bytes']['seconds']:.2f} s"),
        ("floor: DuckDB read_csv glob", lambda r: f"{r['floor_duckdb_glob']['seconds']:.2f} s"),
        ("floor: bytes + one Arrow parse", lambda r: f"{r['floor_bulk_arrow']['seconds']:.2f} s"),
        ("floor: compiled SQL, models", lambda r: f"{r['floor_compiled_sql']['models_seconds']:.2f} s"),
        ("floor: compiled SQL, tests", lambda r: f"{r['floor_compiled_sql']['tests_seconds']:.2f} s"),
        ("full refresh", lambda r: f"{r['full_refresh']['seconds']:.1f} s"),
        ("incremental refresh (1 quarter)", lambda r: f"{r['incremental']['seconds']:.1f} s"),
        ("(full - start-up) / best floor", lambda r: f"{r['ratios']['full_beyond_startup_over_floor']:.1f} x"),
        ("(full - start-up) / (compiled + ingest)", lambda r: f"{r['ratios']['full_beyond_startup_over_compiled_plus_ingest']:.1f} x"),
        ("(incr - start-up) / (full - start-up)", lambda r: f"{r['ratios']['incremental_beyond_over_full_beyond']:.2f}"
         if r["ratios"]["incremental_beyond_over_full_beyond"] is not None else "n/a"),
        ("peak RSS, full (process / tree)", lambda r: f"{r['full_refresh']['peak_rss_mb']:,.0f}/{r['full_refresh']['peak_tree_rss_mb']:,.0f} MB"),
        ("peak RSS, incremental (process / tree)", lambda r: f"{r['incremental']['peak_rss_mb']:,.0f}/{r['incremental']['peak_tree_rss_mb']:,.0f} MB"),
        ("validate-return, one file p50 / max", lambda r: f"{r['validate_return']['p50_s']:.2f}/{r['validate_return']['max_s']:.2f} s"),
        ("query in-process p50 / p95", lambda r: f"{r['queries']['in_process_p50_ms']:.1f}/{r['queries']['in_process_p95_ms']:.1f} ms"),
        ("query command p50 / p95", lambda r: f"{r['queries']['command_p50_s']:.2f}/{r['queries']['command_p95_s']:.2f} s"),
        ("warehouse size", lambda r: f"{r['warehouse_mb']:,.0f} MB"),
    ]
    for label, cell in rows:
        lines.append(f"{label:<40}" + "".join(f"{cell(r):>16}" for r in presets.values()))
    startup = results["startup"]
    lines.append(f"{'bundled refresh (the fixed cost)':<40}{startup['seconds']:>14.1f} s, peak RSS {startup['peak_rss_mb']:,.0f} MB")
    if "growth" in results:
        g = results["growth"]
        lines.append(f"growth quick -> national: rows x{g['rows_factor']:.0f}, full refresh x{g['full_refresh_factor']:.1f}, "
                     f"beyond start-up x{g['full_beyond_startup_factor']:.1f}")
    lines += ["", "where the time goes (s)"]
    columns = [("bundled", startup)] + [
        (f"{name} {kind}", r[key]) for name, r in presets.items() for kind, key in (("full", "full_refresh"), ("incr", "incremental"))
    ]
    stages = list(dict.fromkeys(stage for _, run in columns for stage in run["stages"]))
    lines.append(f"{'stage':<16}" + "".join(f"{label:>16}" for label, _ in columns))
    for stage in stages:
        lines.append(f"{stage:<16}" + "".join(f"{run['stages'].get(stage, 0.0):>16.2f}" for _, run in columns))
    lines.append(f"{'total':<16}" + "".join(f"{run['seconds']:>16.2f}" for _, run in columns))
    return "\n".join(lines)
