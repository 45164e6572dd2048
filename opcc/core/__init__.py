"""The basics every layer stands on: periods, settings, the warehouse file, the audit ledger, timings, the dbt project."""
