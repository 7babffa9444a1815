"""A small client for headless Chromium over the DevTools protocol, for the site's browser tests.

It loads pages, collects what the browser reports as wrong (console errors, uncaught exceptions, failed
loads, HTTP errors), evaluates JavaScript in the page and takes screenshots at a given width and colour
scheme. One browser process per test module; one tab.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
         "--disable-extensions", "--mute-audio", "--remote-debugging-port=0", "--remote-allow-origins=*")


def find_chromium() -> str:
    """Debian's chromium; skipped on a developer's machine without it, a failure in CI."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed; .ci/run installs Debian's package (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs these tests")


class Chromium:
    def __init__(self, binary: str, timeout: float = 60):
        self.profile = tempfile.mkdtemp(prefix="tracker-chromium-")
        self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        found = threading.Event()
        self.ws_url = ""

        def drain() -> None:  # read stderr to the end, so the browser never blocks on a full pipe
            for line in self.proc.stderr:  # type: ignore[union-attr]
                m = re.search(r"DevTools listening on (ws://\S+)", line)
                if m and not found.is_set():
                    self.ws_url = m.group(1)
                    found.set()

        threading.Thread(target=drain, daemon=True).start()
        if not found.wait(timeout):
            self.close()
            raise RuntimeError("chromium did not start its DevTools endpoint")
        from websockets.sync.client import connect

        self.ws = connect(self.ws_url, max_size=None, open_timeout=timeout).__enter__()
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def call(self, method: str, session: str | None = None, timeout: float = 60, **params) -> dict:
        ident = next(self.ids)
        message = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=timeout))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def send(self, method: str, **params) -> dict:
        """A command to the page's session."""
        return self.call(method, session=self.session, **params)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        for i, event in enumerate(self.events):
            if event["method"] == method:
                return self.events.pop(i)
        while True:
            event = json.loads(self.ws.recv(timeout=timeout))
            if event.get("method") == method:
                return event
            if "method" in event:
                self.events.append(event)

    def goto(self, url: str) -> None:
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise AssertionError(f"{url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired")

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """What went wrong since the last call: console errors and warnings, exceptions, failed loads."""
        out = []
        self.eval("1")  # let pending events arrive before reading them
        for event in self.events:
            method, p = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(f"exception: {p['exceptionDetails'].get('exception', {}).get('description') or p['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{p['type']}: {' '.join(str(a.get('value', a.get('description'))) for a in p.get('args', []))}")
            elif method == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif method == "Network.loadingFailed" and not p.get("canceled"):
                out.append(f"failed load: {p.get('errorText')} ({p.get('type')})")
            elif method == "Network.responseReceived" and p["response"].get("status", 200) >= 400:
                out.append(f"HTTP {p['response']['status']}: {p['response']['url']}")
        self.events = []
        return out

    def emulate(self, width: int, dark: bool, mobile: bool = False) -> None:
        """The window's width (a phone's with mobile=True) and the colour scheme the page sees."""
        self.width = width
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=mobile)
        self.send("Emulation.setEmulatedMedia", features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])

    def screenshot(self, path: Path) -> None:
        """The whole page (up to 4000 pixels tall) as PNG, at the emulated width."""
        height = self.eval("Math.ceil(document.documentElement.scrollHeight)")
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": self.width, "height": min(height, 4000), "scale": 1})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


# Every link and asset of the page, resolved against it (SVG links have no .href string, hence getAttribute).
LINKS_JS = """JSON.stringify(Array.from(document.querySelectorAll('a[href], link[href], script[src], img[src]'))
  .map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href))"""
IDS_JS = "JSON.stringify(Array.from(document.querySelectorAll('[id]')).map(e => e.id))"
