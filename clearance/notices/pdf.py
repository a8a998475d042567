"""Printed documents (văn bản) as PDF: one document, or a batch of many in one file.

Every document is one full HTML page rendered from a template that extends
``templates/print/_document.html`` (Decree 30/2020/NĐ-CP layout, ``static/print/decree30.css``).
The same page is the browser preview, the input of :func:`render_pdf`, and one item of
:func:`render_batch` / :func:`combine_documents`, which cut the page at its ``<!--gpmb:…-->``
markers and put many sheets in one HTML document: each starts on a new page and numbers its own
pages (a page group per ``article.document``).

Nothing is fetched from the network: WeasyPrint gets a URL fetcher that serves ``/static/…`` and
the whitelisted font files from disk and refuses everything else (http, https, ftp, other files).
The rendering itself (:func:`render_pdf`, :func:`render_batch`, :func:`combine_documents`) needs
no Flask app, so batches can be rendered in worker processes that only receive HTML strings.
"""

from __future__ import annotations

import html as html_lib
import math
import mimetypes
import re
from collections.abc import Callable, Mapping, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from clearance.notices.words import amount_in_words, date_line, number_in_words

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"

#: Font files a browser may fetch for the preview (GET /print/fonts/<name>) and WeasyPrint may
#: read: Liberation Serif 2 (Debian/Ubuntu package fonts-liberation2), metric-compatible with Times
#: New Roman and complete for Vietnamese. Not the 1.07 files of fonts-liberation, which share the
#: family name but lack the Vietnamese glyphs.
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
FONTS: dict[str, Path] = {
    name: FONT_DIR / name
    for name in (
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-BoldItalic.ttf",
    )
}

#: Root-relative URLs of the page (/static/…, /print/fonts/…) resolve against this base and reach
#: the fetcher as file:///static/…: it maps them to disk (see LocalFetcher).
BASE_URL = "file:///"
_STATIC_PATH = re.compile(r"^(?:/[^/]+)*?/static/(?P<rest>[^?#]+)$")
_FONT_PATH = re.compile(r"/print/fonts/(?P<name>[^/]+)$")
_HEAD = re.compile(r"<!--gpmb:head-->(.*?)<!--/gpmb:head-->", re.S)
_SHEET = re.compile(r"<!--gpmb:sheet-->(.*?)<!--/gpmb:sheet-->", re.S)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)

#: Documents per HTML document of a batch. One large document renders much faster than many small
#: ones (100 one-page notices: ~2.9 s as one document, ~25 s as 100), but memory grows with it.
CHUNK_SIZE = 50

_BATCH_PAGE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<!--gpmb:head-->
{heads}
<!--/gpmb:head-->
</head>
<body>
<!--gpmb:sheet-->
{sheets}
<!--/gpmb:sheet-->
</body>
</html>
"""


# ── Fonts ──────────────────────────────────────────────────────────────────────────────────────

def font_file(name: str) -> Path:
    """The file of a whitelisted font, for a route serving the preview's fonts
    (``GET /print/fonts/<name>`` → ``send_file(font_file(name), mimetype="font/ttf")``).

    Raises KeyError for a name outside the whitelist (answer 404), FileNotFoundError when the
    font package is not installed.
    """
    path = FONTS[name]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: install the fonts-liberation2 package")
    return path


# ── Fetching: disk only ───────────────────────────────────────────────────────────────────────

def local_path(url: str) -> Path | None:
    """The file on disk a document's URL stands for, or None when it is not allowed:
    ``…/static/<file>`` (the app's static folder, nothing outside it), ``…/print/fonts/<name>``
    and the whitelisted font files themselves (``file:///usr/share/fonts/…``)."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    path = unquote(parts.path)
    if font := _FONT_PATH.search(path):
        try:
            return font_file(font["name"])
        except (KeyError, FileNotFoundError):
            return None
    if Path(path) in FONTS.values():
        return Path(path) if Path(path).is_file() else None
    if static := _STATIC_PATH.match(path):
        candidate = (STATIC_DIR / static["rest"]).resolve()
        if candidate.is_relative_to(STATIC_DIR.resolve()) and candidate.is_file():
            return candidate
    return None


def _fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads from disk only (see local_path) and data: URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = local_path(url)
            if path is None:
                # Documents never reach the network or other files: a stray http(s) link in a
                # template would leak who prints what, and hang a batch when offline.
                raise ValueError(f"refused: documents load only /static/ files and their fonts, not {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            headers = {"Content-Type": f"{mime}; charset=utf-8" if mime.startswith("text/") else mime}
            return URLFetcherResponse(url, path.read_bytes(), headers)

    return LocalFetcher(allowed_protocols={"file", "data"})


# ── Rendering ─────────────────────────────────────────────────────────────────────────────────

def render_pdf(html: str) -> bytes:
    """One HTML page (a document, or a combined batch) as PDF bytes: A4, fonts embedded as
    subsets, the page's <title> as the PDF title. Needs no Flask app."""
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()


def _title(page: str) -> str:
    found = _TITLE.search(page)
    return html_lib.unescape(found[1].strip()) if found else ""


def _batch_title(htmls: Sequence[str]) -> str:
    first = _title(htmls[0])
    return first if len(htmls) == 1 else f"{first} (và {len(htmls) - 1} văn bản khác)"


def _part(pattern: re.Pattern[str], page: str, what: str) -> str:
    found = pattern.search(page)
    if found is None:
        raise ValueError(f"not a printed document: its {what} markers are missing "
                         "(render it from a template that extends print/_document.html)")
    return found[1].strip()


def combine_documents(htmls: Sequence[str], title: str | None = None) -> str:
    """Many document pages as one HTML page — for a batch PDF and for its preview in a browser.

    Each document keeps its sheet (article.document: a new page, its own page numbers); the
    stylesheets of the heads are kept once each, in order. ``title``: the batch's title (PDF
    metadata); default the first document's title and the count.
    """
    if not htmls:
        raise ValueError("combine_documents needs at least one document")
    heads: list[str] = []
    for page in htmls:
        head = _part(_HEAD, page, "<!--gpmb:head-->")
        if head not in heads:
            heads.append(head)
    sheets = [_part(_SHEET, page, "<!--gpmb:sheet-->") for page in htmls]
    if title is None:
        title = _batch_title(htmls)
    return _BATCH_PAGE.format(title=html_lib.escape(title), heads="\n".join(heads), sheets="\n".join(sheets))


def _chunks(htmls: Sequence[str], workers: int, chunk_size: int) -> list[Sequence[str]]:
    """Even chunks of at most ``chunk_size``, and at least one per worker when there are enough."""
    count = max(math.ceil(len(htmls) / chunk_size), min(workers, len(htmls)))
    size = math.ceil(len(htmls) / count)
    return [htmls[start:start + size] for start in range(0, len(htmls), size)]


def _pool_context() -> Any:
    """Worker processes start from a fork server, not a fork of the web process: a fork would
    copy its threads' locks and its open database connections (a psycopg child closing them
    would end the parent's session). The server imports WeasyPrint once, then forks cheaply."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "clearance.notices.pdf"])
    return context


def render_batch(
    htmls: Sequence[str],
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    *,
    title: str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> bytes:
    """Many documents (full pages from print/_document.html templates) in one PDF, in order.

    The documents are joined into chunks of up to ``chunk_size`` rendered as one HTML document
    each (every document starts on a new page and numbers its own pages), the chunks rendered in
    ``workers`` processes (1: in this process) and merged with pypdf. ``progress(done, total)``
    is called, counting documents, as each chunk finishes. The workers receive HTML strings
    only: no Flask app, no database. They come from a fork server (see _pool_context), which
    imports the main module again: a script calling this with ``workers > 1`` needs the
    ``if __name__ == "__main__":`` guard (flask, gunicorn and pytest are safe).
    """
    if not htmls:
        raise ValueError("render_batch needs at least one document")
    if title is None:
        title = _batch_title(htmls)
    chunks = _chunks(htmls, max(workers, 1), chunk_size)
    pages = [combine_documents(chunk, title) for chunk in chunks]
    results: list[bytes | None] = [None] * len(pages)
    done = 0
    if workers <= 1 or len(pages) == 1:
        for index, page in enumerate(pages):
            results[index] = render_pdf(page)
            done += len(chunks[index])
            if progress:
                progress(done, len(htmls))
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=min(workers, len(pages)), mp_context=_pool_context()) as pool:
            futures = {pool.submit(render_pdf, page): index for index, page in enumerate(pages)}
            try:
                for future in as_completed(futures):
                    index = futures[future]
                    results[index] = future.result()
                    done += len(chunks[index])
                    if progress:
                        progress(done, len(htmls))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
    if len(results) == 1:
        return results[0]  # type: ignore[return-value]
    return _merge([result for result in results if result is not None], title)


def _merge(pdfs: list[bytes], title: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(BytesIO(data)))
    writer.add_metadata({"/Title": title, "/Producer": "GPMB (WeasyPrint, pypdf)"})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


# ── Templates (Flask) ─────────────────────────────────────────────────────────────────────────

def print_helpers() -> dict[str, Callable[..., str]]:
    """What document templates may call: amounts and numbers in words, the date line, formats."""
    from clearance.formatting import area, money, vndate

    return {
        "amount_in_words": amount_in_words,
        "number_in_words": number_in_words,
        "date_line": date_line,
        "money": money,
        "area": area,
        "vndate": vndate,
    }


REQUIRED_DOC_KEYS = ("issuing_body", "place", "doc_type")


def complete_doc(doc: Any) -> Any:
    """A copy of a ``doc`` mapping with its date line (``date_line``) filled in; ValueError naming
    the missing keys when issuing_body, place or doc_type is missing. Objects pass unchanged."""
    if not isinstance(doc, Mapping):
        return doc
    missing = [key for key in REQUIRED_DOC_KEYS if not doc.get(key)]
    if missing:
        raise ValueError(f"doc is missing {', '.join(missing)} (see templates/print/_document.html)")
    completed = dict(doc)
    if not completed.get("date_line"):
        completed["date_line"] = date_line(completed["place"], completed.get("issued_on"))
    return completed


def render_document_html(template: str, *, locale: str = "vi", **context: Any) -> str:
    """A document page from its template (one extending print/_document.html), in ``locale``
    (Vietnamese by default whatever the user's language: a legal document is in Vietnamese).

    Needs an app context; a request context is not needed (batch jobs). ``doc`` is completed
    (see :func:`complete_doc`) and the helpers of :func:`print_helpers` are in the context.
    """
    from flask import g, render_template
    from flask_babel import force_locale

    values = {**print_helpers(), **context}
    if "doc" in values:
        values["doc"] = complete_doc(values["doc"])
    # The app keeps the request's catalogue on g (clearance._install_fast_gettext): forget it
    # while the forced locale is in force, and give it back afterwards.
    missing = object()
    kept = g.pop("_translations", missing)
    try:
        with force_locale(locale):
            return render_template(template, **values)
    finally:
        g.pop("_translations", None)
        if kept is not missing:
            g._translations = kept


def register(app: Any) -> None:
    """Make the print helpers template globals too, for templates rendered with render_template."""
    app.jinja_env.globals.update(print_helpers())
