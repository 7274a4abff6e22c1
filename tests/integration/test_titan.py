"""Titan uploads and editor previews over real TLS, with client certificates
made for the test: an authorised editor, a stranger, and no certificate."""
import os
import pwd
import subprocess
import threading
import time

from harness import (Server, client_context, copy_capsule, gemini, need_tool, patience,
                     tempdir, wait_until)

HEADLINE = "Ferry to Pulau Dutungan runs twice daily"
ARTICLE = f"""---
title: {HEADLINE}
date: 2024-04-28 07:30
section: community
tags: [ferry, harbour]
---
The harbour master says the morning boat leaves at seven and the afternoon
boat at three, weather allowing.
"""


def make_cert(name):
    """A self-signed client certificate; returns (cert, key, sha256 hex)."""
    folder = tempdir()
    cert, key = os.path.join(folder, f"{name}.crt"), os.path.join(folder, f"{name}.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    f"/CN={name}", "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert],
                         check=True, stdout=subprocess.PIPE).stdout.decode()
    return cert, key, out.strip().split("=", 1)[1]


EDITOR = make_cert("rina")
STRANGER = make_cert("stranger")


def editable_capsule():
    """A private capsule whose editors' folders the service user may write:
    started as root, kabar serves as nobody, as an operator would set up."""
    capsule = copy_capsule()
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for folder in ("news", "images"):
            for root, dirs, files in os.walk(os.path.join(capsule, folder)):
                for name in [root] + [os.path.join(root, f) for f in files]:
                    os.chown(name, nobody.pw_uid, nobody.pw_gid)
    return capsule


def config(extra=""):
    return (f"editors:\n"
            f"  - name: Rina Paluseri\n"
            f"    fingerprint: \"{EDITOR[2]}\"\n"
            f"    paths: [news/, images/]\n" + extra)


def titan(srv, path, body, cert=EDITOR, mime="text/markdown", size=None, token=None):
    size = len(body) if size is None else size
    url = f"titan://localhost:{srv.gemini_port}{path};size={size};mime={mime}"
    if token:
        url += f";token={token}"
    ctx = client_context(cert[0], cert[1]) if cert else client_context()
    return gemini(srv.gemini_port, url.encode() + b"\r\n" + body, ctx=ctx)


def snapshot_of(folder):
    """Every file under folder with its bytes, to see that nothing changed."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, folder)
            found[rel] = open(path, "rb").read() if os.path.isfile(path) else None
    return found


def front_page(srv, cert=None):
    ctx = client_context(cert[0], cert[1]) if cert else None
    return gemini(srv.gemini_port, f"gemini://localhost:{srv.gemini_port}/", ctx=ctx).text


def test_upload_is_on_the_front_page_within_a_second():
    capsule = editable_capsule()
    with Server(capsule, config=config()) as srv:
        start = time.monotonic()
        r = titan(srv, "/news/ferry-twice-daily.md", ARTICLE.encode())
        assert r.status == 30, r
        assert r.meta.endswith("/news/2024/04/ferry-twice-daily"), r.meta
        # The 30 comes once the served snapshot holds the article.
        assert HEADLINE in front_page(srv)
        assert time.monotonic() - start < patience(1.0) + 1.0
        page = gemini(srv.gemini_port, r.meta)
        assert page.status == 20 and HEADLINE in page.text
        # The editor's name is the author when the upload names none.
        assert "Rina Paluseri" in page.text
        with open(os.path.join(capsule, "news", "ferry-twice-daily.md")) as f:
            assert f.read().startswith("---\n")
        assert "titan" in srv.log() and "Rina Paluseri" in srv.log()


def test_who_may_upload():
    capsule = editable_capsule()
    before = snapshot_of(capsule)
    with Server(capsule, config=config()) as srv:
        assert titan(srv, "/news/a.md", ARTICLE.encode(), cert=None).status == 60
        assert titan(srv, "/news/a.md", ARTICLE.encode(), cert=STRANGER).status == 61
        # An editor outside their paths.
        png = open(os.path.join(capsule, "images", "harbour-light.png"), "rb").read()
        assert titan(srv, "/press/a.png", png, mime="image/png").status == 61
        # An article file outside news/, the server's own names.
        assert titan(srv, "/about.gmi", b"# Hijacked\n", mime="text/gemini").status == 59
        assert titan(srv, "/index.gmi", b"# Hijacked\n", mime="text/gemini").status == 59
    assert snapshot_of(capsule) == before


def test_titan_is_off_without_editors():
    capsule = editable_capsule()
    before = snapshot_of(capsule)
    with Server(capsule) as srv:
        r = titan(srv, "/news/a.md", ARTICLE.encode())
        assert r.status in (50, 53, 59), r
    assert snapshot_of(capsule) == before


def test_traversal_and_hidden_names_write_nothing():
    capsule = editable_capsule()
    outside = os.path.dirname(capsule)
    before_outside = set(os.listdir(outside))
    before = snapshot_of(capsule)
    spellings = ["/news/../about.gmi", "/news/%2e%2e/about.gmi", "/news/.%2e/index.gmi",
                 "/news/%2E%2E/%2E%2E/evil.md", "/news/..%2fevil.md", "/news/.hidden.md",
                 "/news/.git/config.md", "/news/a.md~", "/news/%23a.md%23", "/news/a.md.swp",
                 "/news/a%00.md", "/news/a%0d%0a.md", "/news//a.md", "/news/" + "d/" * 40 + "a.md",
                 "/images/evil.sh", "/news/../../../../tmp/kabar-evil.md"]
    with Server(capsule, config=config()) as srv:
        for path in spellings:
            r = titan(srv, path, ARTICLE.encode())
            assert r.status in (50, 59, 61), (path, r)
        # An image must be one by its bytes.
        r = titan(srv, "/images/x.png", b"<?php system($_GET['c']); ?>", mime="image/png")
        assert r.status == 59, r
    assert snapshot_of(capsule) == before
    assert set(os.listdir(outside)) == before_outside
    assert not os.path.exists("/tmp/kabar-evil.md")


def test_a_broken_article_is_refused_and_the_published_one_stays():
    capsule = editable_capsule()
    with Server(capsule, config=config()) as srv:
        assert titan(srv, "/news/ferry.md", ARTICLE.encode()).status == 30
        with open(os.path.join(capsule, "news", "ferry.md"), "rb") as f:
            published = f.read()
        broken = ARTICLE.replace("date: 2024-04-28 07:30", "date: [not, a, date")
        r = titan(srv, "/news/ferry.md", broken.encode())
        assert r.status == 59, r
        assert "news/ferry.md:" in r.meta, r.meta
        r = titan(srv, "/news/ferry.md", b"---\ntitle: x\ndate: 2024-01-01\n---\n\xff\xfe\n")
        assert r.status == 59 and "UTF-8" in r.meta, r
        with open(os.path.join(capsule, "news", "ferry.md"), "rb") as f:
            assert f.read() == published
        assert HEADLINE in front_page(srv)


def test_size_over_the_limit_is_refused_before_reading():
    capsule = editable_capsule()
    with Server(capsule, config=config("limits:\n  upload_size: 1K\n")) as srv:
        # Only the line is sent: the answer must not wait for the body.
        r = titan(srv, "/news/big.md", b"", size=4096)
        assert r.status == 59 and "large" in r.meta, r
        r = titan(srv, "/news/ok.md", ARTICLE.encode())
        assert r.status == 30, r


def test_a_slow_upload_is_cut_at_the_timeout():
    capsule = editable_capsule()
    with Server(capsule, config=config("timeouts:\n  upload: 1s\n")) as srv:
        ctx = client_context(EDITOR[0], EDITOR[1])
        from harness import connect
        sock = ctx.wrap_socket(connect(srv.gemini_port), server_hostname="localhost")
        body = ARTICLE.encode()
        sock.sendall(f"titan://localhost/news/slow.md;size={len(body)}\r\n".encode())
        sock.sendall(body[:10])
        start = time.monotonic()
        sock.settimeout(patience(10))
        try:
            data = sock.recv(4096)
        except OSError:
            data = b""
        took = time.monotonic() - start
        sock.close()
        assert took < patience(5), took
        assert not data.startswith(b"30"), data
        assert not os.path.exists(os.path.join(capsule, "news", "slow.md"))
        # The server goes on serving.
        assert titan(srv, "/news/fast.md", body).status == 30


def test_concurrent_uploads_of_one_path_leave_one_whole():
    capsule = editable_capsule()
    signed = ARTICLE.replace("section: community", "section: community\nauthor: Desk")
    bodies = [signed.replace("weather allowing.", f"weather allowing. Version {i}. " +
                              "Lorem ipsum dolor sit amet. " * (200 + 50 * i)).encode()
              for i in range(6)]
    results = []
    with Server(capsule, config=config()) as srv:
        def upload(body):
            results.append(titan(srv, "/news/race.md", body).status)
        threads = [threading.Thread(target=upload, args=(b,)) for b in bodies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [30] * len(bodies), results
        with open(os.path.join(capsule, "news", "race.md"), "rb") as f:
            # Whole, and credited to its uploader beside the author it names.
            credit = b'author: "Rina Paluseri"\n'
            text = f.read()
            assert credit in text and text.replace(credit, b"") in bodies
        leftovers = [n for n in os.listdir(os.path.join(capsule, "news")) if n.startswith(".")]
        assert leftovers == []


def test_delete():
    capsule = editable_capsule()
    with Server(capsule, config=config()) as srv:
        assert titan(srv, "/news/gone.md", ARTICLE.encode()).status == 30
        assert HEADLINE in front_page(srv)
        r = titan(srv, "/news/gone.md", b"", size=0)
        assert r.status == 30, r
        assert not os.path.exists(os.path.join(capsule, "news", "gone.md"))
        assert wait_until(lambda: HEADLINE not in front_page(srv), patience(2))
        # Deleting what is not there, or a folder.
        assert titan(srv, "/news/gone.md", b"", size=0).status == 59
        assert titan(srv, "/images/harbour-light.png", b"", size=0).status == 30


def test_an_image_upload():
    capsule = editable_capsule()
    with open(os.path.join(capsule, "images", "harbour-light.png"), "rb") as f:
        png = f.read()
    with Server(capsule, config=config()) as srv:
        r = titan(srv, "/images/new/light.png", png, mime="image/png")
        assert r.status == 30, r
        # A name with a space and non-ASCII letters comes back as a URL.
        r = titan(srv, "/images/new/lampu%20%C3%A9.png", png, mime="image/png")
        assert r.status == 30 and r.meta.endswith("/images/new/lampu%20%C3%A9.png"), r
        assert gemini(srv.gemini_port, r.meta).body == png
        got = gemini(srv.gemini_port, f"gemini://localhost:{srv.gemini_port}/images/new/light.png")
        assert got.status == 20 and got.body == png


def test_a_draft_is_shown_to_its_editor_only():
    capsule = editable_capsule()
    draft = ARTICLE.replace("section: community", "section: community\ndraft: true")
    scheduled = ARTICLE.replace("2024-04-28 07:30", "2099-01-01 07:30").replace(
        HEADLINE, "Bridge opens next century")
    with Server(capsule, config=config()) as srv:
        r = titan(srv, "/news/secret.md", draft.encode())
        assert r.status == 30, r
        address = r.meta
        mine = client_context(EDITOR[0], EDITOR[1])
        page = gemini(srv.gemini_port, address, ctx=mine)
        assert page.status == 20 and "Draft" in page.text and HEADLINE in page.text
        assert titan(srv, "/news/later.md", scheduled.encode()).status == 30
        desk = gemini(srv.gemini_port, f"gemini://localhost:{srv.gemini_port}/desk/", ctx=mine)
        assert desk.status == 20, desk
        assert HEADLINE in desk.text and "Bridge opens next century" in desk.text
        assert "Scheduled for 2099-01-01" in desk.text
        for ctx in (None, client_context(STRANGER[0], STRANGER[1])):
            assert gemini(srv.gemini_port, address, ctx=ctx).status == 51
            assert gemini(srv.gemini_port,
                          f"gemini://localhost:{srv.gemini_port}/desk/", ctx=ctx).status == 51
            assert HEADLINE not in front_page(srv)


def test_openssl_s_client_uploads():
    need_tool("openssl")
    capsule = editable_capsule()
    with Server(capsule, config=config()) as srv:
        body = ARTICLE.encode()
        request = f"titan://localhost/news/by-openssl.md;size={len(body)}\r\n".encode() + body
        out = subprocess.run(["openssl", "s_client", "-quiet", "-connect",
                              f"127.0.0.1:{srv.gemini_port}", "-servername", "localhost",
                              "-cert", EDITOR[0], "-key", EDITOR[1]],
                             input=request, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=patience(20))
        assert out.stdout.startswith(b"30 "), out.stdout[:200]
        assert HEADLINE in front_page(srv)


def test_kabar_editor_prints_an_entry_that_works():
    from harness import kabar_bin
    out = subprocess.run([kabar_bin(), "editor", "Rina Paluseri", EDITOR[0]], check=True,
                         stdout=subprocess.PIPE, timeout=patience(10)).stdout.decode()
    assert EDITOR[2] in out, out
    capsule = editable_capsule()
    with Server(capsule, config=out) as srv:
        assert titan(srv, "/news/by-entry.md", ARTICLE.encode()).status == 30
        assert titan(srv, "/index.gmi", b"# x\n", mime="text/gemini").status == 59
    bad = subprocess.run([kabar_bin(), "editor", "X", "/nonexistent.crt"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=patience(10))
    assert bad.returncode == 1 and b"/nonexistent.crt" in bad.stderr
