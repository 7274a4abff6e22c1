"""Posts from Hugo, Zola and Jekyll sites, shortcodes and template tags and
all, served and crawled over Gemini from "/" and read over Gopher: no "{{",
"{%" or shortcode text reaches a page, the text a comment hides is nowhere,
embeds are links to the thing, a ref or post_url is the other article's
address, and `kabar check` lists each tag it removed at its line."""
import os
import re
import subprocess

from harness import Server, gemini, gopher, kabar_bin, tempdir
from test_archives import Crawl

SECRET = "HARBOUR-SECRET-7741"

POSTS = {
    "2023-04-01-timetable-2023.md": """---
title: Last year's timetable
date: 2023-04-01
---

Boats leave every hour from six to nine.
""",
    "2024-03-01-timetable.md": """---
title: Ferry timetable changes
date: 2024-03-01
author: Rina Paluseri
---

The new timetable starts on the first of April.

{{< comment >}}
TODO """ + SECRET + """: ask the harbour office about the night boat.

- and about the winter times
{{< /comment >}}

{{< figure src="/images/ferry.jpg" caption="The morning ferry at Paotere" >}}

{{<youtube dQw4w9WgXcQ>}}

See [last year's timetable]({{< ref "2023-04-01-timetable-2023.md" >}}) and
the [harbour page]({{% param canonical_url %}}/harbour/).

{{< notice warning >}}
Tickets are sold at the pier only.
{{< /notice >}}

To embed one yourself, write `{{</* youtube ID */>}}`:

```
{{</* youtube dQw4w9WgXcQ */>}}
```
""",
    "2019-05-08-weekly-11.md": """---
title: Harbour Weekly 11
date: 2019-05-08
---

The fuel prices went up again.
""",
    "2019-05-15-weekly-12.md": """---
title: Harbour Weekly 12
date: 2019-05-15
---

Last week: [fuel prices]({% post_url 2019-05-08-weekly-11 %}).

{% include banner.html issue=12 %}

{% comment %}""" + SECRET + """ is not for readers{% endcomment %}

{% raw %}Templates print {{ page.title }} like this.{% endraw %}

Subscribe at {{ site.url }}/subscribe.
""",
    "2019-05-20-four-years.md": """---
title: Four years of the ferry
date: 2019-05-20
---

Four years ago the first boat left.

{{ youtube(id="abcDEF12345") }}

{% quote(author="The captain") %}
We never missed a day.
{% end %}
""",
}

# What each article's page must show (Gemini), by file.
SHOWN = {
    "2024-03-01-timetable.md": ["=> https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                                "/images/ferry.jpg The morning ferry at Paotere",
                                "/news/2023/04/timetable-2023",
                                "Tickets are sold at the pier only.",
                                "{{< youtube ID >}}", "{{< youtube dQw4w9WgXcQ >}}"],
    "2019-05-15-weekly-12.md": ["/news/2019/05/weekly-11", "Templates print {{ page.title }}"],
    "2019-05-20-four-years.md": ["=> https://www.youtube.com/watch?v=abcDEF12345",
                                 "We never missed a day."],
}

# What may never reach a page: tag marks, and the names of removed tags.
# The Hugo post shows "{{< youtube" on purpose, in its code.
LEAKS = ["{%", "%}", "{{%", "canonical_url", "param", "notice", "banner.html",
         "site.url", "comment", "quote(", "end %"]


def capsule():
    root = os.path.join(tempdir(), "capsule")
    news = os.path.join(root, "news", "blog")
    os.makedirs(news)
    os.makedirs(os.path.join(root, "images"))
    with open(os.path.join(root, "images", "ferry.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 not really a jpeg")
    for name, text in POSTS.items():
        with open(os.path.join(news, name), "w") as f:
            f.write(text)
    return root


def leaks_in(text, allow_code):
    found = [w for w in LEAKS if w in text]
    if SECRET in text:
        found.append(SECRET)
    body = text
    for shown in allow_code:
        body = body.replace(shown, "")
    if "{{" in body or "}}" in body:
        found.append("{{ or }}")
    return found


def test_no_tag_reaches_a_page():
    root = capsule()
    config = "limits:\n  requests_per_minute: 0\n"
    with Server(capsule=root, config=config, gopher=1) as server:
        crawl = Crawl(server.gemini_port)
        crawl.run()
        articles = sorted(crawl.articles())
        assert len(articles) == len(POSTS), articles
        code = ["{{< youtube ID >}}", "{{< youtube dQw4w9WgXcQ >}}",
                "{{ page.title }}"]
        for path, text in crawl.bodies.items():
            assert not leaks_in(text, code), (path, leaks_in(text, code), text)
        by_slug = {p.rsplit("/", 1)[1]: p for p in articles}
        for name, wanted in SHOWN.items():
            slug = re.sub(r"^\d{4}-\d\d-\d\d-", "", name[:-3])
            text = crawl.bodies[by_slug[slug]]
            for w in wanted:
                assert w in text, (name, w, text)
        # The links a ref or post_url became lead to the articles.
        for target in ("/news/2023/04/timetable-2023", "/news/2019/05/weekly-11"):
            assert crawl.status.get(target, (None,))[0] == 20, (target, crawl.status.get(target))
        # Gopher: the same articles.
        shown_somewhere = 0
        for path in articles:
            for selector in (path,):
                text = gopher(server.gopher_port, selector).decode("utf-8", "replace")
                assert not leaks_in(text, code), (selector, leaks_in(text, code), text)
                shown_somewhere += "Tickets are sold at the pier only." in text
        assert shown_somewhere >= 1


def test_check_lists_what_was_removed():
    root = capsule()
    r = subprocess.run([kabar_bin(), "check", root], capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    lines = r.stdout.splitlines()
    post = root + "/news/blog/"
    for want in [post + "2024-03-01-timetable.md:20: shortcode param canonical_url, removed",
                 post + "2024-03-01-timetable.md:22: unknown shortcode notice, removed",
                 post + "2019-05-15-weekly-12.md:8: include banner.html, removed",
                 post + "2019-05-15-weekly-12.md:14: template variable site.url, removed",
                 post + "2019-05-20-four-years.md:10: unknown shortcode quote, removed"]:
        assert want in lines, (want, r.stdout)
    # What points nowhere is listed too: the harbour page is not in the capsule.
    assert any(l.endswith("link to /harbour/: nothing there") for l in lines), r.stdout
    # No other link is dead: the ref and the post_url found their articles.
    dead = [l for l in lines if "nothing there" in l]
    assert len(dead) == 1, dead
    assert SECRET not in r.stdout
