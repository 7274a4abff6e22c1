"""The kabar command line: options, usage errors, `kabar check`, and serve's
configuration reload (SIGHUP)."""
import os
import re
import signal
import subprocess

from harness import (REPO, SAMPLE_CAPSULE, Server, Skip, connect, copy_capsule, kabar_bin,
                     shared_path, tempdir, wait_until)

SUMMARY = re.compile(r"^(\d+) articles?(?: \(\d+ drafts?\))?, (\d+) problems?(?:, (\d+) warnings?)?"
                     r"(?:, (\d+) dated by file time)?$")
# Lines of check that are no problem: links to nothing (warnings) and
# articles dated by their file's time (notes).
NOT_PROBLEM = re.compile(r": link to .+: (nothing there|climbs out of the capsule)$|"
                         r"^[^:]+: dated by its file time \(")


def need_binary():
    path = kabar_bin()
    if not os.access(path, os.X_OK):
        raise Skip(f"{path} is not built yet")
    return path


def kabar(*args, cwd=None):
    return subprocess.run([need_binary(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def summary(stdout):
    lines = stdout.splitlines()
    assert lines, "check printed nothing"
    m = SUMMARY.match(lines[-1])
    assert m, f"no summary line: {stdout!r}"
    others = [line for line in lines[:-1] if NOT_PROBLEM.search(line)]
    assert len(others) == int(m.group(3) or 0) + int(m.group(4) or 0), stdout[-2000:]
    return int(m.group(1)), int(m.group(2)), [line for line in lines[:-1] if line not in others]


def test_version():
    r = kabar("--version")
    assert r.returncode == 0
    assert re.match(r"^kabar \d+\.\d+\.\d+\n$", r.stdout), r.stdout
    assert r.stderr == ""


def test_help():
    r = kabar("--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: kabar")
    for word in ("serve", "check", "render", "new", "--config", "--capsule", "--host",
                 "--gemini", "--gopher", "--certs", "--workers", "localhost:1965"):
        assert word in r.stdout, word
    assert kabar("check", "-h").stdout == r.stdout


def test_unknown_option_is_a_usage_error():
    r = kabar("--frobnicate")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "unknown option --frobnicate" in r.stderr
    assert "usage: kabar" in r.stderr


def test_other_usage_errors():
    cases = [
        (["--config"], "--config needs a value"),
        (["-x"], "unknown option -x"),
        (["--gemini", "::1:1965"], "\"::1:1965\" is not an address and port"),
        (["--gopher", "127.0.0.1:70000"], "is not an address and port"),
        (["--workers", "lots"], "--workers: \"lots\""),
        (["publish"], "unknown command \"publish\""),
        (["serve", "extra"], "unexpected argument \"extra\""),
        (["render"], "render needs the FILE of an article"),
        (["new"], "new needs the HEADLINE of the article"),
        (["render", "a.md", "b.md"], "unexpected argument \"b.md\""),
    ]
    for args, message in cases:
        r = kabar(*args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert message in r.stderr, (args, r.stderr)


def article_sources(folder):
    """Every file kabar reads as an article (.md, .gmi, .txt; not hidden):
    what an editor may have added, such as the seed, counts too."""
    return [n for n in os.listdir(folder)
            if n.endswith((".md", ".gmi", ".txt")) and not n.startswith(".")]


def test_check_sample_capsule():
    r = kabar("check", SAMPLE_CAPSULE)
    articles, problems, lines = summary(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert problems == 0 and lines == []
    assert articles == len(article_sources(os.path.join(SAMPLE_CAPSULE, "news")))


def test_check_sample_configuration():
    r = kabar("check", "--config", "kabar.yaml", cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert summary(r.stdout)[1] == 0


def test_check_broken_configuration():
    path = write(os.path.join(tempdir(), "kabar.yaml"),
                 "capsule: capsule\n"
                 "colour: blue\n"
                 "timezone: Mars/Olympus\n"
                 "workers: many\n")
    r = kabar("check", "--config", path)
    assert r.returncode == 1
    articles, problems, lines = summary(r.stdout)
    assert (articles, problems) == (0, 3)
    assert lines == [
        f"{path}:2:1: unknown key \"colour\"",
        f"{path}:3:11: timezone: unknown time zone \"Mars/Olympus\" "
        f"({os.environ.get('TZDIR') or '/usr/share/zoneinfo'}/Mars/Olympus: No such file or directory)",
        f"{path}:4:10: workers: expected an integer, got \"many\"",
    ]


def test_check_yaml_syntax_error():
    path = write(os.path.join(tempdir(), "kabar.yaml"), "gemini: [127.0.0.1:1965\nhost: x\n")
    r = kabar("check", "--config", path)
    assert r.returncode == 1
    _, problems, lines = summary(r.stdout)
    assert problems == 1
    assert re.match(re.escape(path) + r":\d+:\d+: ", lines[0]), lines


def test_check_missing_capsule():
    missing = os.path.join(tempdir(), "nowhere")
    r = kabar("check", missing)
    assert r.returncode == 1
    _, problems, lines = summary(r.stdout)
    assert problems == 1
    assert lines[0].startswith(f"{missing}: cannot open the capsule")


def test_check_broken_article():
    capsule = copy_capsule()
    write(os.path.join(capsule, "news", "broken.md"),
          "---\ntitle: [never closed\ndate: 2024-03-01\n---\n\nBody.\n")
    r = kabar("check", capsule)
    assert r.returncode == 1, r.stdout
    articles, problems, lines = summary(r.stdout)
    assert problems == 1
    assert re.match(re.escape(capsule) + r"/news/broken\.md:\d+: \S", lines[0]), lines
    assert articles == len(article_sources(os.path.join(capsule, "news"))) - 1


def test_render_broken_articles_prints_the_reason():
    """Nothing goes to stdout, one FILE:LINE reason to stderr, exit 1: also
    on the sanitizer build, where writing an empty output once aborted."""
    folder = os.path.join(tempdir(), "news")
    os.makedirs(folder)
    broken = {
        "unclosed.md": "---\ntitle: [never closed\ndate: 2024-03-01\n---\n\nBody.\n",
        "bad-date.md": "---\ntitle: Tanggal salah\ndate: 2024-13-45\n---\n\nIsi.\n",
        "latin1.md": "---\ntitle: Caf\u00e9\ndate: 2024-03-01\n---\n\nna\u00efve\n".encode("latin-1"),
        "empty.md": "",
        "nul.md": "---\ntitle: x\ndate: 2024-03-01\n---\n\n\u05e9\u05dc\u05d5\u05dd\0\n",
    }
    for name, text in broken.items():
        path = os.path.join(folder, name)
        with open(path, "wb") as f:
            f.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        for output in ("--gemini", "--gopher"):
            r = kabar("render", path, output)
            assert r.returncode == 1 and r.stdout == "", (name, r.returncode, r.stdout)
            assert re.fullmatch(re.escape(path) + r":\d+: [^\n]+\n", r.stderr), r.stderr
    missing = os.path.join(folder, "missing.md")
    r = kabar("render", missing)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith(missing + ": ") and r.stderr.count("\n") == 1, r.stderr


def test_check_go_blog_corpus():
    corpus = shared_path("corpus", "go-blog")
    r = kabar("check", corpus)
    articles, problems, lines = summary(r.stdout)
    # Every article source the site would read is counted (SOURCE.txt too).
    assert articles + problems == len(article_sources(corpus)), r.stdout[-2000:]
    assert r.returncode == (1 if problems else 0)
    assert len(lines) == problems
    for line in lines:
        assert re.match(re.escape(corpus) + r"/[^:]+:\d+: \S", line), line


def test_check_links_and_undated_articles():
    """Undated articles publish, noted; links to nothing are warnings, and
    problems with --strict."""
    capsule = os.path.join(tempdir(), "capsule")
    os.makedirs(os.path.join(capsule, "news", "id", "gambar"))
    write(os.path.join(capsule, "news", "id", "gambar", "peta.png"), "png")
    write(os.path.join(capsule, "news", "id", "pelabuhan.md"),
          "---\ntitle: Panduan Pelabuhan\ndescription: Cara naik feri\n---\n\n"
          "Lihat [peta](gambar/peta.png) dan [jadwal](jadwal.md).\n\n"
          "![Dermaga](gambar/dermaga.jpg)\n\n[Keluar](../../../luar.txt)\n")
    write(os.path.join(capsule, "news", "id", "jadwal.md"),
          "---\ntitle: Jadwal\ndate: 2024-03-01\n---\n\n[Kembali](pelabuhan#atas)\n\n"
          "[Rencana](rencana.md)\n")
    write(os.path.join(capsule, "news", "id", "rencana.md"),
          "---\ntitle: Rencana\ndate: 2024-03-02\ndraft: true\n---\n\nBelum terbit.\n")
    write(os.path.join(capsule, "news", "id", "_index.md"), "---\ntitle: Indonesia\n---\n")
    r = kabar("check", capsule)
    assert r.returncode == 0, r.stdout
    lines = r.stdout.splitlines()
    assert lines[-1] == "3 articles (1 draft), 0 problems, 3 warnings, 1 dated by file time", lines
    source = f"{capsule}/news/id/pelabuhan.md"
    assert re.match(re.escape(source) + r": dated by its file time \(\d{4}-\d\d-\d\d \d\d:\d\d\)$",
                    lines[0]), lines
    # A draft is not there for readers yet.
    assert lines[1] == f"{capsule}/news/id/jadwal.md:8: link to rencana.md: nothing there", lines
    assert lines[2:4] == [f"{source}:8: link to gambar/dermaga.jpg: nothing there",
                          f"{source}:10: link to ../../../luar.txt: climbs out of the capsule"], lines
    r = kabar("check", "--strict", capsule)
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1] == "3 articles (1 draft), 3 problems, 1 dated by file time"
    r = kabar("serve", "--strict")
    assert r.returncode == 2 and "--strict" in r.stderr


def readable_by_all(*paths):
    """Started as root, kabar reloads as an unprivileged user: let it read
    the test's folders (tempdir makes them private)."""
    if os.geteuid() == 0:
        for path in paths:
            os.chmod(path, 0o755)


def test_serve_reload_keeps_old_runtime_on_error():
    need_binary()
    capsule = copy_capsule()
    server = Server(capsule=capsule, config="title: First\ntimezone: WITA\n")
    readable_by_all(server.workdir, os.path.dirname(capsule))
    with server:
        config = os.path.join(server.workdir, "kabar.yaml")
        write(config, "title: Second\nwrap: 5\n")
        server.signal(signal.SIGHUP)
        bad = f"{config}:2:7: wrap: 5 is out of range (20 to 200)"
        assert wait_until(lambda: bad in server.log(), timeout=10), server.log()
        connect(server.gopher_port).close()  # the old runtime still serves

        write(config, "title: Third\n")
        server.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in server.log(), timeout=10), server.log()
        connect(server.gemini_port).close()
