"""The CSV measurements of `make bench`, driven over HTTP like a user in the browser:

- import: upload a 50,000-row CSV on the import page, confirm the guessed columns,
  wait for the background check (`manage.py db_worker`), press Import, wait for done;
  the time from upload to done, and each step's share.
- export: download the full contacts list as CSV (1,000,000 rows at SCALE=1) while
  sampling the resident memory of every server process; peak RSS and the bytes read.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from pathlib import Path

IMPORT_ROWS = 50_000


def import_csv(rows: int, companies: list[str]) -> bytes:
    """A realistic export from another CRM: mixed-case headers, phones, tags, and the
    domains of companies already in the account."""
    out = io.StringIO()
    writer = csv.writer(out)
    stamp = int(time.time())  # new contacts on every run, --reuse too
    writer.writerow(
        ["First Name", "Last Name", "Email Address", "Phone", "Job Title", "Company", "Tags"]
    )
    for i in range(rows):
        writer.writerow(
            [
                f"Imported{i}",
                f"Person{i % 977}",
                f"imported{i}-{stamp}@bench-import.example",
                f"+1 (415) 555-{i % 10000:04d}",
                "Buyer",
                companies[i % len(companies)] if companies and i % 4 else "",
                "imported, csv" if i % 3 else "imported",
            ]
        )
    return out.getvalue().encode()


def _csrf(session, html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else session.cookies.get("csrftoken", "")


def _wait_for(status_of, wanted: set[str], timeout: float) -> str:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status = status_of()
        if status in wanted:
            return status
        time.sleep(0.1)
    raise TimeoutError(f"import still {status_of()} after {timeout:.0f}s")


def measure_import(base: str, ui, account_id: int, rows: int = IMPORT_ROWS) -> dict:
    from companies.models import Company
    from contacts.models_import import ContactImport

    def status_of(pk):
        return lambda: (
            ContactImport.objects.for_account(account_id)
            .values_list("status", flat=True)
            .get(pk=pk)
        )

    domains = list(
        Company.objects.for_account(account_id)
        .exclude(domain="")
        .order_by("id")
        .values_list("domain", flat=True)[:500]
    )
    data = import_csv(rows, domains)
    page = ui.get(f"{base}/imports/contacts/")
    started = time.perf_counter()
    response = ui.post(
        f"{base}/imports/contacts/",
        data={"csrfmiddlewaretoken": _csrf(ui, page.text)},
        files={"file": ("contacts.csv", data, "text/csv")},
        headers={"Referer": f"{base}/imports/contacts/"},
    )
    match = re.search(r"/imports/contacts/(\d+)/", response.url)
    if response.status_code != 200 or not match:
        raise RuntimeError(f"upload failed: {response.status_code} {response.url}")
    pk = int(match.group(1))
    uploaded = time.perf_counter()
    columns = ui.get(f"{base}/imports/contacts/{pk}/columns/")
    form = {"csrfmiddlewaretoken": _csrf(ui, columns.text), "on_duplicate": "skip"}
    # Keep the page's own guesses: the selected option of every column.
    for name, value in re.findall(
        r'<select name="(column_\d+)".*?<option value="([^"]*)"[^>]*selected',
        columns.text,
        flags=re.S,
    ):
        form[name] = value
    ui.post(
        f"{base}/imports/contacts/{pk}/columns/",
        data=form,
        headers={"Referer": f"{base}/imports/contacts/{pk}/columns/"},
    )
    status = _wait_for(status_of(pk), {"ready", "invalid", "mapping"}, 600)
    if status != "ready":
        raise RuntimeError(f"import check ended {status}")
    checked = time.perf_counter()
    ui.post(
        f"{base}/imports/contacts/{pk}/import/",
        data={"csrfmiddlewaretoken": form["csrfmiddlewaretoken"]},
        headers={"Referer": f"{base}/imports/contacts/{pk}/"},
    )
    status = _wait_for(status_of(pk), {"done", "ready", "invalid"}, 600)
    done = time.perf_counter()
    if status != "done":
        raise RuntimeError(f"import write ended {status}")
    return {
        "rows": rows,
        "bytes": len(data),
        "total_s": done - started,
        "upload_s": uploaded - started,
        "check_s": checked - uploaded,
        "write_s": done - checked,
    }


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _server_pids(root_pid: int) -> list[int]:
    """The server's master and its workers (children by /proc's parent ids)."""
    pids = [root_pid]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(
                int(line.split()[1])
                for line in status.read_text().splitlines()
                if line.startswith("PPid:")
            )
        except (OSError, StopIteration, ValueError):
            continue
        if ppid == root_pid:
            pids.append(int(status.parent.name))
    return pids


def measure_export(base: str, ui, server_pid: int) -> dict:
    pids = _server_pids(server_pid)
    before = {pid: _rss_bytes(pid) for pid in pids}
    peak = dict(before)
    finished = threading.Event()

    def sample():
        while not finished.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], _rss_bytes(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    size = rows = 0
    try:
        with ui.get(f"{base}/contacts/export/", stream=True, timeout=600) as response:
            response.raise_for_status()
            for chunk in response.iter_content(chunk_size=1 << 16):
                size += len(chunk)
                rows += chunk.count(b"\n")
    finally:
        finished.set()
        sampler.join()
    return {
        "rows": rows - 1,
        "bytes": size,
        "seconds": time.perf_counter() - started,
        "peak_worker_rss_mb": max(peak[p] for p in pids if p != server_pid) / 2**20,
        "peak_worker_growth_mb": max(peak[p] - before[p] for p in pids) / 2**20,
        "peak_server_rss_mb": sum(peak.values()) / 2**20,
    }
