"""The libraries the site leans on, set up once: Jinja2 templates, markdown-it for the learner's words and
the course's notes, Pygments for code.

Everything here is deterministic: no dates, no random ids, stable ordering.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup


@lru_cache(maxsize=1)
def templates():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("tracker.publish.pages", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown
    env.filters["md_inline"] = markdown_inline
    env.filters["pct"] = lambda f: f"{f:.0%}"
    return env


def _fence(code: str, lang: str, _attrs) -> str:
    """A fenced block in a note or a log entry; markdown-it keeps what starts with <pre> as it is."""
    from pygments import highlight as run
    from pygments.formatters import HtmlFormatter

    spans = run(code, _lexer(lang or "text"), HtmlFormatter(nowrap=True))
    return f'<pre class="highlight"><code>{spans}</code></pre>'


@lru_cache(maxsize=1)
def _md():
    from markdown_it import MarkdownIt

    # Raw HTML in a log entry is shown as text: the site never runs what a note happens to contain.
    return MarkdownIt("commonmark", {"html": False, "highlight": _fence}).enable("table")


def markdown(text: str) -> Markup:
    return Markup(_md().render(text or ""))


@lru_cache(maxsize=4096)
def markdown_inline(text: str) -> Markup:
    """A one-line piece of markdown (a checklist item: **bold**, `code`) without the paragraph around it.
    Cached: the course's item texts appear on several pages."""
    return Markup(_md().renderInline(text or ""))


@lru_cache(maxsize=None)
def _lexer(lang: str = "", filename: str = ""):
    from pygments.lexers import TextLexer, get_lexer_by_name, get_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        if filename:
            return get_lexer_for_filename(filename, stripnl=False)
        return get_lexer_by_name(lang, stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def highlight(code: str, *, lang: str = "", filename: str = "") -> str:
    from pygments import highlight as run
    from pygments.formatters import HtmlFormatter

    return run(code, _lexer(lang, filename), HtmlFormatter(cssclass="highlight", wrapcode=True))


def code_css() -> str:
    """Pygments' colours for code, a light and a dark set chosen by prefers-color-scheme."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    return (
        "/* Code colours (Pygments: default, github-dark) */\n" + light + "\n"
        "@media (prefers-color-scheme: dark) {\n" + dark + "\n}\n"
    )
