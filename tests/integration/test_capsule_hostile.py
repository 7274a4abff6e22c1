"""Hostile capsule content: links out of the capsule, device files, FIFOs,
unreadable files, a 2 GB sparse file, a 10 MB article on one line, a deep
tree, invalid UTF-8, YAML alias bombs and huge scalars, binary junk named
.md. Each is refused or served safely with a clear log line, never blocks a
worker and never takes the loader down. An article rewritten while it is
read reaches readers whole, old or new; a bad version saved over a published
article leaves the published one in place."""
import os
import random
import socket
import stat
import subprocess
import threading
import time

from harness import (Server, client_context, connect, copy_capsule, gemini, gopher, patience,
                     wait_until)

GOOD = """---
title: Keeper retires
date: 2026-03-01T09:00:00+08:00
author: Rina Paluseri
section: community
---

{body}
"""
# Readers here ask thousands of times a minute, which the default rate refuses.
NO_RATE_LIMIT = "limits:\n  requests_per_minute: 0\n"
ARTICLE_URL = "gemini://localhost/news/2026/03/keeper"
ALIAS_BOMB = b"""---
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
title: *e
date: 2026-01-04
---

Boom.
"""


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def publish(capsule, name, data):
    """Written aside, then renamed into place, as a newsroom's tools do."""
    folder = os.path.join(capsule, "news")
    temporary = os.path.join(folder, f".{name}.part")
    write(temporary, data)
    os.rename(temporary, os.path.join(folder, name))


def front_page(srv):
    return gemini(srv.gemini_port, "gemini://localhost/").text


def hostile_capsule():
    capsule = copy_capsule()
    news = os.path.join(capsule, "news")
    write(os.path.join(news, "oneline.md"),
          b"---\ntitle: One line\ndate: 2026-01-02\n---\n\n" + b"word " * (2 << 20))
    write(os.path.join(news, "junk.md"), bytes(range(256)) * 200)
    write(os.path.join(news, "badutf.md"),
          b"---\ntitle: Bad \xff UTF\ndate: 2026-01-03\n---\n\nBody \xc0\xae.\n")
    write(os.path.join(news, "bomb.md"), ALIAS_BOMB)
    write(os.path.join(news, "hugescalar.md"),
          b"---\ntitle: " + b"T" * (5 << 20) + b"\ndate: 2026-01-05\n---\n\nBody.\n")
    subprocess.run(["truncate", "-s", "2G", os.path.join(news, "sparse.md")], check=True)
    subprocess.run(["truncate", "-s", "2G", os.path.join(capsule, "sparse.bin")], check=True)
    os.mkfifo(os.path.join(capsule, "fifo.txt"))
    os.mkfifo(os.path.join(news, "fifo.md"))
    os.symlink("/etc/passwd", os.path.join(capsule, "passwd.txt"))
    os.symlink("../../../../../../etc/passwd", os.path.join(news, "passwd.md"))
    os.symlink("loop-b", os.path.join(capsule, "loop-a"))
    os.symlink("loop-a", os.path.join(capsule, "loop-b"))
    if os.geteuid() == 0:
        os.mknod(os.path.join(capsule, "null.txt"), 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    deep = os.path.join(news, *(["d"] * 200))
    write(os.path.join(deep, "deep.md"), GOOD.format(body="Deep down."))
    return capsule


def test_hostile_files_are_refused_with_a_log_line():
    capsule = hostile_capsule()
    start = time.monotonic()
    with Server(capsule=capsule, args=["--workers", "1"]) as srv:
        # The first answer comes once the capsule is read (after the
        # privilege drop, so after the "listening" lines).
        page = front_page(srv)
        assert time.monotonic() - start < patience(10), "the first scan took too long"
        log = srv.log()
        for line in ("news/oneline.md: cannot read: too large",
                     "news/hugescalar.md: cannot read: too large",
                     "news/sparse.md: cannot read: too large",
                     "news/junk.md:1: binary data (a NUL byte), not an article",
                     "news/badutf.md:2: not UTF-8 text",
                     "news/bomb.md:3: front matter: aliases (*name) are not allowed"):
            assert line in log, (line, log[-3000:])
        for title in ("One line", "Bad", "Boom", "TTTT"):
            assert title not in page, title
        cases = {
            "/fifo.txt": "not a regular file or directory",
            "/news/fifo.md": None,  # an article's source is never served as a file
            "/passwd.txt": "a link leads outside the capsule (or loops)",
            "/news/passwd.md": None,
            "/loop-a": "a link leads outside the capsule (or loops)",
        }
        if os.geteuid() == 0:
            cases["/null.txt"] = "not a regular file or directory"
        for path, reason in cases.items():
            t0 = time.monotonic()
            resp = gemini(srv.gemini_port, f"gemini://localhost{path}")
            assert resp.header == "51 Not found", (path, resp.header)
            assert gopher(srv.gopher_port, path) == (
                f"3Not found: {path}\t\terror.host\t1\r\n.\r\n").encode(), path
            assert time.monotonic() - t0 < patience(1), f"{path} blocked the worker"
            if reason:
                assert wait_until(lambda: f"capsule: {path}: {reason}" in srv.log(), 2), path
        assert b"root:" not in gopher(srv.gopher_port, "/")


def test_two_gigabyte_file_streams_without_blocking_the_worker():
    capsule = hostile_capsule()
    with Server(capsule=capsule, args=["--workers", "1"]) as srv:
        tls = client_context().wrap_socket(connect(srv.gemini_port),
                                           server_hostname="localhost")
        tls.sendall(b"gemini://localhost/sparse.bin\r\n")
        head = tls.recv(29)
        assert head == b"20 application/octet-stream\r\n", head
        plain = connect(srv.gopher_port)
        plain.sendall(b"/sparse.bin\r\n")
        assert plain.recv(4096).startswith(b"\x00")
        # Two downloads of 2 GB in flight on the one worker: others still
        # get their answers at once.
        for _ in range(5):
            t0 = time.monotonic()
            assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
            assert gopher(srv.gopher_port, "/news/").endswith(b".\r\n")
            assert time.monotonic() - t0 < patience(0.5)
        tls.close()
        plain.close()


def test_unreadable_file_is_refused_with_the_reason():
    capsule = copy_capsule()
    with Server(capsule=capsule) as srv:
        secret = os.path.join(capsule, "news", "secret.md")
        write(secret, GOOD.format(body="Secret."))
        os.chmod(secret, 0)
        secret_file = os.path.join(capsule, "secret.txt")
        write(secret_file, "secret\n")
        os.chmod(secret_file, 0)
        # The server never runs as root, so mode 000 shuts it out too.
        assert wait_until(lambda: "news/secret.md" in srv.log(), 3), srv.log()[-2000:]
        assert "Permission denied" in srv.log()
        assert gemini(srv.gemini_port, "gemini://localhost/secret.txt").header == "51 Not found"
        assert "capsule: /secret.txt: Permission denied" in srv.log()
        assert "Secret" not in front_page(srv)


def test_loader_survives_and_keeps_publishing():
    capsule = hostile_capsule()
    with Server(capsule=capsule) as srv:
        # More junk arrives while running.
        publish(capsule, "bomb2.md", ALIAS_BOMB)
        publish(capsule, "junk2.md", os.urandom(100000))
        os.mkfifo(os.path.join(capsule, "news", "fifo2.md"))
        publish(capsule, "keeper.md", GOOD.format(body="After forty years."))
        assert wait_until(lambda: "Keeper retires" in front_page(srv), 3)
        assert "news/bomb2.md:3: front matter: aliases" in srv.log()


def test_bad_version_saved_over_keeps_the_published_one():
    capsule = copy_capsule()
    with Server(capsule=capsule) as srv:
        publish(capsule, "keeper.md", GOOD.format(body="After forty years."))
        assert wait_until(lambda: "Keeper retires" in front_page(srv), 3)
        published = gemini(srv.gemini_port, ARTICLE_URL).raw
        assert b"After forty years." in published
        bad_versions = [os.urandom(3000), b"---\ntitle: [unclosed\n---\nx\n",
                        b"\xff\xfe not UTF-8", ALIAS_BOMB, b""]
        for n, bad in enumerate(bad_versions, 1):
            publish(capsule, "keeper.md", bad)
            assert wait_until(lambda: srv.log().count(
                "news/keeper.md: still serving its previous version") >= n, 3), srv.log()[-2000:]
            assert gemini(srv.gemini_port, ARTICLE_URL).raw == published
            assert "Keeper retires" in front_page(srv)
        # A good version replaces it as usual.
        publish(capsule, "keeper.md", GOOD.format(body="He hands over the lamp."))
        assert wait_until(lambda: b"hands over the lamp" in gemini(srv.gemini_port,
                                                                   ARTICLE_URL).raw, 3)


def rewrite_while_reading(srv, capsule, versions, fetch, writer):
    """Readers fetch while writer switches between versions; returns the
    distinct answers they saw."""
    seen = set()
    stop = threading.Event()
    errors = []

    def reader():
        while not stop.is_set():
            try:
                seen.add(fetch())
            except Exception as e:  # recorded and reported below
                errors.append(e)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 3
    i = 0
    while time.monotonic() < deadline:
        writer(versions[i % 2])
        i += 1
        # Irregular pauses, so the loader's rebuilds do not keep meeting
        # the same version.
        time.sleep(random.uniform(0.02, 0.3))
    stop.set()
    for t in threads:
        t.join(patience(10))
    assert not errors, errors[:3]
    return seen


def test_article_rewritten_while_read_is_whole_old_or_new():
    capsule = copy_capsule()
    bodies = ["Old " * 3000, "New " * 3000]
    with Server(capsule=capsule, config=NO_RATE_LIMIT, args=["--workers", "2"]) as srv:
        rendered = []
        for body in bodies:
            publish(capsule, "keeper.md", GOOD.format(body=body))
            assert wait_until(lambda: body[:8].encode() in gemini(srv.gemini_port,
                                                                   ARTICLE_URL).raw, 3)
            rendered.append(gemini(srv.gemini_port, ARTICLE_URL).raw)
        seen = rewrite_while_reading(
            srv, capsule, bodies, lambda: gemini(srv.gemini_port, ARTICLE_URL).raw,
            lambda body: publish(capsule, "keeper.md", GOOD.format(body=body)))
        assert seen <= set(rendered), [s[:120] for s in seen - set(rendered)]
        assert len(seen) == 2, "the readers never saw the article change"


def test_static_file_rewritten_while_read_is_whole_old_or_new():
    capsule = copy_capsule()
    versions = [b"a" * (1 << 20), b"b" * (1 << 20)]
    path = os.path.join(capsule, "edition.txt")

    def swap(data):
        write(path + ".part", data)
        os.rename(path + ".part", path)

    swap(versions[0])
    with Server(capsule=capsule, config=NO_RATE_LIMIT, args=["--workers", "2"]) as srv:
        seen = rewrite_while_reading(srv, capsule, versions,
                                     lambda: gopher(srv.gopher_port, "/edition.txt"), swap)
        assert seen <= set(versions), [s[:20] for s in seen - set(versions)]
        assert len(seen) == 2, "the readers never saw the file change"


# Hostile shapes just under the article size limit (4 MiB): each once took
# time quadratic in its size (minutes), holding back every other article.
LIMIT_BODY = (4 << 20) - 4096
HOSTILE_SHAPES = {
    "braces.md": "---\ntitle: Braces\ndate: 2026-01-06\ntemplate: true\n---\n\n"
                 + "{{" * (LIMIT_BODY // 2),
    "tags.md": "---\ntitle: Tags\ndate: 2026-01-07\n"
               + "".join("tags: " + " ".join(f"t{k}x{i}" for i in range(6000)) + "\n"
                         for k in range(LIMIT_BODY // 60000))
               + "---\n\nMany tags.\n",
    "links.md": "---\ntitle: Links\ndate: 2026-01-08\n---\n\n"
                + "".join(f"[l{i}](/x/{i}) " for i in range(LIMIT_BODY // 24)),
}


def test_hostile_article_at_the_size_limit_does_not_hold_back_another():
    capsule = copy_capsule()
    with Server(capsule=capsule, config=NO_RATE_LIMIT) as srv:
        for name, text in HOSTILE_SHAPES.items():
            assert len(text.encode()) <= 4 << 20, name
            publish(capsule, name, text)
        publish(capsule, "keeper.md", GOOD.format(body="Published on time."))
        # A few seconds are far above the normal figure (well under one);
        # before parsing was linear this took minutes.
        assert wait_until(lambda: gemini(srv.gemini_port, ARTICLE_URL).status == 20, 8)
        assert "Published on time." in gemini(srv.gemini_port, ARTICLE_URL).text
        for path in ("2026/01/braces", "2026/01/tags", "2026/01/links"):
            page = gemini(srv.gemini_port, f"gemini://localhost/news/{path}")
            assert page.status == 20, (path, page.status)
