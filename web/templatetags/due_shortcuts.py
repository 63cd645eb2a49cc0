"""`{% due_shortcuts form.due_at %}`: the Today / Tomorrow / In 3 days / Next week
buttons under a due-date field (lib/due_shortcuts.py). Each button carries its day in
the account's time zone; web/static/web/due_shortcuts.js puts that day in the field,
keeping the time of day typed there (9:00 when empty). Without JavaScript the field
itself still takes any date."""

from django import template

from lib.due_shortcuts import SHORTCUTS, shortcut_days
from web.moments import Day

register = template.Library()


@register.inclusion_tag("web/_due_shortcuts.html", takes_context=True)
def due_shortcuts(context, field):
    today = Day.of(context["request"].account).start.date()
    return {"field": field, "shortcuts": shortcut_days(today=today)}


@register.simple_tag
def shortcut_labels():
    """`{% shortcut_labels as shortcuts %}`: (name, label) of each shortcut."""
    return SHORTCUTS
