"""Each article in its own language, over the wire: the Gemini lang= of an
article with a lang: key, one in a language folder, one told from its text
(and the seed, an Indonesian article, on an English host); index pages in
the host's language; Gopher text of Hindi and Tamil articles within 70
columns as glibc's wcswidth counts them."""
import atexit
import ctypes
import os
import re
import shutil

from harness import REPO, Server, gemini, gopher, shared_path, tempdir

SEED = "000_d926a9efe1d2fe2d.txt"
HOST_META = "text/gemini; charset=utf-8; lang=en"


def sample(name):
    with open(os.path.join(REPO, "tests", "lang", name), encoding="utf-8") as f:
        return f.read()


def make_capsule():
    root = os.path.join(tempdir(), "capsule")
    files = {
        "news/2024-03-12-breakwater-ar.md": sample("ar.md"),
        "news/zh-hans/2024-03-12-breakwater-zh.md": sample("zh-hans.md"),
        "news/2024-03-12-breakwater-hi.md": sample("hi.md"),
        "news/2024-03-12-breakwater-ta.md": sample("ta.md"),
        # A section folder named like a language code would be, but not one.
        "news/go/2024-03-12-release.md": "---\ntitle: Go 1.22\ndate: 2024-03-12\n---\n\nOut now.\n",
    }
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(text)
    seed = os.path.join(os.path.dirname(REPO), "shared", "seeds", SEED)
    if os.path.exists(seed):
        shutil.copy(seed, os.path.join(root, "news", SEED))
    return root


_server = None


def server():
    global _server
    if _server is None:
        config = (f"capsule: {make_capsule()}\n"
                  "host: localhost\n"
                  "lang: en\n"
                  "timezone: WITA\n"
                  "wrap: 70\n")
        _server = Server(capsule=None, config=config, gemini=1, gopher=1).start()
        atexit.register(_server.kill)
    return _server


def fetch(path):
    res = gemini(server().gemini_port, f"gemini://localhost{path}\r\n".encode())
    assert res.status == 20, (path, res.status, res.meta)
    return res


def lang_of(path):
    return fetch(path).meta


def test_lang_key_arabic():
    assert lang_of("/news/2024/03/breakwater-ar") == "text/gemini; charset=utf-8; lang=ar"


def test_language_folder_zh_hans():
    assert lang_of("/news/2024/03/breakwater-zh") == "text/gemini; charset=utf-8; lang=zh-Hans"


def test_identified_from_the_text():
    assert lang_of("/news/2024/03/breakwater-hi") == "text/gemini; charset=utf-8; lang=hi"
    assert lang_of("/news/2024/03/breakwater-ta") == "text/gemini; charset=utf-8; lang=ta"


def test_section_folder_is_not_a_language():
    # "go" is no ISO 639-1 code, and "Out now." too short to identify.
    assert lang_of("/news/2024/03/release") == HOST_META


def test_seed_is_indonesian_on_an_english_host():
    shared_path("seeds", SEED)
    front = fetch("/").text
    links = set(re.findall(r"^=> (/news/2022/04/[^ ]+) .* Wow", front, re.M))
    assert len(links) == 1, front
    res = fetch(links.pop())
    assert res.meta == "text/gemini; charset=utf-8; lang=id"
    # The page's own words follow: Indonesian, not English.
    body = res.text
    assert "menit baca" in body and "min read" not in body
    assert "Halaman depan" in body and "Front page" not in body


def test_index_pages_keep_the_hosts_language():
    for path in ("/", "/archive/", "/section/", "/section/harbour/", "/feed.gmi"):
        assert lang_of(path) == HOST_META, path


def glibc_width(line):
    libc = ctypes.CDLL("libc.so.6")
    libc.setlocale.restype = ctypes.c_char_p
    assert libc.setlocale(0, b"C.UTF-8") is not None  # LC_CTYPE
    libc.wcswidth.restype = ctypes.c_int
    return libc.wcswidth(ctypes.c_wchar_p(line), len(line))


def test_gopher_hindi_and_tamil_within_70_columns():
    for slug in ("breakwater-hi", "breakwater-ta"):
        text = gopher(server().gopher_port, f"/news/2024/03/{slug}.txt").decode("utf-8")
        lines = text.split("\r\n")
        widths = [glibc_width(line) for line in lines]
        assert min(widths) >= 0, slug
        assert max(widths) <= 70, [(w, l) for w, l in zip(widths, lines) if w > 70]
        # Full lines, not a wrap far narrower than asked.
        assert max(widths) >= 60, (slug, max(widths))
        # The menu form's info lines fit the same 70 columns.
        menu = gopher(server().gopher_port, f"/news/2024/03/{slug}").decode("utf-8")
        shown = [line[1:].split("\t")[0] for line in menu.split("\r\n")[:-2]]
        assert max(glibc_width(line) for line in shown) <= 70, slug
