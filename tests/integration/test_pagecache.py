"""Pages rendered once per snapshot: the same bytes again and again, yet a
changed article shows on every page within a second in both protocols, a
scheduled article appears at its time (not before, not later), and search
is answered afresh each time."""
import os
import re
import time

from harness import Server, copy_capsule, gemini, gopher, patience, wait_until

ARTICLE = "/news/2024/03/harbour-light-returns"
OLD_TITLE = "The harbour light shines again after three dark months"
NEW_TITLE = "Harbour lamp lit once more, and boats steer home by it"
PAGES = [ARTICLE, "/", "/section/community/", "/tag/harbour/", "/author/rina-paluseri/",
         "/feed.xml", "/feed.gmi", "/archive/2024/03/"]


def gem(srv, path):
    r = gemini(srv.gemini_port, f"gemini://localhost{path}")
    assert r.status == 20, (path, r)
    return r.body.decode()


def gph(srv, path):
    return gopher(srv.gopher_port, path).decode()


def publish(capsule, name, text):
    """Written aside and renamed into place, as a newsroom's tools do."""
    temporary = os.path.join(capsule, "news", "." + name + ".part")
    with open(temporary, "w") as f:
        f.write(text)
    os.rename(temporary, os.path.join(capsule, "news", name))


def article_paths(page):
    return sorted(set(re.findall(r"/news/\d{4}/\d{2}/[a-z0-9-]+", page)))


def test_same_bytes_and_both_protocols_agree():
    with Server() as srv:
        for path in PAGES + ["/caps.txt"]:
            if path != "/caps.txt":
                first = gem(srv, path)
                assert gem(srv, path) == first, path
            g = gph(srv, path)
            assert gph(srv, path) == g, path
            assert g.endswith(".\r\n"), path
        assert article_paths(gem(srv, "/")) == article_paths(gph(srv, "/"))
        assert article_paths(gem(srv, "/section/community/")) == \
            article_paths(gph(srv, "/section/community/"))
        # Menus name the host and port they were asked on: each listener
        # has its own copy.
        assert f"\t{srv.gopher_port}\r\n" in gph(srv, "/")


def test_a_changed_article_shows_everywhere_within_a_second():
    capsule = copy_capsule()
    source = os.path.join(capsule, "news", "harbour-light-returns.md")
    with open(source) as f:
        text = f.read()
    with Server(capsule=capsule) as srv:
        for path in PAGES:  # twice each: the second is the cached copy
            for _ in range(2):
                assert OLD_TITLE in gem(srv, path), path
                assert OLD_TITLE[:60] in gph(srv, path) or "harbour-light" in gph(srv, path)
        start = time.monotonic()
        publish(capsule, "harbour-light-returns.md", text.replace(OLD_TITLE, NEW_TITLE))
        assert wait_until(lambda: NEW_TITLE in gem(srv, ARTICLE), timeout=3.0, step=0.02)
        took = time.monotonic() - start
        assert took < patience(1.0), f"the article changed after {took:.2f} s"
        for path in PAGES:
            page = gem(srv, path)
            assert NEW_TITLE in page and OLD_TITLE not in page, path
            menu = gph(srv, path)
            assert OLD_TITLE[:40] not in menu, path
        assert NEW_TITLE in gph(srv, ARTICLE)
        assert NEW_TITLE in gph(srv, "/feed.xml")
        assert NEW_TITLE[:40] in gph(srv, "/")
        assert article_paths(gem(srv, "/")) == article_paths(gph(srv, "/"))


def test_a_scheduled_article_appears_at_its_time():
    capsule = copy_capsule()
    with Server(capsule=capsule) as srv:
        at = int(time.time()) + 3
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(at))
        publish(capsule, "jadwal.md",
                f"---\ntitle: Jadwal terbit otomatis\nslug: jadwal\ndate: {stamp}\n"
                "section: community\ntags: [harbour]\n---\n\nTerbit tepat waktu.\n")
        # A marker published after it: once it shows, so does the
        # snapshot that holds the scheduled one.
        publish(capsule, "penanda.md",
                "---\ntitle: Penanda snapshot\nslug: penanda\ndate: 2024-01-01\n"
                "section: community\n---\n\nPenanda.\n")
        assert wait_until(lambda: gemini(srv.gemini_port, "gemini://localhost/news/2024/01/penanda")
                          .status == 20, timeout=3.0, step=0.02)
        address = f"/news/{time.strftime('%Y/%m', time.gmtime(at))}/jadwal"
        pages = ["/", "/section/community/", "/tag/harbour/", "/feed.xml"]
        seen_before = 0
        while time.time() < at - 0.3:
            for path in pages:
                assert "Jadwal terbit" not in gem(srv, path), path
                assert "Jadwal terbit" not in gph(srv, path), path
            assert gemini(srv.gemini_port, f"gemini://localhost{address}").status == 51
            seen_before += 1
            time.sleep(0.05)
        assert seen_before >= 2
        while time.time() < at + 0.02:
            time.sleep(0.01)
        # At its time, at once: no cached page may hide it.
        for path in pages:
            assert "Jadwal terbit" in gem(srv, path), path
            assert "Jadwal terbit" in gph(srv, path), path
        assert "Terbit tepat waktu" in gem(srv, address)
        assert article_paths(gem(srv, "/")) == article_paths(gph(srv, "/"))


def test_search_is_answered_afresh():
    capsule = copy_capsule()
    with Server(capsule=capsule) as srv:
        kites = gem(srv, "/search?layang")
        harbour = gem(srv, "/search?breakwater")
        assert "festival-layang-layang" in kites and "harbour-light" not in kites
        assert "harbour-light" in harbour and "festival-layang-layang" not in harbour
        assert "festival-layang-layang" in gph(srv, "/search\tlayang")
        assert "harbour-light" in gph(srv, "/search\tbreakwater")
        assert "/ombak" not in gem(srv, "/search?ombaklaut")
        publish(capsule, "ombak.md", "---\ntitle: Ombak tinggi\nslug: ombak\ndate: 2024-02-02\n"
                "---\n\nKata langka ombaklaut di sini.\n")
        assert wait_until(lambda: "/ombak" in gem(srv, "/search?ombaklaut"), timeout=3.0)
        # A query on another page is not a search, and is not kept either.
        assert gem(srv, "/?anything") == gem(srv, "/")
