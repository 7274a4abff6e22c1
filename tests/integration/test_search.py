"""Search over the wire, in Gemini and Gopher: stems in English and
Indonesian, authors, phrases, prefixes, "N results" in the host's language,
20 hits a page with next and previous links that a client can follow, and
per hit the headline, date, section and a snippet holding the words."""
import atexit
import os
import re
import subprocess
import urllib.parse

from harness import Server, gemini, gopher, need_tool, tempdir

PAGE = 20
N_PASAR = 45  # and the Kunjungan article at the Pasar: three pages, 20, 20, 6
HITS = N_PASAR + 1


def article(title, date, body, author="Andi Makkasau", section="barru", lang="id"):
    return (f"---\ntitle: \"{title}\"\ndate: {date}\nauthor: {author}\n"
            f"section: {section}\nlang: {lang}\n---\n\n{body}\n")


def make_capsule():
    root = os.path.join(tempdir(), "capsule")
    news = os.path.join(root, "news")
    os.makedirs(news)
    files = {
        "lamp.md": article("The harbour light shines again", "2024-03-14",
                           "Volunteers replaced the lamp that guides the boats home. "
                           "The harbour light can be seen from the fish market.",
                           author="Rina Paluseri", section="community", lang="en"),
        "market.md": article("Night market moves", "2024-02-20",
                             "Forty stalls will trade under the station roof.",
                             author="Rina Paluseri", section="community", lang="en"),
        "kunjungan.md": article("Kunjungan Bupati ke Pasar Sentral", "2024-01-05",
                                "Bupati Barru meninjau harga beras dan cabai."),
    }
    for i in range(N_PASAR):
        day = f"2023-{1 + i // 28:02d}-{1 + i % 28:02d}"
        files[f"pasar{i:02d}.md"] = article(
            f"Berita pasar {i:02d}", day,
            f"Pedagang di pasar nomor{i:02d} menjual sayur. Harga sayur naik minggu ini.")
    for name, text in files.items():
        with open(os.path.join(news, name), "w", encoding="utf-8") as f:
            f.write(text)
    return root


_server = None


def server():
    global _server
    if _server is None:
        config = (f"capsule: {make_capsule()}\n"
                  "host: localhost\n"
                  "lang: id\n"
                  "timezone: WITA\n")
        _server = Server(capsule=None, config=config).start()
        atexit.register(_server.kill)
    return _server


def gem(path):
    page = gemini(server().gemini_port, f"gemini://localhost{path}\r\n")
    assert page.status == 20, (path, page.status)
    return page.text


def links(text):
    """The (url, label) of every gemtext link line."""
    return [tuple(line[3:].split(" ", 1)) for line in text.splitlines() if line.startswith("=> ")]


def hits(text):
    return [(url, label) for url, label in links(text) if url.startswith("/news/")]


def menu(selector):
    raw = gopher(server().gopher_port, f"{selector}\r\n".encode()).decode()
    assert raw.endswith(".\r\n"), raw[-200:]
    return [line.split("\t") for line in raw[:-3].split("\r\n") if line]


def test_stems_authors_phrases_prefixes():
    assert "1 hasil" in gem("/search?lamps")
    assert [u for u, _ in hits(gem("/search?lamps"))] == ["/news/2024/03/lamp"]
    assert [u for u, _ in hits(gem("/search?kunjung"))] == ["/news/2024/01/kunjungan"]
    assert len(hits(gem("/search?Rina"))) == 2
    assert len(hits(gem("/search?%22harbour%20light%22"))) == 1
    assert len(hits(gem("/search?%22light%20harbour%22"))) == 0
    assert "Tidak ditemukan." in gem("/search?%22light%20harbour%22")
    assert len(hits(gem("/search?pas*"))) == PAGE


def test_hit_has_headline_date_section_snippet():
    text = gem("/search?harga%20sayur")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("=> /news/"))
    assert re.match(r"=> /news/\S+ \d{4}-\d{2}-\d{2} - Berita pasar \d\d$", lines[first]), lines[first]
    assert lines[first + 1] == "Rubrik: barru · Andi Makkasau", lines[first + 1]
    snippet = lines[first + 2]
    assert "Harga sayur" in snippet and len(snippet) < 300, snippet
    # An English article's line is in the host's words all the same:
    # index pages speak the host's language.
    assert "Rubrik: community" in gem("/search?lamp")


def test_gemini_paging():
    first = gem("/search?pasar")
    assert f"{HITS} hasil · Halaman 1 dari 3" in first, first[:400]
    assert len(hits(first)) == PAGE
    nxt = dict((label, url) for url, label in links(first))
    assert "Halaman sebelumnya" not in nxt
    second = gem(nxt["Halaman berikutnya"])
    assert len(hits(second)) == PAGE
    labels = dict((label, url) for url, label in links(second))
    third = gem(labels["Halaman berikutnya"])
    assert len(hits(third)) == HITS - 2 * PAGE
    assert "Halaman berikutnya" not in dict((l, u) for u, l in links(third))
    seen = [u for page in (first, second, third) for u, _ in hits(page)]
    assert len(set(seen)) == HITS
    assert gem(dict((l, u) for u, l in links(third))["Halaman sebelumnya"]) == second
    # Past the last page: not found.
    page = gemini(server().gemini_port, "gemini://localhost/search/page/9?pasar\r\n")
    assert page.status == 51, page.status


def test_newest_first():
    page = gem("/search/newest?pasar")
    dates = [label.split(" ")[0] for _, label in hits(page)]
    assert dates == sorted(dates, reverse=True), dates
    assert dates[0] == "2024-01-05"  # the Kunjungan article is at the Pasar too
    order = dict((label, url) for url, label in links(page))
    assert order["Paling cocok dulu"] == "/search?pasar"
    assert dict((l, u) for u, l in links(gem("/search?pasar")))["Terbaru dulu"] == "/search/newest?pasar"


def test_gopher_search_and_paging():
    items = menu("/search\tpasar")
    info = [f[0][1:] for f in items if f[0].startswith("i")]
    assert f"{HITS} hasil · Halaman 1 dari 3" in info, info[:5]
    articles = [f for f in items if f[1].startswith("/news/")]
    assert len(articles) == PAGE
    # Each hit: the dated headline, then its section line and its snippet.
    at = items.index(articles[0])
    assert items[at + 1][0] == "iRubrik: barru · Andi Makkasau"
    assert "pasar" in items[at + 2][0].lower()
    nxt = next(f for f in items if f[0] == "1Halaman berikutnya")
    assert nxt[1] == "/search/page/2?pasar"
    second = menu(nxt[1])
    assert len([f for f in second if f[1].startswith("/news/")]) == PAGE
    nxt = next(f for f in second if f[0] == "1Halaman berikutnya")
    third = menu(nxt[1])
    assert len([f for f in third if f[1].startswith("/news/")]) == HITS - 2 * PAGE
    seen = {f[1] for page in (items, second, third) for f in page if f[1].startswith("/news/")}
    assert len(seen) == HITS
    # The same page by TAB as by '?'.
    assert menu("/search/page/2\tpasar") == second


def test_gopher_phrase_terms_encoded_in_links():
    items = menu("/search\t\"harbour light\"")
    assert len([f for f in items if f[1].startswith("/news/")]) == 1
    newest = next(f for f in items if f[0] == "1Terbaru dulu")
    assert urllib.parse.unquote(newest[1].split("?", 1)[1]) == "\"harbour light\""
    again = menu(newest[1])
    assert len([f for f in again if f[1].startswith("/news/")]) == 1
    # No terms: the prompt, at the address asked for.
    prompt = menu("/search/newest")
    assert prompt[-1][0].startswith("7") and prompt[-1][1] == "/search/newest"


def test_lynx_follows_the_next_page():
    lynx = need_tool("lynx")
    base = f"gopher://127.0.0.1:{server().gopher_port}"

    def dump(url, *extra):
        return subprocess.run([lynx, "-dump", *extra, url], capture_output=True, text=True,
                              timeout=30).stdout

    first = dump(f"{base}/7/search?pasar", "-listonly")
    nxt = [line.split()[-1] for line in first.splitlines() if "/search/page/2" in line]
    assert len(nxt) == 1, first[-600:]
    second = dump(nxt[0])
    assert f"{HITS} hasil · Halaman 2 dari 3" in second, second[:400]
    assert second.count("Rubrik: barru") == PAGE
