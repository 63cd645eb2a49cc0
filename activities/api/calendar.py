"""The calendar feed (API contract, "Activities: more"): the member asks for their
secret URL (`GET /api/v1/me/calendar/`) or a new one (`POST .../reset/`); calendar
programs fetch the URL without credentials (`CalendarFeedView`).

The feed is unauthenticated, so it has its own limits: per feed (a calendar program
polls every few minutes at most) and per client address (a cap on guessing, which a
256-bit secret makes hopeless anyway, and on the load it would cause). Both are
generous enough for Google's and Apple's fetchers, which share addresses."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.record_writes import RecordWritesMixin
from accounts.api.throttles import SharedCounterThrottle
from accounts.api.viewsets import AccountContextMixin
from activities.calendar_feeds import (
    calendar_of,
    feed_activities,
    feed_for_secret,
    feed_url,
    secret_hash,
)
from activities.services import calendar_feed_of, calendar_feed_reset
from lib.ids import parse_id


class CalendarFeedURLSerializer(serializers.Serializer):
    url = serializers.URLField(read_only=True)


class MeCalendarView(AccountContextMixin, generics.GenericAPIView):
    """`GET`: the URL of my calendar feed in the request's account (the same until
    reset)."""

    serializer_class = CalendarFeedURLSerializer

    def get(self, request):
        feed = calendar_feed_of(account=request.account, user=request.user)
        return Response({"url": feed_url(request, feed)})


class MeCalendarResetView(RecordWritesMixin, AccountContextMixin, generics.GenericAPIView):
    """`POST`: a new URL for my calendar feed; the old one answers 404 from now on
    (with `Idempotency-Key`, a retry answers the same new URL)."""

    serializer_class = CalendarFeedURLSerializer

    @extend_schema(request=None, responses=CalendarFeedURLSerializer)
    def post(self, request):
        feed = calendar_feed_reset(account=request.account, user=request.user)
        return Response({"url": feed_url(request, feed)})


class PerFeedThrottle(SharedCounterThrottle):
    scope = "calendar_feed"
    atomic = False  # a capacity limit: a burst may overshoot it by a few fetches

    def get_cache_key(self, request, view):
        ident = f"{view.kwargs['account_id']}-{secret_hash(view.kwargs['secret'])[:32]}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PerAddressFeedThrottle(SharedCounterThrottle):
    scope = "calendar_feed_address"
    atomic = False

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AnyAcceptHeader(BaseContentNegotiation):
    """Calendar programs ask for text/calendar: an error still answers in JSON rather
    than 406."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return None


class CalendarFeedView(APIView):
    """`GET /api/v1/calendar-feeds/<account>/<secret>.ics`: the feed, no credentials.
    Two queries (the feed, its activities) whatever the account holds."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PerAddressFeedThrottle, PerFeedThrottle]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AnyAcceptHeader

    @extend_schema(
        auth=[],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="An RFC 5545 calendar"
            ),
            404: OpenApiResponse(description="No such feed (or it was reset)"),
        },
    )
    def get(self, request, account_id, secret):
        account_id = parse_id(account_id)
        feed = feed_for_secret(account_id, secret) if account_id is not None else None
        if feed is None:
            raise NotFound("No such calendar feed.")
        body = calendar_of(feed, feed_activities(feed), host=request.get_host())
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="relay-activities.ics"'
        # The URL is the credential: no shared cache may keep what it answers.
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
