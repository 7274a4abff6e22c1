"""The site map over real Gemini and Gopher: front page, articles with
related articles and navigation, indexes with paging, archive, search,
redirects and aliases, unpublished articles, Atom feeds and the Gemini
subscription page, served by the real binary from a capsule written here."""
import atexit
import os
import re
import shutil
import xml.etree.ElementTree as ET

from harness import Server, gemini, gopher, shared_path, tempdir

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
DATED_LINK = re.compile(r"^=> (/\S+) (\d{4}-\d\d-\d\d) - (.+)$")
SECTION_SIZE = 25  # more than one page of the default page size (20)

_server = None


def article(name, front, body="Isi berita.\n"):
    return name, "---\n" + front.strip() + "\n---\n\n" + body


def newsroom():
    """Articles whose sections, tags and dates the tests know."""
    files = [
        article("panen.md", """
title: Panen Raya di Barru
slug: panen
date: 2022-04-21T11:18:00+08:00
author: Muh. Hasyim
section: barru
tags: [pertanian]
aliases: [/news/lama/panen]
summary: Petani memanen padi.
""", "Petani di Barru memanen padi.\n"),
        article("pasar.md", """
title: Pasar Sentral Dibuka
slug: pasar
date: 2022-04-20T09:00:00+08:00
section: barru
tags: [ekonomi, pertanian]
"""),
        article("pindah.md", """
title: Pindah
slug: pindah
date: 2022-03-01T08:00:00+08:00
section: barru
tags: [pertanian, pindahan]
redirect: /news/2022/04/panen
"""),
        article("depan.md", """
title: Masa Depan
slug: depan
date: 2099-01-05T08:00:00+08:00
section: barru
tags: [pilkada]
"""),
    ]
    for i in range(SECTION_SIZE):
        files.append(article(f"desa-{i:02}.md", f"""
title: Kabar Desa {i:02}
slug: desa-{i:02}
date: 2021-06-{i + 1:02}T10:00:00+08:00
section: desa
tags: [desa, "A & B <{i % 2}>"]
"""))
    return files


def older_go_posts(count):
    """Real posts of the Go blog from before 2020, so the articles written
    here stay the newest."""
    corpus = shared_path("corpus", "go-blog")
    found = []
    for name in sorted(os.listdir(corpus)):
        with open(os.path.join(corpus, name), encoding="utf-8") as f:
            head = f.read(2000)
        m = re.search(r"^date: *\"?(\d{4})-", head, re.M)
        if m and int(m.group(1)) < 2020:
            found.append(os.path.join(corpus, name))
        if len(found) == count:
            break
    return found


def server():
    """One server for the module (the capsule does not change)."""
    global _server
    if _server is not None:
        return _server
    capsule = os.path.join(tempdir(), "capsule")
    news = os.path.join(capsule, "news")
    os.makedirs(news)
    for name, text in newsroom():
        with open(os.path.join(news, name), "w", encoding="utf-8") as f:
            f.write(text)
    for path in older_go_posts(40):
        shutil.copy(path, os.path.join(news, "go-" + os.path.basename(path)))
    _server = Server(capsule=capsule).start()
    atexit.register(_server.kill)
    return _server


def get(path):
    port = server().gemini_port
    return gemini(port, f"gemini://localhost:{port}{path}")


def page(path):
    r = get(path)
    assert r.status == 20, (path, r.header)
    return r.text


def menu(selector):
    raw = gopher(server().gopher_port, selector)
    text = raw.decode("utf-8")
    assert text.endswith(".\r\n"), text[-200:]
    return text[:-3].split("\r\n")[:-1]


def dated_links(text):
    return [DATED_LINK.match(line).groups() for line in text.splitlines() if DATED_LINK.match(line)]


def path_of(title):
    for path, _, headline in dated_links(page("/feed.gmi")):
        if headline == title:
            return path
    raise AssertionError(f"{title} is not in /feed.gmi")


def atom(path):
    r = get(path)
    assert r.status == 20 and r.meta.startswith("application/atom+xml"), r.header
    return ET.fromstring(r.body)


def test_front_page():
    text = page("/")
    assert text.startswith("# ")
    assert "Panen Raya di Barru" in text
    for link in ("=> /search ", "=> /feed.xml ", "=> /feed.gmi ", "=> /archive/ ", "=> /section/barru/ "):
        assert link in text, link
    assert "Masa Depan" not in text


def test_subscription_page_is_dated_and_newest_first():
    text = page("/feed.gmi")
    assert text.startswith("# ")
    links = dated_links(text)
    assert 40 <= len(links) <= 50
    days = [day for _, day, _ in links]
    assert days == sorted(days, reverse=True)
    assert links[0][2] == "Panen Raya di Barru" and links[0][1] == "2022-04-21"


def test_article_with_related_and_navigation():
    panen = path_of("Panen Raya di Barru")
    pasar = path_of("Pasar Sentral Dibuka")
    assert panen == "/news/2022/04/panen"
    text = page(panen)
    assert "Petani di Barru memanen padi." in text
    related = text[text.index("## Related"):]
    assert f"=> {pasar} 2022-04-20 - Pasar Sentral Dibuka" in related
    assert "Masa Depan" not in text
    assert f"=> {pasar} Older: " in text
    assert "Newer:" not in text
    assert "=> /section/barru/ " in text
    assert page(panen + ".gmi") == text


def test_redirect_and_alias():
    r = get("/news/2022/03/pindah")
    assert r.status in (30, 31) and r.meta.endswith("/news/2022/04/panen"), r.header
    r = get("/news/lama/panen")
    assert r.status in (30, 31) and r.meta.endswith("/news/2022/04/panen"), r.header


def test_redirect_is_never_listed():
    for path in ("/", "/feed.gmi", "/section/barru/", "/tag/", "/tag/pertanian/", "/archive/",
                 "/archive/2022/", "/search?pindah", "/news/2022/04/panen"):
        assert "/news/2022/03/pindah" not in page(path), path
    for path in ("/feed.xml", "/section/barru/feed.xml", "/tag/pertanian/feed.xml"):
        assert b"/news/2022/03/pindah" not in get(path).body, path
    assert get("/tag/pindahan/").status == 51
    assert get("/archive/2022/03/").status == 51
    for selector in ("/", "/section/barru/", "/tag/pertanian/", "/archive/2022/"):
        assert not any("/news/2022/03/pindah" in line for line in menu(selector)), selector
    followed = gopher(server().gopher_port, "/news/2022/03/pindah").decode("utf-8")
    assert "Petani di Barru memanen padi." in followed


def test_unpublished_article_is_hidden():
    assert get("/news/2099/01/depan").status == 51
    assert get("/tag/pilkada/").status == 51
    assert "pilkada" not in page("/tag/")
    assert "2099" not in page("/archive/")


def test_section_paging():
    first = page("/section/desa/")
    links = dated_links(first)
    assert len(links) == 20
    assert links[0][2] == "Kabar Desa 24"
    assert "=> /section/desa/page/2/ " in first
    second = page("/section/desa/page/2/")
    assert [h for _, _, h in dated_links(second)] == [f"Kabar Desa {i:02}" for i in range(4, -1, -1)]
    assert "=> /section/desa/ " in second
    assert get("/section/desa/page/3/").status == 51
    assert get("/section/nowhere/").status == 51


def test_index_lists_and_archive():
    assert f"=> /section/desa/ " in page("/section/")
    tags = page("/tag/")
    assert "=> /tag/pertanian/ pertanian (2)" in tags
    archive = page("/archive/")
    assert "=> /archive/2021/06/ " in archive
    june = page("/archive/2021/06/")
    assert len(dated_links(june)) == 20


def test_addresses_go_up():
    """The folders an article's address names are the month, the year and
    the newest articles, in both protocols, and each links up and across."""
    april = page("/news/2022/04/")
    assert [h for _, _, h in dated_links(april)] == ["Panen Raya di Barru", "Pasar Sentral Dibuka"]
    assert "=> /news/2022/ " in april and "=> /archive/ " in april
    # March 2022 holds only a redirect: the month before with articles is June 2021.
    assert re.search(r"^=> /news/2021/06/ .*June 2021$", april, re.M), april
    assert "/news/2099/" not in april  # a month still to come is no neighbour
    year = page("/news/2022/")
    assert len(dated_links(year)) == 2
    assert re.search(r"^=> /news/2021/ .*2021$", year, re.M), year
    newest = page("/news/")
    assert dated_links(newest)[0][2] == "Panen Raya di Barru"
    assert "=> /news/page/2/ " in newest
    assert dated_links(page("/news/page/2/"))
    assert page("/news/2022/04/panen").startswith("# Panen Raya di Barru")
    assert get("/news/2022/05/").status == 51
    assert get("/news/2099/").status == 51
    june = page("/archive/2021/06/")
    assert re.search(r"^=> /archive/2022/04/ .*April 2022$", june, re.M), june
    assert "=> /archive/2021/ " in june
    items = menu("/news/2022/04/")
    assert any(line.startswith("12022-04-21 Panen Raya di Barru\t/news/2022/04/panen\t")
               for line in items), items
    assert any(line.startswith("1") and line.split("\t")[1] == "/news/2022/" for line in items)


def test_search():
    r = get("/search")
    assert r.status == 10 and r.meta, r.header
    text = page("/search?pasar")
    assert text.startswith("# Results for: pasar\n")
    assert "Pasar Sentral Dibuka" in text
    assert "Masa Depan" not in page("/search?depan")


def check_feed(root, port, max_entries=50):
    assert root.tag == ATOM + "feed"
    assert RFC3339.match(root.find(ATOM + "updated").text)
    entries = root.findall(ATOM + "entry")
    assert 0 < len(entries) <= max_entries
    ids = [e.find(ATOM + "id").text for e in entries]
    assert len(set(ids)) == len(ids)
    for e in entries:
        assert e.find(ATOM + "title").text
        assert RFC3339.match(e.find(ATOM + "updated").text)
        href = e.find(ATOM + "link").get("href")
        assert href.startswith(f"gemini://localhost:{port}/"), href
    newest = max(e.find(ATOM + "updated").text for e in entries)
    assert root.find(ATOM + "updated").text[:10] >= newest[:10]
    return entries


def test_atom_feeds_parse():
    port = server().gemini_port
    entries = check_feed(atom("/feed.xml"), port)
    titles = [e.find(ATOM + "title").text for e in entries]
    assert titles[0] == "Panen Raya di Barru" and "Masa Depan" not in titles
    first = entries[0]
    assert first.find(ATOM + "id").text == "tag:localhost,2022-04-21:/news/2022/04/panen"
    assert first.find(ATOM + "published").text == "2022-04-21T11:18:00+08:00"
    assert first.find(ATOM + "author/" + ATOM + "name").text == "Muh. Hasyim"
    assert first.find(ATOM + "summary").text == "Petani memanen padi."
    desa = check_feed(atom("/section/desa/feed.xml"), port)
    assert len(desa) == SECTION_SIZE
    categories = {c.get("term") for c in desa[0].findall(ATOM + "category")}
    assert "A & B <0>" in categories or "A & B <1>" in categories
    check_feed(atom("/tag/pertanian/feed.xml"), port)
    assert get("/tag/nothing/feed.xml").status == 51


# Debian's feedparser reads a feed as feed readers do; it is installed for
# Debian's own python3, which may not be the one running the tests.
FEEDPARSER = """
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({"bozo": bool(d.bozo), "entries": [
    {"language": e.content[0].get("language") if e.get("content") else None,
     "content": [(c.type, c.value) for c in e.get("content", [])]}
    for e in d.entries]}))
"""


def feedparser_entries(body):
    import json
    import subprocess
    if not os.path.exists("/usr/bin/python3"):
        raise AssertionError("Debian's python3 is missing (scripts/install-deps.sh test)")
    out = subprocess.run(["/usr/bin/python3", "-c", FEEDPARSER], input=body, capture_output=True,
                         timeout=60, check=True)
    parsed = json.loads(out.stdout)
    assert not parsed["bozo"], out.stderr
    return parsed["entries"]


def test_feed_entries_carry_text_and_language():
    """Every entry has the article's whole text (gemtext over Gemini, plain
    text over Gopher) and its language, as feedparser reads them."""
    entries = feedparser_entries(get("/feed.xml").body)
    assert entries
    for e in entries:
        assert e["language"], e
        assert e["content"] and e["content"][0][0] == "text/gemini", e
    panen = entries[0]
    assert "Petani di Barru memanen padi." in panen["content"][0][1]
    # Links in the text are absolute: a feed reader shows it away from the site.
    assert f"=> gemini://localhost:{server().gemini_port}/tag/pertanian/ " in panen["content"][0][1]
    # Entries say their own language: the Go posts are English.
    assert {e["language"] for e in entries} >= {"en"}, [e["language"] for e in entries]
    raw = gopher(server().gopher_port, "/feed.xml")
    gopher_entries = feedparser_entries(raw[:-3] if raw.endswith(b"\r\n.\r\n") else raw)
    assert gopher_entries and all(e["content"][0][0] == "text/plain" for e in gopher_entries)
    assert "Petani di Barru memanen padi." in gopher_entries[0]["content"][0][1]


def test_gopher_menus():
    lines = menu("/")
    for line in lines:
        fields = line.split("\t")
        assert len(fields) == 4, line
        assert len(fields[0]) <= 71
    assert any(line.startswith("7") and line.split("\t")[1] == "/search" for line in lines)
    section = menu("/section/barru/")
    assert any(line.startswith("12022-04-21 Panen Raya di Barru\t/news/2022/04/panen\t")
               for line in section), section


def test_gopher_article_and_search():
    raw = gopher(server().gopher_port, "/news/2022/04/panen").decode("utf-8")
    assert "Petani di Barru memanen padi." in raw
    assert "\t/news/2022/04/pasar\t" in raw and "1Older: 2022-04-20 Pasar" in raw
    text = gopher(server().gopher_port, "/news/2022/04/panen.txt").decode("utf-8")
    assert "Petani di Barru memanen padi." in text and "/1/news/2022/04/pasar" in text
    found = gopher(server().gopher_port, "/search\tpasar").decode("utf-8")
    assert "\t/news/2022/04/pasar\t" in found


def test_server_stops_cleanly():
    global _server
    server().stop()
    _server = None
