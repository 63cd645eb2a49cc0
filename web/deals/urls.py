"""URLs of the deals pages and the pipeline board (included by web/urls.py under
"deals/" and "pipeline/", "web" namespace)."""

from django.urls import path

from web.deals.board import BoardView
from web.deals.views import (
    DealAbandonView,
    DealBulkDeleteView,
    DealDeleteView,
    DealDetailView,
    DealFormView,
    DealListView,
    DealLoseView,
    DealMoveView,
    DealReopenView,
    DealWinView,
)
from web.record_history import DealHistoryView

urlpatterns = [
    path("", DealListView.as_view(), name="deals"),
    path("new/", DealFormView.as_view(), name="deal-new"),
    path("delete/", DealBulkDeleteView.as_view(), name="deals-delete"),
    path("<int:pk>/", DealDetailView.as_view(), name="deal"),
    path("<int:pk>/edit/", DealFormView.as_view(), name="deal-edit"),
    path("<int:pk>/delete/", DealDeleteView.as_view(), name="deal-delete"),
    path("<int:pk>/history/", DealHistoryView.as_view(), name="deal-history"),
    path("<int:pk>/move/", DealMoveView.as_view(), name="deal-move"),
    path("<int:pk>/win/", DealWinView.as_view(), name="deal-win"),
    path("<int:pk>/lose/", DealLoseView.as_view(), name="deal-lose"),
    path("<int:pk>/abandon/", DealAbandonView.as_view(), name="deal-abandon"),
    path("<int:pk>/reopen/", DealReopenView.as_view(), name="deal-reopen"),
]

board_urlpatterns = [path("", BoardView.as_view(), name="pipeline")]
