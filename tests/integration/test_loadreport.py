"""What the operator is told after each load and reload: per host, how many
articles were published, how many files were refused (could not be parsed),
how many warnings, how long."""

import os
import re

from harness import Server, copy_capsule, wait_until

REPORT = re.compile(r"^kabar: (\S+): (loaded|updated): (\d+) articles, (\d+) refused, "
                    r"(\d+) warnings?, in (\d+) ms$", re.M)

GOOD = """---
title: Pasar malam pindah ke dermaga
date: 2024-03-12T19:00:00+08:00
author: Andi Maspul
section: town
---

Para pedagang membuka lapak di dermaga lama mulai Jumat.
"""


def reports(srv):
    return [(host, kind, int(n), int(r), int(w))
            for host, kind, n, r, w, _ in REPORT.findall(srv.log())]


def sample_count():
    """Articles of the sample capsule that are not drafts."""
    news = os.path.join(copy_capsule(), "news")
    return sum(1 for name in os.listdir(news)
               if "draft: true" not in open(os.path.join(news, name), encoding="utf-8").read())


def test_first_load_and_reloads_are_reported_with_counts():
    capsule = copy_capsule()
    with open(os.path.join(capsule, "news", "broken.md"), "w") as f:
        f.write("---\ntitle: [unclosed\n---\nbody\n")
    expected = sample_count()
    with Server(capsule=capsule) as srv:
        first = wait_until(lambda: reports(srv) and reports(srv)[0], 10)
        assert first == ("localhost", "loaded", expected, 1, 1), srv.log()
        assert "news/broken.md:" in srv.log()
        # A new article (the broken one is still refused, without a new
        # warning), then a second broken one: each update says so.
        with open(os.path.join(capsule, "news", "pasar.md"), "w") as f:
            f.write(GOOD)
        assert wait_until(lambda: ("localhost", "updated", expected + 1, 1, 0) in reports(srv),
                          10), srv.log()
        with open(os.path.join(capsule, "news", "bad2.md"), "wb") as f:
            f.write(b"\xff\xfe not UTF-8")
        assert wait_until(lambda: ("localhost", "updated", expected + 1, 2, 1) in reports(srv),
                          10), srv.log()
        # Mended: no longer refused.
        os.remove(os.path.join(capsule, "news", "broken.md"))
        assert wait_until(lambda: ("localhost", "updated", expected + 1, 1, 0) in reports(srv)[-1:],
                          10), srv.log()


PROGRESS = re.compile(r"^kabar: (\S+): loading: (\d+) of (\d+) articles read, (\d+) s$", re.M)


def test_long_first_load_reports_progress():
    """A first load tells how far it got; KABAR_PROGRESS_MS (for tests
    only) makes its interval short enough for a small capsule."""
    capsule = copy_capsule()
    total = 600 + len(os.listdir(os.path.join(capsule, "news")))
    os.makedirs(os.path.join(capsule, "news", "gen"))
    for i in range(600):
        with open(os.path.join(capsule, "news", "gen", f"a{i:04d}.md"), "w") as f:
            f.write(GOOD.replace("Pasar malam", f"Pasar malam {i}") + "Paragraf kedua.\n" * 20)
    with Server(capsule=capsule, env={"KABAR_PROGRESS_MS": "1"}) as srv:
        assert wait_until(lambda: reports(srv), 20), srv.log()
        seen = [(h, int(n), int(m)) for h, n, m, _ in PROGRESS.findall(srv.log())]
        assert seen, srv.log()
        assert all(h == "localhost" and 0 < n <= m == total for h, n, m in seen), seen
        assert [n for _, n, _ in seen] == sorted(n for _, n, _ in seen), seen
        # The progress comes before the report of the finished load.
        log = srv.log()
        assert log.index(": loading: ") < log.index(": loaded: "), log
