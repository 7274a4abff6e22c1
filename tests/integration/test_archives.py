"""Real archives, served whole: folders of articles as other sites keep them
(undated guides in language folders, page bundles, images beside their
articles, links to other articles by file name, Hugo's _index.md) are
published and crawled over Gemini from "/". Every article is reached, no link
carries a "." or ".." segment, no link the site generates leads nowhere, and
every link that does lead nowhere points at a file the archive lacks and is
listed by `kabar check`. The real corpora in ../shared are served too when
they are there."""
import concurrent.futures
import os
import posixpath
import re
import shutil
import struct
import subprocess
import time
import urllib.parse
import zlib

from harness import Server, gemini, gopher, kabar_bin, shared_path, tempdir

ARTICLE_PATH = re.compile(r"^/news/\d{4}/\d\d/[^/]+$")
GENERATED = ("/section/", "/author/", "/tag/", "/archive/", "/feed.", "/search")
# Well above what the corpora need (about 2,000 pages): a loop in the
# site's links shows as a failure, not a hang.
MAX_REQUESTS = 20000

# 2025-06-15 10:00 UTC and the hours after it: mid-month, so the month of
# an article dated by its file is the same in every zone.
FILE_TIME = 1749981600


def png(width=2, height=1):
    """A complete PNG image (one red row)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# The guides: (path under news/guides, slug of its address, text), named
# as a multilingual site names them: the same file name in each language
# folder. No dates anywhere: they are dated by their files' times, set below
# in this order. Of the guides at one address the first by path keeps it;
# the others get their folder's name after the slug.
GUIDES = [
    ("ar/port-guide.md", "port-guide", """---
title: دليل الميناء
description: كيف تصل إلى الميناء وتجد العبّارة المناسبة
lang: ar
---

يقع الميناء في شمال المدينة، وتغادر العبّارات كل ساعة من الرصيف الثالث.
تُباع التذاكر في الكشك قرب البوابة، ويُفضّل الوصول قبل الموعد بنصف ساعة.

![خريطة الرصيف](صور/rasif.png)

اقرأ أيضاً [مواعيد العبّارة](al-abbara.md) و[دليل الميناء بالإندونيسية](../id/port-guide).
"""),
    ("ar/al-abbara.md", "al-abbara", """---
title: مواعيد العبّارة
description: جدول الرحلات اليومية
lang: ar
aliases: [/news/dalil/mawaid]
---

| الرحلة | الموعد |
|---|---|
| الأولى | ٦:٠٠ |
| الأخيرة | ٢١:٠٠ |

للعودة إلى [الدليل](./port-guide.md#الرصيف) أو [الصفحة الرئيسية](/).
"""),
    ("zh-hans/港口.md", "港口", """---
title: 港口指南
description: 如何前往港口并找到合适的渡轮
lang: zh-Hans
---

港口位于城市北部，渡轮每小时从三号码头出发。票价在售票处公布，建议提前半小时到达。

![码头地图](../ar/صور/rasif.png)

另见[渡江指南](dujiang/)和[阿拉伯语版本](../ar/port-guide.md)。
"""),
    ("zh-hans/dujiang/index.md", "dujiang", """---
title: 渡江指南
description: 一个页面包：文章和它的图片放在同一个文件夹里
lang: zh-Hans
---

渡江的船在早上六点开出。下图是航线。

![航线图](ditu.png)

回到[港口指南](../港口.md)。
"""),
    ("hi/port-guide.md", "port-guide-hi", """---
title: नाव यात्रा की जानकारी
description: घाट से नाव कैसे पकड़ें
lang: hi
---

नावें हर घंटे तीसरे घाट से रवाना होती हैं। टिकट खिड़की पर मिलते हैं और
यात्रा से आधा घंटा पहले पहुँचना अच्छा रहता है।

[चीनी संस्करण](../zh-hans/./港口.md), [यात्रा मार्गदर्शिका](yatra/index.md),
[पुरानी सूची](/news/dalil/mawaid) और [बाहर का रास्ता](../../../../etc/passwd)।
"""),
    ("hi/yatra/index.md", "yatra", """---
title: यात्रा मार्गदर्शिका
description: "पेज बंडल: लेख और उसकी तस्वीर एक ही फ़ोल्डर में"
lang: hi
---

घाट का नक्शा नीचे है।

![घाट का नक्शा](naksha.png)
"""),
    ("id/port-guide.md", "port-guide-id", """---
title: Panduan Pelabuhan
description: Cara menuju pelabuhan dan naik kapal feri
lang: id
---

Kapal feri berangkat setiap jam dari dermaga tiga. Tiket dijual di loket
dekat gerbang; datanglah setengah jam sebelum berangkat.

Baca juga [jadwal feri](/news/guides/ar/al-abbara.md), [panduan perahu](../hi/port-guide),
[peta lama](gambar/peta-lama.png) dan [foto dermaga](../../guides/id/gambar/dermaga.jpg).
"""),
]
GUIDE_FILES = {
    "ar/صور/rasif.png": png(3, 2),
    "zh-hans/dujiang/ditu.png": png(2, 2),
    "hi/yatra/naksha.png": png(4, 1),
    "id/gambar/dermaga.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                             b"\xff\xd9",
}
GUIDES_INTRO = ("_index.md", "---\ntitle: Panduan\n---\n\nSemua panduan pelabuhan.\n")
# The links above that lead nowhere, as written: the archive lacks the file.
MISSING = {"gambar/peta-lama.png"}
CLIMBING = {"../../../../etc/passwd"}


def write_guides(news):
    """Writes the guides under news/guides and dates their files."""
    root = os.path.join(news, "guides")
    for i, (rel, _, text) in enumerate(GUIDES):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        t = FILE_TIME + i * 3600
        os.utime(path, (t, t))
    for rel, data in GUIDE_FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    with open(os.path.join(root, GUIDES_INTRO[0]), "w") as f:
        f.write(GUIDES_INTRO[1])


def guide_address(rel):
    """The address a guide is published at: dated by its file's time (in
    UTC, the default zone)."""
    slug = next(slug for path, slug, _ in GUIDES if path == rel)
    return time.strftime("/news/%Y/%m/", time.gmtime(FILE_TIME)) + slug


def front_matter_says(path, key, value):
    """Whether the file's front matter has the line "key: value"."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(20000)
    except (OSError, UnicodeDecodeError):
        return False
    if not text.startswith("---"):
        return False
    head = text.split("\n---", 1)[0]
    return re.search(rf"^{key}:\s*{value}\s*$", head, re.M) is not None


def expected_articles(news):
    """How many articles the site lists: every article file (not _index,
    not hidden) that is neither a draft nor a redirect."""
    n = 0
    for folder, dirs, files in os.walk(news):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith((".md", ".gmi", ".txt")) or name.startswith((".", "_index.")):
                continue
            path = os.path.join(folder, name)
            if front_matter_says(path, "draft", "true") or front_matter_says(path, "redirect", r"\S+"):
                continue
            n += 1
    return n


def links_of(text):
    return [line[2:].strip().split(None, 1)[0] for line in text.splitlines()
            if line.startswith("=>") and line[2:].strip()]


def internal(url, port):
    """The path of a link to this site, or None for another server."""
    for prefix in (f"gemini://localhost:{port}", f"gemini://127.0.0.1:{port}"):
        if url.startswith(prefix):
            url = url[len(prefix):] or "/"
    if url.startswith("/") and not url.startswith("//"):
        return url
    return None


class Crawl:
    """Every page and file reached from "/", with who links where."""

    def __init__(self, port):
        self.port = port
        self.status = {}   # path (no fragment) -> (status, meta)
        self.linked = {}   # target path -> set of pages linking to it
        self.links = []    # every internal link as written on a page
        self.bodies = {}   # path -> text of gemtext pages

    def fetch(self, path):
        # A reply cut short (no close_notify: the server gave up on a
        # reader slowed by a busy machine) is asked for again, so that a
        # missing link means a missing link.
        for _ in range(3):
            r = gemini(self.port, f"gemini://localhost:{self.port}{path}")
            if r.close_notify:
                break
        assert r.close_notify, (path, r)
        return path, r

    def run(self):
        queue = ["/"]
        seen = {"/"}
        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            while queue:
                assert len(self.status) + len(queue) < MAX_REQUESTS, "the crawl does not end"
                batch, queue = queue, []
                for path, r in pool.map(self.fetch, batch):
                    for target in self.take(path, r):
                        if target not in seen:
                            seen.add(target)
                            queue.append(target)

    def take(self, path, r):
        """Records a response; returns the paths it leads to."""
        self.status[path] = (r.status, r.meta)
        if r.status in (30, 31):
            target = internal(r.meta, self.port)
            return [target.split("#")[0]] if target else []
        if r.status != 20 or not r.meta.startswith("text/gemini"):
            return []
        text = r.text
        self.bodies[path] = text
        found = []
        for url in links_of(text):
            target = internal(url, self.port)
            if target is None:
                continue
            self.links.append((path, target))
            target = target.split("#")[0]
            if target.startswith("/search"):
                continue  # asks for input (status 10)
            self.linked.setdefault(target, set()).add(path)
            found.append(target)
        return found

    def articles(self):
        return {p for p, (s, m) in self.status.items()
                if s == 20 and m.startswith("text/gemini") and ARTICLE_PATH.match(p)}

    def dead(self):
        return {p for p, (s, _) in self.status.items() if s == 51}


def check_lines(capsule):
    r = subprocess.run([kabar_bin(), "check", capsule], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode in (0, 1), r.stderr
    return r.stdout.splitlines()


def reported_dead(capsule, lines):
    """The site paths check says lead nowhere, resolved as the site does,
    and the links it says climb out (as written)."""
    nowhere, climbing = set(), set()
    line_re = re.compile(re.escape(capsule) + r"/(.+?):(\d+): link to (.+): (nothing there|"
                         r"climbs out of the capsule)$")
    for line in lines:
        m = line_re.match(line)
        if not m:
            continue
        source, written, why = m.group(1), m.group(3), m.group(4)
        if why != "nothing there":
            climbing.add(written)
            continue
        path = written.split("#")[0].split("?")[0]
        if not path.startswith("/"):
            path = posixpath.join("/" + posixpath.dirname(source), path)
        nowhere.add(urllib.parse.unquote(posixpath.normpath(path)))
    return nowhere, climbing


def serve_and_crawl(capsule):
    # A crawler asks for thousands of pages a minute: no rate limit here.
    config = "limits:\n  requests_per_minute: 0\n"
    with Server(capsule=capsule, config=config, gopher=1) as server:
        crawl = Crawl(server.gemini_port)
        crawl.run()
        gopher_port = server.gopher_port
        gopher_pages = {p: gopher(gopher_port, "/0" + p) for p in sorted(crawl.articles())[:40]}
    return crawl, gopher_pages


def verify(capsule, crawl, gopher_pages):
    news = os.path.join(capsule, "news")
    # Every article is reached.
    statuses = {}
    for status, _ in crawl.status.values():
        statuses[status] = statuses.get(status, 0) + 1
    assert len(crawl.articles()) == expected_articles(news), (
        len(crawl.articles()), expected_articles(news), statuses)
    # No link holds a "." or ".." segment.
    for page, target in crawl.links:
        segments = target.split("#")[0].split("?")[0].split("/")
        assert "." not in segments and ".." not in segments, (page, target)
    # Gopher selectors carry no fragment.
    for path, body in gopher_pages.items():
        for line in body.decode("utf-8", "replace").splitlines():
            if re.match(r"^\[\d+\] gopher://", line):
                assert "#" not in line, (path, line)
    # No generated link leads nowhere; what does is a file the archive
    # lacks, listed by kabar check.
    nowhere, climbing = reported_dead(capsule, check_lines(capsule))
    for target in crawl.dead():
        pages = crawl.linked.get(target, set())
        assert all(ARTICLE_PATH.match(p) for p in pages), (target, pages)
        assert not ARTICLE_PATH.match(target) and not target.startswith(GENERATED), (target, pages)
        plain = posixpath.normpath(urllib.parse.unquote(target.split("?")[0]))
        assert plain in nowhere, (target, pages)
        assert not os.path.exists(os.path.join(capsule, urllib.parse.unquote(target)[1:])), target
    return nowhere, climbing


def guides_capsule():
    capsule = os.path.join(tempdir(), "capsule")
    write_guides(os.path.join(capsule, "news"))
    return capsule


def verify_guides(capsule, crawl, nowhere, climbing):
    articles = crawl.articles()
    for rel, _, _ in GUIDES:
        assert guide_address(rel) in articles, (rel, guide_address(rel), sorted(articles))
    # Links by file name became addresses; images beside articles are served.
    ar = crawl.bodies[guide_address("ar/port-guide.md")]
    assert f"=> {guide_address('ar/al-abbara.md')} " in ar, ar
    assert f"=> {guide_address('id/port-guide.md')} " in ar, ar
    assert "=> /news/guides/ar/صور/rasif.png " in ar, ar
    zh = crawl.bodies[guide_address("zh-hans/dujiang/index.md")]
    assert "=> /news/guides/zh-hans/dujiang/ditu.png " in zh, zh
    assert f"=> {guide_address('zh-hans/港口.md')} " in zh, zh
    hi = crawl.bodies[guide_address("hi/port-guide.md")]
    assert f"=> {guide_address('zh-hans/港口.md')} " in hi, hi
    assert f"=> {guide_address('hi/yatra/index.md')} " in hi, hi
    assert f"=> {guide_address('ar/al-abbara.md')} " in hi, hi  # by its alias
    assert "etc/passwd" not in hi and "बाहर का रास्ता" in hi, hi
    for image in GUIDE_FILES:
        status = crawl.status.get("/news/guides/" + image)
        assert status and status[0] == 20, (image, status)
    # _index.md is no article; the guides' intro file is not listed.
    assert not any(p.endswith("/_index") or p.endswith("/guides") for p in articles), articles
    # What leads nowhere is what the guides lack, and check says so.
    for written in MISSING:
        assert "/news/guides/id/" + written in nowhere, nowhere
    assert CLIMBING <= climbing, climbing


def test_multilingual_guides():
    capsule = guides_capsule()
    crawl, gopher_pages = serve_and_crawl(capsule)
    nowhere, climbing = verify(capsule, crawl, gopher_pages)
    verify_guides(capsule, crawl, nowhere, climbing)
    lines = check_lines(capsule)
    assert lines[-1].endswith(f", {len(GUIDES)} dated by file time"), lines[-1]
    assert lines[-1].startswith(f"{len(GUIDES)} articles, 0 problems, "), lines[-1]


def test_real_corpora_with_guides():
    corpus = shared_path("corpus")
    capsule = guides_capsule()
    for name in sorted(os.listdir(corpus)):
        if os.path.isdir(os.path.join(corpus, name)):
            shutil.copytree(os.path.join(corpus, name), os.path.join(capsule, "news", name))
    crawl, gopher_pages = serve_and_crawl(capsule)
    nowhere, climbing = verify(capsule, crawl, gopher_pages)
    verify_guides(capsule, crawl, nowhere, climbing)
    summary = check_lines(capsule)[-1]
    assert re.match(r"^\d+ articles, 0 problems\b", summary), summary
