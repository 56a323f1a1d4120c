"""A headless Chromium (Debian's package) driven by Playwright, for the page tests.

``python3 dev.py test`` (what ``.ci/run`` runs) installs Playwright (the ``test``
extra) and, as root, Debian's ``chromium``; Playwright's own browser download is
never used (``executable_path``). Where the browser cannot be had, the tests fail
under CI (``CI`` or ``PYCWT_REQUIRE_BROWSER`` set, as ``dev.py test`` sets it) with
the reason, and are skipped with it elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PYCWT_CHROMIUM", "/usr/bin/chromium")
#: No sandbox (root in a container), no GPU, and nothing that calls home.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("PYCWT_REQUIRE_BROWSER"))


def _unavailable(reason: str):
    if _required():
        pytest.fail(f"the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"{reason} (set CI=1 to make this a failure)")


@pytest.fixture(scope="package")
def browser():
    """Chromium, launched once for the page tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install playwright (the test extra)")
    if not Path(CHROMIUM).is_file():
        _unavailable(
            f"no Chromium at {CHROMIUM}: apt-get install -y chromium (python3 dev.py test "
            "installs it when run as root), or set PYCWT_CHROMIUM"
        )
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=30_000)
        yield b
        b.close()


@pytest.fixture
def page(browser, service):
    """A fresh page (own context: no shared storage) that may reach only the service;
    a request anywhere else (a CDN) is aborted and fails the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    outside: list[str] = []
    host = service.url.split("://", 1)[1].split("/", 1)[0]

    def route(r):
        url = r.request.url
        if url.split("://", 1)[-1].split("/", 1)[0] == host or url.startswith(("blob:", "data:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not outside, f"the page fetched from outside the service: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"
