"""Small static files, over Gopher and Gemini, come from memory once read,
kept with the file's identity and checked again at most once a second: a
changed file is served fresh within about a second, a hidden one never."""

import os

from harness import Server, copy_capsule, gemini, gopher, tempdir, wait_until


def body(data):
    """The text of a Gopher text answer, without its closing line."""
    return data.decode("utf-8").replace("\r\n", "\n").rsplit(".\n", 1)[0]


def fresh(fetch, wanted):
    """Polls fetch until its text holds wanted: a changed file must be
    served fresh within about a second (bounded by harness.patience)."""
    return wait_until(lambda: wanted in fetch(), timeout=5.0)


def test_changed_file_served_fresh_and_hidden_never():
    capsule = copy_capsule()
    path = os.path.join(capsule, "notes.txt")
    with open(path, "w") as f:
        f.write("Jadwal feri: 07.00\nФерри: 07:00\n")
    with Server(capsule=capsule, gemini=0) as srv:
        get = lambda: body(gopher(srv.gopher_port, "/notes.txt"))
        first = gopher(srv.gopher_port, "/notes.txt")
        assert "Jadwal feri: 07.00" in body(first)
        assert gopher(srv.gopher_port, "/notes.txt") == first  # from memory now
        # Rewritten in place with the same size, in the same second: a new
        # modification time (nanoseconds) and new bytes.
        with open(path, "r+") as f:
            f.write("Jadwal feri: 08.30\nФерри: 08:30\n")
        assert fresh(get, "Jadwal feri: 08.30")
        # Replaced by a new file (a new inode) of another size.
        with open(path + ".new", "w") as f:
            f.write("Feri dibatalkan hari ini.\n")
        os.rename(path + ".new", path)
        assert fresh(get, "Feri dibatalkan")
        # Served once, then made hidden: a dotfile name is never served.
        os.rename(path, os.path.join(capsule, ".notes.txt"))
        gone = gopher(srv.gopher_port, "/.notes.txt")
        assert gone.startswith(b"3"), gone
        assert fresh(lambda: gopher(srv.gopher_port, "/notes.txt").decode(), "Not found")
        # An article's source is text too, and stays hidden however asked.
        src = gopher(srv.gopher_port, "/news/mangrove-count.md")
        assert src.startswith(b"3") and b"Andi Maspul" not in src, src[:200]


DRAFT = """---
title: Rahasia redaksi
date: 2024-03-20T09:00:00+08:00
draft: true
---

Naskah belum terbit: jangan bocor.
"""


def test_kept_file_replaced_by_link_or_draft_is_never_served():
    """A file kept in memory, then replaced by a symlink leading out of
    the capsule, a symlink to a draft and a hard link to a draft: each is
    decided on again when its second is over, never served from memory."""
    capsule = copy_capsule()
    outside = tempdir()
    with open(os.path.join(outside, "secret.txt"), "w") as f:
        f.write("di luar kapsul\n")
    draft = os.path.join(capsule, "news", "rahasia.md")
    with open(draft, "w") as f:
        f.write(DRAFT)
    os.makedirs(os.path.join(capsule, "files"))
    path = os.path.join(capsule, "files", "memo.txt")
    with open(path, "w") as f:
        f.write("Memo umum: rapat jam 9\n")
    replacements = [
        lambda tmp: os.symlink(os.path.join(outside, "secret.txt"), tmp),
        lambda tmp: os.symlink(os.path.join("..", "news", "rahasia.md"), tmp),
        lambda tmp: os.link(draft, tmp),
    ]
    with Server(capsule=capsule) as srv:
        for replace in replacements:
            with open(path + ".new", "w") as f:
                f.write("Memo umum: rapat jam 9\n")
            os.rename(path + ".new", path)
            for proto in ("gopher", "gemini"):
                get = (lambda: body(gopher(srv.gopher_port, "/files/memo.txt"))) \
                    if proto == "gopher" else \
                    (lambda: gemini(srv.gemini_port, f"gemini://localhost:{srv.gemini_port}"
                                                     "/files/memo.txt").body.decode())
                assert fresh(get, "Memo umum"), proto
            replace(path + ".tmp")
            os.rename(path + ".tmp", path)
            gone = lambda: gopher(srv.gopher_port, "/files/memo.txt").startswith(b"3")
            assert wait_until(gone, timeout=5.0)
            refused = lambda: gemini(srv.gemini_port, f"gemini://localhost:{srv.gemini_port}"
                                                      "/files/memo.txt").status == 51
            assert wait_until(refused, timeout=5.0)
            for _ in range(5):
                assert b"jangan bocor" not in gopher(srv.gopher_port, "/files/memo.txt")
                assert b"di luar" not in gopher(srv.gopher_port, "/files/memo.txt")
                reply = gemini(srv.gemini_port,
                               f"gemini://localhost:{srv.gemini_port}/files/memo.txt")
                assert b"jangan bocor" not in reply.body and b"di luar" not in reply.body


def test_gemini_small_and_large_files_from_memory_and_fresh():
    capsule = copy_capsule()
    small = os.path.join(capsule, "kecil.gmi")
    big = os.path.join(capsule, "besar.txt")
    with open(small, "w") as f:
        f.write("# Kabar kecil\n\nΚαλημέρα — 早上好\n")
    line = "Paragraf panjang untuk pengujian: ข่าวท้องถิ่น สำหรับการทดสอบ\n"
    with open(big, "w") as f:
        f.write(line * (100_000 // len(line.encode())))
    with Server(capsule=capsule, gopher=0) as srv:
        url = lambda p: f"gemini://localhost:{srv.gemini_port}{p}"
        first = gemini(srv.gemini_port, url("/kecil.gmi"))
        assert first.status == 20 and first.meta.startswith("text/gemini"), first.header
        assert "早上好" in first.body.decode()
        again = gemini(srv.gemini_port, url("/kecil.gmi"))
        assert again.header == first.header and again.body == first.body
        answers = {gemini(srv.gemini_port, url("/besar.txt")).body for _ in range(5)}
        assert len(answers) == 1 and answers.pop() == open(big, "rb").read()
        with open(small, "w") as f:
            f.write("# Kabar baru\n")
        assert fresh(lambda: gemini(srv.gemini_port, url("/kecil.gmi")).body.decode(),
                     "Kabar baru")


def test_same_file_under_many_requests_is_one_answer():
    capsule = copy_capsule()
    with open(os.path.join(capsule, "long.txt"), "w") as f:
        f.write("".join(f"baris {i}: ถนนริมทะเล — الطريق الساحلي\n" for i in range(2000)))
    with Server(capsule=capsule, gemini=0) as srv:
        answers = {gopher(srv.gopher_port, "/long.txt") for _ in range(20)}
        assert len(answers) == 1
        text = body(answers.pop())
        assert text.count("\n") == 2000 and "baris 1999" in text
