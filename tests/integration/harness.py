#!/usr/bin/env python3
"""Integration-test harness: starts the real kabar binary on free loopback
ports and talks to it over the wire.

Run as `harness.py tests/integration/test_x.py`: it imports the module, runs
each test_* function in file order, prints PASS/FAIL/SKIP lines and ends with
"N passed, N failed, N skipped". A test fails by raising (assert), skips by
raising Skip.
"""
import importlib.util
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(REPO), "shared")
# Under valgrind (KABAR_SLOW set) kabar runs ten to fifty times slower:
# waits stretch by this factor so that the test still checks behaviour.
SLOWDOWN = 20 if os.environ.get("KABAR_SLOW") else 1


def patience(seconds):
    """seconds, stretched when kabar runs under valgrind."""
    return seconds * SLOWDOWN


class Skip(Exception):
    """Raised by a test that cannot run here (a missing tool, no ../shared)."""


def kabar_bin():
    return os.environ.get("KABAR_BIN", os.path.join(REPO, "build", "kabar"))


def shared_path(*parts):
    """A path under ../shared, or Skip when the folder is absent (a fresh clone)."""
    path = os.path.join(SHARED, *parts)
    if not os.path.exists(path):
        raise Skip(f"{path} is absent")
    return path


def need_tool(name):
    path = shutil.which(name)
    if path is None:
        raise Skip(f"{name} is not installed")
    return path


def tempdir():
    """A fresh folder that is removed when the harness process ends."""
    d = tempfile.mkdtemp(prefix="kabar-test-")
    _CLEANUP.append(d)
    return d


_CLEANUP = []


def committed_sample_capsule():
    """The sample capsule as committed. A reader who follows the README adds
    articles to capsule/ (the seed, say); the tests must see what they were
    written for all the same. Outside a git checkout: capsule/ as it is."""
    here = os.path.join(REPO, "capsule")
    try:
        listed = subprocess.run(["git", "-C", REPO, "ls-files", "-z", "--", "capsule"],
                                capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return here
    names = [n.decode() for n in listed.split(b"\0") if n]
    if not names:
        return here
    parent = tempdir()
    os.chmod(parent, 0o755)  # reachable by path, as a checkout is, after the drop
    for name in names:
        dst = os.path.join(parent, name)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(REPO, name), dst)
    return os.path.join(parent, "capsule")


SAMPLE_CAPSULE = committed_sample_capsule()


def copy_capsule(src=SAMPLE_CAPSULE):
    """A private copy of a capsule, so a test may change it freely."""
    dst = os.path.join(tempdir(), "capsule")
    shutil.copytree(src, dst, symlinks=True)
    return dst


class Server:
    """The real binary, started on port 0 and asked where it listens.

    kabar prints one line per bound socket on stdout, e.g.
    "listening gemini 127.0.0.1:40321"; Server waits for as many lines as
    listeners it asked for. Logs (stderr) go to a file: see log().
    """

    def __init__(self, capsule=SAMPLE_CAPSULE, config=None, gemini=1, gopher=1,
                 args=(), host="127.0.0.1", wrapper=None, certs=None, env=None,
                 wait_loaded=True):
        self.capsule = capsule
        self.workdir = tempdir()
        self.certs = certs or os.path.join(self.workdir, "certs")
        cmd = [kabar_bin(), "serve"]
        if config is not None:
            path = os.path.join(self.workdir, "kabar.yaml")
            with open(path, "w") as f:
                f.write(config)
            cmd += ["--config", path]
        if capsule is not None:
            cmd += ["--capsule", capsule]
        cmd += ["--certs", self.certs]
        addr = f"[{host}]" if ":" in host else host
        for _ in range(gemini):
            cmd += ["--gemini", f"{addr}:0"]
        for _ in range(gopher):
            cmd += ["--gopher", f"{addr}:0"]
        cmd += list(args)
        wrapper = wrapper or os.environ.get("KABAR_WRAPPER")
        if wrapper:
            cmd = wrapper.split() + cmd
        self.cmd = cmd
        self.expected = gemini + gopher
        self.env = dict(os.environ, **(env or {}))
        self.proc = None
        self.listeners = {"gemini": [], "gopher": []}
        self.logpath = os.path.join(self.workdir, "stderr.log")
        self.wait_loaded = wait_loaded

    def start(self, timeout=30):
        timeout = patience(timeout)
        self.logfile = open(self.logpath, "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self.logfile, env=self.env, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        pending = b""
        found = 0
        while found < self.expected:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise AssertionError(f"kabar did not report its listeners: {self.log()}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                self.proc.wait(5)
                raise AssertionError(f"kabar exited ({self.proc.returncode}): {self.log()}")
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                words = line.decode().split()
                if len(words) == 3 and words[0] == "listening" and words[1] in self.listeners:
                    hostport = words[2]
                    self.listeners[words[1]].append(int(hostport.rsplit(":", 1)[1]))
                    found += 1
        # kabar answers while its first load runs; tests start from the
        # loaded capsule (test_firstload looks at the load itself).
        while self.wait_loaded and "first load done for every host" not in self.log():
            if self.proc.poll() is not None:
                raise AssertionError(f"kabar exited ({self.proc.returncode}): {self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"kabar did not finish its first load: {self.log()}")
            time.sleep(0.01)
        return self

    @property
    def gemini_port(self):
        return self.listeners["gemini"][0]

    @property
    def gopher_port(self):
        return self.listeners["gopher"][0]

    def log(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=20):
        """SIGTERM, then expect a clean exit 0 (and a clean sanitizer run)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        timeout = patience(timeout)
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("kabar did not stop within %d s of SIGTERM" % timeout)
        self.logfile.close()
        self.proc.stdout.close()
        log = self.log()
        assert code == 0, f"kabar exited {code} after SIGTERM: {log[-3000:]}"
        for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer",
                       "Invalid read", "Invalid write", "definitely lost: [1-9]"):
            assert marker not in log, f"sanitizer or valgrind report: {log[-5000:]}"
        return code

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.stop()
        else:
            self.kill()
        return False


def client_context(cert=None, key=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def connect(port, host="127.0.0.1", timeout=10):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(patience(timeout))
    s.connect((host, port))
    return s


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


class GeminiResponse:
    def __init__(self, raw, close_notify):
        self.raw = raw
        head, sep, self.body = raw.partition(b"\r\n")
        self.header = head.decode("utf-8", "replace") if sep else None
        parts = (self.header or "").split(" ", 1)
        self.status = int(parts[0]) if parts[0].isdigit() else None
        self.meta = parts[1] if len(parts) > 1 else ""
        self.close_notify = close_notify

    @property
    def text(self):
        return self.body.decode("utf-8")

    def __repr__(self):
        return f"<gemini {self.header!r} {len(self.body)} bytes>"


def gemini(port, request, host="127.0.0.1", sni="localhost", timeout=10, ctx=None):
    """Sends request (str or bytes; CRLF added to a str) and reads to the end.
    sni=None sends no server name, as a client connecting by address would."""
    if isinstance(request, str):
        request = request.encode() + b"\r\n"
    ctx = ctx or client_context()
    raw_sock = connect(port, host, timeout)
    tls = ctx.wrap_socket(raw_sock, server_hostname=sni, suppress_ragged_eofs=False)
    try:
        tls.sendall(request)
        data = b""
        close_notify = True
        while True:
            try:
                chunk = tls.recv(65536)
            except ssl.SSLEOFError:
                close_notify = False
                break
            if not chunk:
                break
            data += chunk
        return GeminiResponse(data, close_notify)
    finally:
        tls.close()


def gopher(port, selector, host="127.0.0.1", timeout=10, tls=False):
    """Sends a selector (str gets CRLF added) and returns the whole reply."""
    if isinstance(selector, str):
        selector = selector.encode() + b"\r\n"
    sock = connect(port, host, timeout)
    if tls:
        sock = client_context().wrap_socket(sock, server_hostname=None)
    try:
        sock.sendall(selector)
        return read_all(sock)
    finally:
        sock.close()


def display_width(text):
    """Display columns, as a terminal shows them: wide (CJK) characters
    count two, combining marks and format characters none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


class Tmux:
    """A tmux server of the test's own (its own socket name), so ending it
    ends nothing else; terminal clients run in its session."""

    started = 0  # a fresh socket each time: a killed server may still be going

    def __init__(self, tmux, session):
        self.tmux = tmux
        self.session = session
        Tmux.started += 1
        self.socket = f"kabar-test-{os.getpid()}-{session}-{Tmux.started}"

    def __call__(self, *args):
        return subprocess.run([self.tmux, "-L", self.socket, *args], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=10)

    def start(self, command, width=100, height=40):
        r = self("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                 command)
        assert r.returncode == 0, r.stderr

    def keys(self, *keys):
        for key in keys:
            self("send-keys", "-t", self.session, key)

    def screen(self):
        return self("capture-pane", "-p", "-t", self.session).stdout

    def kill(self):
        self("kill-server")


def wait_until(predicate, timeout=5.0, step=0.05):
    """Polls predicate until it returns a true value; returns it or the last value."""
    deadline = time.monotonic() + patience(timeout)
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = predicate()
    return value


def run_module(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, os.path.dirname(path))
    spec.loader.exec_module(module)
    tests = [(n, f) for n, f in vars(module).items() if n.startswith("test_") and callable(f)]
    tests.sort(key=lambda t: t[1].__code__.co_firstlineno)
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    for name, fn in tests:
        start = time.monotonic()
        try:
            fn()
        except Skip as e:
            counts["skipped"] += 1
            print(f"SKIP {name}: {e}", flush=True)
            continue
        except BaseException:  # a test's failure, whatever it raised
            counts["failed"] += 1
            print(f"FAIL {name}\n{traceback.format_exc()}", flush=True)
            continue
        counts["passed"] += 1
        print(f"PASS {name} ({time.monotonic() - start:.2f} s)", flush=True)
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    # Test modules `import harness`: let them share this module (and so its
    # Skip class) instead of loading a second copy whose Skip is not caught.
    sys.modules["harness"] = sys.modules[__name__]
    try:
        code = run_module(sys.argv[1])
    finally:
        for d in _CLEANUP:
            shutil.rmtree(d, ignore_errors=True)
    sys.exit(code)
