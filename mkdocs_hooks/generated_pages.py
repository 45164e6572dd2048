"""MkDocs hook: the pages nobody edits by hand, generated as the site is built.

- reference/cli.md from the `opcc` click commands (orchestration/docs_guide.py renders it);
- benchmark-figures.md is written by `python -m benchmarks` from its JSON; until a benchmark has
  been recorded the page says so rather than showing figures nobody measured.
"""

from __future__ import annotations

from mkdocs.structure.files import File


def on_files(files, config):
    from orchestration.commands.cli import main
    from orchestration.commands.docs_guide import cli_reference

    files.append(File.generated(config, "reference/cli.md", content=cli_reference(main)))
    if files.get_file_from_path("benchmark-figures.md") is None:
        files.append(File.generated(config, "benchmark-figures.md", content=(
            "# Benchmark figures\n\nNo benchmark has been recorded yet: `python -m benchmarks` writes this page "
            "from its JSON. How the figures are measured: [Performance at national scale](benchmarks.md).\n")))
    return files
