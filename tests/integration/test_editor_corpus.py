"""kabar render, new and check on content nobody here wrote: the real posts
in ../shared/corpus (skipped when absent)."""
import os
import re
import shutil
import subprocess

from harness import kabar_bin, shared_path, tempdir, display_width

# The corpus's own index pages and provenance notes carry no date: every
# other file is an article that must render.
NOT_ARTICLES = {"SOURCE.txt", "all.md", "index.md"}


def kabar(*args):
    return subprocess.run([kabar_bin(), *args], stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)


def corpus_files(name):
    folder = shared_path("corpus", name)
    return [os.path.join(folder, f) for f in sorted(os.listdir(folder))
            if f.endswith((".md", ".txt")) and f not in NOT_ARTICLES]


def check_renders(name):
    files = corpus_files(name)
    assert files
    for path in files:
        gem = kabar("render", path)
        assert gem.returncode == 0, (path, gem.stderr)
        assert gem.stdout.startswith(b"# "), (path, gem.stdout[:200])
        gopher = kabar("render", "--gopher", path)
        assert gopher.returncode == 0, (path, gopher.stderr)
        text = gopher.stdout.decode("utf-8")
        assert text.strip(), path
        # Prose wraps at 70 columns. What may not: code (indented), tables
        # (kept aligned: their rows hold " | " and their rule "-+-") and the
        # reference URLs, kept whole so that they can be copied.
        long_lines = [line for line in text.splitlines()
                      if display_width(line) > 70 and not line.startswith(("    ", "["))
                      and " | " not in line and "-+-" not in line]
        assert not long_lines, (path, long_lines[:3])


def test_render_every_blankon_post():
    check_renders("blankon-beranda")


def test_render_every_go_blog_post():
    check_renders("go-blog")


def test_new_article_among_the_corpus_checks_clean():
    capsule = os.path.join(tempdir(), "capsule")
    news = os.path.join(capsule, "news")
    os.makedirs(news)
    for path in corpus_files("blankon-beranda"):
        shutil.copy(path, news)
    made = kabar("new", "--capsule", capsule, "--section", "jakarta", "Rilis BlankOn berikutnya")
    assert made.returncode == 0, made.stderr
    path = made.stdout.decode().strip()
    assert os.path.dirname(path) == news and path.endswith("-rilis-blankon-berikutnya.md"), path
    check = kabar("check", "--capsule", capsule)
    assert check.returncode == 0, check.stdout[-2000:]
    last = check.stdout.decode().strip().splitlines()[-1]
    # The corpus's links to the rest of its old site lead nowhere here:
    # warnings, not problems.
    assert re.match(rf"^{len(os.listdir(news))} articles \(1 draft\), 0 problems(, \d+ warnings?)?$", last), last
