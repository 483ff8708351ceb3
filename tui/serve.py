"""`amity serve`: the app in a web browser through textual-serve (the optional `serve` extra)."""

from __future__ import annotations

import gc
import ipaddress
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

import click

from .output import say

INSTALL_HINT = "pip install 'amity[serve]'"


def is_loopback(host: str) -> bool:
    """Does `host` name this computer only (127.0.0.0/8, ::1 or localhost)?"""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_url(host: str, port: int) -> str:
    """The address a browser uses to reach the server (and its websocket)."""
    if host in ("0.0.0.0", "::", ""):  # every interface: the name others know this machine by
        host = socket.gethostname()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def app_command(db: Path | None, config: Path | None) -> str:
    """The shell command textual-serve runs for each browser: this amity, this store."""
    argv = [sys.executable, "-c", "from amity.tui.cli import main; main()"]
    if db is not None:
        argv += ["--db", str(db.resolve())]
    if config is not None:
        argv += ["--config", str(config.resolve())]
    return shlex.join(argv)


def register(cli: click.Group) -> None:
    """Add `amity serve` to the amity command line."""
    cli.add_command(serve_command)


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 127.0.0.1 is this computer only, 0.0.0.0 every network.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
def serve_command(session: Any, host: str, port: int) -> None:
    """The app in a web browser, for you or a colleague (needs the serve extra)."""
    try:
        from textual_serve.server import Server
    except ImportError:
        say(f"amity serve needs the serve extra: {INSTALL_HINT}")
        sys.exit(2)
    # A bad config (exit 2) or a damaged store (exit 3) is reported here, not in each browser.
    session.config  # noqa: B018
    session.store()
    url = public_url(host, port)
    if is_loopback(host):
        say(f"serving amity at {url} (this computer only; --host 0.0.0.0 shares it)")
    else:
        say(f"serving amity at {url} on {host}")
        say(
            "warning: anyone who can reach this address can use amity and change your "
            "timeline; there is no password. Ctrl+C stops it."
        )
    command = app_command(session.db_path, session.config_path)
    server = _same_origin(Server)(command, host=host, port=port, title="amity", public_url=url)
    server.loopback_only = is_loopback(host)
    sys.unraisablehook = _quiet_closed_loop
    try:
        server.serve()
    except OSError as exc:
        say(f"amity: cannot listen on {host}:{port}: {exc.strerror or exc}")
        sys.exit(2)
    finally:
        gc.collect()


def allowed_origin(origin: str | None, host_header: str | None, *, loopback_only: bool) -> bool:
    """May a browser page from `origin` drive the app? Only the page amity served itself: the
    Origin must name the Host the request was sent to, and on a loopback-only server that host
    must be this computer (a DNS-rebound name would otherwise pass)."""
    if not origin or not host_header or origin != f"http://{host_header}":
        return False
    if not loopback_only:
        return True
    name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    return is_loopback(name)


def _same_origin(server_class: Any) -> Any:
    # textual-serve accepts a websocket from any page: without this, any web site open in the
    # person's browser could send keys to the app and change the timeline (cross-site
    # websocket hijacking).
    from aiohttp import web

    class SameOriginServer(server_class):
        loopback_only = True

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            headers = request.headers
            if not allowed_origin(
                headers.get("Origin"), headers.get("Host"), loopback_only=self.loopback_only
            ):
                return web.Response(status=403, text="amity: refused a page from another site")
            return await super().handle_websocket(request)

    return SameOriginServer


def _quiet_closed_loop(unraisable: Any) -> None:
    # A browser session that was closing when Ctrl+C came leaves textual-serve's subprocess
    # transport behind; its __del__ then finds the event loop closed and prints a traceback.
    # The app was already told to quit, so nothing is lost: only that one message is dropped.
    error = unraisable.exc_value
    if isinstance(error, RuntimeError) and str(error) == "Event loop is closed":
        return
    sys.__unraisablehook__(unraisable)
