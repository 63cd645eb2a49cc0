"""One view per URL, the htmx way: over htmx a page answers the named partial of its
own template (`"web/agenda/list.html#results"`) that the request's target asks for."""

from django.utils.cache import patch_vary_headers


class PartialByTargetMixin:
    """For a TemplateView. `partials` maps an htmx target's id to a partial of
    `template_name`; `default_partial` serves any other htmx request (None: the full
    page). The answer varies on `HX-Request` and `HX-Target`."""

    partials: dict[str, str] = {}
    default_partial = None

    def get_template_names(self):
        htmx = self.request.htmx
        part = self.partials.get(htmx.target, self.default_partial) if htmx else None
        return [f"{self.template_name}#{part}" if part else self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
