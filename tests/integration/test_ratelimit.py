"""Limits per client address: a client over its request rate is told to slow
down (Gemini 44 SECONDS, a Gopher error item) while other addresses are
served as usual; the cap on connections per address holds; both are on by
default and configurable. Clients bind to other loopback addresses
(127.0.0.x) to stand for different hosts."""
import os
import re
import select
import socket
import subprocess
import time

from harness import (Server, client_context, kabar_bin, patience, read_all, tempdir,
                     wait_until)

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


def until_limited(ask, is_limited, most):
    """Asks until the first limited answer (at most `most` times). Returns how
    many passed, that answer, and the seconds from before the first request
    to after it: the server's bucket refilled for no longer than that, so a
    bound drawn from it holds however slow the machine is."""
    start = time.monotonic()
    passed = 0
    for _ in range(most):
        answer = ask()
        if is_limited(answer):
            return passed, answer, time.monotonic() - start
        passed += 1
    raise AssertionError(f"{passed} requests passed, none limited")


def test_gemini_over_the_rate_gets_44_with_the_wait():
    config = "limits:\n  requests_per_minute: 6\n"
    with Server(config=config) as srv:
        passed, answer, took = until_limited(
            lambda: header(gemini_from(srv.gemini_port, "127.0.0.2")),
            lambda a: not a.startswith("20 "), 50)
        # A minute's allowance at once, then one request back every 10 s.
        assert 6 <= passed <= 6 + int(took / 10), (passed, took)
        m = re.fullmatch(r"44 (\d+)", answer)
        assert m and 10 - took - 1 <= int(m.group(1)) <= 10, (answer, took)
        # Another address is served as if nothing happened.
        assert header(gemini_from(srv.gemini_port, "127.0.0.3")).startswith("20 ")
        # Access lines are written in batches, up to 100 ms after the answer.
        limited = lambda: [l for l in srv.log().splitlines()
                           if '"gemini://localhost/"' in l and " 44 " in l]
        assert wait_until(lambda: len(limited()) >= 1), srv.log()
        assert len(limited()) == 1, limited()


def test_gopher_over_the_rate_gets_an_error_item():
    config = "limits:\n  requests_per_minute: 3\n"
    with Server(config=config) as srv:
        passed, answer, took = until_limited(
            lambda: gopher_from(srv.gopher_port, "127.0.0.4", "/news/"),
            SLOW_DOWN.match, 50)
        assert 3 <= passed <= 3 + int(took / 20), (passed, took)
        m = SLOW_DOWN.match(answer)
        assert 20 - took - 1 <= int(m.group(1)) <= 20, (answer, took)
        assert not SLOW_DOWN.match(gopher_from(srv.gopher_port, "127.0.0.5"))


def test_the_allowance_comes_back_at_the_rate():
    # 120 a minute: one request back every half second.
    config = "limits:\n  requests_per_minute: 120\n"
    with Server(config=config) as srv:
        sent = [0.0]

        def ask():
            sent[0] = time.monotonic()
            return gopher_from(srv.gopher_port, "127.0.0.6")

        passed, answer, took = until_limited(ask, SLOW_DOWN.match, 1000)
        assert 120 <= passed <= 120 + 2 * took, (passed, took)
        # The next token is at most half a second away: "1 seconds".
        assert int(SLOW_DOWN.match(answer).group(1)) == 1, answer
        # Empty when that request came (less than one token left); after
        # 1.2 s at least two are back, and no more than the time allows.
        empty_at = sent[0]
        time.sleep(1.2)
        passed, _, _ = until_limited(ask, SLOW_DOWN.match, 1000)
        since = time.monotonic() - empty_at
        assert 2 <= passed <= 1 + 2 * since, (passed, since)


def test_connections_per_address_cap_holds():
    config = "limits:\n  connections_per_address: 4\n"
    with Server(config=config, args=["--workers", "2"]) as srv:
        socks = [connect_from(srv.gopher_port, "127.0.0.7") for _ in range(5)]
        for s in socks:
            s.sendall(b"/")  # half a request: each holds its connection
        # Whichever the server takes fifth is closed at once, unanswered;
        # the other four wait for the rest of their requests.
        closed, _, _ = select.select(socks, [], [], patience(10))
        assert len(closed) == 1, closed
        try:
            got = closed[0].recv(100)
        except ConnectionResetError:
            got = b""
        assert got == b"", got
        closed[0].close()
        held = [s for s in socks if s is not closed[0]]
        # Another address is not held back.
        assert gopher_from(srv.gopher_port, "127.0.0.8").endswith(b".\r\n")
        # One closes: the address may connect again, once the server has
        # seen it close (asked again until then; those refusals are quiet).
        held.pop().close()

        def served_again():
            try:
                return gopher_from(srv.gopher_port, "127.0.0.7").endswith(b".\r\n")
            except OSError:
                return False

        assert wait_until(served_again, timeout=10)
        for s in held:
            s.sendall(b"\r\n")
            assert read_all(s).endswith(b".\r\n")
            s.close()
        assert srv.log().count("refusing more until one closes") == 1, srv.log()


def test_limits_on_by_default_and_can_be_turned_off():
    with Server() as srv:
        # 600 a minute, a minute's worth at once: the first 600 all pass, and
        # then only what came back at 10 a second.
        passed, _, took = until_limited(lambda: gopher_from(srv.gopher_port, "127.0.0.9"),
                                        SLOW_DOWN.match, 2000)
        assert 600 <= passed <= 600 + 10 * took, (passed, took)
    config = "limits:\n  requests_per_minute: 0\n  connections_per_address: 0\n"
    with Server(config=config) as srv:
        answers = [gopher_from(srv.gopher_port, "127.0.0.9") for _ in range(700)]
        assert not any(SLOW_DOWN.match(a) for a in answers)
        held = [connect_from(srv.gopher_port, "127.0.0.9") for _ in range(80)]
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
