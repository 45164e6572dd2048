"""The opcc command line: each command reads its options at the edge and calls the library or Dagster."""
