"""Two Kabar instances behind HAProxy in TCP mode, configured from the
sample dist/haproxy.cfg: Gemini routed by SNI with TLS passed through, and
Gopher, each connection starting with a PROXY v2 header (send-proxy-v2) so
the instances see the readers' addresses. Skips when haproxy is not
installed (scripts/install-deps.sh test installs it). The PROXY protocol
itself (v1 and v2, from allowed and other addresses) is tested without
HAProxy too."""
import os
import re
import socket
import ssl
import struct
import subprocess
import time

from harness import (REPO, SAMPLE_CAPSULE, Server, Skip, client_context, connect, copy_capsule,
                     gemini, gopher, need_tool, patience, tempdir, wait_until)
from test_titan import EDITOR, editable_capsule

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


def proxied(config, certs=None, allowed="127.0.0.1"):
    """An instance whose listeners take PROXY headers from allowed only."""
    listener = f"{{address: '127.0.0.1:0', proxy: true, proxy_from: [{allowed}]}}"
    srv = Server(capsule=None, config=f"gemini:\n  - {listener}\ngopher:\n  - {listener}\n" + config,
                 certs=certs, gemini=0, gopher=0)
    srv.expected = 2  # the listeners come from the file
    return srv


def start_haproxy(haproxy, cfg):
    r = subprocess.run([haproxy, "-c", "-f", cfg], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    log = open(os.path.join(tempdir(), "haproxy.log"), "w+b")
    return subprocess.Popen([haproxy, "-db", "-f", cfg], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT)


def stop_haproxy(proxy):
    if proxy is None:
        return
    proxy.terminate()
    try:
        proxy.wait(10)
    except subprocess.TimeoutExpired:
        proxy.kill()
        proxy.wait()


# What HAProxy's own checks send: a PROXY v2 header naming no reader.
LOCAL = b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"


def peer_certificate(port, sni, direct=False):
    """The certificate an instance (direct: past its PROXY header) shows."""
    raw = connect(port)
    if direct:
        raw.sendall(LOCAL)
    sock = client_context().wrap_socket(raw, server_hostname=sni)
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
    first = proxied(config, certs=certs).start()
    second = None
    proxy = None
    try:
        second = proxied(config, certs=certs).start()
        for sni in ("kabar.example", "berita.example"):
            assert peer_certificate(first.gemini_port, sni, direct=True) == \
                peer_certificate(second.gemini_port, sni, direct=True), sni

        gemini_port, gopher_port = free_port(), free_port()
        proxy = start_haproxy(haproxy, proxy_config(gemini_port, gopher_port, first, second))

        for _ in range(4):
            page = through_proxy(lambda: gemini(gemini_port, "gemini://kabar.example/",
                                                sni="kabar.example"))
            assert page.status == 20 and "Kabar Pesisir" in page.text, page
        # Whichever instance answers, a TOFU client sees one certificate.
        for _ in range(2):
            assert peer_certificate(gemini_port, "kabar.example") == \
                peer_certificate(first.gemini_port, "kabar.example", direct=True)
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
        stop_haproxy(proxy)
        for srv in (second, first):
            if srv is not None:
                srv.stop()


# ---- readers' own addresses through the balancer ----

SLOW_DOWN = re.compile(rb"^3Too many requests: try again in (\d+) seconds")


def gopher_from(port, source, selector="/"):
    """A Gopher request from one loopback address (127.0.0.0/8 is all ours)."""
    with socket.create_connection(("127.0.0.1", port), timeout=patience(10),
                                  source_address=(source, 0)) as s:
        s.sendall(selector.encode() + b"\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


def test_rate_limits_through_haproxy_see_two_readers():
    haproxy = need_haproxy()
    capsule = copy_capsule()
    os.chmod(os.path.dirname(capsule), 0o755)
    srv = proxied(f"capsule: {capsule}\nlimits:\n  requests_per_minute: 3\n").start()
    proxy = None
    try:
        gemini_port, gopher_port = free_port(), free_port()
        proxy = start_haproxy(haproxy, proxy_config(gemini_port, gopher_port, srv, srv))
        through_proxy(lambda: gopher_from(gopher_port, "127.0.0.1", "/about.gmi"))
        # One reader spends its allowance (the request above was another's)...
        answers = [through_proxy(lambda: gopher_from(gopher_port, "127.0.0.2"))
                   for _ in range(6)]
        limited = [a for a in answers if SLOW_DOWN.match(a)]
        assert 1 <= len(limited) <= 3, answers
        # ...and a second reader through the same balancer is not held back.
        other = through_proxy(lambda: gopher_from(gopher_port, "127.0.0.3"))
        assert not SLOW_DOWN.match(other) and b"\r\n." in other, other[:200]
        # The log names the readers, not the balancer.
        assert wait_until(lambda: "127.0.0.2" in srv.log() and "127.0.0.3" in srv.log(), 5), \
            srv.log()[-2000:]
    finally:
        stop_haproxy(proxy)
        srv.stop()


def v1(source, port):
    return f"PROXY TCP4 {source} 127.0.0.1 {port} 70\r\n".encode()


def v2(source, port):
    body = socket.inet_aton(source) + socket.inet_aton("127.0.0.1") + struct.pack("!HH", port, 70)
    return (b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x11]) + struct.pack("!H", len(body))
            + body)


def raw_exchange(port, source, data, tls_sni=None, request=b""):
    with socket.create_connection(("127.0.0.1", port), timeout=patience(10),
                                  source_address=(source, 0)) as s:
        s.sendall(data)
        if tls_sni is not None:
            s = client_context().wrap_socket(s, server_hostname=tls_sni)
            s.sendall(request)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out
                out += chunk
        except (ConnectionResetError, ssl.SSLError):
            return out


def test_proxy_v1_and_v2_from_the_balancer_only():
    capsule = copy_capsule()
    os.chmod(os.path.dirname(capsule), 0o755)
    with proxied(f"capsule: {capsule}\n", allowed="127.0.0.1") as srv:
        gopher_port, gemini_port = srv.gopher_port, srv.gemini_port
        # Version 1 and 2 from the allowed address: served, and logged as
        # the reader they name; the header may come with the request.
        menu = raw_exchange(gopher_port, "127.0.0.1", v1("192.0.2.7", 40001) + b"/\r\n")
        assert menu.endswith(b".\r\n"), menu[:200]
        menu = raw_exchange(gopher_port, "127.0.0.1", v2("198.51.100.9", 40002) + b"/\r\n")
        assert menu.endswith(b".\r\n"), menu[:200]
        # Gemini: the header, then TLS.
        page = raw_exchange(gemini_port, "127.0.0.1", v2("203.0.113.5", 40003), "localhost",
                            b"gemini://localhost/\r\n")
        assert page.startswith(b"20 "), page[:200]
        page = raw_exchange(gemini_port, "127.0.0.1", v1("203.0.113.6", 40004), "localhost",
                            b"gemini://localhost/\r\n")
        assert page.startswith(b"20 "), page[:200]
        assert wait_until(lambda: all(a in srv.log() for a in
                                      ("192.0.2.7", "198.51.100.9", "203.0.113.5", "203.0.113.6")),
                          5), srv.log()[-2000:]
        # From another address, a header is refused, and so is a request
        # without one: nothing is answered.
        assert raw_exchange(gopher_port, "127.0.0.2", v1("192.0.2.99", 1) + b"/\r\n") == b""
        assert raw_exchange(gopher_port, "127.0.0.2", v2("192.0.2.98", 1) + b"/\r\n") == b""
        assert raw_exchange(gopher_port, "127.0.0.1", b"/\r\n") == b""
        assert raw_exchange(gopher_port, "127.0.0.1", b"PROXY TCP4 nonsense\r\n/\r\n") == b""
        assert "192.0.2.99" not in srv.log() and "192.0.2.98" not in srv.log()
        assert "127.0.0.2: may not send a PROXY header" in srv.log(), srv.log()[-2000:]
        assert "no PROXY header: connection refused" in srv.log(), srv.log()[-2000:]


# ---- Titan in a fleet: one writer, replicated by rsync ----

FLEET_ARTICLE = b"""---
title: Fleet edition goes out from one desk
date: 2024-04-28 07:30
section: community
---
Uploaded once, through the editors' name, and copied to every instance.
"""


def fleet_config(capsule, editors):
    """kabar.example with the editors' name beside it; editors on the
    writer only."""
    entry = (f"hosts:\n  - hostname: [kabar.example, editors.kabar.example]\n"
             f"    capsule: {capsule}\n    title: Kabar Pesisir\n")
    if editors:
        entry += (f"    editors:\n      - name: Rina Paluseri\n"
                  f"        fingerprint: \"{EDITOR[2]}\"\n        paths: [news/]\n")
    return entry


def test_titan_in_a_fleet_writes_to_the_writer_and_rsync_spreads_it():
    """dist/haproxy.cfg sends the editors' name to the writer alone; the
    upload lands there, and after doc/scaling.md's rsync every instance
    serves it."""
    haproxy = need_haproxy()
    rsync = need_tool("rsync")
    writer_capsule, reader_capsule = editable_capsule(), copy_capsule()
    for path in (os.path.dirname(writer_capsule), os.path.dirname(reader_capsule)):
        os.chmod(path, 0o755)
    certs = os.path.join(tempdir(), "certs")
    writer = proxied(fleet_config(writer_capsule, True), certs=certs).start()
    reader, proxy = None, None
    try:
        reader = proxied(fleet_config(reader_capsule, False), certs=certs).start()
        gemini_port, gopher_port = free_port(), free_port()
        proxy = start_haproxy(haproxy, proxy_config(gemini_port, gopher_port, writer, reader))
        url = (f"titan://editors.kabar.example/news/fleet.md;size={len(FLEET_ARTICLE)};"
               f"mime=text/markdown").encode()
        ctx = client_context(EDITOR[0], EDITOR[1])
        r = through_proxy(lambda: gemini(gemini_port, url + b"\r\n" + FLEET_ARTICLE,
                                         sni="editors.kabar.example", ctx=ctx))
        assert r.status == 30, r
        assert os.path.exists(os.path.join(writer_capsule, "news", "fleet.md"))
        assert not os.path.exists(os.path.join(reader_capsule, "news", "fleet.md"))
        address = "gemini://kabar.example/news/2024/04/fleet"

        def served_by_both():
            answers = [through_proxy(lambda: gemini(gemini_port, address, sni="kabar.example"))
                       for _ in range(4)]
            return all(a.status == 20 for a in answers)

        assert not served_by_both()  # the reader does not have it yet
        out = subprocess.run([rsync, "-a", "--delete", "--delay-updates", "--exclude", ".titan-*",
                              writer_capsule + "/", reader_capsule + "/"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert wait_until(served_by_both, patience(10)), (writer.log()[-1500:], reader.log()[-1500:])
        assert wait_until(lambda: "/news/2024/04/fleet" in reader.log(), patience(5)), \
            reader.log()[-1500:]
    finally:
        stop_haproxy(proxy)
        for srv in (reader, writer):
            if srv is not None:
                srv.stop()
