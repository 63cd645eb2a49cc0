"""How a note names the record it is about, on the dashboard, the notes list and in
global search."""


def note_record(note) -> tuple[str, str]:
    """The record a note is about, and its page (deal, else contact, else company).
    No query when the links are select_related."""
    if note.deal_id and note.deal:
        return note.deal.title, f"/deals/{note.deal_id}/"
    if note.contact_id and note.contact:
        return note.contact.full_name, f"/contacts/{note.contact_id}/"
    if note.company_id and note.company:
        return note.company.name, f"/companies/{note.company_id}/"
    return "", "/notes/"
