"""The due-date shortcuts (lib/due_shortcuts.py): the days they mean and the time of
day they keep, across daylight-saving changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from lib.calendar_range import LATEST_DATE
from lib.due_shortcuts import DEFAULT_TIME, on_day, shortcut_day, shortcut_days

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
WEDNESDAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("today", dt.date(2026, 11, 25)),
        ("tomorrow", dt.date(2026, 11, 26)),
        ("in_3_days", dt.date(2026, 11, 28)),
        ("next_week", dt.date(2026, 11, 30)),  # the Monday after
    ],
)
def test_each_shortcut_names_its_day(name, expected):
    assert shortcut_day(name, today=WEDNESDAY) == expected


def test_next_week_from_a_monday_is_the_monday_after():
    assert shortcut_day("next_week", today=dt.date(2026, 11, 23)) == dt.date(2026, 11, 30)


def test_next_week_from_a_sunday_is_the_next_day():
    assert shortcut_day("next_week", today=dt.date(2026, 11, 29)) == dt.date(2026, 11, 30)


def test_an_unknown_shortcut_is_a_key_error():
    with pytest.raises(KeyError):
        shortcut_day("someday", today=WEDNESDAY)


def test_shortcuts_never_leave_the_calendar():
    assert shortcut_day("next_week", today=LATEST_DATE) == LATEST_DATE


def test_shortcut_days_lists_all_four_in_order():
    assert [name for name, _label, _day in shortcut_days(today=WEDNESDAY)] == [
        "today",
        "tomorrow",
        "in_3_days",
        "next_week",
    ]


def test_moving_keeps_the_local_time_of_day():
    due = dt.datetime(2026, 11, 25, 14, 30, tzinfo=NEW_YORK)
    moved = on_day(dt.date(2026, 12, 3), keeping=due, zone=NEW_YORK)
    assert moved.astimezone(NEW_YORK).replace(tzinfo=None) == dt.datetime(2026, 12, 3, 14, 30)
    assert moved.tzinfo == dt.UTC


def test_moving_across_the_autumn_change_keeps_the_wall_clock_not_the_hours():
    """9:00 EDT on Friday 30 October moved to Monday 2 November is 9:00 EST: 14:00
    UTC, not 13:00 (which a plain + 3 days would give)."""
    due = dt.datetime(2026, 10, 30, 9, 0, tzinfo=NEW_YORK)
    moved = on_day(dt.date(2026, 11, 2), keeping=due, zone=NEW_YORK)
    assert moved == dt.datetime(2026, 11, 2, 14, 0, tzinfo=dt.UTC)


def test_moving_across_the_spring_change_keeps_the_wall_clock():
    due = dt.datetime(2026, 3, 27, 9, 0, tzinfo=BERLIN)  # CET, UTC+1
    moved = on_day(dt.date(2026, 3, 30), keeping=due, zone=BERLIN)  # CEST, UTC+2
    assert moved == dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)


def test_a_time_in_the_spring_gap_lands_just_after_it():
    due = dt.datetime(2026, 3, 27, 2, 30, tzinfo=BERLIN)
    moved = on_day(dt.date(2026, 3, 29), keeping=due, zone=BERLIN)  # 02:00-03:00 skipped
    assert moved.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_a_repeated_autumn_time_is_the_first_of_the_two():
    due = dt.datetime(2026, 10, 20, 2, 30, tzinfo=BERLIN)
    moved = on_day(dt.date(2026, 10, 25), keeping=due, zone=BERLIN)  # 02:00-03:00 twice
    assert moved == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # still CEST


def test_the_time_is_read_in_the_zone_not_in_utc():
    """23:30 in New York is 04:30 UTC the next day: the day moved to is New York's."""
    due = dt.datetime(2026, 11, 26, 4, 30, tzinfo=dt.UTC)
    moved = on_day(dt.date(2026, 12, 1), keeping=due, zone=NEW_YORK)
    assert moved.astimezone(NEW_YORK).replace(tzinfo=None) == dt.datetime(2026, 12, 1, 23, 30)


def test_an_undated_activity_gets_the_default_time():
    moved = on_day(dt.date(2026, 12, 1), keeping=None, zone=NEW_YORK)
    assert moved.astimezone(NEW_YORK).time() == DEFAULT_TIME


# -- one rule: the shortcuts and the calendar's "Move to…" both call on_day -----------


def test_a_given_time_of_day_wins_over_the_kept_one():
    due = dt.datetime(2026, 11, 25, 14, 30, tzinfo=NEW_YORK)
    moved = on_day(dt.date(2026, 12, 3), keeping=due, zone=NEW_YORK, at=dt.time(8, 15))
    assert moved == dt.datetime(2026, 12, 3, 13, 15, tzinfo=dt.UTC)


def test_a_given_time_in_the_spring_gap_lands_just_after_it():
    moved = on_day(dt.date(2026, 3, 29), keeping=None, zone=BERLIN, at=dt.time(2, 30))
    assert moved.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_a_given_repeated_autumn_time_is_the_first_of_the_two():
    at = dt.time(2, 30, fold=1)  # the second 02:30 asked for: read as the first
    moved = on_day(dt.date(2026, 10, 25), keeping=None, zone=BERLIN, at=at)
    assert moved == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)


def test_the_model_has_no_second_copy_of_the_rule():
    from activities.models import Activity

    assert not hasattr(Activity, "due_moved_to")


def test_the_calendar_and_the_shortcuts_move_through_the_same_service():
    import inspect

    from web.activities import views as agenda_views
    from web.calendar import views as calendar_views

    for module in (agenda_views, calendar_views):
        source = inspect.getsource(module)
        assert "activity_reschedule(" in source
        assert "due_moved_to" not in source
