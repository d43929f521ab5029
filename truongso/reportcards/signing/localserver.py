"""A tiny threaded HTTP server on 127.0.0.1 for the fake services in tests and benchmarks."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (path, headers, body) -> (status, content type, body)
Handler = Callable[[str, dict[str, str], bytes], tuple[int, str, bytes]]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextlib.contextmanager
def serve(handle: Handler) -> Iterator[str]:
    """Serve ``handle`` on a free loopback port; yields the base URL, stops on exit."""

    class RequestHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), 10_000_000)
            body = self.rfile.read(length)
            headers = {key.lower(): value for key, value in self.headers.items()}
            try:
                status, content_type, payload = handle(self.path, headers, body)
            except Exception:  # a broken fake answers 500, like a broken real service
                status, content_type, payload = 500, "text/plain", b"internal error"
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = _Server(("127.0.0.1", 0), RequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
