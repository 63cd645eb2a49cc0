from django.apps import AppConfig


class ScaleoutConfig(AppConfig):
    """Running Relay on a Citus cluster: the local cluster script (cluster.sh) and the
    `distribute_schema` command. Above every other app; no app imports it."""

    name = "scaleout"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from scaleout import citus_migrations, tenant_deletes, tenant_joins, tenant_validation

        citus_migrations.install()
        tenant_joins.install()
        tenant_deletes.install()
        tenant_validation.install()
