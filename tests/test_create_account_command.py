import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from accounts.models import Account, Membership, User
from tests.factories import UserFactory

REPO = Path(__file__).resolve().parent.parent


def create_account(**options) -> str:
    out = StringIO()
    call_command("create_account", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_an_account_its_user_and_an_owner_membership():
    out = create_account(name="Acme", username="alice", password="s3cret-Pass")

    account = Account.objects.get(name="Acme")
    user = User.objects.get(username="alice")
    membership = Membership.objects.get(account=account, user=user)
    assert membership.role == Membership.Role.OWNER
    assert out.strip().splitlines()[-1] == str(account.pk)


@pytest.mark.django_db
def test_the_password_works():
    create_account(name="Acme", username="alice", password="s3cret-Pass")
    assert authenticate(username="alice", password="s3cret-Pass") is not None
    assert authenticate(username="alice", password="wrong") is None


@pytest.mark.django_db
def test_a_taken_username_is_an_error_and_writes_nothing():
    UserFactory(username="alice")
    with pytest.raises(CommandError, match="“Alice” is already taken"):
        create_account(name="Acme", username="Alice", password="s3cret-Pass")
    assert not Account.objects.exists()
    assert User.objects.count() == 1
    assert not Membership.objects.exists()


@pytest.mark.slow
def test_as_a_process_it_exits_non_zero_when_the_username_is_taken(tmp_path):
    """Slow-ish (two Django processes and a migrate, a few seconds), but it is what
    scripts see: the exit code, stdout and stderr of the real command."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"}
    }
    # As the contract runs it: no secret key, no debug flag.
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    migrate = manage("migrate", "--noinput", "--verbosity", "0")
    assert migrate.returncode == 0, migrate.stderr

    args = ["create_account", "--name", "Acme", "--username", "alice", "--password", "s3cret"]
    first = manage(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1].isdigit()

    again = manage(*args)
    assert again.returncode != 0
    assert "“alice” is already taken" in again.stderr
