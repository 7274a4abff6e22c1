"""Addresses have owners (issue 18): an alias, a slug, a scheduled article
or a redirect written by one editor takes no address that is another's or
the capsule's, over Gemini, Gopher and Titan, by the loader and by
`kabar check`; a file name's controls never reach an address or feed.xml.

Alice may write news/alice/, Bob news/bob/; Bob's story is published at
/news/2024/03/bob-story."""
import calendar
import os
import pwd
import subprocess
import time
import xml.etree.ElementTree as ET

from harness import Server, copy_capsule, gemini, gopher, kabar_bin, patience, wait_until
from test_titan import make_cert, titan

ALICE = make_cert("alice")
BOB = make_cert("bob")

BOB_STORY = """---
title: Harbour crane is back
author: Bob
date: 2024-03-10
slug: bob-story
---
Bob's own words about the crane.
"""

# The finding's article, as Alice wrote it.
PHISH = """---
title: Click here
redirect: gemini://evil.example/phish
aliases: [/about.gmi, /images/, /images/harbour-light.png, /news/2024/03/bob-story.gmi, /robots.txt]
---
x
"""

# The same inside news/: Bob's .gmi form, and a folder.
PHISH_IN_NEWS = """---
title: Click here too
redirect: gemini://evil.example/phish
aliases: [/news/2024/03/bob-story.gmi, /news/bob/]
---
x
"""

# Bob's headline, byline and slug, later in the month.
LOOKALIKE = """---
title: Harbour crane is back
author: Bob
date: 2024-03-20
slug: bob-story
---
Alice's words under Bob's name.
"""


def config():
    return (f"editors:\n"
            f"  - name: Alice\n"
            f"    fingerprint: \"{ALICE[2]}\"\n"
            f"    paths: [news/alice/]\n"
            f"  - name: Bob\n"
            f"    fingerprint: \"{BOB[2]}\"\n"
            f"    paths: [news/bob/]\n")


def newsroom():
    """The sample capsule with robots.txt, Bob's story, and the editors'
    folders writable by the service user (kabar serves as nobody when
    started as root)."""
    capsule = copy_capsule()
    with open(os.path.join(capsule, "robots.txt"), "w") as f:
        f.write("User-agent: *\nDisallow:\n")
    for name in ("alice", "bob"):
        os.makedirs(os.path.join(capsule, "news", name))
    write(capsule, "news/bob/bob-story.md", BOB_STORY)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for name in ("alice", "bob"):
            for root, dirs, files in os.walk(os.path.join(capsule, "news", name)):
                for entry in [root] + [os.path.join(root, f) for f in files]:
                    os.chown(entry, nobody.pw_uid, nobody.pw_gid)
    return capsule


def write(capsule, rel, text):
    """Writes a file whole under its final name in one rename, as an editor's
    tool would, so that the loader never reads half of it."""
    path = os.path.join(capsule, rel)
    temporary = os.path.join(os.path.dirname(path), ".part")
    with open(temporary, "w") as f:
        f.write(text)
    os.rename(temporary, path)


def get(srv, path):
    return gemini(srv.gemini_port, f"gemini://localhost:{srv.gemini_port}{path}")


def logged(srv, text):
    return wait_until(lambda: text in srv.log(), timeout=patience(5))


def check_capsule(capsule):
    return subprocess.run([kabar_bin(), "check", capsule], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60).stdout


def no_address_taken(srv):
    """None of the phishing aliases answers with the redirect, by any road."""
    for path in ("/about.gmi", "/images/", "/images/harbour-light.png",
                 "/news/2024/03/bob-story.gmi", "/robots.txt", "/news/bob/"):
        r = get(srv, path)
        assert "evil.example" not in r.header and "evil.example" not in r.body.decode(
            "utf-8", "replace"), (path, r)
        menu = gopher(srv.gopher_port, path)
        assert b"evil.example" not in menu, (path, menu[:300])
    assert get(srv, "/about.gmi").status == 20
    assert get(srv, "/robots.txt").text.startswith("User-agent")
    assert get(srv, "/images/harbour-light.png").header.startswith("20 image/png")
    for path in ("/news/2024/03/bob-story", "/news/2024/03/bob-story.gmi"):
        assert "Bob's own words" in get(srv, path).text, path


def test_aliases_take_no_address():
    capsule = newsroom()
    with Server(capsule, config=config()) as srv:
        # Over Titan: refused, nothing written. The line is the aliases'
        # in the file as she sent it (her name, added as an author, goes
        # at the end of the front matter).
        r = titan(srv, "/news/alice/zz.md", PHISH.encode(), cert=ALICE)
        assert r.status == 59, r
        assert r.meta == ("news/alice/zz.md:4: alias /about.gmi is outside the article "
                          "addresses (/news/...)"), r.meta
        r = titan(srv, "/news/alice/zz.md", PHISH_IN_NEWS.encode(), cert=ALICE)
        assert r.status == 59, r
        assert r.meta == ("news/alice/zz.md:4: /news/2024/03/bob-story.gmi is held by "
                          "news/bob/bob-story.md"), r.meta
        assert not os.path.exists(os.path.join(capsule, "news", "alice", "zz.md"))
        # Written on the disk: the loader serves none of them, FILE:LINE.
        write(capsule, "news/alice/phish.md", PHISH)
        write(capsule, "news/alice/phish2.md", PHISH_IN_NEWS)
        for alias in ("/about.gmi", "/images/", "/images/harbour-light.png", "/robots.txt"):
            assert logged(srv, f"news/alice/phish.md:4: alias {alias} is outside the article "
                               f"addresses (/news/...); not served"), srv.log()[-2000:]
        for name in ("phish", "phish2"):
            assert logged(srv, f"news/alice/{name}.md:4: alias /news/2024/03/bob-story.gmi is "
                               f"held by news/bob/bob-story.md; not served"), srv.log()[-2000:]
        assert logged(srv, "news/alice/phish2.md:4: alias /news/bob/ is a capsule file's or "
                           "folder's address; not served"), srv.log()[-2000:]
        no_address_taken(srv)
    out = check_capsule(capsule)
    for alias in ("/about.gmi", "/images/", "/images/harbour-light.png", "/robots.txt"):
        assert (f"{capsule}/news/alice/phish.md:4: alias {alias} is outside the article "
                f"addresses (/news/...)") in out, out
    for name in ("phish", "phish2"):
        assert (f"{capsule}/news/alice/{name}.md:4: alias /news/2024/03/bob-story.gmi is held "
                f"by news/bob/bob-story.md") in out, out
    assert (f"{capsule}/news/alice/phish2.md:4: alias /news/bob/ is a capsule file's or "
            f"folder's address") in out, out


def test_slug_does_not_take_a_published_address():
    capsule = newsroom()
    with Server(capsule, config=config()) as srv:
        r = titan(srv, "/news/alice/zz.md", LOOKALIKE.encode(), cert=ALICE)
        assert r.status == 59, r
        assert r.meta == ("news/alice/zz.md:5: /news/2024/03/bob-story is held by "
                          "news/bob/bob-story.md"), r.meta
        # On the disk (its path sorts before Bob's): Bob keeps his address.
        write(capsule, "news/alice/zz.md", LOOKALIKE)
        assert wait_until(lambda: get(srv, "/news/2024/03/bob-story-alice").status == 20,
                          timeout=patience(5))
        assert "Bob's own words" in get(srv, "/news/2024/03/bob-story").text
        assert "Alice's words" in get(srv, "/news/2024/03/bob-story-alice").text
        assert b"Bob's own words" in gopher(srv.gopher_port, "/news/2024/03/bob-story")
    # The same after a restart: the rule reads the files, not their history.
    with Server(capsule, config=config()) as srv:
        assert "Bob's own words" in get(srv, "/news/2024/03/bob-story").text
        assert "Alice's words" in get(srv, "/news/2024/03/bob-story-alice").text


def test_scheduled_article_leaves_published_addresses_answering():
    now = time.gmtime()
    month = f"{now.tm_year:04d}/{now.tm_mon:02d}"
    last_day = calendar.monthrange(now.tm_year, now.tm_mon)[1]
    capsule = newsroom()
    write(capsule, "news/bob/now.md",
          f"---\ntitle: Bob now\ndate: {now.tm_year:04d}-{now.tm_mon:02d}-01T00:00:00Z\n"
          f"slug: bob-now\n---\nBob, published.\n")
    # Later this month (still to come, unless this is its very last second),
    # the same slug and the .gmi form as an alias.
    scheduled = (f"---\ntitle: Alice later\n"
                 f"date: {now.tm_year:04d}-{now.tm_mon:02d}-{last_day:02d}T23:59:59Z\n"
                 f"slug: bob-now\naliases: [/news/{month}/bob-now.gmi]\n---\nAlice, scheduled.\n")
    with Server(capsule, config=config()) as srv:
        r = titan(srv, "/news/alice/later.md", scheduled.encode(), cert=ALICE)
        assert r.status == 59 and "is held by news/bob/now.md" in r.meta, r
        write(capsule, "news/alice/later.md", scheduled)
        assert logged(srv, f"news/alice/later.md: /news/{month}/bob-now is taken by "
                           f"news/bob/now.md"), srv.log()[-2000:]
        r = get(srv, f"/news/{month}/bob-now")
        assert r.status == 20 and "Bob, published." in r.text, r
        r = get(srv, f"/news/{month}/bob-now.gmi")
        assert r.status == 20 and "Bob, published." in r.text, r
        assert b"Bob, published." in gopher(srv.gopher_port, f"/news/{month}/bob-now")
        # The scheduled one waits at its own address, unseen.
        assert get(srv, f"/news/{month}/bob-now-alice").status == 51


def test_redirects_are_links_that_fit_a_header():
    capsule = newsroom()
    cases = {
        "js.md": ("redirect: \"javascript:alert(1)\"\n",
                  "2: redirect's scheme is not one a link may have"),
        "long.md": (f"redirect: gemini://example.org/{'a' * 1070}\n",
                    "2: redirect is longer than a Gemini header allows (1024 bytes)"),
    }
    with Server(capsule, config=config()) as srv:
        for name, (line, reason) in cases.items():
            text = f"---\n{line}aliases: [/news/alice/{name}-old]\n---\nx\n"
            assert len(line) < 1200
            r = titan(srv, f"/news/alice/{name}", text.encode(), cert=ALICE)
            assert r.status == 59 and r.meta == f"news/alice/{name}:{reason}", r
            write(capsule, f"news/alice/{name}", text)
            assert logged(srv, f"news/alice/{name}:{reason}"), srv.log()[-2000:]
            r = get(srv, f"/news/alice/{name}-old")
            assert r.status == 51, r
            assert b"javascript" not in gopher(srv.gopher_port, f"/news/alice/{name}-old")
    out = check_capsule(capsule)
    for name, (line, reason) in cases.items():
        assert f"{capsule}/news/alice/{name}:{reason}" in out, out


def test_control_characters_in_a_file_name_reach_no_address():
    capsule = newsroom()
    name = "bad\u009bname\u202e\u0007\u0085tide.md"
    write(capsule, f"news/alice/{name}",
          "---\ntitle: Tide tables\ndate: 2024-03-15\n---\nHigh water at noon.\n")
    with Server(capsule, config=config()) as srv:
        r = get(srv, "/news/2024/03/badname-tide")
        assert r.status == 20 and "High water" in r.text, r
        feed = get(srv, "/feed.xml")
        assert feed.status == 20, feed
        root = ET.fromstring(feed.body)  # well-formed
        atom = "{http://www.w3.org/2005/Atom}"
        entries = [e for e in root.iter(f"{atom}entry")
                   if e.find(f"{atom}title").text == "Tide tables"]
        assert len(entries) == 1, feed.text[:2000]
        link = entries[0].find(f"{atom}link").get("href")
        ident = entries[0].find(f"{atom}id").text
        for value in (link, ident):
            assert value.endswith("/news/2024/03/badname-tide"), value
            assert all(0x20 < ord(c) < 0x7f for c in value), ascii(value)
        front = get(srv, "/").text
        assert "/news/2024/03/badname-tide" in front
        assert not any(0x80 <= ord(c) <= 0x9f or c in "\u202e\u0007" for c in front)
