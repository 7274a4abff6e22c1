"""Titan as a newsroom of several editors needs it: what an editor may write,
who is credited, whose drafts a desk shows, certificates out of their dates,
an editor revoked while uploading, and the bounds on uploads (in flight, a
day's budget, the disk's floor, memory)."""
import datetime
import os
import re
import signal
import ssl
import threading

from harness import (Server, Skip, client_context, connect, gemini, tempdir,
                     wait_until)
from test_titan import ARTICLE, HEADLINE, editable_capsule, make_cert, snapshot_of, titan

ALICE = make_cert("alice")
BOB = make_cert("bob")
CHIEF = make_cert("chief")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89")


def editor(name, cert, paths, extra=""):
    return (f"  - name: {name}\n    fingerprint: \"{cert[2]}\"\n"
            f"    paths: [{', '.join(paths)}]\n{extra}")


def newsroom(limits="", without=()):
    """Alice writes news/alice/ and images/alice/, Bob news/bob/, the chief
    news/ with every draft on her desk."""
    entries = [("Alice Mattalitti", ALICE, ["news/alice/", "images/alice/"], ""),
               ("Bob Daeng", BOB, ["news/bob/"], ""),
               ("Chief Editor", CHIEF, ["news/"], "    desk: all\n")]
    text = "editors:\n" + "".join(editor(n, c, p, x) for n, c, p, x in entries
                                  if n not in without)
    return text + (f"limits:\n{limits}" if limits else "")


def newsroom_capsule():
    """A capsule with the editors' folders made, as the operator makes them
    (the sandbox lets the server write only folders that exist when it
    starts)."""
    capsule = editable_capsule()
    for folder in ("news/alice", "news/bob", "images/alice"):
        os.makedirs(os.path.join(capsule, folder), exist_ok=True)
        if os.geteuid() == 0:
            parent = os.stat(os.path.join(capsule, folder.split("/")[0]))
            os.chown(os.path.join(capsule, folder), parent.st_uid, parent.st_gid)
    return capsule


def url(srv, path):
    return f"gemini://localhost:{srv.gemini_port}{path}"


def as_editor(srv, path, cert):
    return gemini(srv.gemini_port, url(srv, path), ctx=client_context(cert[0], cert[1]))


def test_an_article_file_outside_news_is_refused():
    capsule = newsroom_capsule()
    before = snapshot_of(capsule)
    with Server(capsule, config=newsroom()) as srv:
        draft = ARTICLE.replace("section: community", "draft: true")
        r = titan(srv, "/images/alice/embargo.md", draft.encode(), cert=ALICE)
        assert r.status == 59 and "news/" in r.meta, r
        r = titan(srv, "/images/alice/notes.txt", b"plain\n", cert=ALICE, mime="text/plain")
        assert r.status == 59 and "news/" in r.meta, r
        assert "images/alice/embargo.md" in srv.log()
    assert snapshot_of(capsule) == before


def test_the_servers_own_names_are_not_writable():
    capsule = newsroom_capsule()
    before = snapshot_of(capsule)
    with Server(capsule, config=newsroom()) as srv:
        # A gophermap whose bytes start as an image would pass as one.
        menu = PNG + b"\n1Anywhere\t/\tevil.example\t70\n"
        for path, body, cert in (("/images/alice/gophermap", menu, ALICE),
                                 ("/news/gophermap", menu, CHIEF),
                                 ("/images/alice/index.gmi", b"# Mine\n", ALICE),
                                 ("/index.gmi", b"# Mine\n", CHIEF)):
            r = titan(srv, path, body, cert=cert, mime="image/png")
            assert r.status in (59, 61), (path, r)
        r = titan(srv, "/images/alice/gophermap", menu, cert=ALICE, mime="image/png")
        assert r.status == 59 and "Gopher menu" in r.meta, r
        r = titan(srv, "/news/alice/index.gmi", b"# Bundle\n\nText.\n", cert=ALICE)
        assert r.status == 30, r  # in news/ an index file is a page bundle's article
    after = snapshot_of(capsule)
    assert {k for k in after if k not in before} <= {"news/alice", "news/alice/index.gmi"}


def test_the_uploader_is_credited_beside_the_authors_named():
    capsule = newsroom_capsule()
    with Server(capsule, config=newsroom()) as srv:
        named = ARTICLE.replace("section: community", "section: community\nauthor: Bob Daeng")
        r = titan(srv, "/news/alice/ferry.md", named.encode(), cert=ALICE)
        assert r.status == 30, r
        page = gemini(srv.gemini_port, r.meta)
        assert "Bob Daeng" in page.text and "Alice Mattalitti" in page.text, page.text[:400]
        with open(os.path.join(capsule, "news", "alice", "ferry.md")) as f:
            text = f.read()
        assert "author: Bob Daeng" in text and 'author: "Alice Mattalitti"' in text
        # Already named: the file is written as sent.
        mine = ARTICLE.replace("section: community", "author: Alice Mattalitti")
        r = titan(srv, "/news/alice/mine.md", mine.encode(), cert=ALICE)
        assert r.status == 30, r
        with open(os.path.join(capsule, "news", "alice", "mine.md")) as f:
            assert f.read() == mine


def test_a_desk_shows_its_editors_own_drafts():
    capsule = newsroom_capsule()
    alice_draft = ARTICLE.replace("section: community", "draft: true").replace(
        HEADLINE, "Alice embargoed story")
    bob_draft = ARTICLE.replace("2024-04-28 07:30", "2099-01-01 07:30").replace(
        HEADLINE, "Bob scheduled story")
    with Server(capsule, config=newsroom()) as srv:
        alice_at = titan(srv, "/news/alice/embargo.md", alice_draft.encode(), cert=ALICE)
        bob_at = titan(srv, "/news/bob/later.md", bob_draft.encode(), cert=BOB)
        assert alice_at.status == 30 and bob_at.status == 30, (alice_at, bob_at)
        desk = as_editor(srv, "/desk/", ALICE)
        assert desk.status == 20 and "Alice embargoed" in desk.text, desk
        assert "Bob scheduled" not in desk.text
        desk = as_editor(srv, "/desk/", BOB)
        assert "Bob scheduled" in desk.text and "Alice embargoed" not in desk.text
        desk = as_editor(srv, "/desk/", CHIEF)
        assert "Bob scheduled" in desk.text and "Alice embargoed" in desk.text
        # Previews follow the desk: another editor's draft is not there.
        alice_path = alice_at.meta.split(str(srv.gemini_port), 1)[1]
        assert as_editor(srv, alice_path, ALICE).status == 20
        assert as_editor(srv, alice_path, BOB).status == 51
        assert as_editor(srv, alice_path, CHIEF).status == 20


def dated_cert(name, not_before, not_after):
    """A self-signed client certificate valid from not_before to not_after."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise Skip("python3-cryptography is not installed")
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    folder = tempdir()
    cert_path, key_path = os.path.join(folder, f"{name}.crt"), os.path.join(folder, f"{name}.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path, cert.fingerprint(hashes.SHA256()).hex()


def test_certificates_outside_their_dates_get_62():
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    expired = dated_cert("expired", now - 10 * day, now - day)
    early = dated_cert("early", now + day, now + 10 * day)
    capsule = newsroom_capsule()
    before = snapshot_of(capsule)
    config = ("editors:\n" + editor("Old Hand", expired, ["news/"]) +
              editor("New Hire", early, ["news/"]))
    with Server(capsule, config=config) as srv:
        for cert, word in ((expired, "expired"), (early, "not valid yet")):
            r = titan(srv, "/news/a.md", ARTICLE.encode(), cert=cert)
            assert r.status == 62 and word in r.meta, r
            desk = as_editor(srv, "/desk/", cert)
            assert desk.status == 62 and word in desk.meta, desk
            assert cert[2] in srv.log()
    assert snapshot_of(capsule) == before


def test_a_resumed_session_without_a_certificate_is_told_to_reconnect():
    capsule = newsroom_capsule()
    with Server(capsule, config=newsroom()) as srv:
        ctx = client_context()
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # a session Python can resume
        first = ctx.wrap_socket(connect(srv.gemini_port), server_hostname="localhost")
        first.sendall(url(srv, "/").encode() + b"\r\n")
        while first.recv(65536):
            pass
        session = first.session
        first.close()
        upload = (f"titan://localhost:{srv.gemini_port}/news/alice/a.md;size=4\r\n# x\n")
        for request in (url(srv, "/desk/") + "\r\n", upload):
            again = ctx.wrap_socket(connect(srv.gemini_port), server_hostname="localhost",
                                    session=session)
            if not again.session_reused:
                again.close()
                raise Skip("the server did not resume the session")
            again.sendall(request.encode())
            data = b""
            while chunk := again.recv(65536):
                data += chunk
            again.close()
            assert data.startswith(b"60 ") and b"reconnect" in data, data[:200]
        # A fresh session without a certificate gets no such hint.
        r = titan(srv, "/news/alice/a.md", b"# x\n", cert=None)
        assert r.status == 60 and "reconnect" not in r.meta, r


def send_slowly(srv, path, body, cert, before_last):
    """Uploads body, calling before_last() when all but its last byte are
    sent; returns the answer's header."""
    tls = client_context(cert[0], cert[1]).wrap_socket(connect(srv.gemini_port, timeout=30),
                                                       server_hostname="localhost")
    try:
        head = f"titan://localhost:{srv.gemini_port}{path};size={len(body)};mime=text/markdown"
        tls.sendall(head.encode() + b"\r\n" + body[:-1])
        before_last()
        tls.sendall(body[-1:])
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
        return data.split(b"\r\n", 1)[0].decode()
    finally:
        tls.close()


def test_an_editor_revoked_during_an_upload_writes_nothing():
    capsule = newsroom_capsule()
    with Server(capsule, config=newsroom()) as srv:
        config_path = os.path.join(srv.workdir, "kabar.yaml")

        def revoke():
            with open(config_path, "w") as f:
                f.write(newsroom(without=("Alice Mattalitti",)))
            # Readable by the user the server runs as.
            os.chmod(srv.workdir, 0o755)
            os.chmod(os.path.dirname(capsule), 0o755)
            os.chmod(config_path, 0o644)
            srv.signal(signal.SIGHUP)
            assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
            # "reloaded" is said just before the new settings take over.
            assert wait_until(lambda: as_editor(srv, "/desk/", ALICE).status == 51, 10)

        answer = send_slowly(srv, "/news/alice/late.md", ARTICLE.encode(), ALICE, revoke)
        assert answer.startswith("61 "), answer
        assert not os.path.exists(os.path.join(capsule, "news", "alice", "late.md"))
        assert not [n for n in os.listdir(os.path.join(capsule, "news", "alice"))
                    if n.startswith(".")]
        assert "no longer authorised" in srv.log()
        # Bob, still an editor, uploads the same way.
        answer = send_slowly(srv, "/news/bob/late.md", ARTICLE.encode(), BOB, lambda: None)
        assert answer.startswith("30 "), answer


class Held:
    """An upload whose body is sent but for its last byte."""

    def __init__(self, srv, path, body, cert=ALICE, mime="image/png"):
        self.body = body
        self.tls = client_context(cert[0], cert[1]).wrap_socket(
            connect(srv.gemini_port, timeout=60), server_hostname="localhost")
        head = f"titan://localhost:{srv.gemini_port}{path};size={len(body)};mime={mime}"
        self.tls.sendall(head.encode() + b"\r\n" + body[:-1])

    def finish(self):
        self.tls.sendall(self.body[-1:])
        data = b""
        while chunk := self.tls.recv(65536):
            data += chunk
        self.tls.close()
        return data.split(b"\r\n", 1)[0].decode()


def test_uploads_in_flight_are_capped():
    capsule = newsroom_capsule()
    with Server(capsule, config=newsroom("  uploads_in_flight: 2\n")) as srv:
        held = [Held(srv, f"/images/alice/{i}.png", PNG + b"x" * 1000) for i in range(2)]
        # Both are in flight once their temporary files are there.
        folder = os.path.join(capsule, "images", "alice")
        assert wait_until(lambda: len([n for n in os.listdir(folder) if n.startswith(".")]) == 2)
        r = titan(srv, "/images/alice/third.png", PNG, cert=ALICE, mime="image/png")
        assert r.status == 40 and "uploads under way" in r.meta, r
        assert [h.finish()[:2] for h in held] == ["30", "30"]
        r = titan(srv, "/images/alice/third.png", PNG, cert=ALICE, mime="image/png")
        assert r.status == 30, r
        assert "uploads under way" in srv.log()


def test_an_editors_daily_budget():
    capsule = newsroom_capsule()
    with Server(capsule, config=newsroom("  upload_budget: 3K\n")) as srv:
        body = PNG + b"x" * 1200
        assert titan(srv, "/images/alice/a.png", body, cert=ALICE, mime="image/png").status == 30
        assert titan(srv, "/images/alice/b.png", body, cert=ALICE, mime="image/png").status == 30
        r = titan(srv, "/images/alice/c.png", body, cert=ALICE, mime="image/png")
        assert r.status == 59 and "budget" in r.meta, r
        assert not os.path.exists(os.path.join(capsule, "images", "alice", "c.png"))
        # Another editor's day is their own.
        assert titan(srv, "/news/bob/a.md", ARTICLE.encode(), cert=BOB).status == 30
        # A refused upload costs nothing: what was left is still left.
        small = PNG + b"x" * 100
        assert titan(srv, "/images/alice/d.png", small, cert=ALICE, mime="image/png").status == 30
        assert "budget" in srv.log()


def test_the_disk_floor():
    capsule = newsroom_capsule()
    before = snapshot_of(capsule)
    with Server(capsule, config=newsroom("  upload_disk_floor: 1000T\n")) as srv:
        r = titan(srv, "/news/alice/a.md", ARTICLE.encode(), cert=ALICE)
        assert r.status == 40 and "disk" in r.meta, r
        assert "disk" in srv.log()
    assert snapshot_of(capsule) == before


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def held_uploads_rss(size, count):
    """The server's resident memory with count uploads of size bytes each
    received but for their last byte, and the answers those get."""
    capsule = newsroom_capsule()
    limits = f"  uploads_in_flight: {count + 1}\n  upload_budget: 0\n  upload_disk_floor: 0\n"
    # Under AddressSanitizer freed memory is held back (its quarantine):
    # OpenSSL's record buffers would count as memory the server keeps.
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = {"ASAN_OPTIONS": f"{asan}:quarantine_size_mb=0" if asan else "quarantine_size_mb=0"}
    with Server(capsule, config=newsroom(limits), env=env) as srv:
        body = PNG + b"\0" * (size - len(PNG))
        held = [None] * count

        def start(i):
            held[i] = Held(srv, f"/images/alice/big-{i}.png", body)

        threads = [threading.Thread(target=start, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Read, all but the last bytes, once the temporary files hold them.
        folder = os.path.join(capsule, "images", "alice")

        def received():
            return sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder)
                       if n.startswith("."))

        assert wait_until(lambda: received() == count * (size - 1), timeout=60), received()
        rss = rss_kib(srv.proc.pid)
        answers = [h.finish()[:2] for h in held]
    return rss, answers


def test_memory_stays_flat_for_many_large_uploads():
    count, size = 30, 4 << 20
    control, answers = held_uploads_rss(4096, count)
    assert answers == ["30"] * count, answers
    large, answers = held_uploads_rss(size, count)
    assert answers == ["30"] * count, answers
    # Held in memory the bodies would be count * 4 MiB = 120 MiB more.
    grown = large - control
    assert grown < count * size // 1024 // 10, (control, large)
