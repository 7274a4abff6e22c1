"""Limits per client address: a client over its request rate is told to slow
down (Gemini 44 SECONDS, a Gopher error item) while other addresses are
served as usual; the cap on connections per address holds; both are on by
default and configurable. Clients bind to other loopback addresses
(127.0.0.x) to stand for different hosts."""
import os
import re
import socket
import subprocess
import time

from harness import Server, client_context, kabar_bin, patience, read_all, tempdir

SLOW_DOWN = re.compile(rb"^3Too many requests: try again in (\d+) seconds\t[^\r\n]*\r\n\.\r\n$")


def connect_from(port, source, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=patience(timeout),
                                 source_address=(source, 0))
    return s


def gemini_from(port, source, url="gemini://localhost/"):
    tls = client_context().wrap_socket(connect_from(port, source), server_hostname="localhost")
    try:
        tls.sendall(url.encode() + b"\r\n")
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                return data
            data += chunk
    finally:
        tls.close()


def gopher_from(port, source, selector=""):
    s = connect_from(port, source)
    try:
        s.sendall(selector.encode() + b"\r\n")
        return read_all(s)
    finally:
        s.close()


def header(raw):
    return raw.split(b"\r\n", 1)[0].decode()


def test_gemini_over_the_rate_gets_44_with_the_wait():
    config = "limits:\n  requests_per_minute: 6\n"
    with Server(config=config) as srv:
        for _ in range(6):
            assert header(gemini_from(srv.gemini_port, "127.0.0.2")).startswith("20 ")
        # The bucket is empty: one request comes back every 10 s.
        answer = header(gemini_from(srv.gemini_port, "127.0.0.2"))
        assert answer in ("44 10", "44 9"), answer
        # Another address is served as if nothing happened.
        assert header(gemini_from(srv.gemini_port, "127.0.0.3")).startswith("20 ")
        lines = [l for l in srv.log().splitlines() if '"gemini://localhost/"' in l]
        assert sum(1 for l in lines if " 44 " in l) == 1, lines


def test_gopher_over_the_rate_gets_an_error_item():
    config = "limits:\n  requests_per_minute: 3\n"
    with Server(config=config) as srv:
        for _ in range(3):
            assert gopher_from(srv.gopher_port, "127.0.0.4").endswith(b".\r\n")
        answer = gopher_from(srv.gopher_port, "127.0.0.4", "/news/")
        m = SLOW_DOWN.match(answer)
        assert m and int(m.group(1)) in (19, 20), answer
        assert not SLOW_DOWN.match(gopher_from(srv.gopher_port, "127.0.0.5"))


def test_the_allowance_comes_back_at_the_rate():
    # 120 a minute: one request back every half second.
    config = "limits:\n  requests_per_minute: 120\n"
    with Server(config=config) as srv:
        answers = [gopher_from(srv.gopher_port, "127.0.0.6") for _ in range(125)]
        limited = [a for a in answers if SLOW_DOWN.match(a)]
        assert 1 <= len(limited) <= 5, len(limited)
        assert SLOW_DOWN.match(answers[-1]), answers[-1][:80]
        time.sleep(1.2)
        assert not SLOW_DOWN.match(gopher_from(srv.gopher_port, "127.0.0.6"))


def test_connections_per_address_cap_holds():
    config = "limits:\n  connections_per_address: 4\n"
    with Server(config=config, args=["--workers", "2"]) as srv:
        held = [connect_from(srv.gopher_port, "127.0.0.7") for _ in range(4)]
        for s in held:
            s.sendall(b"/")  # half a request: each holds its connection
        time.sleep(0.3)
        extra = connect_from(srv.gopher_port, "127.0.0.7")
        extra.sendall(b"\r\n")
        # The fifth is closed at once, unanswered.
        try:
            got = read_all(extra)
        except ConnectionResetError:
            got = b""
        assert got == b"", got
        extra.close()
        # Another address is not held back.
        assert gopher_from(srv.gopher_port, "127.0.0.8").endswith(b".\r\n")
        # One closes: the address may connect again.
        held.pop().close()
        time.sleep(0.3)
        assert gopher_from(srv.gopher_port, "127.0.0.7").endswith(b".\r\n")
        for s in held:
            s.sendall(b"\r\n")
            assert read_all(s).endswith(b".\r\n")
            s.close()
        assert srv.log().count("refusing more until one closes") == 1, srv.log()


def test_limits_on_by_default_and_can_be_turned_off():
    with Server() as srv:
        # 600 a minute, a minute's worth at once: the first 600 all pass, and
        # soon after the allowance is spent (it refills at 10 a second).
        start = time.monotonic()
        answers = [gopher_from(srv.gopher_port, "127.0.0.9") for _ in range(700)]
        took = time.monotonic() - start
        limited = [i for i, a in enumerate(answers) if SLOW_DOWN.match(a)]
        assert limited and limited[0] >= 600, limited[:3]
        assert len(limited) >= 100 - 10 * took - 1, (len(limited), took)
    config = "limits:\n  requests_per_minute: 0\n  connections_per_address: 0\n"
    with Server(config=config) as srv:
        answers = [gopher_from(srv.gopher_port, "127.0.0.9") for _ in range(700)]
        assert not any(SLOW_DOWN.match(a) for a in answers)
        held = [connect_from(srv.gopher_port, "127.0.0.9") for _ in range(80)]
        time.sleep(0.2)
        assert gopher_from(srv.gopher_port, "127.0.0.9").endswith(b".\r\n")
        for s in held:
            s.close()


def test_limit_keys_are_checked():
    path = os.path.join(tempdir(), "kabar.yaml")
    with open(path, "w") as f:
        f.write("limits:\n  requests_per_minute: -1\n  connections_per_address: lots\n"
                "chroot: maybe\n")
    r = subprocess.run([kabar_bin(), "check", "--config", path], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stdout
    out = r.stdout
    assert f"{path}:2:24: requests_per_minute:" in out, out
    assert f"{path}:3:28: connections_per_address: expected an integer" in out, out
    assert f"{path}:4:9: chroot:" in out, out
