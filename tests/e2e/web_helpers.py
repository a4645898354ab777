"""Helpers for the web app's browser tests (test_web.py): Chromium through Playwright, signing
in, bounded waits on server state, and small files to upload."""

import datetime
import os
import struct
import time
import zlib
from pathlib import Path

import requests
from playwright.sync_api import expect

from conftest import bearer

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Playwright's waits for what a person would see; generous because the model answers on CPU.
UI_TIMEOUT_MS = 20_000


def tid(page, name):
    return page.get_by_test_id(name)


def new_page(browser, viewport=None):
    """A fresh browser context (its own cookies) and page, recording every dialog that opens
    (none ever should: dialogs are how an injected script would show itself)."""
    context = browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True)
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.csp_violations = []
    page.on("console", lambda message: page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return context, page


def sign_in_with_token(page, server, token, principal):
    """Signs in through the form, as a person pasting a token would."""
    page.goto(server.url + "/")
    tid(page, "token-input").fill(token)
    tid(page, "signin-button").click()
    expect(tid(page, "principal")).to_have_text(principal)
    # The first view has rendered: a test's own routes and navigation do not race its loading.
    expect(page.locator("main > [data-testid^='view-']:not([data-testid='view-signin'])")).to_be_visible()


def signed_in_page(browser, server, token=None, principal="owner", viewport=None):
    context, page = new_page(browser, viewport)
    sign_in_with_token(page, server, token or server.home.token, principal)
    return context, page


def go(page, server, route):
    """Navigates inside the app (hash routing) and waits for the view to be there."""
    url = server.url + "/#/" + route
    if page.url == url:
        page.reload()  # the same address again would not render the view afresh
    else:
        page.goto(url)
    view = route.split("/")[0].split("?")[0]
    expect(tid(page, "view-" + view)).to_be_visible()


def wait_until(predicate, timeout=30, interval=0.1, what="the condition"):
    """Polls server state until `predicate()` is truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout} s (last: {last!r})")


def running_generations(server):
    response = requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=10)
    assert response.status_code == 200, response.text
    return sum(model["running"] for model in response.json()["models"])


def owner_put(server, path, data, media_type="application/octet-stream"):
    from urllib.parse import quote
    response = requests.put(server.url + "/data" + quote(path), data=data,
                            headers={**bearer(server.home.token), "Content-Type": media_type}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def owner_get(server, path, **params):
    from urllib.parse import quote
    return requests.get(server.url + "/data" + quote(path), params=params, headers=bearer(server.home.token),
                        timeout=30)


def png(width=3, height=2):
    """A small valid PNG (RGB, a gradient)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes((x * 80 % 256, y * 120 % 256, 200)) for x in range(width))
                    for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def screenshot_dir():
    configured = os.environ.get("HAVEN_SCREENSHOTS")
    if configured:
        path = Path(configured)
    else:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = REPO / ".build" / "screenshots" / stamp
    path.mkdir(parents=True, exist_ok=True)
    return path


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than the window (0 when it does not scroll sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


# Every visible control must have a name a screen reader can announce.
UNNAMED_CONTROLS_JS = """() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const nameOf = (el) => {
    const aria = el.getAttribute('aria-label');
    if (aria && aria.trim()) return aria;
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(' ').map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(' ').trim();
    if (el.tagName === 'BUTTON' || el.tagName === 'A' || el.tagName === 'SUMMARY') return el.textContent.trim();
    return el.title || '';
  };
  return [...document.querySelectorAll('button, input, select, textarea, a[href], summary')]
    .filter((el) => el.type !== 'hidden' && visible(el) && !nameOf(el))
    .map((el) => el.outerHTML.slice(0, 160));
}"""
