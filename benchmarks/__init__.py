"""National-scale benchmark of the warehouse pipeline; see benchmarks/run.py."""
