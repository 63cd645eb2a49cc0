"""Reading an uploaded CSV file: its encoding, its separator, its rows, its limits."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 5


class CsvProblem(ValueError):
    """The file cannot be imported at all; the message says why, for the user."""


@dataclass
class CsvFile:
    headers: list[str]
    encoding: str
    delimiter: str
    text: str
    row_count: int


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the name of its encoding; `CsvProblem` if it has none we read."""
    if data.startswith(b"PK\x03\x04"):
        raise CsvProblem(
            "This is an Excel workbook (.xlsx), not a CSV file. In Excel choose "
            "File → Save As → “CSV UTF-8 (comma delimited)” and upload that file."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise CsvProblem("This file says it is UTF-16 but is not valid UTF-16.") from exc
    if b"\x00" in data[:8192]:
        raise CsvProblem("This is not a text file. Upload a CSV file (comma-separated values).")
    try:
        text = data.decode("utf-8-sig")
        encoding = "UTF-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            encoding = "Windows-1252"
        except UnicodeDecodeError as exc:
            raise CsvProblem(
                "The file's characters could not be read. Save it as “CSV UTF-8” and "
                "upload it again."
            ) from exc
    if "\x00" in text:
        raise CsvProblem("This is not a text file. Upload a CSV file (comma-separated values).")
    return text, encoding


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: the one the first non-blank line uses most outside quotes."""
    for line in text.splitlines():
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] else ","
    return ","


def _reader(text: str, delimiter: str):
    # newline="" keeps line breaks inside quoted cells and splits rows only on
    # \n, \r or \r\n (not on the other characters str.splitlines() breaks at).
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every non-blank data row; the header is row 1."""
    reader = _reader(text, delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1 or not any(cell.strip() for cell in cells):
                continue
            yield number, cells
    except csv.Error as exc:
        raise CsvProblem(f"The file is not valid CSV near row {reader.line_num}: {exc}.") from exc


def read_header(text: str, delimiter: str) -> list[str]:
    try:
        first = next(_reader(text, delimiter), [])
    except csv.Error as exc:
        raise CsvProblem(f"The header row is not valid CSV: {exc}.") from exc
    return [cell.strip() for cell in first]


def read_csv(data: bytes) -> CsvFile:
    """Decode and measure an uploaded file; `CsvProblem` with a message for the user."""
    if not data.strip():
        raise CsvProblem("The file is empty. Upload a CSV file with a header row and contacts.")
    if len(data) > MAX_BYTES:
        raise CsvProblem(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    text, encoding = decode(data)
    if not text.strip():
        raise CsvProblem("The file is empty. Upload a CSV file with a header row and contacts.")
    # The header is the first line of the file; blank lines before it are not allowed,
    # so row numbers stay the spreadsheet's.
    if not re.split(r"[\r\n]", text, maxsplit=1)[0].strip():
        raise CsvProblem("The first line of the file is empty: it must be the header row.")
    delimiter = sniff_delimiter(text)
    headers = read_header(text, delimiter)
    if not any(headers):
        raise CsvProblem("The header row is empty: the first line must name the columns.")
    if len(headers) > MAX_COLUMNS:
        raise CsvProblem(
            f"The file has {len(headers):,} columns; at most {MAX_COLUMNS} can be imported. "
            "Remove the columns you don't need."
        )
    row_count = 0
    for _number, _cells in records(text, delimiter):
        row_count += 1
        if row_count > MAX_ROWS:
            raise CsvProblem(
                f"The file has more than {MAX_ROWS:,} contacts. Split it into files of at "
                f"most {MAX_ROWS:,} rows and import them one after the other."
            )
    if not row_count:
        raise CsvProblem("The file has a header row but no contacts below it.")
    return CsvFile(
        headers=headers, encoding=encoding, delimiter=delimiter, text=text, row_count=row_count
    )


def preview(text: str, delimiter: str, width: int, limit: int = PREVIEW_ROWS) -> list[dict]:
    """The first data rows, each `{"row": n, "cells": [...]}` padded to `width` cells."""
    rows = []
    for number, cells in records(text, delimiter):
        rows.append({"row": number, "cells": (cells + [""] * width)[:width]})
        if len(rows) == limit:
            break
    return rows
