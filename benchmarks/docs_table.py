"""The benchmark's figures as a page of the docs, written from its JSON, never by hand.

`python -m benchmarks` calls `record()` after every run: the run's presets are merged into
docs/benchmark-results.json (a quick run keeps the last national figures, each column keeping
its own date and machine) and docs/benchmark-figures.md is rendered from that file alone.
`python -m benchmarks.docs_table` renders the page again from the JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
RESULTS = DOCS / "benchmark-results.json"
PAGE = DOCS / "benchmark-figures.md"

# What issue 25 asks of a refresh; shown beside the figures, never used to compute them.
TARGETS = {
    "bundled": "≤ 10 s",
    "full_over_floor": "≤ 5 x",
    "full_over_compiled": "≤ 2 x",
    "incremental_over_full": "≤ 0.10",
    "peak_full": "≤ 1.2 GB",
}

# A refresh's stages (orchestration/timings.py) as a reader of the table knows them.
STAGE_LABELS = {
    "start-up": "start-up (interpreter, imports, Dagster job)",
    "dbt parse": "dbt parse (kept between processes)",
    "checks": "quality checks (Great Expectations)",
    "pack": "review packs",
    "publish": "publish (atomic swap)",
    "Dagster": "Dagster (events, step launches)",
}


def merge(previous: dict | None, results: dict, measured_at: str) -> dict:
    """The presets of this run replace the same presets of earlier runs; the others stay."""
    runs = dict((previous or {}).get("runs", {}))
    for name, result in results["presets"].items():
        runs[name] = {"measured_at": measured_at, "machine": results["machine"], "startup": results["startup"],
                      "result": result}
    return {"runs": dict(sorted(runs.items(), key=lambda item: item[0] != "quick"))}


def _seconds(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f} s"


def _machine(machine: dict) -> str:
    memory = f", {machine['memory_gb']:.0f} GB" if machine.get("memory_gb") else ""
    load = f", load {machine['load_1min']:.1f} at the start" if machine.get("load_1min") is not None else ""
    return f"{machine['cpus']} CPUs{memory}{load}, Python {machine['python']}, {machine['platform']}"


def _ratio(result: dict, key: str, digits: int) -> str:
    value = result.get("ratios", {}).get(key)
    return "" if value is None else f"{value:.{digits}f}" + (" x" if digits == 1 else "")


def figures_rows(runs: dict) -> list[tuple[str, list[str], str]]:
    results = {name: run["result"] for name, run in runs.items()}

    def each(cell) -> list[str]:
        return [cell(r) for r in results.values()]

    return [
        ("measured", [run["measured_at"] for run in runs.values()], ""),
        ("data: return files / rows / MB", each(lambda r: f"{r['data']['return_files']:,} / {r['data']['return_rows']:,} / "
                                                        f"{r['floor_read_bytes']['bytes'] / 1e6:,.0f} MB"), ""),
        ("floor: read every byte / DuckDB glob / bytes + one Arrow parse",
         each(lambda r: f"{r['floor_read_bytes']['seconds']:.2f} / {r['floor_duckdb_glob']['seconds']:.2f} / "
                        f"{r['floor_bulk_arrow']['seconds']:.2f} s"), ""),
        ("floor: the project's compiled dbt SQL in one DuckDB connection, models / tests",
         each(lambda r: f"{r['floor_compiled_sql']['models_seconds']:.2f} / {r['floor_compiled_sql']['tests_seconds']:.2f} s"), ""),
        ("bundled refresh (the fixed cost)", [f"{run['startup']['seconds']:.1f} s, {run['startup']['peak_rss_mb']:,.0f} MB"
                                              for run in runs.values()], TARGETS["bundled"]),
        ("full refresh", each(lambda r: _seconds(r["full_refresh"]["seconds"])), ""),
        ("full refresh beyond start-up / best floor", each(lambda r: _ratio(r, "full_beyond_startup_over_floor", 1)),
         TARGETS["full_over_floor"]),
        ("full refresh beyond start-up / (compiled SQL + ingest floor)",
         each(lambda r: _ratio(r, "full_beyond_startup_over_compiled_plus_ingest", 1)), TARGETS["full_over_compiled"]),
        ("incremental refresh of one quarter", each(lambda r: _seconds(r["incremental"]["seconds"])), ""),
        ("incremental beyond start-up / full beyond start-up",
         each(lambda r: _ratio(r, "incremental_beyond_over_full_beyond", 2)), TARGETS["incremental_over_full"]),
        ("peak memory, full refresh (process / tree)",
         each(lambda r: f"{r['full_refresh']['peak_rss_mb']:,.0f} / {r['full_refresh']['peak_tree_rss_mb']:,.0f} MB"),
         TARGETS["peak_full"]),
        ("peak memory, incremental refresh (process / tree)",
         each(lambda r: f"{r['incremental']['peak_rss_mb']:,.0f} / {r['incremental']['peak_tree_rss_mb']:,.0f} MB"), ""),
        ("`opcc validate-return`, one file, p50 / max",
         each(lambda r: f"{r['validate_return']['p50_s']:.2f} / {r['validate_return']['max_s']:.2f} s"), ""),
        ("cost per outcome in-process p50 / p95; as a command p50",
         each(lambda r: f"{r['queries']['in_process_p50_ms']:.0f} / {r['queries']['in_process_p95_ms']:.0f} ms; "
                        f"{r['queries']['command_p50_s']:.2f} s"), ""),
        ("warehouse size", each(lambda r: f"{r['warehouse_mb']:,.0f} MB"), ""),
    ]


def stage_columns(runs: dict) -> list[tuple[str, dict]]:
    first = next(iter(runs.values()))
    columns = [("bundled", first["startup"])]
    for name, run in runs.items():
        columns += [(f"{name} full", run["result"]["full_refresh"]), (f"{name} incremental", run["result"]["incremental"])]
    return columns


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(recorded: dict) -> str:
    runs = recorded["runs"]
    if not runs:
        raise ValueError("the benchmark results hold no run")
    lines = [
        "# Benchmark figures",
        "",
        "<!-- Generated by `python -m benchmarks` from docs/benchmark-results.json: do not edit by hand. -->",
        "",
        "Written by `python -m benchmarks` from its JSON ([benchmark-results.json](benchmark-results.json));",
        "how the figures are measured and what they say: [Performance at national scale](benchmarks.md).",
        "",
        "| preset | measured | machine |",
        "|---|---|---|",
    ]
    for name, run in runs.items():
        lines.append(f"| {name} | {run['measured_at']} | {_cell(_machine(run['machine']))} |")
    lines += ["", "| | " + " | ".join(runs) + " | target |", "|---|" + "---|" * len(runs) + "---|"]
    for label, cells, target in figures_rows(runs):
        lines.append(f"| {_cell(label)} | " + " | ".join(_cell(c) for c in cells) + f" | {target} |")
    columns = stage_columns(runs)
    stages = list(dict.fromkeys(stage for _, run in columns for stage in run["stages"]))
    lines += ["", "Where the time goes, in seconds (`opcc refresh --timings FILE` writes the same breakdown for any refresh):",
              "", "| stage | " + " | ".join(label for label, _ in columns) + " |", "|---|" + "---|" * len(columns)]
    for stage in stages:
        cells = " | ".join(f"{run['stages'].get(stage, 0.0):.1f}" for _, run in columns)
        lines.append(f"| {_cell(STAGE_LABELS.get(stage, stage))} | {cells} |")
    lines.append("| total | " + " | ".join(f"{run['seconds']:.1f}" for _, run in columns) + " |")
    return "\n".join(lines) + "\n"


def record(results: dict, measured_at: str, results_path: Path = RESULTS, page: Path = PAGE) -> Path:
    previous = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else None
    recorded = merge(previous, results, measured_at)
    results_path.write_text(json.dumps(recorded, indent=2, default=str) + "\n", encoding="utf-8")
    page.write_text(render(recorded), encoding="utf-8")
    return page


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    source = Path(argv[0]) if argv else RESULTS
    if not source.exists():
        print(f"error: no benchmark results at {source}; run `python -m benchmarks` first", file=sys.stderr)
        return 2
    PAGE.write_text(render(json.loads(source.read_text(encoding="utf-8"))), encoding="utf-8")
    print(f"Wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
