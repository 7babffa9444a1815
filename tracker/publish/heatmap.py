"""An activity heatmap in the style of GitHub's contribution graph: 26 weeks, one cell a day, as SVG.

The grid ends on the last recorded day (not on the clock's today), so the same history always draws the
same picture.
"""

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape

WEEKS = 26
CELL = 11
GAP = 3
LEFT = 28
TOP = 20
COLORS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def level(xp: int, goal: int) -> int:
    """0 for nothing, 1 below the daily goal, then 2, 3, 4 for one, two and four times the goal."""
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


def render(daily_xp: dict[date, int], last_day: date | None, goal: int) -> str:
    end = last_day or date(2000, 1, 1)
    # Columns are weeks starting on Sunday, like GitHub; the last column holds `end`.
    last_sunday = end - timedelta(days=(end.weekday() + 1) % 7)
    first = last_sunday - timedelta(weeks=WEEKS - 1)
    width = LEFT + WEEKS * (CELL + GAP) + 4
    height = TOP + 7 * (CELL + GAP) + 18
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="-apple-system,BlinkMacSystemFont,Segoe UI,Helvetica,Arial,sans-serif" font-size="9">',
        '<title>Activity over the last 26 weeks</title>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for row, name in ((1, "Mon"), (3, "Wed"), (5, "Fri")):
        parts.append(f'<text x="0" y="{TOP + row * (CELL + GAP) + CELL - 2}" fill="#57606a">{name}</text>')
    seen_month = None
    active = 0
    total = 0
    for week in range(WEEKS):
        sunday = first + timedelta(weeks=week)
        if last_day and (sunday.month != seen_month and sunday.day <= 7 or week == 0):
            seen_month = sunday.month
            parts.append(f'<text x="{LEFT + week * (CELL + GAP)}" y="{TOP - 6}" fill="#57606a">{MONTHS[sunday.month - 1]}</text>')
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
            parts.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" fill="{COLORS[level(xp, goal)]}">{tip}</rect>'
            )
    caption = f"{active} active days, {total} XP in 26 weeks" if last_day else "No activity yet"
    parts.append(f'<text x="{LEFT}" y="{height - 4}" fill="#57606a">{escape(caption)}</text>')
    legend_x = width - 5 * (CELL + GAP) - 4
    for i, color in enumerate(COLORS):
        parts.append(f'<rect x="{legend_x + i * (CELL + GAP)}" y="{height - 14}" width="{CELL}" height="{CELL}" rx="2" fill="{color}"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
