"""A minimal browser for the end-to-end tests: cookies, redirects, and submitting forms."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass
class Page:
    status: int
    url: str
    text: str


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((attributes.get("action", ""), {}))
        elif tag == "input" and self.forms and attributes.get("type") == "hidden":
            self.forms[-1][1][attributes.get("name", "")] = attributes.get("value", "")


def forms(text: str) -> list[tuple[str, dict[str, str]]]:
    """(action, hidden fields) of every form on a page but the footer's language form."""
    parser = _Forms()
    parser.feed(text)
    return [form for form in parser.forms if not form[0].rstrip("/").endswith("/language")]


class _LoopbackIsSecure(http.cookiejar.DefaultCookiePolicy):
    """Browsers treat loopback as a secure context: Secure cookies go over http://localhost."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        host = urllib.parse.urlsplit(request.get_full_url()).hostname  # type: ignore[attr-defined]
        return host in ("localhost", "127.0.0.1") or super().return_ok_secure(cookie, request)


class UserAgent:
    def __init__(self) -> None:
        self.cookies = http.cookiejar.CookieJar(policy=_LoopbackIsSecure())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode())

    def get(self, url: str) -> Page:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, fields: dict[str, str | list[str]], *, referer: str = "") -> Page:
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        headers = {"Referer": referer} if referer else {}
        return self._open(urllib.request.Request(url, data=body, headers=headers, method="POST"))

    def submit(
        self, page: Page, extra: dict[str, str | list[str]] | None = None, *, index: int = -1
    ) -> Page:
        """Submit a form of ``page`` (by default its last: the header holds the sign-out form;
        the footer's language form is never meant) with its hidden fields plus ``extra``, as the
        page's script would."""
        action, fields = forms(page.text)[index]
        url = urllib.parse.urljoin(page.url, action or page.url)
        return self.post(url, {**fields, **(extra or {})}, referer=page.url)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)
