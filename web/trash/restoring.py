"""Restoring several records from the web app, and saying how it went.

Each record is restored in its own transaction (`record_restore`), so one that cannot
come back (its email is now another contact's) does not keep the others in the trash.
The message names what came back, with a link to each record's page, and what did not,
with the reason and a link to the record in the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from events.kinds import kind_named
from events.models import Source
from trash.models import TrashedRecord
from trash.services import NotInTrash, RestoreConflict, record_restore

LINKS_NAMED = 5  # restored records linked by name in the message; the rest are counted


@dataclass(frozen=True)
class Restored:
    title: str
    url: str


@dataclass(frozen=True)
class NotRestored:
    title: str
    reason: SafeString


@dataclass
class Outcome:
    restored: list[Restored] = field(default_factory=list)
    failed: list[NotRestored] = field(default_factory=list)

    @property
    def level(self) -> str:
        if not self.failed:
            return "success"
        return "warning" if self.restored else "error"

    def message(self) -> SafeString:
        """ "Restored Ann Lee; 1 could not be restored: Bo Chen (its email is used by
        Bo Chen)." with links, escaped."""
        parts = []
        if len(self.restored) == 1:
            parts.append(format_html("Restored {}", _link(self.restored[0])))
        elif self.restored:
            named = format_html_join(", ", "{}", ((_link(r),) for r in self.restored[:LINKS_NAMED]))
            more = len(self.restored) - LINKS_NAMED
            rest = format_html(" and {} more", more) if more > 0 else ""
            parts.append(format_html("Restored {}: {}{}", len(self.restored), named, rest))
        if self.failed:
            reasons = format_html_join(
                "; ", "{} ({})", ((failure.title, failure.reason) for failure in self.failed)
            )
            parts.append(format_html("{} could not be restored: {}", len(self.failed), reasons))
        return format_html("{}.", format_html_join("; ", "{}", ((part,) for part in parts)))


def _link(restored: Restored) -> SafeString:
    return format_html('<a href="{}">{}</a>', restored.url, restored.title or "(untitled)")


def trash_entries(account, keys) -> list[TrashedRecord]:
    """The account's trash entries among `keys` ((type, id) pairs), in the order of
    `keys`. One query; `row` is read only where a restore fails (deferred)."""
    by_type: dict[str, list[int]] = {}
    for record_type, record_id in keys:
        by_type.setdefault(record_type, []).append(record_id)
    wanted = Q()
    for record_type, ids in by_type.items():
        wanted |= Q(record_type=record_type, record_id__in=ids)
    entries = {
        (entry.record_type, entry.record_id): entry
        for entry in TrashedRecord.objects.for_account(account)
        .filter(wanted)
        .only("account_id", "record_type", "record_id", "title")
    }
    return [entries[key] for key in keys if key in entries]


def restore_entries(entries, *, account, by) -> Outcome:
    """Restore each entry, each in its own transaction; a constant few queries per
    record (those of `record_restore`), one or two more for each that fails."""
    outcome = Outcome()
    for entry in entries:
        try:
            record = record_restore(
                account=account,
                record_type=entry.record_type,
                record_id=entry.record_id,
                by=by,
                source=Source.UI,
            )
        except NotInTrash:
            reason = mark_safe("someone restored it or emptied the trash meanwhile")
            outcome.failed.append(NotRestored(entry.title, reason))
        except RestoreConflict as exc:
            outcome.failed.append(NotRestored(entry.title, conflict_reason(entry, exc)))
        else:
            outcome.restored.append(Restored(entry.title, record_page(entry.record_type, record)))
    return outcome


def conflict_reason(entry: TrashedRecord, exc: RestoreConflict) -> SafeString:
    """ "its email is used by <a>Ann Lee</a>": the live record holding the value the
    trashed one needs (one query per clashing field), else the service's words."""
    kind = kind_named(entry.record_type)
    live = kind.model.objects.for_account(entry.account_id)
    for name in exc.errors:
        value = entry.row.get(name)
        holder = live.filter(**{name: value}).first() if value not in (None, "") else None
        if holder is not None:
            label = kind.model._meta.get_field(name).verbose_name
            return format_html(
                'its {} is used by <a href="{}">{}</a>',
                label,
                record_page(entry.record_type, holder),
                str(holder),
            )
    return format_html("{}", str(exc).rstrip("."))


def record_page(record_type: str, record) -> str:
    """The page that shows `record`: its own, or for an activity or a note (which have
    none) the page of the record it is about, else its list. No query."""
    if record_type in ("contact", "company", "deal"):
        return reverse(f"web:{record_type}", args=[record.pk])
    for name in ("deal", "contact", "company"):
        target = getattr(record, f"{name}_id", None)
        if target:
            return reverse(f"web:{name}", args=[target])
    return reverse("web:agenda" if record_type == "activity" else "web:notes")
