from accounts.memberships import acting_memberships


def navigation(request):
    """The account switcher's choices and the current section, for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "account"):
        return {}
    memberships = list(
        acting_memberships().filter(user=user).select_related("account").order_by("account__name")
    )
    return {"memberships": memberships, "current_account": request.account}
