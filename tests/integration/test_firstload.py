"""A server's first start on a large archive answers at once: the front page
and indexes show what is loaded so far (newest files first), and a request
for what is not loaded yet says so (Gemini 41, a Gopher error line), never
"not found". KABAR_LOAD_PAUSE_MS (for tests only) slows the load down."""

import os
import re

from harness import Server, copy_capsule, gemini, gopher, wait_until

ARTICLES = 1500
BASE_TIME = 1_600_000_000

ARTICLE = """---
title: Kabar arsip nomor {i}
date: 2020-09-{day:02d}T08:00:00+08:00
slug: arsip-{i:04d}
author: Andi Maspul
section: arsip
---

Warga membaca arsip nomor {i} di perpustakaan desa.
"""


def path_of(i):
    return f"/news/2020/09/arsip-{i:04d}"


def archive_capsule():
    """The sample capsule and ARTICLES more, the file of article i last
    modified at BASE_TIME + i: the newest file is article ARTICLES - 1."""
    capsule = copy_capsule()
    folder = os.path.join(capsule, "news", "arsip")
    os.makedirs(folder)
    for i in range(ARTICLES):
        name = os.path.join(folder, f"arsip-{i:04d}.md")
        with open(name, "w", encoding="utf-8") as f:
            f.write(ARTICLE.format(i=i, day=1 + i % 28))
        os.utime(name, (BASE_TIME + i, BASE_TIME + i))
    return capsule


def loaded(srv):
    return re.search(r"^kabar: localhost: loaded: (\d+) articles", srv.log(), re.M)


def test_answers_while_the_first_load_runs():
    capsule = archive_capsule()
    newest, oldest = path_of(ARTICLES - 1), path_of(0)
    with Server(capsule=capsule, env={"KABAR_LOAD_PAUSE_MS": "150"},
                wait_loaded=False) as srv:
        url = f"gemini://localhost:{srv.gemini_port}"
        front = gemini(srv.gemini_port, url + "/")
        assert front.status == 20, front
        # The oldest file is read last: asked for now, it is not found yet.
        early = gemini(srv.gemini_port, url + oldest)
        assert early.status == 41, early
        assert early.meta.startswith("Still loading the archive"), early
        menu = gopher(srv.gopher_port, oldest).decode()
        assert menu.startswith("3Still loading the archive"), menu
        # The newest articles come first, and are served while the rest loads.
        assert wait_until(lambda: gemini(srv.gemini_port, url + newest).status == 20, 20), \
            srv.log()
        assert not loaded(srv), "the load ended before the test could look at it"
        later = gemini(srv.gemini_port, url + oldest)
        assert later.status == 41, later
        assert re.match(r"Still loading the archive \(\d+ of \d+ articles\); try again shortly$",
                        later.meta), later
        assert "Kabar arsip nomor" in gemini(srv.gemini_port, url + "/").text
        # Once loaded, everything answers, and what is missing is not found.
        assert wait_until(lambda: loaded(srv), 60), srv.log()
        assert int(loaded(srv).group(1)) >= ARTICLES
        assert wait_until(lambda: "first load done for every host" in srv.log(), 10)
        assert gemini(srv.gemini_port, url + oldest).status == 20
        assert gemini(srv.gemini_port, url + "/news/2020/09/nothing").status == 51
        assert gopher(srv.gopher_port, "/news/2020/09/nothing").decode().startswith("3Not found")


def test_stop_does_not_wait_for_a_long_first_load():
    # Paused this long after every few dozen files, the whole load would
    # take about 48 s: SIGTERM must end it long before (stop's 20 s).
    capsule = archive_capsule()
    with Server(capsule=capsule, env={"KABAR_LOAD_PAUSE_MS": "2000"},
                wait_loaded=False) as srv:
        url = f"gemini://localhost:{srv.gemini_port}"
        assert gemini(srv.gemini_port, url + "/").status == 20
        assert wait_until(lambda: ": loading: " in srv.log(), 20), srv.log()
        srv.stop()
        assert re.search(r"^kabar: localhost: stopped loading: \d+ articles", srv.log(), re.M), \
            srv.log()
        assert not loaded(srv)
