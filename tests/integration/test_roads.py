"""One access rule on every road: an article source (a draft, or a
published one under news/) is never served raw, whatever link or name
leads to it. Every road a front-end opens a capsule file by is tried, over
Gemini, Gopher and Gopher over TLS: the file itself, a folder's listing,
index.gmi, gophermap, a second request (the small-file cache), with a
symbolic link and a hard link to each source. Controls show each road
serves an ordinary file, so a road that stopped working cannot pass."""

import os
import re

from harness import REPO, Server, gemini, gopher, tempdir

DRAFT = """---
title: Secret merger
date: 2024-03-01T08:00:00+08:00
draft: true
# RAW-DRAFT-MARK
---

The draft body DRAFT-BODY-MARK.
"""

PUBLISHED = """---
title: Harbour opens
date: 2024-03-02T08:00:00+08:00
# RAW-PUBLISHED-MARK
---

The harbour opens today.
"""

# What a raw source shows and no rendered page ever does.
SECRETS = (b"RAW-DRAFT-MARK", b"DRAFT-BODY-MARK", b"RAW-PUBLISHED-MARK", b"draft: true")

SOURCES = {"draft": "news/drafts/secret.md", "published": "news/harbour-opens.md"}
# The names a link takes, one per road that opens a capsule file by name.
LINK_NAMES = ("gophermap", "index.gmi", "copy.txt", "small.md")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_capsule():
    """news/ with the two sources; for each source and link kind a folder
    LINK-SOURCE/ holding every name in LINK_NAMES as that link, and an
    ordinary file beside them; control/ with a real gophermap and
    index.gmi."""
    root = os.path.join(tempdir(), "capsule")
    write(os.path.join(root, SOURCES["draft"]), DRAFT)
    write(os.path.join(root, SOURCES["published"]), PUBLISHED)
    folders = []
    for kind in ("symlink", "hardlink"):
        for which, source in SOURCES.items():
            folder = f"{kind}-{which}"
            folders.append(folder)
            write(os.path.join(root, folder, "ok.txt"), "ORDINARY-FILE-MARK\n")
            for name in LINK_NAMES:
                link = os.path.join(root, folder, name)
                if kind == "symlink":
                    os.symlink(os.path.join("..", source), link)
                else:
                    os.link(os.path.join(root, source), link)
    # A folder link onto the drafts: the source by its own name, elsewhere.
    os.symlink("news/drafts", os.path.join(root, "drafts-link"))
    write(os.path.join(root, "control", "gophermap"), "iCONTROL-GOPHERMAP-MARK\tfake\t(NULL)\t0\n")
    write(os.path.join(root, "control", "index.gmi"), "# CONTROL-INDEX-MARK\n")
    write(os.path.join(root, "control", "small.txt"), "CONTROL-SMALL-MARK\n")
    return root, folders


def roads(folder):
    """(description, path) of every way a reader may ask for the folder's
    files: each by name (twice: the second one from the small-file cache),
    and the folder itself (index.gmi, gophermap, the listing)."""
    paths = [f"/{folder}/", f"/{folder}"]
    for name in LINK_NAMES + ("ok.txt",):
        paths += [f"/{folder}/{name}"] * 2
    return paths


def fetch_all(srv, host, path):
    """The answer over each protocol: Gemini, Gopher, Gopher over TLS."""
    return {
        "gemini": gemini(srv.gemini_port, f"gemini://{host}{path}").raw,
        "gopher": gopher(srv.gopher_port, path),
        "gopher-tls": gopher(srv.gopher_port, path, tls=True),
    }


def assert_no_secret(answers, what):
    for road, body in answers.items():
        for secret in SECRETS:
            assert secret not in body, (what, road, body[:300])


def test_no_road_serves_an_article_source():
    root, folders = make_capsule()
    with Server(capsule=root, gemini=1, gopher=1) as srv:
        # Controls: each road serves an ordinary file, a gophermap and an
        # index.gmi, so a road that broke would not pass for a closed one.
        for road in ("gemini", "gopher", "gopher-tls"):
            answers = fetch_all(srv, "localhost", "/control/")
            marks = {"gemini": b"CONTROL-INDEX-MARK", "gopher": b"CONTROL-GOPHERMAP-MARK",
                     "gopher-tls": b"CONTROL-GOPHERMAP-MARK"}
            assert marks[road] in answers[road], (road, answers[road][:300])
            assert b"CONTROL-SMALL-MARK" in fetch_all(srv, "localhost", "/control/small.txt")[road]
        for folder in folders:
            for path in roads(folder):
                answers = fetch_all(srv, "localhost", path)
                assert_no_secret(answers, path)
                if path.endswith("/ok.txt"):
                    for road, body in answers.items():
                        assert b"ORDINARY-FILE-MARK" in body, (path, road, body[:300])
            # The listing shows the ordinary file and none of the links.
            listing = fetch_all(srv, "localhost", f"/{folder}/")
            for road, body in listing.items():
                assert b"ok.txt" in body, (folder, road, body[:500])
                for name in LINK_NAMES:
                    assert name.encode() not in body, (folder, road, name, body[:500])
        # The sources by their own names, and through a folder link.
        for path in ("/" + SOURCES["draft"], "/" + SOURCES["published"], "/news/drafts/",
                     "/drafts-link/secret.md", "/drafts-link/", "/news/"):
            assert_no_secret(fetch_all(srv, "localhost", path), path)
        # The published article itself is served, rendered.
        article = gemini(srv.gemini_port, "gemini://localhost/")
        assert b"Harbour opens" in article.raw, article.raw[:500]


def test_a_cached_small_file_turned_into_a_link_serves_no_source():
    """The small-file cache keeps an answer by its path: a file replaced by
    a link (or a hard link) to a source right after it was cached is
    refused at once, not served from the cache."""
    root, _ = make_capsule()
    with Server(capsule=root, gemini=1, gopher=1) as srv:
        for i, kind in enumerate(("symlink", "hardlink") * 2):
            which = ("draft", "published")[i // 2]
            name = f"/control/turned-{i}.txt"
            path = os.path.join(root, name[1:])
            write(path, "CONTROL-CACHED-MARK\n")
            first = fetch_all(srv, "localhost", name)
            assert all(b"CONTROL-CACHED-MARK" in body for body in first.values()), first
            os.unlink(path)
            if kind == "symlink":
                os.symlink(os.path.join("..", SOURCES[which]), path)
            else:
                os.link(os.path.join(root, SOURCES[which]), path)
            assert_no_secret(fetch_all(srv, "localhost", name), (kind, which, name))


def test_front_ends_open_capsule_files_only_through_the_rule():
    """No front-end or page opens a capsule file except by site_open_file,
    which applies snapshot_hides_entry: a new road cannot skip the rule."""
    call = re.compile(r"\b(capsule_open|capsule_open_walk|capsule_read_file|site_root_fd)\s*\(")
    found = []
    for layer in ("front", "pages"):
        folder = os.path.join(REPO, "src", layer)
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".c"):
                continue
            with open(os.path.join(folder, name)) as f:
                for number, line in enumerate(f, 1):
                    if call.search(line) and not line.lstrip().startswith(("*", "/*")):
                        found.append(f"src/{layer}/{name}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
    with open(os.path.join(REPO, "src", "site", "site.c")) as f:
        body = f.read()
    opener = body[body.index("void site_open_file("):]
    opener = opener[:opener.index("\n}\n")]
    assert "capsule_open(" in opener and "snapshot_hides_entry(" in opener, opener
