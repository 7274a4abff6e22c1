"""Two Kabar instances behind HAProxy in TCP mode, configured from the
sample dist/haproxy.cfg: Gemini routed by SNI with TLS passed through, and
Gopher. Skips when haproxy is not installed (scripts/install-deps.sh test
installs it)."""
import os
import re
import socket
import subprocess
import time

from harness import (REPO, SAMPLE_CAPSULE, Server, Skip, client_context, connect, copy_capsule,
                     gemini, gopher, patience, tempdir, wait_until)

SAMPLE = os.path.join(REPO, "dist", "haproxy.cfg")


def need_haproxy():
    for folder in os.environ.get("PATH", "").split(":") + ["/usr/sbin", "/sbin"]:
        path = os.path.join(folder, "haproxy")
        if os.access(path, os.X_OK):
            return path
    raise Skip("haproxy is not installed")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy_config(gemini_port, gopher_port, first, second):
    """The sample with loopback addresses: its binds on the given ports, its
    servers kabar1 and kabar2 at the two instances' ports."""
    text = open(SAMPLE).read()
    text = text.replace("bind :1965", f"bind 127.0.0.1:{gemini_port}")
    text = text.replace("bind :70", f"bind 127.0.0.1:{gopher_port}")
    text = text.replace("log /dev/log local0", "")
    text = text.replace("10.0.0.11:1965", f"127.0.0.1:{first.gemini_port}")
    text = text.replace("10.0.0.12:1965", f"127.0.0.1:{second.gemini_port}")
    text = text.replace("10.0.0.11:70", f"127.0.0.1:{first.gopher_port}")
    text = text.replace("10.0.0.12:70", f"127.0.0.1:{second.gopher_port}")
    assert "10.0.0." not in text and ":1965" not in text
    path = os.path.join(tempdir(), "haproxy.cfg")
    with open(path, "w") as f:
        f.write(text)
    return path


def site_config():
    kabar = copy_capsule()
    berita = copy_capsule()
    with open(os.path.join(berita, "index.gmi"), "w") as f:
        f.write("Berita dari Barru.\n")
    for path in (os.path.dirname(kabar), os.path.dirname(berita)):
        os.chmod(path, 0o755)  # read by the instances after they drop root
    return ("hosts:\n"
            f"  - hostname: kabar.example\n    capsule: {kabar}\n    title: Kabar Pesisir\n"
            f"  - hostname: berita.example\n    capsule: {berita}\n    title: Berita Barru\n")


def peer_certificate(port, sni):
    sock = client_context().wrap_socket(connect(port), server_hostname=sni)
    try:
        return sock.getpeercert(binary_form=True)
    finally:
        sock.close()


def through_proxy(fetch):
    """HAProxy accepts before its first health check: retry briefly."""
    deadline = time.monotonic() + patience(10)
    while True:
        try:
            return fetch()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_two_instances_behind_haproxy():
    haproxy = need_haproxy()
    config = site_config()
    certs = os.path.join(tempdir(), "certs")
    # The first instance makes the certificates; the second finds them.
    first = Server(capsule=None, config=config, certs=certs).start()
    second = None
    proxy = None
    try:
        second = Server(capsule=None, config=config, certs=certs).start()
        for sni in ("kabar.example", "berita.example"):
            assert peer_certificate(first.gemini_port, sni) == \
                peer_certificate(second.gemini_port, sni), sni

        gemini_port, gopher_port = free_port(), free_port()
        cfg = proxy_config(gemini_port, gopher_port, first, second)
        r = subprocess.run([haproxy, "-c", "-f", cfg], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        log = open(os.path.join(tempdir(), "haproxy.log"), "w+b")
        proxy = subprocess.Popen([haproxy, "-db", "-f", cfg], stdin=subprocess.DEVNULL,
                                 stdout=log, stderr=subprocess.STDOUT)

        for _ in range(4):
            page = through_proxy(lambda: gemini(gemini_port, "gemini://kabar.example/",
                                                sni="kabar.example"))
            assert page.status == 20 and "Kabar Pesisir" in page.text, page
        # Whichever instance answers, a TOFU client sees one certificate.
        for _ in range(2):
            assert peer_certificate(gemini_port, "kabar.example") == \
                peer_certificate(first.gemini_port, "kabar.example")
        page = through_proxy(lambda: gemini(gemini_port, "gemini://berita.example/",
                                            sni="berita.example"))
        assert page.status == 20 and "Berita dari Barru" in page.text, page.text[:300]

        menu = through_proxy(lambda: gopher(gopher_port, "/"))
        assert menu.endswith(b".\r\n") and b"Kabar Pesisir" in menu

        # Both instances served kabar.example; berita.example went only to
        # the second, as its SNI rule says.
        served = wait_until(lambda: "gemini://kabar.example/" in first.log()
                            and "gemini://kabar.example/" in second.log(), 5)
        assert served, (first.log()[-1500:], second.log()[-1500:])
        assert "gemini://berita.example/" in second.log()
        assert "gemini://berita.example/" not in first.log()
    finally:
        if proxy is not None:
            proxy.terminate()
            try:
                proxy.wait(10)
            except subprocess.TimeoutExpired:
                proxy.kill()
                proxy.wait()
        for srv in (second, first):
            if srv is not None:
                srv.stop()
