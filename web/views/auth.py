import math

from django.contrib.auth import views as auth_views
from django.shortcuts import render

from accounts.api.throttles import LoginIPThrottle, LoginUsernameThrottle


class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, with the API token endpoint's limits per client and username."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        for throttle in (LoginIPThrottle(), LoginUsernameThrottle()):
            if not throttle.allow_request(request, self):
                wait = math.ceil(throttle.wait() or 1)
                response = render(request, "registration/throttled.html", {"wait": wait},
                                  status=429)
                response["Retry-After"] = str(wait)
                return response
        return super().post(request, *args, **kwargs)
