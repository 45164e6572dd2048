"""Dagster and the commands: defs/ (everything Dagster) and commands/ (the opcc command line)."""
