"""Real servers on 127.0.0.1 for the tests that fetch, on a free port, for the length of a block:
an HTTP server (``serving``) and a raw TCP one that answers with whatever bytes a test writes
(``raw_serving``), for replies no well-behaved HTTP server would send."""

import contextlib
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Writes a reply on the connection, until done or until the event is set (the block has ended).
RawReply = Callable[[socket.socket, threading.Event], None]


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that does not log each request to stderr."""

    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` for the block; yields the base URL, ``http://127.0.0.1:PORT`` (no trailing slash)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _RawServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, reply: RawReply) -> None:
        super().__init__(("127.0.0.1", 0), _RawHandler)
        self.reply = reply
        self.ended = threading.Event()


class _RawHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _RawServer)
        self.request.recv(65_536)  # the request; its content does not matter
        with contextlib.suppress(OSError):  # the client hung up
            server.reply(self.request, server.ended)


@contextmanager
def raw_serving(reply: RawReply) -> Iterator[str]:
    """Answer every connection with ``reply`` for the block; yields the base URL like ``serving``."""
    server = _RawServer(reply)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.ended.set()
        server.shutdown()
        server.server_close()
