from django.dispatch import receiver

from accounts.signals import account_created
from deals.services import pipeline_create_default


@receiver(account_created, dispatch_uid="deals.default_pipeline")
def give_new_accounts_a_pipeline(sender, account, **kwargs):
    pipeline_create_default(account=account)
