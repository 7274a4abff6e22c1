"""Small static files over Gopher come from memory once read, keyed by the
file's identity: a changed file is served fresh at once, a hidden one never."""

import os
import time

from harness import Server, copy_capsule, gopher


def body(data):
    """The text of a Gopher text answer, without its closing line."""
    return data.decode("utf-8").replace("\r\n", "\n").rsplit(".\n", 1)[0]


def test_changed_file_served_fresh_and_hidden_never():
    capsule = copy_capsule()
    path = os.path.join(capsule, "notes.txt")
    with open(path, "w") as f:
        f.write("Jadwal feri: 07.00\nФерри: 07:00\n")
    with Server(capsule=capsule, gemini=0) as srv:
        first = gopher(srv.gopher_port, "/notes.txt")
        assert "Jadwal feri: 07.00" in body(first)
        assert gopher(srv.gopher_port, "/notes.txt") == first  # from memory now
        # Rewritten in place with the same size, in the same second: a new
        # modification time (nanoseconds) and new bytes.
        with open(path, "r+") as f:
            f.write("Jadwal feri: 08.30\nФерри: 08:30\n")
        assert "Jadwal feri: 08.30" in body(gopher(srv.gopher_port, "/notes.txt"))
        # Replaced by a new file (a new inode) of another size.
        with open(path + ".new", "w") as f:
            f.write("Feri dibatalkan hari ini.\n")
        os.rename(path + ".new", path)
        assert body(gopher(srv.gopher_port, "/notes.txt")).startswith("Feri dibatalkan")
        # Served once, then made hidden: a dotfile name is never served.
        os.rename(path, os.path.join(capsule, ".notes.txt"))
        gone = gopher(srv.gopher_port, "/.notes.txt")
        assert gone.startswith(b"3"), gone
        # An article's source is text too, and stays hidden however asked.
        src = gopher(srv.gopher_port, "/news/mangrove-count.md")
        assert src.startswith(b"3") and b"Andi Maspul" not in src, src[:200]


def test_same_file_under_many_requests_is_one_answer():
    capsule = copy_capsule()
    with open(os.path.join(capsule, "long.txt"), "w") as f:
        f.write("".join(f"baris {i}: ถนนริมทะเล — الطريق الساحلي\n" for i in range(2000)))
    with Server(capsule=capsule, gemini=0) as srv:
        answers = {gopher(srv.gopher_port, "/long.txt") for _ in range(20)}
        assert len(answers) == 1
        text = body(answers.pop())
        assert text.count("\n") == 2000 and "baris 1999" in text
