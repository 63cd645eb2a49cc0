"""`POST /api/v1/crm/{contacts,companies}/{id}/merge/` (contract, "Duplicates and
merge"): the other record merged into this one, which answers with its
representation."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from lib.ids import parse_id


def merge_request_serializer(name: str, fields: tuple[str, ...]) -> type[serializers.Serializer]:
    """The request body of one type's merge (its own class, for the OpenAPI schema)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "other": serializers.IntegerField(
                min_value=1, help_text="The id of the record merged into this one."
            ),
            "prefer_other": serializers.ListField(
                child=serializers.ChoiceField(choices=fields),
                required=False,
                default=list,
                help_text="Fields that take the other record's value when it is not empty.",
            ),
            "__doc__": "What to merge into this record.",
            "__module__": __name__,
        },
    )


class MergeActionMixin:
    """The merge action of a record viewset. The viewset names its request serializer
    (`merge_serializer_class`) and writes through its service (`perform_merge`).

    With `If-Match`, both rows are locked in id order before the record is read (the
    service locks them in that order too), so two crossed merges never deadlock."""

    merge_serializer_class: type[serializers.Serializer]

    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge the other record into this one (which keeps its id); the other goes
        to the trash, and restoring it undoes the merge."""
        if self.has_precondition:
            other = parse_id(request.data.get("other")) if isinstance(request.data, dict) else None
            self.lock_record(
                self.model.objects.for_account(request.account)
                .filter(pk__in=[pk, *([other] if other else [])])
                .order_by("pk")
            )
        record = self.get_object()
        body = self.merge_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            self.perform_merge(
                record, body.validated_data["other"], body.validated_data["prefer_other"]
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(self.get_serializer(self.get_object()).data)

    def perform_merge(self, record, other_id: int, prefer_other: list[str]):
        raise NotImplementedError
