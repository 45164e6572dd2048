"""The review pack as PDF: the HTML page printed by headless Chromium, as a person would print it.

The page's own print stylesheet decides the layout (A4 landscape, the
sections running on, table headers repeated, the title, period and "Page N
of M" on every page). The review alone is printed unless the appendix (every
service's cost and a page per contract) is asked for. Chromium runs with a throw-away profile
and everything that could reach the network turned off; the page itself
allows no network access (its Content-Security-Policy).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from opcc.reporting.page_style import review_only

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfUnavailable(RuntimeError):
    """No PDF could be printed; the message says why and what to do."""


def chromium_binary() -> str | None:
    explicit = os.environ.get("OPCC_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def print_pdf(html: Path, pdf: Path | None = None, timeout: float = 180, appendix: bool = False) -> Path:
    binary = chromium_binary()
    if binary is None:
        raise PdfUnavailable(
            "Chromium is not installed, so no PDF was written (install it, e.g. `apt-get install chromium`, or set "
            "OPCC_CHROMIUM to its path); the HTML page prints to PDF from any browser"
        )
    pdf = pdf or html.with_suffix(".pdf")
    pdf.unlink(missing_ok=True)
    printed = html
    if not appendix:  # a copy beside the page, so its relative links still lead where the page's do
        printed = html.with_name(f".{html.stem}-review-only.html")
        printed.write_text(review_only(html.read_text(encoding="utf-8")), encoding="utf-8")
    try:
        completed = _chromium(binary, printed, pdf, timeout)
    finally:
        if printed != html:
            printed.unlink(missing_ok=True)
    if not pdf.exists() or pdf.stat().st_size == 0:
        said = [line for line in (completed.stderr or "").splitlines() if line.strip()]
        raise PdfUnavailable(f"Chromium did not write {pdf} (exit {completed.returncode}{': ' + said[-1] if said else ''})")
    return pdf


def _chromium(binary: str, html: Path, pdf: Path, timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="opcc-chromium-") as profile:
        try:
            completed = subprocess.run(
                [
                    binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.resolve().as_uri(),
                ],
                capture_output=True, text=True, timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"Chromium did not finish printing {html} within {timeout:.0f} s; no PDF was written") from None
    return completed
