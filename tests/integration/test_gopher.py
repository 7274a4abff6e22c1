"""The Gopher front-end over a real socket: routes, capsule files, menus,
errors, and real clients (curl, lynx)."""
import io
import os
import subprocess
import zipfile

from harness import Server, display_width, gopher, need_tool, tempdir

CJK_PARAGRAPH = "新闻服务器" * 40 + " 巴鲁县的选举结果已经公布。" * 6
ARTICLE = f"""---
title: "Kabar dari Barru"
date: "2022-04-12"
author: Muh. Hasyim
section: Barru
tags:
- pemilu
---

Warga Barru memilih hari ini. Hasilnya diumumkan sore nanti.

{CJK_PARAGRAPH}
"""
NOTES = ".starts with a dot\nplain line\n..two dots\n.\nlast line without end"
GOPHERMAP = ("Hand-written menu\n"
             "# a comment, not shown\n"
             "0Our notes\t../notes.txt\n"
             "1Front page\t/\n"
             "hWeb site\tURL:https://example.org/\n"
             "*\n")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e5270ede0000000049454e44ae426082")


def make_capsule():
    root = os.path.join(tempdir(), "capsule")
    os.makedirs(os.path.join(root, "news", "2022", "04"))
    os.makedirs(os.path.join(root, "docs"))
    os.makedirs(os.path.join(root, "files", "sub"))
    files = {
        "news/2022/04/kabar-dari-barru.md": ARTICLE,
        "notes.txt": NOTES,
        "docs/gophermap": GOPHERMAP,
        "docs/readme.txt": "read me\n",
        ".secret": "hidden\n",
    }
    for path, text in files.items():
        with open(os.path.join(root, path), "w", encoding="utf-8") as f:
            f.write(text)
    with open(os.path.join(root, "files", "pixel.png"), "wb") as f:
        f.write(PNG)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "inside\n")
    with open(os.path.join(root, "files", "bundle.zip"), "wb") as f:
        f.write(archive.getvalue())
    return root


def menu_lines(raw):
    """The item lines of a menu, checked for form; the '.' end is required."""
    assert raw.endswith(b"\r\n.\r\n"), raw[-80:]
    lines = raw[:-3].decode("utf-8").split("\r\n")[:-1]
    items = []
    for line in lines:
        fields = line[1:].split("\t")
        assert len(fields) == 4, line
        assert display_width(fields[0]) <= 70, line
        items.append((line[0], fields[0], fields[1], fields[2], fields[3]))
    return items


def text_lines(raw):
    assert raw.endswith(b"\r\n.\r\n"), raw[-80:]
    return raw[:-3].decode("utf-8").split("\r\n")[:-1]


def assert_error(raw, words):
    assert raw.startswith(b"3"), raw[:200]
    assert words.encode() in raw.split(b"\r\n")[0], raw[:200]
    assert raw.endswith(b"\t\terror.host\t1\r\n.\r\n"), raw[-80:]


def article_selector(port):
    for item in menu_lines(gopher(port, "/")):
        if item[0] == "1" and item[2].startswith("/news/"):
            return item[2]
    raise AssertionError("no article on the front page")


def test_front_page_menu():
    with Server(capsule=make_capsule()) as s:
        empty = gopher(s.gopher_port, "")
        assert empty == gopher(s.gopher_port, "/")
        items = menu_lines(empty)
        assert items[0][0] == "i", items[0]
        for kind, _display, _selector, host, port in items:
            if kind not in "i3":
                assert host == "localhost", (host, items)  # the host's name, not the socket's
                assert port == str(s.gopher_port)
        assert any(kind == "7" and sel == "/search" for kind, _, sel, _, _ in items), items
        # A Gopher+ client gets the same plain menu.
        assert gopher(s.gopher_port, "/\t+") == empty
        assert gopher(s.gopher_port, "/\t$") == empty


def test_article_is_wrapped_text():
    with Server(capsule=make_capsule()) as s:
        selector = article_selector(s.gopher_port)
        lines = text_lines(gopher(s.gopher_port, selector + ".txt"))
        body = "\n".join(lines)
        assert "Kabar dari Barru" in body
        assert "新闻服务器" in body
        for line in lines:
            assert display_width(line) <= 70, (display_width(line), line)
        # The CJK paragraph is wrapped into several lines, not cut.
        assert sum(1 for line in lines if "新闻" in line) >= 4


def test_article_is_a_menu_to_follow():
    """The article itself is a menu: its text as info lines within 70
    columns, the plain text offered first, and the way on as items."""
    with Server(capsule=make_capsule()) as s:
        selector = article_selector(s.gopher_port)
        items = menu_lines(gopher(s.gopher_port, selector))
        assert items[0][:3] == ("0", "Plain text", selector + ".txt"), items[0]
        info = [display for kind, display, _, _, _ in items if kind == "i"]
        assert "Kabar dari Barru" in info
        assert sum(1 for line in info if "新闻" in line) >= 4
        ways = {(kind, sel) for kind, _, sel, _, _ in items if kind != "i"}
        assert ("1", "/section/barru/") in ways, ways
        assert ("1", "/tag/pemilu/") in ways, ways
        assert ("1", "/author/muh-hasyim/") in ways, ways
        assert ("1", "/") in ways, ways


def test_site_routes():
    with Server(capsule=make_capsule()) as s:
        for path in ("/section/barru/", "/tag/pemilu/", "/archive/2022/04/"):
            raw = gopher(s.gopher_port, path)
            assert not raw.startswith(b"3"), (path, raw[:200])
            selectors = [item[2] for item in menu_lines(raw)]
            assert article_selector(s.gopher_port) in selectors, (path, selectors)
        feed = gopher(s.gopher_port, "/feed.xml")
        assert b"<feed" in feed and feed.endswith(b"\r\n.\r\n"), feed[:200]


def test_search():
    with Server(capsule=make_capsule()) as s:
        prompt = menu_lines(gopher(s.gopher_port, "/search"))
        assert any(item[0] == "7" and item[2] == "/search" for item in prompt), prompt
        found = menu_lines(gopher(s.gopher_port, "/search\tbarru"))
        assert article_selector(s.gopher_port) in [item[2] for item in found], found
        # Search terms with a Gopher+ suffix.
        assert gopher(s.gopher_port, "/search\tbarru\t+") == gopher(s.gopher_port, "/search\tbarru")


def test_errors():
    with Server(capsule=make_capsule()) as s:
        port = s.gopher_port
        assert_error(gopher(port, "/no/such/thing"), "Not found: /no/such/thing")
        assert_error(gopher(port, "/tag/no-such-tag/"), "Not found")
        assert_error(gopher(port, "/.secret"), "Not found")
        assert_error(gopher(port, "/news/2022/04/kabar-dari-barru.md"), "Not found")
        assert_error(gopher(port, b"a" * 2000 + b"\r\n"), "Request too long")
        assert_error(gopher(port, b"/a\x00b\r\n"), "control bytes")
        assert_error(gopher(port, b"/a\x1b[2J\r\n"), "control bytes")
        assert_error(gopher(port, b"/search\t\xff\xfe\r\n"), "UTF-8")


def test_traversal_is_refused():
    with Server(capsule=make_capsule()) as s:
        for attempt in ("/../../../etc/passwd", "../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                        "/docs/../../etc/passwd", "/.%2e/etc/passwd"):
            raw = gopher(s.gopher_port, attempt)
            assert raw.startswith(b"3"), (attempt, raw[:200])
            assert b"root:" not in raw


def test_text_file_is_dot_stuffed():
    with Server(capsule=make_capsule()) as s:
        raw = gopher(s.gopher_port, "/notes.txt")
        assert raw == (b"..starts with a dot\r\nplain line\r\n...two dots\r\n..\r\n"
                       b"last line without end\r\n.\r\n"), raw


def test_binary_file_is_raw():
    with Server(capsule=make_capsule()) as s:
        assert gopher(s.gopher_port, "/files/pixel.png") == PNG


def test_large_text_is_streamed_raw():
    capsule = make_capsule()
    big = (".a line that would be stuffed if it were small\n" * 40000).encode()
    assert len(big) > 1024 * 1024
    with open(os.path.join(capsule, "big.txt"), "wb") as f:
        f.write(big)
    with Server(capsule=capsule) as s:
        assert gopher(s.gopher_port, "/big.txt") == big


def test_generated_listing():
    with Server(capsule=make_capsule()) as s:
        items = menu_lines(gopher(s.gopher_port, "/files/"))
        by_selector = {item[2]: item[0] for item in items}
        assert by_selector.get("/files/pixel.png") == "I", items
        assert by_selector.get("/files/bundle.zip") == "5", items
        assert by_selector.get("/files/sub/") == "1", items
        assert by_selector.get("/") == "1", items  # the parent
        # The folder without its slash is the same folder.
        assert gopher(s.gopher_port, "/files") == gopher(s.gopher_port, "/files/")
        # Hidden files and article sources are not listed.
        root = [item[2] for item in menu_lines(gopher(s.gopher_port, "/news/2022/04/"))]
        assert not any(sel.endswith(".md") for sel in root), root


def test_hand_written_gophermap():
    with Server(capsule=make_capsule()) as s:
        port = str(s.gopher_port)
        items = menu_lines(gopher(s.gopher_port, "/docs/"))
        assert items[0][:2] == ("i", "Hand-written menu"), items
        assert ("0", "Our notes", "/notes.txt", "localhost", port) in items, items
        assert ("1", "Front page", "/", "localhost", port) in items, items
        assert ("h", "Web site", "URL:https://example.org/", "localhost", port) in items
        assert not any("comment" in item[1] for item in items)
        # "*": the generated listing follows, without the map itself.
        selectors = [item[2] for item in items]
        assert "/docs/readme.txt" in selectors, items
        assert "/docs/gophermap" not in selectors


def test_url_selector_page():
    with Server(capsule=make_capsule()) as s:
        raw = gopher(s.gopher_port, "URL:https://example.org/?a=1&b=2")
        assert raw.startswith(b"<!DOCTYPE html>"), raw[:200]
        assert b'href="https://example.org/?a=1&amp;b=2"' in raw


def test_caps_txt():
    with Server(capsule=make_capsule()) as s:
        lines = text_lines(gopher(s.gopher_port, "/caps.txt"))
        assert lines[0] == "CAPS"
        for want in ("CapsVersion=1", "PathDelimeter=/", "ServerSoftware=Kabar",
                     f"ServerTLSPort={s.gopher_port}"):
            assert want in lines, lines


def test_menus_name_the_advertised_server():
    """Behind NAT or a balancer (70 forwarded to the port kabar binds), every
    item of every menu names the advertised host and port, over plain
    Gopher and Gopher over TLS."""
    config = "gopher_advertise: gopher.example:70\n"
    with Server(capsule=make_capsule(), config=config) as s:
        for selector in ("/", "/section/", "/archive/", "/docs/", "/files/", "/news/2022/04/"):
            for tls in (False, True):
                items = menu_lines(gopher(s.gopher_port, selector, tls=tls))
                links = [i for i in items if i[0] not in "i3"]
                assert links, (selector, items)
                for kind, _display, sel, host, port in links:
                    assert (host, port) == ("gopher.example", "70"), (selector, kind, sel, host, port)
        assert "ServerTLSPort=70" in text_lines(gopher(s.gopher_port, "/caps.txt"))


def test_curl_gopher_and_gophers():
    curl = need_tool("curl")
    with Server(capsule=make_capsule()) as s:
        url = f"gopher://127.0.0.1:{s.gopher_port}/1/"
        out = subprocess.run([curl, "-s", "--max-time", "10", url], capture_output=True, timeout=20)
        assert out.returncode == 0, out
        assert out.stdout == gopher(s.gopher_port, "/"), out.stdout[:300]
        text = subprocess.run([curl, "-s", "--max-time", "10",
                               f"gopher://127.0.0.1:{s.gopher_port}/0/notes.txt"],
                              capture_output=True, timeout=20)
        assert text.stdout.startswith(b"..starts with a dot\r\n"), text.stdout[:200]
        tls = subprocess.run([curl, "-sk", "--max-time", "10",
                              f"gophers://127.0.0.1:{s.gopher_port}/1/"],
                             capture_output=True, timeout=20)
        assert tls.returncode == 0, tls
        assert article_selector(s.gopher_port).encode() in tls.stdout, tls.stdout[:300]


def test_lynx_dump():
    lynx = need_tool("lynx")
    with Server(capsule=make_capsule()) as s:
        env = dict(os.environ, TERM="dumb", HOME=tempdir())
        out = subprocess.run([lynx, "-dump", "-nolist", f"gopher://127.0.0.1:{s.gopher_port}/1/"],
                             capture_output=True, timeout=30, env=env)
        assert out.returncode == 0, out
        assert "Kabar dari Barru" in out.stdout.decode("utf-8", "replace"), out.stdout[:500]
