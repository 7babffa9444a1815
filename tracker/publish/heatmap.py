"""An activity heatmap in the style of GitHub's contribution graph: 26 weeks, one cell a day, as SVG.

The grid ends on the last recorded day (not on the clock's today), so the same history always draws the
same picture. The background is transparent and the colours follow the viewer's light or dark mode
(``prefers-color-scheme``), so it reads on GitHub in either. Shades are scaled to the learner's own range:
the active days are ranked, and the busiest get the darkest green whatever the daily goal is.
"""

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape

WEEKS = 26
CELL = 11
GAP = 3
LEFT = 28
TOP = 20
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# GitHub's own greens, light and dark; l0 is a day without activity.
STYLE = """<style>
text { fill: #57606a; }
.l0 { fill: #ebedf0; } .l1 { fill: #9be9a8; } .l2 { fill: #40c463; } .l3 { fill: #30a14e; } .l4 { fill: #216e39; }
rect { shape-rendering: geometricPrecision; stroke: rgba(27,31,35,0.06); stroke-width: 1; }
@media (prefers-color-scheme: dark) {
  text { fill: #8b949e; }
  .l0 { fill: #161b22; } .l1 { fill: #0e4429; } .l2 { fill: #006d32; } .l3 { fill: #26a641; } .l4 { fill: #39d353; }
  rect { stroke: rgba(255,255,255,0.05); }
}
</style>"""


def scale(daily_xp: dict[date, int], goal: int) -> dict[int, int]:
    """XP -> shade 1..4 over the learner's active days: ranked, so that days of 70, 80 and 110 XP get three
    shades. A single distinct value gets the darkest shade when it meets the daily goal."""
    values = sorted({xp for xp in daily_xp.values() if xp > 0})
    if len(values) == 1:
        return {values[0]: 4 if values[0] >= goal else 2}
    return {xp: 1 + round(3 * i / (len(values) - 1)) for i, xp in enumerate(values)}


def level(xp: int, goal: int) -> int:
    """Shade by the daily goal (the app's small heatmap): 0 for nothing, 1 below the goal, then 2, 3, 4 for
    one, two and four times the goal."""
    if xp <= 0:
        return 0
    goal = max(goal, 1)
    if xp < goal:
        return 1
    if xp < 2 * goal:
        return 2
    if xp < 4 * goal:
        return 3
    return 4


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(daily_xp: dict[date, int], last_day: date | None, goal: int) -> str:
    end = last_day or date(2000, 1, 1)
    # Columns are weeks starting on Sunday, like GitHub; the last column holds `end`.
    last_sunday = end - timedelta(days=(end.weekday() + 1) % 7)
    first = last_sunday - timedelta(weeks=WEEKS - 1)
    width = LEFT + WEEKS * (CELL + GAP) + 4
    height = TOP + 7 * (CELL + GAP) + 18
    shades = scale(daily_xp, goal) if last_day else {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="-apple-system,BlinkMacSystemFont,Segoe UI,Helvetica,Arial,sans-serif" font-size="9">',
        '<title>Activity over the last 26 weeks</title>',
        STYLE,
    ]
    for row, name in ((1, "Mon"), (3, "Wed"), (5, "Fri")):
        parts.append(f'<text x="0" y="{TOP + row * (CELL + GAP) + CELL - 2}">{name}</text>')
    labels: list[tuple[int, str]] = []  # (week, month): the column holding the 1st of each month
    active = total = 0
    for week in range(WEEKS):
        sunday = first + timedelta(weeks=week)
        firsts = [sunday + timedelta(days=d) for d in range(7) if (sunday + timedelta(days=d)).day == 1]
        if last_day and (firsts or week == 0):
            month = (firsts[0] if firsts else sunday).month
            while labels and week - labels[-1][0] < 3:  # too close to the previous label: the newer wins
                labels.pop()
            labels.append((week, MONTHS[month - 1]))
        for weekday in range(7):
            day = sunday + timedelta(days=weekday)
            if day > end:
                continue
            xp = daily_xp.get(day, 0) if last_day else 0
            active += xp > 0
            total += max(xp, 0)
            x = LEFT + week * (CELL + GAP)
            y = TOP + weekday * (CELL + GAP)
            tip = f"<title>{escape(day.isoformat())}: {xp} XP</title>" if last_day else ""
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" class="l{shades.get(xp, 0)}">{tip}</rect>')
    for week, name in labels:
        parts.append(f'<text x="{LEFT + week * (CELL + GAP)}" y="{TOP - 6}">{name}</text>')
    caption = f"{_plural(active, 'active day')}, {total} XP in 26 weeks" if last_day else "No activity yet"
    parts.append(f'<text x="{LEFT}" y="{height - 4}">{escape(caption)}</text>')
    legend_x = width - 5 * (CELL + GAP) - 26
    parts.append(f'<text x="{legend_x - 22}" y="{height - 5}">Less</text>')
    for i in range(5):
        parts.append(f'<rect x="{legend_x + i * (CELL + GAP)}" y="{height - 14}" width="{CELL}" height="{CELL}" rx="2" class="l{i}"/>')
    parts.append(f'<text x="{legend_x + 5 * (CELL + GAP) + 2}" y="{height - 5}">More</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
