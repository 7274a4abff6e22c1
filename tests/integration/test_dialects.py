"""Newsrooms come from Hugo, Zola, Jekyll and Pelican: a capsule with a post
in each generator's dialect (TOML "+++" front matter with a permalink path,
[taxonomies] and [extra]; Hugo TOML with lastmod and aliases; Pelican
"Key: value" lines in .markdown and .mkd files with unpadded date prefixes;
Jekyll YAML with categories; dates kept in folder names; authors written as
Markdown links, lists and "and"-joined strings) is served and crawled from "/"
over Gemini, and each article read over Gopher too: every article has its own
title, date and authors, no front matter text reaches a page, authors are
people with pages addressed by name, and `kabar check` reads every file with
no date taken from a file's time."""
import os
import re
import subprocess

from harness import Server, gemini, gopher, kabar_bin, tempdir

# 2025-06-15 10:00 UTC: the files' times, which no article here should show.
FILE_TIME = 1749981600
MAX_REQUESTS = 400
ARTICLE_PATH = re.compile(r"^/news/\d{4}/\d\d/[^/]+$")

# (file under news/, its text, its address, title, date, authors)
ARTICLES = [
    ("four-years-of-the-ferry.md", """+++
title = "Four years of the ferry"
path = "2019/05/15/Four-Years-Of-The-Ferry"
authors = ["The Harbour Desk"]
description = "Looking back at four years on the strait."

[taxonomies]
tags = ["ferry", "anniversary"]
categories = ["harbour"]

[extra]
banner = "ferry.jpg"
toc = true
+++

The ferry has crossed the strait every morning for four years now.
""", "/news/2019/05/four-years-of-the-ferry", "Four years of the ferry", "2019-05-15",
     ["The Harbour Desk"]),
    ("jikokuhyou.md", """+++
title = '港の新しい時刻表'
date = 2021-05-06T09:30:00+09:00
lastmod = 2021-05-07T12:00:00+09:00
draft = false
aliases = ["/news/2021/05/06/ferry-timetable-1.52"]
url = "news/2021/05/06/jikokuhyou"
author = "Rina Paluseri"
+++

月曜日からフェリーの新しい時刻表が始まります。
""", "/news/2021/05/jikokuhyou", "港の新しい時刻表", "2021-05-06", ["Rina Paluseri"]),
    ("2020-11-4-this-week-in-the-harbour.markdown", """Title: Harbour Weekly 663
Number: 663
Date: 2020-11-05 09:00
Category: Newsletter
Tags: crane, weather
Author: [Rina Paluseri](https://example.org/rina), Andi Mappa

The new crane arrived on Tuesday, a day early.
""", "/news/2020/11/this-week-in-the-harbour", "Harbour Weekly 663", "2020-11-05",
     ["Rina Paluseri", "Andi Mappa"]),
    ("2020-10-8-harbour-notes.mkd", """Title: Harbour Weekly 662
Status: published
Authors: Paluseri, Rina; Mappa, Andi

The harbour was closed by the storm on Wednesday.
""", "/news/2020/10/harbour-notes", "Harbour Weekly 662", "2020-10-08",
     ["Paluseri, Rina", "Mappa, Andi"]),
    ("2023-07-09-kapal-feri-baru.md", """---
layout: post
title: "Kapal feri baru tiba di pelabuhan"
categories: berita pelabuhan
author: Sari Dewi and Budi Santoso
---

Kapal feri baru tiba di pelabuhan pagi ini setelah berlayar tiga hari.
""", "/news/2023/07/kapal-feri-baru", "Kapal feri baru tiba di pelabuhan", "2023-07-09",
     ["Sari Dewi", "Budi Santoso"]),
    ("2019/05/16/the-old-pier.md", """---
title: The old pier
authors:
- "[Andi Mappa](gemini://example.org/andi)"
---

The old pier will be taken down in the autumn.
""", "/news/2019/05/the-old-pier", "The old pier", "2019-05-16", ["Andi Mappa"]),
    ("2018/03/lighthouse/index.mdown", """---
title: Lighthouse keepers
author: The Harbour Desk
---

The lighthouse has had three keepers in a hundred years.
""", "/news/2018/03/lighthouse", "Lighthouse keepers", "2018-03-01", ["The Harbour Desk"]),
]

DRAFT = ("2020-10-1-unfinished.markdown", "Title: Unfinished\nStatus: draft\n\nTODO.\n")

# Front matter text that must never reach a page.
LEAKS = ["+++", "---", "path =", "[taxonomies]", "[extra]", "banner", "Number:", "Title:",
         "Category:", "Status:", "layout:", "lastmod", "url =", "Tags: crane, weather", "](", "example.org/rina)"]


def make_capsule():
    capsule = os.path.join(tempdir(), "capsule")
    files = [(a[0], a[1]) for a in ARTICLES] + [DRAFT]
    for rel, text in files:
        path = os.path.join(capsule, "news", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        os.utime(path, (FILE_TIME, FILE_TIME))
    return capsule


def links(body):
    for line in body.splitlines():
        if line.startswith("=>"):
            parts = line[2:].split(None, 1)
            if parts:
                yield parts[0]


def crawl(port):
    """Every site page reached from "/" by its links, bounded."""
    pages, queue = {}, ["/"]
    while queue and len(pages) < MAX_REQUESTS:
        path = queue.pop(0)
        if path in pages:
            continue
        r = gemini(port, f"gemini://localhost{path}")
        pages[path] = r
        if r.status != 20 or not r.meta.startswith("text/gemini"):
            continue
        for link in links(r.text):
            if link.startswith("/") and not link.startswith("//") and link not in pages:
                queue.append(link.split("#")[0])
    assert len(pages) < MAX_REQUESTS, "the crawl did not end"
    return pages


def byline(lines):
    by = [line for line in lines if line.startswith("By ")]
    assert len(by) == 1, lines[:6]
    return by[0][3:].split(" - ")[0]


def check_gemini_page(r, title, date, authors):
    assert r.status == 20, r
    lines = r.text.splitlines()
    assert lines[0] == f"# {title}", lines[:3]
    assert byline(lines) == ", ".join(authors), lines[:4]
    assert any(line.startswith(date) for line in lines[1:5]), lines[:5]
    for leak in LEAKS:
        assert leak not in r.text, (leak, r.text)


def check_gopher_page(text, title, date, authors):
    text = text.replace("\r\n", "\n")
    lines = text.splitlines()
    assert lines[0] == title, lines[:3]
    assert byline(lines) == ", ".join(authors), lines[:4]
    assert any(line.startswith(date) for line in lines[1:5]), lines[:5]
    body = text.split("\nLinks\n")[0]
    for leak in LEAKS:
        assert leak not in body, (leak, text)


def test_every_dialect_served():
    capsule = make_capsule()
    config = "limits:\n  requests_per_minute: 0\n"
    with Server(capsule=capsule, config=config, gopher=1) as server:
        pages = crawl(server.gemini_port)
        articles = {p for p in pages if ARTICLE_PATH.match(p)}
        assert articles == {a[2] for a in ARTICLES}, sorted(articles)
        titles = set()
        for rel, _, address, title, date, authors in ARTICLES:
            check_gemini_page(pages[address], title, date, authors)
            # The Gopher article as text, and as the menu that offers it.
            reply = gopher(server.gopher_port, address + ".txt").decode("utf-8")
            check_gopher_page(reply, title, date, authors)
            menu = gopher(server.gopher_port, address).decode("utf-8")
            info = "\n".join(line[1:].split("\t")[0] for line in menu.splitlines()
                             if line.startswith("i"))
            check_gopher_page(info.strip("\n"), title, date, authors)
            titles.add(title)
        assert len(titles) == len(ARTICLES)
        # Authors are people: one page each, addressed by name alone.
        people = {name for a in ARTICLES for name in a[5]}
        author_pages = {p for p in pages if re.match(r"^/author/[^/]+/$", p)}
        assert len(author_pages) == len(people), sorted(author_pages)
        for p in author_pages:
            assert "http" not in p and "example" not in p and "%5B" not in p.upper(), p
        # Old addresses among the article addresses send readers on (a
        # permalink outside /news/, as Zola's path here, only dates it).
        for old, new in [("/news/2021/05/06/ferry-timetable-1.52", ARTICLES[1][2]),
                         ("/news/2021/05/06/jikokuhyou", ARTICLES[1][2])]:
            r = gemini(server.gemini_port, f"gemini://localhost{old}")
            assert r.status in (30, 31) and r.meta.endswith(new), (old, r)
        # The draft is not published.
        assert not any("unfinished" in p for p in pages), sorted(pages)


def test_check_reads_every_dialect():
    capsule = make_capsule()
    r = subprocess.run([kabar_bin(), "check", capsule], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    summary = r.stdout.splitlines()[-1]
    # The draft is an article too (check reads what the site would), and
    # no article is dated by its file's time.
    assert summary == (f"{len(ARTICLES) + 1} articles (1 draft), 0 problems, "
                       "4 read from .markdown, .mdown or .mkd files"), r.stdout
    # A broken TOML line is named by file and line.
    with open(os.path.join(capsule, "news", "broken.md"), "w") as f:
        f.write('+++\ntitle = "Broken"\ndate = tomorrow\n+++\nText.\n')
    r = subprocess.run([kabar_bin(), "check", capsule], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert f"{capsule}/news/broken.md:3: front matter: a value must be" in r.stdout, r.stdout
