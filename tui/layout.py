"""Which panes the screen shows at a size: timeline titles get the width before any side pane.

The rule that keeps the layout monotonic in width: a pane that takes columns from the timeline
(the topic sidebar, the detail on the right) appears only at the width where the title column
still gets as many columns as it had just before; until then the title column stops growing and
the spare columns go to the topic tags. So widening the terminal never shortens a title.
"""

from __future__ import annotations

from typing import NamedTuple

SIDEBAR = 26
ROW_FIXED = 17  # cursor, new mark, milestone, origin, blank, 11-column date, blank
SCROLLBAR = 1  # the timeline's scrollbar column
SIDEBAR_AT = 56  # title columns the timeline keeps when the sidebar appears
DETAIL_RIGHT_AT = 80  # ... and when the detail moves to the right
MIN_TITLE = 8
ASKED_TITLE = 20  # title columns the timeline keeps beside a sidebar the person asked for
DENSITY_AT = 16  # terminal rows from which the density strip is shown (below, the timeline's)
DENSITY_ROWS = 2
MIN_TIMELINE = 3  # rows the timeline keeps in a short terminal: the cursor's entry and more
DETAIL_MIN = 3  # a detail pane below: its border and two lines, or none
TAGS = 30  # a row's topic tags when it has every topic: " dipl defe econ spac cult indo"


def title_share(columns: int) -> int:
    """How many of a row's free columns its title may take: all of them up to DETAIL_RIGHT_AT,
    then the tags get theirs before titles grow again, so that one very long title (a feed's,
    say) does not take the tags off every row of a wide terminal."""
    return columns if columns <= DETAIL_RIGHT_AT else max(DETAIL_RIGHT_AT, columns - TAGS)


class Layout(NamedTuple):
    """Where the panes go and how many columns a timeline title may take (a NamedTuple: it is
    compared and never changed, and a frozen dataclass costs every start its compiled methods)."""

    sidebar: bool
    detail_right: bool
    density: bool  # the density strip under the timeline
    detail_size: int  # columns when on the right, rows when below
    title_room: int


def detail_columns(width: int, wide: bool) -> int:
    """Columns of a detail pane on the right."""
    return max(30, width // 2 if wide else width * 3 // 10)


def detail_rows(height: int, wide: bool) -> int:
    """Rows of a detail pane below the timeline (the body is the height minus header/footer);
    in a short terminal the timeline keeps MIN_TIMELINE rows first, and the detail goes (0)
    when fewer than DETAIL_MIN rows are left for it."""
    body = max(1, height - 2)
    rows = max(4, body * 3 // 5 if wide else body * 2 // 5)
    free = body - MIN_TIMELINE - (DENSITY_ROWS if height >= DENSITY_AT else 0)
    return min(rows, free) if free >= DETAIL_MIN else 0


def choose(
    width: int, height: int, *, sidebar: bool | None = None, wide_detail: bool = False
) -> Layout:
    """The layout for a terminal of this size; `sidebar` True/False is the person's choice
    (None: automatic), `wide_detail` gives the detail pane more room."""
    fixed = ROW_FIXED + SCROLLBAR
    # Asked for (b), the sidebar still leaves the titles ASKED_TITLE columns: at 40 columns it
    # left the timeline 14, not even the dates.
    least = SIDEBAR_AT if sidebar is None else ASKED_TITLE
    with_sidebar = sidebar is not False and width - SIDEBAR - fixed >= least
    left = SIDEBAR if with_sidebar else 0
    columns = detail_columns(width, wide_detail)
    right = width - left - columns - fixed >= DETAIL_RIGHT_AT or (
        wide_detail and width - left - columns - fixed >= SIDEBAR_AT
    )
    room = width - left - (columns if right else 0) - fixed
    if sidebar is None and not with_sidebar:
        room = min(room, SIDEBAR_AT)  # the plateau before the sidebar appears
    elif not right and not wide_detail:
        room = min(room, DETAIL_RIGHT_AT)  # ... and before the detail moves right
    return Layout(
        sidebar=with_sidebar,
        detail_right=right,
        density=height >= DENSITY_AT,
        detail_size=columns if right else detail_rows(height, wide_detail),
        title_room=max(MIN_TITLE, room),
    )
