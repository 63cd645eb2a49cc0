"""What a browser would post from a rendered form: tests submit pages as they were shown."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._textarea_text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.data.append((name, attrs.get("value") or default))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in attrs
            self._options = []
        elif tag == "option" and self._select is not None:
            self._option_value = attrs.get("value")
            self._option_selected = "selected" in attrs
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea_text += data
        elif self._option_value is None and self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text
            self._options.append((value, self._option_selected))
            self._option_value = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._select_multiple and self._options:
                chosen = [self._options[0][0]]  # a browser posts the first option
            self.data.extend((self._select, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline that follows <textarea>.
            self.data.append((self._textarea, self._textarea_text.removeprefix("\n")))
            self._textarea = None


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """The fields the form `form_id` of `html` submits, as the test client takes them."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.data, f"no form #{form_id} with fields on the page"
    data: dict[str, list[str]] = {}
    for name, value in reader.data:
        data.setdefault(name, []).append(value)
    return data
