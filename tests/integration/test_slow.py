"""Slow clients: a thousand connections that send nothing or one byte a
second, and clients that never read their response, while another client
gets every answer in normal time; the slow ones are cut at the timeout."""
import errno
import os
import resource
import select
import socket
import time

from harness import Server, copy_capsule, gemini, gopher, patience, wait_until

CONFIG = ("timeouts:\n  request: 2s\n  idle: 1s\n"
          "limits:\n  max_connections: 2000\n  connections_per_address: 64\n")


def raise_descriptor_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def open_many(port, count, first_address=2):
    """count connections from 127.0.0.N, at most 50 per address (under the
    per-address cap), all connected before returning."""
    socks = []
    for i in range(count):
        source = f"127.0.0.{first_address + i // 50}"
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((source, 0))
        s.settimeout(patience(10))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append(s)
    return socks


def closed_by_server(s):
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError as e:
        return e.errno in (errno.ECONNRESET, errno.EPIPE)


def wait_all_closed(socks, timeout):
    """Polls until the server has closed every socket; returns those still open."""
    open_ones = list(socks)
    deadline = time.monotonic() + timeout
    while open_ones and time.monotonic() < deadline:
        ready, _, _ = select.select(open_ones[:1000], [], [], 0.2)
        open_ones = [s for s in open_ones if not (s in ready and closed_by_server(s))]
    return open_ones


def test_a_thousand_silent_and_trickling_clients():
    raise_descriptor_limit(4096)
    with Server(config=CONFIG, args=["--workers", "2"]) as srv:
        start = time.monotonic()
        silent = open_many(srv.gopher_port, 250) + open_many(srv.gemini_port, 250, 7)
        trickle = open_many(srv.gopher_port, 250, 12) + open_many(srv.gemini_port, 250, 17)
        opened = time.monotonic()
        # Meanwhile one more client asks, again and again, and is answered at once.
        slowest = 0.0
        while time.monotonic() - opened < 1.5:
            for s in trickle:
                try:
                    s.send(b"/" if s.getpeername()[1] == srv.gopher_port else b"\x16")
                except OSError:
                    pass
            t0 = time.monotonic()
            assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
            assert gopher(srv.gopher_port, "/news/").endswith(b".\r\n")
            slowest = max(slowest, time.monotonic() - t0)
            time.sleep(0.3)
        # Well under the request timeout (2 s) that a blocked worker would wait for.
        assert slowest < patience(1.5), f"a normal request took {slowest:.2f} s"
        # The request timeout (2 s) cuts every one of them.
        left = wait_all_closed(silent + trickle, patience(6))
        took = time.monotonic() - start
        assert not left, f"{len(left)} slow clients still connected after {took:.1f} s"
        assert took > 1.8, f"cut after {took:.1f} s, before the timeout"
        for s in silent + trickle:
            s.close()
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
        fds = len(os.listdir(f"/proc/{srv.proc.pid}/fd"))
        assert fds < 100, f"{fds} descriptors still open"


def test_clients_that_never_read_are_dropped():
    capsule = copy_capsule()
    with open(os.path.join(capsule, "big.bin"), "wb") as f:
        f.write(os.urandom(8 * 1024 * 1024))
    with Server(capsule=capsule, config=CONFIG, args=["--workers", "1"]) as srv:
        readers = []
        for i in range(40):
            s = socket.create_connection(("127.0.0.1", srv.gopher_port),
                                         source_address=(f"127.0.0.{30 + i // 20}", 0))
            s.sendall(b"/big.bin\r\n")
            s.setblocking(False)
            readers.append(s)
        # Every answer is stuck in full socket buffers; others are served.
        for _ in range(5):
            t0 = time.monotonic()
            assert gopher(srv.gopher_port, "/news/").endswith(b".\r\n")
            assert time.monotonic() - t0 < patience(0.5)
        # After the idle timeout (1 s without progress) they are cut: each
        # is logged with what it got, and its descriptor is closed.
        size = 8 * 1024 * 1024

        def cut_lines():
            return [l for l in srv.log().splitlines() if '"/big.bin" 0 ' in l]

        assert wait_until(lambda: len(cut_lines()) == len(readers), 5), srv.log()[-2000:]
        for line in cut_lines():
            sent = int(line.split('"/big.bin" 0 ')[1].split()[0])
            assert sent < size, line
        fds = len(os.listdir(f"/proc/{srv.proc.pid}/fd"))
        assert fds < 40, f"{fds} descriptors still open"
        for s in readers:
            s.close()
        assert gopher(srv.gopher_port, "").endswith(b".\r\n")
