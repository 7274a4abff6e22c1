"""The newsroom's record over the wire: corrections under the headline in
both protocols, in the feeds and on /corrections/, a Titan upload that
drops one refused; a series in order of part with the way on and back;
robots.txt, favicon.txt and security.txt made by the server, and the
capsule's own files winning."""
import os
import re

from harness import Server, copy_capsule, gemini, gopher
from test_titan import config as editors_config, editable_capsule, titan

CORRECTED = """---
title: Bridge to Pulau Dutungan reopens
date: 2024-03-10 08:00
section: community
corrections:
  - date: 2024-03-15
    kind: correction
    note: The bridge is 120 m long, not 210 m.
  - date: 2024-03-16 10:00
    kind: update
    note: Tolls start in April.
---
The bridge reopened on Sunday after two years of repairs.
"""


def get(srv, path):
    r = gemini(srv.gemini_port, f"gemini://localhost{path}\r\n".encode())
    return r


def write(capsule, rel, text):
    path = os.path.join(capsule, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def test_a_correction_in_both_protocols_the_feed_and_corrections():
    capsule = copy_capsule()
    write(capsule, "news/2024/03/bridge.md", CORRECTED)
    with Server(capsule) as srv:
        page = get(srv, "/news/2024/03/bridge")
        assert page.status == 20, page
        lines = page.text.split("\n")
        # Under the headline and dateline, before the body.
        assert lines[0] == "# Bridge to Pulau Dutungan reopens"
        notice = lines.index("> Correction (2024-03-15): The bridge is 120 m long, not 210 m.")
        assert notice < lines.index("The bridge reopened on Sunday after two years of repairs.")
        assert "> Update (2024-03-16 10:00 UTC): Tolls start in April." in lines
        # Gopher: the article's menu, as info lines, and its plain text.
        menu = gopher(srv.gopher_port, "/news/2024/03/bridge").decode()
        assert "\r\ni> Correction (2024-03-15): The bridge is 120 m long, not 210 m.\t" in menu, menu
        assert menu.index("> Correction") < menu.index("The bridge reopened")
        text = gopher(srv.gopher_port, "/news/2024/03/bridge.txt").decode()
        assert "\r\n> Correction (2024-03-15): The bridge is 120 m long, not 210 m.\r\n" in text
        assert text.index("> Correction") < text.index("The bridge reopened")
        # The site's feed: the entry moved to the latest correction, its
        # summary says what was corrected.
        feed = get(srv, "/feed.xml").text
        entry = feed[feed.index("<title>Bridge to Pulau Dutungan reopens</title>"):]
        entry = entry[:entry.index("</entry>")]
        assert "<updated>2024-03-16T10:00:00Z</updated>" in entry, entry
        assert "<published>2024-03-10T08:00:00Z</published>" in entry, entry
        assert "<summary>Update 2024-03-16: Tolls start in April. \u2014 The bridge" in entry, entry
        # /corrections/: newest first, in Gemini, Atom and Gopher.
        listing = get(srv, "/corrections/")
        assert listing.status == 20 and listing.meta.startswith("text/gemini"), listing
        links = [l for l in listing.text.split("\n") if l.startswith("=> /news/")]
        assert links == ["=> /news/2024/03/bridge 2024-03-16 Update: Bridge to Pulau Dutungan reopens",
                         "=> /news/2024/03/bridge 2024-03-15 Correction: Bridge to Pulau Dutungan reopens"]
        atom = get(srv, "/corrections/feed.xml")
        assert atom.status == 20 and atom.meta == "application/atom+xml", atom
        ids = re.findall(r"<id>([^<]*)</id>", atom.text)
        assert ids[1:] == ["tag:localhost,2024-03-10:/news/2024/03/bridge#update-2024-03-16",
                           "tag:localhost,2024-03-10:/news/2024/03/bridge#correction-2024-03-15"], ids
        menu = gopher(srv.gopher_port, "/corrections/").decode()
        assert "12024-03-15 Correction: Bridge to Pulau Dutungan reopens\t/news/2024/03/bridge\t" in menu
        assert menu.index("2024-03-16 Update") < menu.index("2024-03-15 Correction")


def test_a_titan_upload_dropping_a_correction_is_refused():
    capsule = editable_capsule()
    with Server(capsule, config=editors_config()) as srv:
        r = titan(srv, "/news/bridge.md", CORRECTED.encode())
        assert r.status == 30, r
        with open(os.path.join(capsule, "news", "bridge.md"), "rb") as f:
            published = f.read()
        # Reworded notes and a new correction are fine...
        reworded = CORRECTED.replace("Tolls start in April.", "Tolls start on 1 April.")
        assert titan(srv, "/news/bridge.md", reworded.encode()).status == 30
        # ...leaving one out is not, and the published file stays.
        with open(os.path.join(capsule, "news", "bridge.md"), "rb") as f:
            published = f.read()
        dropped = re.sub(r"  - date: 2024-03-15\n.*\n.*\n", "", reworded)
        assert "2024-03-15" not in dropped
        r = titan(srv, "/news/bridge.md", dropped.encode())
        assert r.status == 59, r
        assert r.meta == "news/bridge.md: drops the correction of 2024-03-15", r.meta
        with open(os.path.join(capsule, "news", "bridge.md"), "rb") as f:
            assert f.read() == published
        assert "Tolls start on 1 April." in get(srv, "/corrections/").text


def part(n, title, day):
    return f"""---
title: {title}
date: 2024-05-{day:02d} 09:00
series: Coastal Roads
part: {n}
---
Part {n} of the investigation.
"""


def test_a_three_part_series_in_order_with_previous_and_next():
    capsule = copy_capsule()
    # Published out of order: the part, not the date, decides.
    write(capsule, "news/2024/05/roads-one.md", part(1, "Where the money went", 20))
    write(capsule, "news/2024/05/roads-two.md", part(2, "The contractors", 3))
    write(capsule, "news/2024/05/roads-three.md", part(3, "What the villages want", 12))
    with Server(capsule) as srv:
        page = get(srv, "/series/coastal-roads/")
        assert page.status == 20, page
        links = [l for l in page.text.split("\n") if l.startswith("=> /news/")]
        assert [l.split()[1] for l in links] == ["/news/2024/05/roads-one", "/news/2024/05/roads-two",
                                                 "/news/2024/05/roads-three"], links
        assert "Part 2 of 3" in page.text
        menu = gopher(srv.gopher_port, "/series/coastal-roads/").decode()
        order = [menu.index(f"\t/news/2024/05/roads-{w}\t") for w in ("one", "two", "three")]
        assert order == sorted(order), menu
        feed = get(srv, "/series/coastal-roads/feed.xml")
        assert feed.status == 20 and feed.text.count("<entry ") == 3, feed
        middle = get(srv, "/news/2024/05/roads-two").text
        assert "Part 2 of 3: Coastal Roads" in middle
        assert "=> /news/2024/05/roads-one Previous part: Where the money went" in middle
        assert "=> /news/2024/05/roads-three Next part: What the villages want" in middle
        first = get(srv, "/news/2024/05/roads-one").text
        assert "Part 1 of 3" in first and "Previous part" not in first
        assert "=> /news/2024/05/roads-two Next part: The contractors" in first
        menu = gopher(srv.gopher_port, "/news/2024/05/roads-two").decode()
        assert "\r\niPart 2 of 3: Coastal Roads\t" in menu, menu
        assert "\r\n1Previous part: Where the money went\t/news/2024/05/roads-one\t" in menu, menu
        assert "\r\n1Next part: What the villages want\t/news/2024/05/roads-three\t" in menu, menu
        text = gopher(srv.gopher_port, "/news/2024/05/roads-two.txt").decode()
        assert "Part 2 of 3: Coastal Roads\r\n" in text
        assert re.search(r"Previous part: Where the money went\r\n +gopher://[^/]+/1/news/2024/05/roads-one\r\n", text), text
        assert re.search(r"Next part: What the villages want\r\n +gopher://[^/]+/1/news/2024/05/roads-three\r\n", text), text


def test_a_series_in_indonesian():
    capsule = copy_capsule()
    write(capsule, "news/2024/05/a.md", part(1, "Satu", 1).replace("series:", "lang: id\nseries:"))
    write(capsule, "news/2024/05/b.md", part(2, "Dua", 2).replace("series:", "lang: id\nseries:"))
    with Server(capsule) as srv:
        text = get(srv, "/news/2024/05/a").text
        assert "Bagian 1 dari 2: Coastal Roads" in text
        assert "Bagian berikutnya: Dua" in text


CRAWLERS = ('favicon: "\U0001F4F0"\n'
            'security_contact: "mailto:security@example.org"\n'
            'security_expires: 2030-01-31\n'
            'robots: |\n  User-agent: researcher\n  Disallow: /\n')


def test_robots_favicon_and_security_txt_generated():
    with Server(copy_capsule(), config=CRAWLERS) as srv:
        robots = get(srv, "/robots.txt")
        assert robots.status == 20 and robots.meta.startswith("text/plain"), robots
        lines = robots.text.split("\n")
        for agent in ("*", "indexer", "archiver", "researcher", "webproxy"):
            assert f"User-agent: {agent}" in lines
        for rule in ("Disallow: /search", "Disallow: /desk/", "Disallow: /tag/*/page/6",
                     "Disallow: /section/*/page/1", "Disallow: /author/*/page/35"):
            assert rule in lines, rule
        # Articles, the archive and the first pages stay open.
        own = robots.text.split("\n\n")[0].split("\n")  # the server's record, not the added lines
        disallowed = [l.split(": ", 1)[1] for l in own if l.startswith("Disallow: ")]
        for open_path in ("/news/2024/03/bridge", "/archive/2024/03/", "/archive/2024/03/page/9/",
                          "/tag/harbour/page/2/", "/tag/harbour/page/5/"):
            assert not any(open_path.startswith(d) for d in disallowed if "*" not in d), open_path
            assert not any(re.match(re.escape(d).replace(r"\*", "[^/]+"), open_path)
                           for d in disallowed if "*" in d), open_path
        assert any(re.match(re.escape(d).replace(r"\*", "[^/]+"), "/tag/harbour/page/6/")
                   for d in disallowed)
        assert any(re.match(re.escape(d).replace(r"\*", "[^/]+"), "/tag/harbour/page/17/")
                   for d in disallowed)
        assert robots.text.endswith("\nUser-agent: researcher\nDisallow: /\n")
        assert gopher(srv.gopher_port, "/robots.txt").decode().startswith("# robots.txt of ")
        icon = get(srv, "/favicon.txt")
        assert icon.status == 20 and icon.text == "\U0001F4F0", icon
        sec = get(srv, "/.well-known/security.txt")
        assert sec.status == 20 and sec.meta.startswith("text/plain"), sec
        assert "Contact: mailto:security@example.org\n" in sec.text
        assert "Expires: 2030-01-31T00:00:00Z\n" in sec.text
    # Without the settings there is nothing to say: not found.
    with Server(copy_capsule(), config="robots: off\n") as srv:
        assert get(srv, "/robots.txt").status == 51
        assert get(srv, "/favicon.txt").status == 51
        assert get(srv, "/.well-known/security.txt").status == 51


def test_capsule_files_win():
    capsule = copy_capsule()
    write(capsule, "robots.txt", "User-agent: *\nDisallow: /\n")
    write(capsule, "favicon.txt", "\U0001F30A")
    write(capsule, ".well-known/security.txt", "Contact: mailto:own@example.org\n"
                                               "Expires: 2031-01-01T00:00:00Z\n")
    with Server(capsule, config=CRAWLERS) as srv:
        assert get(srv, "/robots.txt").text == "User-agent: *\nDisallow: /\n"
        assert get(srv, "/favicon.txt").text == "\U0001F30A"
        sec = get(srv, "/.well-known/security.txt")
        assert sec.status == 20 and "mailto:own@example.org" in sec.text, sec
        assert gopher(srv.gopher_port, "/robots.txt").decode().startswith("User-agent: *\r\nDisallow: /")
        # The rest of .well-known/ stays hidden.
        write(capsule, ".well-known/secret.txt", "no\n")
        assert get(srv, "/.well-known/secret.txt").status == 51
