"""Gopher and Gopher over TLS on one port: the server reads first and
tells them apart by the first byte, however the client's bytes arrive."""

import socket
import ssl
import time

from harness import Server, client_context, gopher


def tls_gopher_split(port, selector, first_piece):
    """A TLS Gopher request whose ClientHello leaves in two writes: its
    first first_piece bytes, a pause, then the rest."""
    ctx = client_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=None)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = outgoing.read()
        sock.sendall(hello[:first_piece])
        time.sleep(0.2)
        sock.sendall(hello[first_piece:])
        sent_request = False
        data = b""
        while True:
            chunk = sock.recv(65536)
            if chunk:
                incoming.write(chunk)
            else:
                incoming.write_eof()
            try:
                if not sent_request:
                    tls.do_handshake()
                    tls.write(selector.encode() + b"\r\n")
                    sent_request = True
                while piece := tls.read(65536):
                    data += piece
            except (ssl.SSLWantReadError, ssl.SSLZeroReturnError, ssl.SSLEOFError):
                pass
            out = outgoing.read()
            if out:
                sock.sendall(out)
            if not chunk:
                return data
    finally:
        sock.close()


def test_plain_and_tls_gopher_on_one_listener():
    with Server(gemini=0) as srv:
        plain = gopher(srv.gopher_port, "/")
        assert plain.endswith(b".\r\n") and b"\t" in plain
        over_tls = gopher(srv.gopher_port, "/", tls=True)
        assert over_tls == plain, over_tls[:200]
        for first_piece in (1, 5, 40):
            split = tls_gopher_split(srv.gopher_port, "/", first_piece)
            assert split == over_tls, (first_piece, split[:200])
        # A plain selector that happens to be short, after the TLS ones.
        assert gopher(srv.gopher_port, "/") == plain
