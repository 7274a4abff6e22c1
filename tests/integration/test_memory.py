"""Memory per connection: a thousand slow TLS readers of a multi-megabyte
article page share the one rendered copy of it (each costs a few dozen
kilobytes: its TLS session and the records in flight), and the server
gives the memory back once they leave."""
import os
import resource
import socket
import ssl
import time

from harness import (SLOWDOWN, Server, Skip, client_context, copy_capsule, gemini, gopher,
                     kabar_bin, patience, wait_until)

READERS = 1024 if SLOWDOWN == 1 else 64
# The bound per reader: the issue's "about 64 KB each beyond the one
# shared copy". A reader that held its page would cost megabytes.
PER_READER_MAX = 64 * 1024
CONFIG = ("timeouts:\n  request: 30s\n  idle: 120s\n"
          "limits:\n  max_connections: 4000\n  connections_per_address: 0\n"
          "  requests_per_minute: 0\n")
PATH = "/news/2024/05/laporan-panjang-pasar-ikan"


def sanitized_build():
    """RSS says nothing under AddressSanitizer (it keeps freed memory)."""
    with open(kabar_bin(), "rb") as f:
        return b"__asan_init" in f.read()


def write_long_article(capsule):
    """About 3 MB of Markdown in several scripts: paragraphs, lists, links."""
    lines = ["---", "title: Laporan panjang pasar ikan", "slug: laporan-panjang-pasar-ikan",
             "date: 2024-05-02 08:00 WITA",
             "author: Rina Paluseri", "section: ekonomi", "tags: [pasar, nelayan]", "---", ""]
    texts = [
        "Harga ikan di pasar Barru naik tajam minggu ini, kata para pedagang di dermaga.",
        "Рыбаки вернулись в гавань до рассвета, и рынок открылся раньше обычного.",
        "漁港の朝市では、今朝も多くの買い物客が新鮮な魚を求めて集まった。",
        "سجّل الصيادون أكبر صيد لهذا الموسم بعد أسبوع من الطقس الهادئ.",
        "The harbour office counted forty boats at the breakwater before six.",
    ]
    n = 0
    size = 0
    while size < 3_000_000:
        para = " ".join(texts[(n + k) % len(texts)] for k in range(6))
        block = f"## Bagian {n}\n\n{para} [Sumber {n}](https://example.org/{n})\n\n- {texts[n % 5]}\n\n"
        lines.append(block)
        size += len(block.encode())
        n += 1
    with open(os.path.join(capsule, "news", "laporan-panjang.md"), "w") as f:
        f.write("\n".join(lines))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def settled_rss(pid, seconds=1.0):
    """RSS once it has stopped moving (the server is done writing)."""
    last = rss_kib(pid)
    deadline = time.monotonic() + patience(10)
    while time.monotonic() < deadline:
        time.sleep(seconds)
        now = rss_kib(pid)
        if abs(now - last) < 256:
            return now
        last = now
    return last


def open_slow_reader(port, ctx, source):
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small window: the reader takes a little and then stops reading.
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    raw.bind((source, 0))
    raw.settimeout(patience(20))
    raw.connect(("127.0.0.1", port))
    tls = ctx.wrap_socket(raw, server_hostname="localhost")
    tls.sendall(f"gemini://localhost{PATH}\r\n".encode())
    got = tls.recv(4096)
    assert got.startswith(b"20 "), got[:80]
    return tls


def raise_descriptor_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def test_slow_readers_share_one_page():
    if sanitized_build():
        raise Skip("RSS is not measured under AddressSanitizer")
    raise_descriptor_limit(READERS * 2 + 256)
    capsule = copy_capsule()
    write_long_article(capsule)
    with Server(capsule=capsule, config=CONFIG, args=["--workers", "2"]) as srv:
        whole = gemini(srv.gemini_port, f"gemini://localhost{PATH}", timeout=60)
        assert whole.status == 20 and len(whole.body) > 2_500_000, whole
        assert len(gopher(srv.gopher_port, PATH, timeout=60)) > 2_500_000
        before = settled_rss(srv.proc.pid)
        ctx = client_context()
        readers = []
        try:
            for i in range(READERS):
                readers.append(open_slow_reader(srv.gemini_port, ctx, f"127.0.1.{1 + i // 200}"))
            during = settled_rss(srv.proc.pid)
            # Everyone else is still answered while they hang on.
            assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
        finally:
            for r in readers:
                r.close()
        per_reader = (during - before) * 1024 / READERS
        print(f"  {READERS} slow readers: RSS {before} -> {during} KiB "
              f"({per_reader / 1024:.1f} KiB each)", flush=True)
        assert per_reader <= PER_READER_MAX, \
            f"{READERS} readers: RSS {before} -> {during} KiB, {per_reader / 1024:.1f} KiB each"
        # Gone: the server's memory comes back within 10 % of before.
        assert wait_until(lambda: rss_kib(srv.proc.pid) <= before * 1.1, patience(15)), \
            f"RSS {before} KiB before, {rss_kib(srv.proc.pid)} KiB after the readers left"
        # And the page is whole for a reader after them.
        assert gemini(srv.gemini_port, f"gemini://localhost{PATH}", timeout=60).body == whole.body
