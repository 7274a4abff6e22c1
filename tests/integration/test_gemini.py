"""The Gemini front-end over real TLS: every status the specification asks
for, through our Python client and through `openssl s_client` (with and
without a server name), against the real binary."""
import atexit
import os
import subprocess

from harness import GeminiResponse, Server, gemini, need_tool, tempdir

ARTICLE = """---
title: "Kabar dari Barru"
date: "2022-04-12"
author: Muh. Hasyim
section: Barru
---

Warga Barru memilih hari ini.
"""
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e5270ede0000000049454e44ae426082")
# Big enough that it cannot go out in one write: the file is streamed.
BIG = bytes(range(256)) * 1200
SECRET = "this lies outside the capsule\n"
GEMTEXT = "gemtext: text/gemini; charset=utf-8; lang=id"


def write(root, path, data):
    full = os.path.join(root, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(full, mode) as f:
        f.write(data)


def make_capsules():
    top = tempdir()
    write(top, "outside.txt", SECRET)
    main = os.path.join(top, "main")
    files = {
        "news/2022/04/kabar-dari-barru.md": ARTICLE,
        "hello.gmi": "# Hello\n",
        "notes.txt": "Plain notes.\n",
        "pixel.png": PNG,
        "big.bin": BIG,
        ".secret": "hidden\n",
        "draft.gmi~": "editor backup\n",
        "docs/index.gmi": "# Docs\n",
        "files/b.txt": "b\n",
        "files/a b.gmi": "# a b\n",
        "files/.hidden": "h\n",
        "files/sub/c.txt": "c\n",
    }
    for path, data in files.items():
        write(main, path, data)
    os.symlink("../outside.txt", os.path.join(main, "link-out"))
    os.symlink("/etc/passwd", os.path.join(main, "link-abs"))
    os.symlink("hello.gmi", os.path.join(main, "link-in"))
    os.symlink("..", os.path.join(main, "files", "up"))
    other = os.path.join(top, "other")
    write(other, "sub/only.txt", "only\n")
    return main, other


_server = None


def server():
    """One server for the module (two hosts, listings on for the first):
    starting one per test would spend the time on certificates."""
    global _server
    if _server is None:
        main, other = make_capsules()
        config = (f"hosts:\n"
                  f"  - hostname: [localhost, kabar.test]\n"
                  f"    capsule: {main}\n"
                  f"    lang: id\n"
                  f"    listing: true\n"
                  f"  - hostname: other.test\n"
                  f"    capsule: {other}\n"
                  f"    lang: en\n"
                  f"    listing: false\n")
        _server = Server(capsule=None, config=config, gemini=1, gopher=0).start()
        atexit.register(_server.kill)
    return _server


def openssl(port, request, servername="localhost"):
    """The same request through `openssl s_client`; servername None sends no
    SNI (connecting to an address, s_client names no server)."""
    need_tool("openssl")
    cmd = ["openssl", "s_client", "-quiet", "-connect", f"127.0.0.1:{port}"]
    if servername is not None:
        cmd += ["-servername", servername]
    proc = subprocess.run(cmd, input=request, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=20)
    return GeminiResponse(proc.stdout, True)


def ask_all(request, sni="localhost", also_without_sni=True):
    """The answers of every client, as (client, response) pairs. A request
    meant for the default host is also sent by openssl with no server name,
    which must make no difference."""
    if isinstance(request, str):
        request = request.encode() + b"\r\n"
    port = server().gemini_port
    answers = [("python", gemini(port, request, sni=sni)),
               (f"openssl -servername {sni}", openssl(port, request, servername=sni))]
    if sni == "localhost" and also_without_sni:
        answers.append(("openssl without -servername", openssl(port, request, servername=None)))
    return answers


def url(path="/", host="localhost"):
    return f"gemini://{host}{path}"


def expect(request, status, meta=None, body=None, sni="localhost", also_without_sni=True):
    """Both clients get status (and meta and body when given); a response
    that is not a success never has a body."""
    answers = ask_all(request, sni, also_without_sni)
    for client, res in answers:
        where = f"{client} {request!r} sni={sni}: {res.raw[:200]!r}"
        assert res.status == status, where
        if meta is not None:
            assert res.meta == meta, where
        if status != 20:
            assert res.body == b"", where
        if body is not None:
            assert res.body == body, where
    return answers[0][1]


# --- 20 ---------------------------------------------------------------------

def test_gemtext_file_has_charset_and_lang():
    expect(url("/hello.gmi"), 20, "text/gemini; charset=utf-8; lang=id", b"# Hello\n")


def test_text_file_has_charset():
    expect(url("/notes.txt"), 20, "text/plain; charset=utf-8", b"Plain notes.\n")


def test_png_by_libmagic():
    expect(url("/pixel.png"), 20, "image/png", PNG)


def test_big_file_is_streamed_whole():
    expect(url("/big.bin"), 20, body=BIG)


def test_link_inside_is_served():
    # The type goes by the name asked for ("link-in", no .gmi): libmagic's.
    expect(url("/link-in"), 20, "text/plain; charset=utf-8", b"# Hello\n")


def test_encoded_and_dotted_paths_reach_the_same_file():
    for path in ("/%68ello.gmi", "/docs/../hello.gmi", "/./hello.gmi", "/docs/%2e%2e/hello.gmi"):
        expect(url(path), 20, body=b"# Hello\n")


def test_front_page_is_a_site_route():
    res = expect(url("/"), 20, "text/gemini; charset=utf-8; lang=id")
    assert b"Kabar dari Barru" in res.body, res.body[:500]


def test_article_page():
    res = expect(url("/"), 20)
    links = [line.split()[1] for line in res.text.splitlines()
             if line.startswith("=> ") and "/news/" in line]
    assert links, res.text
    article = expect(url(links[0]), 20)
    assert "Warga Barru memilih" in article.text, article.text


def test_directory_index():
    expect(url("/docs/"), 20, "text/gemini; charset=utf-8; lang=id", b"# Docs\n")


def test_directory_listing():
    res = expect(url("/files/"), 20, "text/gemini; charset=utf-8; lang=id")
    assert res.text == ("# Index of /files/\n\n"
                        "=> ../ ../\n"
                        "=> a%20b.gmi a b.gmi\n"
                        "=> b.txt b.txt\n"
                        "=> sub/ sub/\n"
                        "=> up/ up/\n"), res.text


# --- 10 ---------------------------------------------------------------------

def test_search_without_terms_asks_for_input():
    res = expect(url("/search"), 10)
    assert res.meta, res.header


def test_search_with_terms():
    res = expect(url("/search?barru"), 20, "text/gemini; charset=utf-8; lang=id")
    assert "Kabar dari Barru" in res.text, res.text


# --- 31 ---------------------------------------------------------------------

def test_no_path_redirects_to_root():
    expect("gemini://localhost", 31, "gemini://localhost/")
    port = server().gemini_port
    expect(f"gemini://localhost:{port}", 31, f"gemini://localhost:{port}/")


def test_directory_without_slash_redirects():
    expect(url("/docs"), 31, "gemini://localhost/docs/")
    expect(url("/files?x%20y"), 31, "gemini://localhost/files/?x%20y")


# --- 51 ---------------------------------------------------------------------

def test_missing_file():
    expect(url("/missing.gmi"), 51, "Not found")
    expect(url("/hello.gmi/"), 51)


def test_hidden_files():
    for path in ("/.secret", "/%2esecret", "/draft.gmi~", "/files/.hidden",
                 "/news/2022/04/kabar-dari-barru.md", "/news//2022/04/kabar-dari-barru.md"):
        expect(url(path), 51)


def test_links_leading_out():
    for path in ("/link-out", "/link-abs", "/files/up/outside.txt"):
        expect(url(path), 51)


def test_listing_off():
    expect(url("/sub/", "other.test"), 51, sni="other.test")
    expect(url("/sub/only.txt", "other.test"), 20, body=b"only\n", sni="other.test")


def test_traversal_never_leaves_the_capsule():
    attempts = ["/../outside.txt", "/%2e%2e/outside.txt", "/docs/../../outside.txt",
                "/%2E%2E%2Foutside.txt", "/..%2foutside.txt", "/%c0%ae%c0%ae/outside.txt",
                "/..\\outside.txt", "/files/up/outside.txt", "/link-out", "/%2e%2e%2f%2e%2e%2fetc/passwd"]
    for path in attempts:
        for client, res in ask_all(url(path)):
            assert res.status in (51, 59), (client, path, res)
            assert SECRET.encode() not in res.raw, (client, path)
            assert b"root:" not in res.raw, (client, path)


# --- 53 ---------------------------------------------------------------------

def test_other_schemes_are_refused():
    for request in ("https://localhost/", "http://localhost/", "gopher://localhost/",
                    "mailto:someone@localhost"):
        expect(request, 53, "Proxy request refused")


def test_unknown_host_is_refused():
    expect(url("/", "example.org"), 53)


def test_ports():
    port = server().gemini_port
    expect(f"gemini://localhost:{port}/hello.gmi", 20)
    expect(f"gemini://localhost:{port + 1 if port < 65535 else port - 1}/hello.gmi", 53)
    # No port means 1965: a server on another port answers it all the same.
    assert port != 1965
    expect("gemini://localhost/hello.gmi", 20)
    expect("gemini://localhost:1965/hello.gmi", 53)


def test_host_case_and_trailing_dot():
    expect("gemini://LOCALHOST/hello.gmi", 20)
    expect("gemini://localhost./hello.gmi", 20)
    expect("gemini://kabar.test/hello.gmi", 20, sni="kabar.test")


def test_ip_hosts_go_to_the_default_host():
    expect("gemini://127.0.0.1/hello.gmi", 20, sni=None)
    expect("gemini://[::1]/hello.gmi", 20, sni=None)


def test_sni_and_url_must_name_the_same_host():
    expect(url("/hello.gmi"), 53, sni="other.test")
    expect(url("/sub/only.txt", "other.test"), 53, sni="localhost", also_without_sni=False)
    expect(url("/sub/only.txt", "other.test"), 20, sni="other.test")
    expect(url("/hello.gmi"), 20, sni=None)


# --- 59 ---------------------------------------------------------------------

def test_malformed_requests():
    requests = [b"\r\n", b"/hello.gmi\r\n", b"hello.gmi\r\n", b"//localhost/hello.gmi\r\n",
                b"garbage\r\n", b"gemini://user@localhost/hello.gmi\r\n",
                b"gemini://localhost/hello.gmi#top\r\n", b"\xef\xbb\xbfgemini://localhost/\r\n",
                b"gemini://localhost/\xff\r\n", b"gemini://localhost/a\x00b\r\n",
                b"gemini://localhost/a\x01b\r\n", b"gemini://localhost/a b\r\n",
                b"gemini://localhost/%zz\r\n", b"gemini://localhost/%\r\n",
                b"gemini://localhost/../outside.txt\r\n", b"gemini://localhost/files%2Fb.txt\r\n",
                b"gemini:///hello.gmi\r\n"]
    for request in requests:
        expect(request, 59)


def test_request_over_1024_bytes():
    long_url = url("/" + "a" * 1020)
    assert len(long_url) > 1024
    expect(long_url, 59)


def test_request_of_exactly_1024_bytes_is_read():
    prefix = url("/")
    exact = prefix + "a" * (1024 - len(prefix))
    assert len(exact) == 1024
    expect(exact, 51)


def test_bare_lf_gets_no_response():
    for client, res in ask_all(b"gemini://localhost/hello.gmi\n"):
        assert res.raw == b"", (client, res)


def test_server_stops_cleanly():
    global _server
    if _server is not None:
        _server.stop()
        _server = None
