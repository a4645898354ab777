"""Small threaded HTTP servers on 127.0.0.1 for the exchange tests: a fake peer that answers
with whatever a function returns, and a forwarding proxy in front of a real server that may
change answers on the way (one flipped byte in a CAR block)."""

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade"}


class FakeServer:
    """Answers every request with `answer(method, target, headers, body) -> (status, headers, body)`."""

    def __init__(self, answer):
        self.answer = answer
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, content = outer.answer(self.command, self.path, self.headers, body)
                self.send_response(status)
                for name, value in headers.items():
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class Proxy(FakeServer):
    """Forwards every request to `upstream` (a base URL, which may be set after the proxy starts,
    for a server that must know the proxy's URL first); `rewrite(method, path, status, headers,
    body) -> body` may change an answer before it goes back. Counts the answers it changed."""

    def __init__(self, upstream=None, rewrite=None):
        self.upstream = urlsplit(upstream) if upstream else None
        self.rewrite = rewrite
        self.lock = threading.Lock()
        self.rewritten = 0
        super().__init__(self.forward)

    def forward_to(self, upstream):
        self.upstream = urlsplit(upstream)

    def forward(self, method, target, headers, body):
        if self.upstream is None:
            return 503, {"Content-Type": "text/plain"}, b"no upstream yet"
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=300)
        try:
            forwarded = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(method, target, body=body if body or method in ("POST", "PUT") else None,
                               headers=forwarded)
            response = connection.getresponse()
            content = response.read()
            answer_headers = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
            if self.rewrite:
                changed = self.rewrite(method, urlsplit(target).path, response.status, answer_headers, content)
                if changed != content:
                    with self.lock:
                        self.rewritten += 1
                    content = changed
            return response.status, answer_headers, content
        finally:
            connection.close()


def read_varint(data, offset):
    value, shift = 0, 0
    while True:
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, offset
        shift += 7


def cid_length(data, offset):
    """Length of the binary CIDv1 at `offset`: version, codec, multihash code, digest length, digest."""
    start = offset
    for _ in range(3):
        _, offset = read_varint(data, offset)
    size, offset = read_varint(data, offset)
    return offset + size - start


def flip_first_block_byte(car: bytes) -> bytes:
    """A CARv1 stream with one byte inside the first block's payload inverted."""
    header_length, offset = read_varint(car, 0)
    offset += header_length
    if offset >= len(car):
        return car
    section_length, offset = read_varint(car, offset)
    payload = offset + cid_length(car, offset)
    end = offset + section_length
    if payload >= end:
        return car
    position = payload + (end - payload) // 2
    return car[:position] + bytes([car[position] ^ 0xFF]) + car[position + 1:]


def corrupt_chunks(method, path, status, headers, body):
    """`Proxy` rewrite: damage the first block of every `POST /exchange/v1/chunks` answer."""
    if method == "POST" and path == "/exchange/v1/chunks" and status == 200:
        return flip_first_block_byte(body)
    return body
