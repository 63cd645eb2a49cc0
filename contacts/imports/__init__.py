"""Importing contacts from a CSV file: reading the file, mapping its columns, checking rows.

One module a step: `reading` (the file), `mapping` (columns to fields), `lookups`
(the companies and members cells name), `rows` (cells to field values),
`row_rules` (the model's rules for one row), `checking`, `writing` and `undoing`; this
package
re-exports what the web app, the tasks and the tests use.

No HTTP here: the web views call `read_csv()` on upload and save a `ContactImport`;
the background task (contacts/tasks.py) calls `check_import()` and `write_import()`.

Decisions a user meets:
- The file is UTF-8 (with or without a BOM; Excel's "CSV UTF-8"), or UTF-16 with a BOM
  (Excel's "Unicode text"); anything else is read as Windows-1252, the legacy Excel
  encoding, when every byte is valid in it; otherwise the user is told to save as UTF-8.
- The separator is a comma, a semicolon (Excel in many European locales) or a tab,
  whichever the header row uses most.
- Row numbers are the spreadsheet's: the header is row 1, blank lines count as rows
  (and are skipped), so "row 14" is what the user sees in Excel.
- A *company* cell names one of the account's companies by name (any case) or by
  domain (`acme.com`, `www.acme.com`, `https://acme.com/`); an unknown or ambiguous
  company is an error on the row, unless the user chose to create the companies that
  don't exist: then each distinct name (any case or spacing) becomes one company.
- All or nothing (nothing is written while a row has errors), or only the valid
  rows: the others are kept with the import as a file to download, until dismissed
  or expired.
- An import can be undone: see `undoing`.
- An *owner* cell is a member's username or email; empty means the importing user
  for new contacts and "unchanged" for updated ones.
- *Tags* are separated by `;` or `,`.
- An empty cell never overwrites a value when a duplicate updates an existing contact.
"""

from contacts.imports.checking import CheckOutcome, check_import, failed_rows_csv
from contacts.imports.mapping import (
    FIELDS,
    HEADER_ALIASES,
    IGNORE,
    REQUIRED,
    carry_mapping,
    contact_import_replace_file,
    file_fields,
    guess_mapping,
    header_key,
    mapping_problems,
)
from contacts.imports.reading import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    PREVIEW_ROWS,
    CsvFile,
    CsvProblem,
    decode,
    preview,
    read_csv,
    read_header,
    records,
    sniff_delimiter,
)
from contacts.imports.rows import CHUNK
from contacts.imports.undoing import UndoReport, contact_import_undo
from contacts.imports.writing import write_import

__all__ = [
    "CHUNK",
    "FIELDS",
    "HEADER_ALIASES",
    "IGNORE",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "PREVIEW_ROWS",
    "REQUIRED",
    "CheckOutcome",
    "CsvFile",
    "CsvProblem",
    "UndoReport",
    "carry_mapping",
    "check_import",
    "contact_import_undo",
    "contact_import_replace_file",
    "decode",
    "failed_rows_csv",
    "file_fields",
    "guess_mapping",
    "header_key",
    "mapping_problems",
    "preview",
    "read_csv",
    "read_header",
    "records",
    "sniff_delimiter",
    "write_import",
]
