from csp.middleware import CSPMiddleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; the Django admin alone also allows inline styles (its
    templates set `style=` attributes). Scripts stay same-origin everywhere."""

    def build_policy(self, request, response):
        policy = super().build_policy(request, response)
        if request.path.startswith("/admin/"):
            policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        return policy
