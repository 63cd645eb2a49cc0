"""Cells of the CSV files we hand out, made safe to open in a spreadsheet (CSV injection).

Both files users download — the contacts export and an import's failed rows — go
through `neutralise_formula()` cell by cell and are written with every cell quoted
(`CSV_QUOTING`), following OWASP's CSV injection guidance:

- A cell that starts with `=`, `@`, `+` or `-` (or a tab, CR or LF) would be run as a
  formula (or a DDE command: `=cmd|' /C calc'!A0`); a leading `'` makes the
  spreadsheet show it as text (the quote itself is not displayed).
- A spreadsheet that splits the file on another separator than ours (Excel in many
  European locales reads `;`) can turn `x;=1+1` into two cells, the second one a
  formula; so every part of a cell after a `,`, `;`, tab, CR or LF is checked the
  same way and gets its own `'`. Quoting every cell keeps most readers from splitting
  at all.
- A `+` or `-` followed only by digits, spaces, dots, hyphens and parentheses is left
  as it is: a phone number (`+14155550142`, `+1 (415) 555-0142`) or a negative number
  stays readable, and such a cell can name no function, cell or DDE target, so the
  most it can "compute" is arithmetic on its own digits.
"""

import csv
import re

CSV_QUOTING = csv.QUOTE_ALL
FORMULA_STARTS = ("=", "@", "+", "-")
_SEPARATED = re.compile(r"([,;\t\r\n])")
_PLAIN_NUMBER = re.compile(r"[+-][ (]*\d[\d .()-]*")


def _runs_as_formula(part: str) -> bool:
    part = part.lstrip(" ")
    if not part.startswith(FORMULA_STARTS):
        return False
    return not (part[0] in "+-" and _PLAIN_NUMBER.fullmatch(part))


def neutralise_formula(value: str) -> str:
    """`value` as a spreadsheet shows it as text: `'` before every part that would run
    as a formula (at the start, or after a separator), and before a leading tab, CR or
    LF. Values that cannot run are returned unchanged."""
    if not value:
        return value
    parts = _SEPARATED.split(value)  # [text, separator, text, separator, ...]
    for index in range(0, len(parts), 2):
        if _runs_as_formula(parts[index]):
            parts[index] = "'" + parts[index]
    safe = "".join(parts)
    return "'" + safe if safe[0] in "\t\r\n" else safe
