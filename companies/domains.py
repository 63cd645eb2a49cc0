"""Company web domains: one spelling per site, so uniqueness means something."""

import re
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidDomain(ValueError):
    pass


def normalise_domain(value: str) -> str:
    """`https://WWW.Acme.com/about` → `acme.com`; "" stays "".

    Lower case, no scheme, port, path or `www.`; international names in their
    ASCII (punycode) form. Raises InvalidDomain when what is left is not a host name.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        raise InvalidDomain("Enter a domain such as acme.com.") from None
    if not host:
        raise InvalidDomain("Enter a domain such as acme.com.")
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidDomain("Enter a valid host name.") from None
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidDomain("Enter a valid host name, such as acme.com.")
    return host
