"""The README as GitHub would show it, to look at before pushing: GitHub-flavoured markdown (tables, task
lists) turned into one HTML page whose colours follow the viewer's light or dark mode, like GitHub's.

`tracker preview DIR` writes DIR/readme.html (and DIR/activity.html, the heatmap alone); any browser shows
them, and a headless one takes the pictures in both modes (the command prints how).
"""

from __future__ import annotations

import html
import shlex
from pathlib import Path

# A small part of GitHub's markdown stylesheet: enough to judge layout, contrast and the first screen.
CSS = """
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --border: #d1d9e0;
        --code: #f6f8fa; --link: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #f0f6fc; --muted: #9198a1; --bg: #0d1117; --border: #3d444d; --code: #151b23; --link: #4493f8; }
}
body { background: var(--bg); color: var(--fg); margin: 0;
       font: 16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif; }
article { max-width: 980px; margin: 0 auto; padding: 32px 45px; box-sizing: border-box; }
h1, h2 { border-bottom: 1px solid var(--border); padding-bottom: .3em; }
h1 { font-size: 2em; } h2 { font-size: 1.5em; margin-top: 24px; } h3 { font-size: 1.25em; }
a { color: var(--link); text-decoration: none; }
blockquote { margin: 0; padding: 0 1em; color: var(--muted); border-left: .25em solid var(--border); }
table { border-collapse: collapse; display: block; overflow: auto; margin-bottom: 16px; }
th, td { border: 1px solid var(--border); padding: 6px 13px; }
tr:nth-child(2n) { background: var(--code); }
code, pre { background: var(--code); border-radius: 6px; font: 85% ui-monospace,SFMono-Regular,Menlo,monospace; }
code { padding: .2em .4em; } pre { padding: 16px; overflow: auto; }
ul.contains-task-list { padding-left: 1.2em; } li.task-list-item { list-style: none; }
img { max-width: 100%; }
"""


def to_html(markdown: str, title: str = "README") -> str:
    """GitHub-flavoured markdown to a page (raw HTML is kept, as GitHub keeps its safe part)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).use(tasklists_plugin)
    body = md.render(markdown)
    return (f"<!doctype html>\n<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><article>{body}</article></body></html>\n")


def write(repo: Path, out: Path) -> list[Path]:
    """Write the README page and the heatmap page under ``out``; images resolve against the repository."""
    out.mkdir(parents=True, exist_ok=True)
    base = f"<base href='{repo.resolve().as_uri()}/'>"
    readme = out / "readme.html"
    readme.write_text(to_html((repo / "README.md").read_text(encoding="utf-8")).replace("<head>", "<head>" + base, 1),
                      encoding="utf-8")
    activity = out / "activity.html"
    activity.write_text(to_html("![activity](progress/activity.svg)", "activity").replace("<head>", "<head>" + base, 1),
                        encoding="utf-8")
    return [readme, activity]


def chromium_commands(pages: list[Path], browser: str = "chromium") -> list[str]:
    """The headless-browser commands that take each page's picture in light and in dark mode."""
    flags = ("--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
             "--disable-sync --no-first-run --hide-scrollbars --user-data-dir=$(mktemp -d)")
    commands = []
    for page in pages:
        size = "1012,1400" if page.stem == "readme" else "520,260"
        for mode, extra in (("light", ""), ("dark", " --force-dark-mode --blink-settings=preferredColorScheme=0")):
            shot = page.with_name(f"{page.stem}-{mode}.png")
            commands.append(f"{browser} {flags}{extra} --window-size={size} "
                            f"--screenshot={shlex.quote(str(shot))} {shlex.quote(page.resolve().as_uri())}")
    return commands
