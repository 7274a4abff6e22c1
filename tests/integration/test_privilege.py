"""Least privilege: started as root, kabar binds, loads its keys, then every
thread runs as the service user with no_new_privs under Landlock, optionally
chrooted into the capsule; a private key inside a capsule is refused."""
import os
import signal
import subprocess
import stat

from harness import (Server, Skip, copy_capsule, gemini, gopher, patience, tempdir,
                     wait_until)

ARTICLE = """---
title: Lighthouse keeper retires
date: 2026-03-01T09:00:00+08:00
author: Rina Paluseri
section: community
---

After forty years the keeper hands over the lamp.
"""


LAST_LOG = [""]


def refused(srv):
    """Starts srv, which must exit by itself (it may print its listening
    lines first: they come before the checks); returns its exit code."""
    try:
        srv.start()
    except AssertionError:
        pass
    try:
        code = srv.proc.wait(patience(10))
    except subprocess.TimeoutExpired:
        srv.kill()
        raise AssertionError("kabar kept running")
    LAST_LOG[0] = srv.log()
    return code


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root (CI runs as root)")


def landlock_abi():
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(444, None, 0, 1)  # landlock_create_ruleset(VERSION)


def thread_status(pid):
    out = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            out.append(dict(l.split(":\t", 1) for l in f.read().splitlines() if ":\t" in l))
    return out


def world_readable_capsule():
    """A capsule copy the service user can reach by its path."""
    capsule = copy_capsule()
    parent = os.path.dirname(capsule)
    os.chmod(parent, 0o755)
    return capsule


def test_every_thread_is_unprivileged():
    need_root()
    with Server(args=["--workers", "2"]) as srv:
        assert wait_until(lambda: len(thread_status(srv.proc.pid)) >= 4, 5)
        for st in thread_status(srv.proc.pid):
            assert "0" not in st["Uid"].split(), (st["Name"], st["Uid"])
            assert "0" not in st["Gid"].split(), (st["Name"], st["Gid"])
            assert st["NoNewPrivs"].strip() == "1", st["Name"]
            assert st["CapEff"].strip() == "0000000000000000", (st["Name"], st["CapEff"])


def test_landlock_refuses_what_the_configuration_did_not_name():
    need_root()
    if landlock_abi() < 1:
        raise Skip("this kernel has no Landlock")
    first = world_readable_capsule()
    other = world_readable_capsule()
    with open(os.path.join(other, "index.gmi"), "w") as f:
        f.write("# The other capsule\n")
    workdir = tempdir()
    os.chmod(workdir, 0o755)
    config = os.path.join(workdir, "kabar.yaml")
    with open(config, "w") as f:
        f.write(f"capsule: {first}\ntitle: First\n")
    os.chmod(config, 0o644)
    srv = Server(capsule=None, args=["--config", config])
    with srv:
        # The configuration file and the capsule it names stay readable:
        # a reload that changes the title works.
        with open(config, "w") as f:
            f.write(f"capsule: {first}\ntitle: Second\n")
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
        # Another capsule, readable by the service user, is out of bounds.
        with open(config, "w") as f:
            f.write(f"capsule: {other}\n")
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "Permission denied" in srv.log(), 10), srv.log()
        assert srv.log().count("reloaded") == 1, srv.log()
        resp = gemini(srv.gemini_port, "gemini://localhost/")
        assert resp.status == 20 and "The other capsule" not in resp.text


def test_chroot_into_the_capsule():
    need_root()
    capsule = copy_capsule()
    # LeakSanitizer (in the sanitizer build) reads /proc, which the chroot hides.
    with Server(capsule=capsule, config="chroot: true\n",
                env={"LSAN_OPTIONS": "detect_leaks=0"}) as srv:
        assert wait_until(lambda: os.readlink(f"/proc/{srv.proc.pid}/root") == capsule, 5)
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
        # libmagic's database was read before the chroot.
        image = gemini(srv.gemini_port, "gemini://localhost/images/harbour-light.png")
        assert image.header == "20 image/png", image.header
        assert b"Iharbour-light.png\t/images/harbour-light.png\t" in gopher(srv.gopher_port,
                                                                          "/images/")
        # Publishing still works, in a folder made after the start.
        folder = os.path.join(capsule, "news", "2026", "03")
        os.makedirs(folder)
        with open(os.path.join(folder, "keeper.md"), "w") as f:
            f.write(ARTICLE)
        assert wait_until(lambda: "Lighthouse keeper retires" in
                          gemini(srv.gemini_port, "gemini://localhost/").text, 3)
        # The configuration is out of reach: a reload says so and keeps serving.
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "restart instead" in srv.log(), 5), srv.log()
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20


def test_chroot_needs_one_capsule():
    need_root()
    a, b = copy_capsule(), copy_capsule()
    config = (f"chroot: true\nhosts:\n  - hostname: a.example\n    capsule: {a}\n"
              f"  - hostname: b.example\n    capsule: {b}\n")
    assert refused(Server(capsule=None, config=config)) == 1
    assert "every host must serve the same capsule" in LAST_LOG[0], LAST_LOG[0]


def test_private_key_inside_the_capsule_is_refused():
    capsule = copy_capsule()
    assert refused(Server(capsule=capsule, certs=os.path.join(capsule, "certs"))) == 1
    assert "a private key inside the capsule" in LAST_LOG[0], LAST_LOG[0]


def test_private_key_is_never_served_through_a_link():
    capsule = copy_capsule()
    with Server(capsule=capsule) as srv:
        key = [n for n in os.listdir(srv.certs) if n.endswith(".key")][0]
        os.symlink(os.path.join(srv.certs, key), os.path.join(capsule, "key.pem"))
        os.symlink(os.path.relpath(os.path.join(srv.certs, key), capsule),
                   os.path.join(capsule, "relkey.pem"))
        for name in ("key.pem", "relkey.pem"):
            assert gemini(srv.gemini_port, f"gemini://localhost/{name}").header == "51 Not found"
            assert gopher(srv.gopher_port, f"/{name}") == (
                f"3Not found: /{name}\t\terror.host\t1\r\n.\r\n").encode()
        assert b"PRIVATE KEY" not in gopher(srv.gopher_port, "/")
        assert stat.S_IMODE(os.stat(os.path.join(srv.certs, key)).st_mode) == 0o600


def test_first_read_of_the_capsule_is_unprivileged():
    """Articles are read only after the drop, the first time too: a file only
    root may read is never published, even when it is there at start."""
    need_root()
    capsule = copy_capsule()
    secret = os.path.join(capsule, "news", "root-only.md")
    with open(secret, "w") as f:
        f.write(ARTICLE.replace("Lighthouse keeper retires", "Root only story"))
    os.chmod(secret, 0o600)
    with Server(capsule=capsule) as srv:
        page = gemini(srv.gemini_port, "gemini://localhost/").text
        assert "Root only story" not in page
        assert "news/root-only.md" in srv.log() and "Permission denied" in srv.log(), \
            srv.log()[-2000:]
