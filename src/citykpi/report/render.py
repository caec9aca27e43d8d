"""Rendering edges: Vega-Lite to SVG, templates to HTML, HTML to PDF.

The same SVG goes into the web page and the PDF. The page does not load the Vega runtime (about
0.9 MB per report): each mark's description becomes an SVG <title>, the browser's own hover
tooltip, so the HTML stays small, works offline and needs no script (the web's CSP allows none inline).
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from citykpi.framework.names import names
from citykpi.model.collector import few_collections
from citykpi.model.textsafety import chart_safe
from citykpi.report import labels, style
from citykpi.report.i18n import number, translations
from citykpi.report.sparkline import sparkline

VEGA_BASE = "https://vega.github.io/vega-datasets/"
TITLED = re.compile(r'<(path|rect) aria-label="([^"]*)"([^>]*?)/>')


def svg(spec: dict[str, Any]) -> Markup:
    """Inline SVG of a Vega-Lite spec; vl-convert escapes all text it draws.

    A character XML cannot hold (a control character in a city name stored before inputs were
    checked) makes vl-convert abort the whole process, not raise: every text is made safe first.
    """
    import vl_convert

    drawn = vl_convert.vegalite_to_svg(chart_safe(spec))
    # Drop the fixed size so that CSS can scale the chart to the page width.
    drawn = re.sub(r'^<svg([^>]*?) width="[\d.]+" height="[\d.]+"', r"<svg\1", drawn, count=1)
    # vl-convert resolves a relative link against its data sets' address; the link is the site's own.
    drawn = drawn.replace(f'xlink:href="{VEGA_BASE}', 'xlink:href="')
    # The label Vega wrote (already escaped for an attribute, so safe as text) as the mark's tooltip.
    return Markup(TITLED.sub(r'<\1 aria-label="\2"\3><title>\2</title></\1>', drawn))


@lru_cache(maxsize=1)
def _loader() -> jinja2.BaseLoader:
    return jinja2.FileSystemLoader(str(resources.files("citykpi.report") / "data" / "templates"))


@lru_cache(maxsize=4)
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=_loader(),
        autoescape=True,  # every template, whatever its extension: no user text unescaped
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    found: gettext.NullTranslations = translations(lang)
    env.install_gettext_translations(found, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda v, digits=1: number(v, lang, digits)
    env.filters["tr"] = found.gettext  # data-driven words (bands, category names): no %-formatting
    env.filters["mismatch"] = lambda t: labels.mismatch_reason(t, found.gettext)
    words = names(lang)  # KPI, data-point and unit names (framework/names.py)
    env.filters["kpi_name"] = words.of
    env.filters["unit"] = words.unit
    env.globals.update(labels=labels, style=style, lang=lang, sparkline=sparkline, names=words)
    return env


def html(template: str, lang: str, **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)


def pdf(page: str, out: Path) -> None:
    out.write_bytes(_pdf_bytes(page, str(out.parent)))


def _pdf_bytes(page: str, base_url: str) -> bytes:
    import weasyprint

    data = weasyprint.HTML(string=page, base_url=base_url).write_pdf()
    assert data is not None  # write_pdf without a target returns the bytes
    return bytes(data)


def pdf_of_parts(parts: Sequence[str], out: Path, workers: int, footers: Callable[[int], str] | None = None) -> int:
    """One PDF of several documents, laid out in `workers` processes and joined with pypdf; its
    page count.

    WeasyPrint lays a document out on one core at about 1 ms a table cell, and holds the whole
    layout until it is written: the side-by-side tables of 650 cities (90,000 cells) took minutes
    and gigabytes as one document. Each part is laid out, written and freed on its own, so memory
    follows the largest part, not the document. A part knows neither the pages before it nor the
    total, so the parts draw no footer: `footers(n)` is a document of n pages holding only the
    footers (the title, "page / pages"), laid out once the joined pages are counted and drawn over
    them, page for page.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from pypdf import PdfReader, PdfWriter

    if len(parts) > 1 and footers is None:
        raise ValueError("a PDF laid out in parts needs its footers")
    base = [str(out.parent)] * len(parts)
    writer = PdfWriter()
    if workers <= 1 or len(parts) == 1:
        for data in map(_pdf_bytes, parts, base):
            writer.append(io.BytesIO(data))
    else:  # spawned: a fork after vl-convert has started its threads can deadlock
        with ProcessPoolExecutor(min(workers, len(parts)), get_context("spawn"), few_collections) as pool:
            for data in pool.map(_pdf_bytes, parts, base):
                writer.append(io.BytesIO(data))
    count = len(writer.pages)
    if len(parts) > 1 and footers is not None:
        drawn = PdfReader(io.BytesIO(_pdf_bytes(footers(count), str(out.parent))))
        if len(drawn.pages) != count:
            raise RuntimeError(f"the footers took {len(drawn.pages)} pages for {count}")
        for page, footer in zip(writer.pages, drawn.pages, strict=True):
            page.merge_page(footer)
            page.compress_content_streams()  # merging leaves the page's content uncompressed: ten times the size
    with out.open("wb") as f:
        writer.write(f)
    return count
