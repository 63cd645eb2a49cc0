"""`{% with undo=message|undo_offer %}`: the Undo a message offers (web/undo.py)."""

from django import template

from web.undo import undo_of

register = template.Library()


@register.filter
def undo_offer(message):
    return undo_of(message)
