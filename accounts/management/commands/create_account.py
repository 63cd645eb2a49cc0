from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import UsernameTaken, account_create


class Command(BaseCommand):
    help = "Create an account, a user, and the user's owner membership. Prints the account id."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The account's name")
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--phone-region", default="US")
        parser.add_argument("--time-zone", default="UTC")

    def handle(self, *args, **options):
        name, username = options["name"].strip(), options["username"].strip()
        if not name or not username or not options["password"]:
            raise CommandError("--name, --username and --password must not be empty.")
        try:
            account = account_create(
                name=name,
                username=username,
                password=options["password"],
                email=options["email"],
                currency=options["currency"],
                phone_region=options["phone_region"],
                time_zone=options["time_zone"],
            )
        except UsernameTaken as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        self.stdout.write(f"Created account “{account.name}” with owner {username}.")
        self.stdout.write(str(account.pk))
