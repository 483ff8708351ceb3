"""In a real headless Chromium: the exported HTML page and `amity serve`.

Each test saves a screenshot in its tmp_path (named in the output with -s) so a person can look.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from amity.store import Store
from browser import PATIENCE, chromium, needs_chromium
from exportdata import DEFENCE_ONLY, SUMMIT, export_store
from storegen import AMITY, amity

pytestmark = pytest.mark.slow


def visible(selector: str) -> str:
    """JavaScript: is the element there and shown?"""
    return f"document.querySelector({json.dumps(selector)})?.checkVisibility() === true"


@needs_chromium
async def test_the_html_page_shows_the_summit_and_a_topic_filter_hides_defence(
    tmp_path: Path,
) -> None:
    db = export_store(tmp_path / "amity.json")
    page_file = tmp_path / "japan-italy.html"
    assert amity("export", "--format", "html", "-o", str(page_file), db=db).returncode == 0
    async with chromium(tmp_path / "profile") as page:
        await page.goto(page_file.as_uri())
        summit, port_call = f"li#{SUMMIT}", f"li#{DEFENCE_ONLY}"
        await page.wait_for(visible("#topics"), "the topic filters (its script ran)")
        assert await page.evaluate(visible(summit))
        assert await page.evaluate(f"document.querySelector('{summit} h3').textContent") == (
            "Special Strategic Partnership"
        )
        assert await page.evaluate(f"document.querySelector('{summit} time').dateTime") == (
            "2026-01-16"
        )
        assert await page.evaluate(visible(port_call))
        await page.evaluate(f"document.querySelector('{summit}').scrollIntoView()")
        await page.screenshot(tmp_path / "page-all.png")

        await page.click("#topics input[value=diplomacy]")  # a real click on the box
        await page.wait_for(f"!({visible(port_call)})", "the defence-only event hidden")
        assert await page.evaluate(visible(summit))  # it has diplomacy too
        shown = await page.evaluate("document.getElementById('shown').value")
        count = await page.evaluate("document.querySelectorAll('li.event:not([hidden])').length")
        total = await page.evaluate("document.querySelectorAll('li.event').length")
        assert shown == f"{count} of {total} shown" and count < total
        await page.evaluate(f"document.querySelector('{summit}').scrollIntoView()")
        print("screenshot:", await page.screenshot(tmp_path / "page-diplomacy.png"))

        await page.click("#topics input[value=defense]")  # any ticked topic matches
        await page.wait_for(visible(port_call), "the defence event back with defense ticked")
        await page.click("#all")
        everything = f"document.getElementById('shown').value === '{total} of {total} shown'"
        await page.wait_for(everything, "all")
        assert page.errors == []  # no script error, no alert from a hostile title
        assert not await page.evaluate("document.querySelector('img, iframe, object')")


# Collects what the served app sends to the browser; the terminal itself draws on a canvas.
RECORD_OUTPUT = """
window.amityOutput = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    let chain = Promise.resolve();
    this.addEventListener("message", (event) => {
      chain = chain.then(async () => {
        const data = event.data instanceof Blob ? await event.data.arrayBuffer() : event.data;
        window.amityOutput.push(
          typeof data === "string" ? data : new TextDecoder().decode(data));
      });
    });
  }
};
"""
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while loop.time() < deadline:
        assert process.poll() is None, process.communicate()
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"amity serve never listened on port {port}")


@needs_chromium
async def test_amity_serve_shows_the_timeline_and_answers_a_key(tmp_path: Path) -> None:
    db = tmp_path / "amity.json"
    Store.open(db)
    port = free_port()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("AMITY_CONFIG", None)
    server = subprocess.Popen(
        [AMITY, "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        await wait_for_port(port, server)
        async with chromium(tmp_path / "profile", 1280, 800) as page:
            await page.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_OUTPUT)
            await page.goto(f"http://127.0.0.1:{port}/")
            screen = "window.amityOutput.join('').replace(/\\x1b\\[[0-9;?]*[A-Za-z]/g, '')"
            await page.wait_for(f"{screen}.includes('Special Strategic Partnership')", "the summit")
            await page.wait_for(f"{screen}.includes('Japan–Italy')", "the header")
            print("screenshot:", await page.screenshot(tmp_path / "serve-timeline.png"))
            before = await page.evaluate("window.amityOutput.length")
            await page.click("#terminal")
            await page.type("?")
            after = f"window.amityOutput.slice({before}).join('')"
            await page.wait_for(f"{after}.includes('milestones only on / off')", "the help screen")
            print("screenshot:", await page.screenshot(tmp_path / "serve-help.png"))
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert f"serving amity at http://127.0.0.1:{port} (this computer only" in errors
    assert "Traceback" not in errors, errors


def test_serve_warns_beyond_this_computer_and_names_a_port_it_cannot_take(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = amity("serve", "--host", "0.0.0.0", "--port", port, db=tmp_path / "a.json")
    assert "warning: anyone who can reach this address can use amity" in result.stderr
    assert result.returncode == 2 and f"cannot listen on 0.0.0.0:{port}" in result.stderr


def test_serve_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    hide_extra = (
        "import sys; sys.modules['textual_serve'] = sys.modules['textual_serve.server'] = None; "
        "from amity.tui.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", hide_extra, "--db", str(tmp_path / "a.json"), "serve"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == "amity serve needs the serve extra: pip install 'amity[serve]'\n"


async def test_serve_refuses_a_websocket_from_another_site(tmp_path: Path) -> None:
    # Any page open in the person's browser can open a websocket to 127.0.0.1: without an
    # Origin check it could type keys into amity and change the timeline.
    aiohttp = pytest.importorskip("aiohttp")
    db = tmp_path / "amity.json"
    Store.open(db)
    port = free_port()
    server = subprocess.Popen(
        [AMITY, "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await wait_for_port(port, server)
        async with aiohttp.ClientSession() as client:
            for origin in ("http://evil.example", f"http://evil.example:{port}"):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(
                        f"http://127.0.0.1:{port}/ws", headers={"Origin": origin}
                    )
                assert refused.value.status == 403
            # The page amity served itself may connect.
            own = await client.ws_connect(
                f"http://127.0.0.1:{port}/ws", headers={"Origin": f"http://127.0.0.1:{port}"}
            )
            await own.close()
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_only_the_served_page_and_this_computer_pass_the_origin_check() -> None:
    from amity.tui.serve import allowed_origin

    assert allowed_origin("http://127.0.0.1:8000", "127.0.0.1:8000", loopback_only=True)
    assert allowed_origin("http://localhost:8000", "localhost:8000", loopback_only=True)
    assert allowed_origin("http://[::1]:8000", "[::1]:8000", loopback_only=True)
    assert not allowed_origin(None, "127.0.0.1:8000", loopback_only=True)
    assert not allowed_origin("http://evil.example", "127.0.0.1:8000", loopback_only=True)
    # A name rebound to 127.0.0.1 sends a matching Host, but it is not this computer's name.
    assert not allowed_origin("http://evil.example:8000", "evil.example:8000", loopback_only=True)
    assert allowed_origin("http://host.lan:8000", "host.lan:8000", loopback_only=False)
    assert not allowed_origin("http://evil.example", "host.lan:8000", loopback_only=False)
