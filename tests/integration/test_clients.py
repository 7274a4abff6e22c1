"""Real clients from Debian against the running server: curl (gopher and
gophers), lynx, and the terminal Gemini client amfora driven in tmux. Each
test skips when its client is missing."""
import os
import subprocess

from harness import Server, Tmux, need_tool, tempdir, wait_until

FRONT_TITLE = "Latest news"
ARTICLE = "The harbour light shines again after three dark months"


def run(*cmd):
    return subprocess.run(list(cmd), stdin=subprocess.DEVNULL, capture_output=True, timeout=30)


def test_curl_gopher_and_gophers():
    curl = need_tool("curl")
    with Server() as srv:
        plain = run(curl, "-s", f"gopher://127.0.0.1:{srv.gopher_port}/1/")
        assert plain.returncode == 0, plain.stderr
        text = plain.stdout.decode()
        assert FRONT_TITLE in text and ARTICLE in text, text[:500]
        tls = run(curl, "-sk", f"gophers://127.0.0.1:{srv.gopher_port}/1/")
        assert tls.returncode == 0, tls.stderr
        assert tls.stdout == plain.stdout


def test_lynx_dump_gopher():
    lynx = need_tool("lynx")
    with Server() as srv:
        r = run(lynx, "-dump", "-nolist", f"gopher://127.0.0.1:{srv.gopher_port}/1/")
        assert r.returncode == 0, r.stderr
        text = r.stdout.decode()
        assert FRONT_TITLE in text and ARTICLE in text, text[:500]


def test_amfora_reads_the_front_page_and_follows_a_link():
    tmux_path = need_tool("tmux")
    amfora = need_tool("amfora")
    home = tempdir()
    with Server() as srv:
        tmux = Tmux(tmux_path, "amfora")
        try:
            # amfora keeps its settings and trusted certificates (TOFU: the
            # first certificate seen is trusted, no question asked) in HOME.
            command = (f"env HOME={home} XDG_CONFIG_HOME={home}/.config "
                       f"XDG_CACHE_HOME={home}/.cache TERM=xterm-256color "
                       f"{amfora} gemini://localhost:{srv.gemini_port}/")
            r = tmux("new-session", "-d", "-s", "amfora", "-x", "120", "-y", "40", command)
            assert r.returncode == 0, r.stderr
            front = wait_until(lambda: FRONT_TITLE in tmux.screen() and tmux.screen(), 20)
            assert front, tmux.screen()
            # The article's link number, as amfora shows it: "[3]  2024-... - headline".
            line = next(l for l in front.splitlines() if ARTICLE in l)
            number = line.split("[", 1)[1].split("]", 1)[0]
            tmux("send-keys", "-t", "amfora", number)
            tmux("send-keys", "-t", "amfora", "Enter")
            shown = wait_until(lambda: f"# {ARTICLE}" in tmux.screen() and "By Rina Paluseri"
                               in tmux.screen(), 20)
            assert shown, tmux.screen()
        finally:
            tmux.kill()
    assert "/news/2024/03/" in srv.log(), srv.log()[-2000:]
