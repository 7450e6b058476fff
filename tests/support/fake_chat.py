"""A fake LLM server speaking the OpenAI chat-completions protocol, on a real server on 127.0.0.1."""

import json
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.local_http import QuietHandler, serving


class FakeChat:
    """Serves queued answers (status, content) to POST /v1/chat/completions and records requests."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, str]] = []
        self.requests: list[dict] = []
        self.url = ""  # set while it is served

    def handler(self) -> type[QuietHandler]:
        """A request handler class answering from this fake's queue."""
        fake = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                status, content = fake.answers.pop(0) if fake.answers else (200, '{"stance": "neutral"}')
                payload = {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]}
                data = json.dumps(payload).encode() if status == 200 else b'{"error": "busy"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    @contextmanager
    def served(self) -> Iterator["FakeChat"]:
        """This fake on a real server on 127.0.0.1 for the block (``url`` is its /v1 base)."""
        with serving(self.handler()) as url:
            self.url = f"{url}/v1"
            yield self
