"""PNG screenshots of every main page, at desktop and phone width, in the light and the
dark colour scheme, with the demo data.

    make screenshots        # serves a fresh demo database and writes screenshots/*.png

Run by the Makefile with DATABASE_URL pointing at the served database and
SCREENSHOT_BASE_URL at the server; it signs in as the demo user. `main_pages()` is also
the list tests/browser/test_accessibility.py runs axe-core on.
"""

import os
import sys
from itertools import product
from pathlib import Path

import django

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The light scheme keeps the plain file names; the dark one adds "-dark".
SCHEMES = {"light": "", "dark": "-dark"}


def pages() -> dict[str, str]:
    """Name → path of each page to capture, in the demo account."""
    from accounts.models import Account
    from demo.management.commands.seed_demo import ACCOUNT_NAME

    return main_pages(Account.objects.get(name=ACCOUNT_NAME))


def main_pages(account) -> dict[str, str]:
    """Name → path of every main page of `account` (record pages show its first contact
    with notes, company with subsidiaries and open deal with notes)."""
    from accounts.models import Tag
    from activities.models import Activity
    from companies.models import Company
    from contacts.models import Contact
    from deals.models import Deal

    # Records with a history, so their pages show a filled timeline.
    contact = Contact.objects.for_account(account).filter(notes__isnull=False).first()
    company = Company.objects.for_account(account).filter(children__isnull=False).first()
    deal = Deal.objects.for_account(account).open().filter(notes__isnull=False).first()
    activity = Activity.objects.for_account(account).order_by("pk").first()
    other = Contact.objects.for_account(account).exclude(pk=contact.pk).order_by("pk").first()
    tag = Tag.objects.for_account(account).order_by("pk").first()
    return {
        "dashboard": "/",
        "contacts": "/contacts/",
        "contact": f"/contacts/{contact.pk}/",
        "contact-edit": f"/contacts/{contact.pk}/edit/",
        "import": "/imports/contacts/",
        "companies": "/companies/",
        "company": f"/companies/{company.pk}/",
        "pipeline": "/pipeline/",
        "deal": f"/deals/{deal.pk}/",
        "agenda": "/agenda/",
        "activity": f"/activities/{activity.pk}/",
        "calendar": "/calendar/",
        "calendar-month": "/calendar/?view=month",
        "notes": "/notes/",
        "search": f"/search/?q={contact.last_name[:3]}",
        "profile": "/profile/",
        "trash": "/trash/",
        "notifications": "/notifications/",
        "duplicates": "/duplicates/",
        "merge": f"/merge/contacts/{contact.pk}/{other.pk}/",
        "settings": "/settings/",
        "account-settings": "/settings/account/",
        "members": "/settings/members/",
        "member-invite": "/settings/members/new/",
        "custom-fields": "/settings/fields/",
        # Custom field filters open and columns shown, when the account defines any.
        "contacts-custom": "/contacts/?columns_set=1&columns=source&columns=score&cf_score__gte=0",
        "custom-field-new": "/settings/fields/new/",
        "pipeline-settings": "/settings/pipelines/",
        "pipeline-settings-pipeline": f"/settings/pipelines/{deal.pipeline_id}/",
        "tag-settings": "/settings/tags/",
        "tag-settings-tag": f"/settings/tags/{tag.pk}/",
    }


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
    django.setup()
    from playwright.sync_api import sync_playwright

    base = os.environ.get("SCREENSHOT_BASE_URL", "http://127.0.0.1:8899")
    out = Path(os.environ.get("SCREENSHOT_DIR", "screenshots"))
    out.mkdir(exist_ok=True)
    targets = pages()
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), args=FLAGS
        )
        for (width_name, viewport), (scheme, suffix) in product(WIDTHS.items(), SCHEMES.items()):
            shot = f"{width_name}{suffix}"
            context = browser.new_context(viewport=viewport, base_url=base, color_scheme=scheme)
            page = context.new_page()
            page.on(
                "console", lambda msg: problems.append(msg.text) if msg.type == "error" else None
            )
            page.goto("/login/")
            page.screenshot(path=out / f"login-{shot}.png")
            page.get_by_label("Username").fill("demo")
            page.get_by_label("Password").fill("demo")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state("networkidle")
            for name, path in targets.items():
                response = page.goto(path)
                page.wait_for_load_state("networkidle")
                status = response.status if response else 0
                if status != 200:
                    problems.append(f"{path}: HTTP {status}")
                page.screenshot(path=out / f"{name}-{shot}.png", full_page=True)
            context.close()
        browser.close()
    print(f"Wrote {len(list(out.glob('*.png')))} screenshots to {out}/")
    for problem in problems:
        print(f"  problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
