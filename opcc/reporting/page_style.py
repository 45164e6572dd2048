"""How the review pack looks: on a 1366 px screen, and printed on A4 landscape for the meeting.

Printed, the review runs on from section to section (no section starts a
page of its own, so no page holds a heading alone), tables repeat their
header and keep their rows whole, and every page carries the pack's title,
period and commissioner at the top and "Page N of M" at the foot (CSS page
margin boxes, which Chromium prints). The appendix (the cost of every
service and a page per contract) starts on a page of its own and is left
out of a print of the review only (`html.review-only`).
The appendix is the section `#contract-pages`, and `.in-appendix` parts of other sections.
"""

from __future__ import annotations

SCREEN = """
.print-only, .appendix-note { display: none; }
:root { --ink: #1f2933; --muted: #52606d; --line: #d0d7de; --brand: #1b4965; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: var(--ink);
       background: #fff; font-size: 14px; line-height: 1.35; }
header { background: var(--brand); color: #fff; padding: 1rem 1.5rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.45rem; }
header p { margin: 0; opacity: .92; }
.banner { background: #fff4e5; border-left: 6px solid #b26a00; padding: .5rem 1.5rem; }
main { padding: .5rem 1.5rem 2rem; max-width: 1400px; }
nav { margin: .6rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
section { margin-top: 1.6rem; }
h2 { border-bottom: 2px solid var(--brand); padding-bottom: .15rem; margin: 0 0 .6rem; font-size: 1.25rem; }
h3 { margin: 1rem 0 .3rem; font-size: 1.05rem; }
h4 { margin: .8rem 0 .25rem; font-size: .95rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .5rem; margin-bottom: .8rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .45rem .7rem; break-inside: avoid; }
.card .figure { font-size: 1.05rem; font-weight: 600; }
.card .label { font-size: .8rem; color: var(--muted); }
ol.attention { padding-left: 2rem; margin: .3rem 0; }
ol.attention li { margin: .2rem 0; break-inside: avoid; }
table { border-collapse: collapse; margin: .4rem 0 .8rem; font-size: .8rem; width: 100%; }
table.fixed { table-layout: fixed; }
th, td { border: 1px solid var(--line); padding: .2rem .35rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; overflow-wrap: normal; }
.sub { color: var(--muted); font-size: .75rem; }
.rag { display: inline-block; color: #fff; font-weight: 600; border-radius: 3px; padding: 0 .35rem; font-size: .75rem;
       white-space: nowrap; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.rag-red { background: #c62828; } .rag-amber { background: #b26a00; } .rag-green { background: #2e7d32; }
.rag-not-reported { background: #616161; }
.rag-no-target, .rag-no-targets { background: #fff; color: var(--ink); border: 1px solid var(--line); }
table.fixed .rag { white-space: normal; } .rag-note { background: #1565c0; }
.note { color: var(--muted); font-size: .8rem; margin: .2rem 0; }
.none { color: var(--muted); font-style: italic; }
figure.chart { margin: .4rem 0 1rem; break-inside: avoid; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: .8rem; color: var(--muted); }
.contract-page { border-top: 1px solid var(--line); padding-top: .6rem; margin-top: 1.2rem; }
.contract-page .status { margin: .3rem 0; }
.contract-page table { font-size: .75rem; }
ul.comments { margin: .2rem 0; padding-left: 1.2rem; font-size: .85rem; }
a { color: #175cd3; }
"""

PRINT = """
@media print {
  body { font-size: 8.5pt; line-height: 1.25; }
  header { background: none; color: var(--ink); padding: 0 0 .2rem; border-bottom: 2px solid var(--brand); }
  header h1 { font-size: 1.3rem; }
  .banner { padding: .2rem .6rem; }
  main { padding: 0; max-width: none; }
  nav, .screen-only { display: none; }
  .print-only { display: block; }
  nav.contents { display: block; margin: .3rem 0; font-size: 8pt; }
  nav.contents ol { margin: 0; padding-left: 1.4rem; columns: 3; }
  section { margin-top: .9rem; }
  h2 { font-size: 1.1rem; }
  h2, h3, h4, p.note, figcaption, .appendix-note { break-after: avoid; }
  .cards { grid-template-columns: repeat(4, 1fr); gap: .3rem; margin-bottom: .4rem; }
  .card { padding: .25rem .5rem; }
  table { font-size: 7.5pt; margin: .2rem 0 .5rem; }
  th, td { padding: .1rem .25rem; }
  .sub, .note, figcaption, .rag { font-size: 7pt; }
  .rag { padding: 0 .2rem; }
  /* the contract table: the exceptions take the width, so each row takes fewer lines */
  #table-contracts col:nth-child(1) { width: 19% !important; } #table-contracts col:nth-child(2) { width: 6% !important; }
  #table-contracts col:nth-child(3) { width: 9% !important; } #table-contracts col:nth-child(4) { width: 6% !important; }
  #table-contracts col:nth-child(5) { width: 13% !important; } #table-contracts col:nth-child(6) { width: 6% !important; }
  #table-contracts col:nth-child(7) { width: 41% !important; }
  #table-contracts td { font-size: 7pt; line-height: 1.2; }
  thead { display: table-header-group; }
  tr, li, .card, figure.chart { break-inside: avoid; }
  figure.chart { margin: .2rem 0 .5rem; max-width: none !important; }
  figure.chart svg { width: auto; max-width: 100%; max-height: 82mm; margin: 0 auto; }
  #cost figure.chart svg { max-height: 118mm; }
  #contract-pages { break-before: page; }
  #contract-pages .contract-page:first-of-type { break-before: avoid; }
  .contract-page { break-before: page; border-top: none; margin-top: 0; }
  html.review-only #contract-pages, html.review-only .in-appendix { display: none; }
  html.review-only .appendix-note { display: block; }
  a { color: inherit; text-decoration: none; }
}
"""

REVIEW_ONLY = "review-only"  # the class of <html> that leaves the appendix out of a print


def _css_string(text: str) -> str:
    """Text as a CSS string: every character that could end the string or the style element is escaped."""
    return '"' + "".join(c if c.isalnum() or c in " .,:;·()-–&'/" else f"\\{ord(c):06x}" for c in text) + '"'


def page_rule(title: str, commissioner: str) -> str:
    """The printed page: A4 landscape with the pack's title and period, the commissioner and the page number."""
    return (
        "@page { size: A4 landscape; margin: 12mm 11mm 12mm; "
        f"@top-left {{ content: {_css_string(title)}; font: 8pt 'DejaVu Sans', sans-serif; color: #52606d; }} "
        f"@top-right {{ content: {_css_string(commissioner)}; font: 8pt 'DejaVu Sans', sans-serif; color: #52606d; }} "
        "@bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); font: 8pt 'DejaVu Sans', sans-serif; } }"
    )


def review_only(html: str) -> str:
    """The page as printed for the meeting: the same page, its appendix left out."""
    return html.replace('<html lang="en-GB">', f'<html lang="en-GB" class="{REVIEW_ONLY}">', 1)


# Pages of the project other than the pack (open data registers) share its look, without its running head.
STYLE = SCREEN + PRINT + "@page { size: A4 landscape; margin: 11mm 11mm 12mm; }"
