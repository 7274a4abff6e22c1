"""The access log, written by each worker in batches: no line is lost when
the server stops under load or when the log is rotated under load."""

import os
import signal
import socket
import threading

from harness import Server, copy_capsule, patience, wait_until

SELECTORS = ["/about.gmi", "", "/news/", "/ferry"]


def log_setup():
    capsule = copy_capsule()
    log_dir = os.path.dirname(capsule)
    os.chmod(log_dir, 0o777)  # the server writes here after dropping root
    return capsule, os.path.join(log_dir, "access.log")


def ask(port, selector):
    """One Gopher request; True if the whole answer came (the server closed
    after sending), False if the connection was refused or cut."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=patience(10)) as s:
            s.sendall(selector.encode() + b"\r\n")
            got = b""
            while True:
                data = s.recv(65536)
                if not data:
                    break
                got += data
            return len(got) > 0
    except OSError:
        return False


class Load:
    """Clients asking in a loop until stopped; counts whole answers per
    selector."""

    def __init__(self, port, clients=4):
        self.port = port
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answered = {}
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(clients)]

    def run(self, i):
        n = 0
        while not self.stopping.is_set():
            selector = f"{SELECTORS[n % len(SELECTORS)]}?c{i}n{n}" if n % 2 else \
                SELECTORS[n % len(SELECTORS)]
            if ask(self.port, selector):
                with self.lock:
                    self.answered[selector] = self.answered.get(selector, 0) + 1
            n += 1

    def total(self):
        with self.lock:
            return sum(self.answered.values())

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(patience(30))
        return False


def requests_logged(*paths):
    """Each access line's request, from every file given; every line whole."""
    out = []
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            for line in f:
                assert line.endswith("\n") and line.count('"') == 2, line
                out.append(line.split('"')[1])
    return out


def test_every_line_written_when_stopped_under_load():
    capsule, log_path = log_setup()
    srv = Server(capsule=capsule, config=f"access_log: {log_path}\n", gemini=0).start()
    try:
        with Load(srv.gopher_port) as load:
            assert wait_until(lambda: load.total() >= 200, 60), srv.log()
            # Stopped while clients keep asking: what was answered is logged.
            srv.signal(signal.SIGTERM)
            assert srv.proc.wait(patience(20)) == 0, srv.log()
    finally:
        srv.kill()
    logged = requests_logged(log_path)
    for selector, count in load.answered.items():
        assert logged.count(selector) >= count, (selector, count, logged.count(selector))
    assert len(logged) >= load.total()


def test_every_line_kept_across_rotation_under_load():
    capsule, log_path = log_setup()
    with Server(capsule=capsule, config=f"access_log: {log_path}\n", gemini=0) as srv:
        with Load(srv.gopher_port) as load:
            assert wait_until(lambda: load.total() >= 100, 60)
            os.rename(log_path, log_path + ".1")
            srv.signal(signal.SIGUSR1)
            assert wait_until(lambda: os.path.exists(log_path))
            before = load.total()
            assert wait_until(lambda: load.total() >= before + 100, 60)
        answered = dict(load.answered)
        # Lines reach the file within a tenth of a second; allow far more.
        assert wait_until(lambda: len(requests_logged(log_path + ".1", log_path))
                          >= sum(answered.values()), 10)
    logged = requests_logged(log_path + ".1", log_path)
    for selector, count in answered.items():
        assert logged.count(selector) == count, (selector, count, logged.count(selector))
    assert len(requests_logged(log_path)) > 0


def test_lines_reach_an_idle_servers_log_soon():
    capsule, log_path = log_setup()
    with Server(capsule=capsule, config=f"access_log: {log_path}\n", gemini=0) as srv:
        assert ask(srv.gopher_port, "/about.gmi?idle")
        # Batched, but not held while the server waits: due within 100 ms.
        assert wait_until(lambda: "/about.gmi?idle" in requests_logged(log_path), 5)
