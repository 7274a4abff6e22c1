"""Gopher readers never hit a dead end: the seed article, read in the real
terminal clients from Debian (lynx, sacc, bombadillo), shows its text, and
each client follows a link out of it ("newer", the section) from inside the
article. Skips when ../shared (the seed) or a client is absent."""
import os
import shutil
import subprocess

from harness import Server, Tmux, copy_capsule, gopher, need_tool, shared_path, tempdir, wait_until

SEED = "000_d926a9efe1d2fe2d.txt"
SEED_PATH = "/news/2022/04/wow-kesan-peserta-study-tiru-kabupaten-lutim-tentang-mpp-barru"
HEADLINE = "Kesan Peserta Study Tiru Kabupaten Lutim"
SEED_TEXT = "Rombongan ini digawangi oleh staf DPMPTSP"
# The sample article just newer than the seed (a line of its text, which
# the seed's page does not show), and the seed's section (its page's title
# in the host's words).
NEWER_PATH = "/news/2024/02/night-market-moves"
NEWER_TEXT = "The Friday night market will move"
SECTION_PATH = "/section/barru/"
SECTION_TITLE = "Section: Barru"


def seeded_capsule():
    capsule = copy_capsule()
    shutil.copy(shared_path("seeds", SEED), os.path.join(capsule, "news", SEED))
    return capsule


def links_of(port, selector):
    """The menu's items that lead somewhere, in order (as clients number
    them): (type, display, selector)."""
    raw = gopher(port, selector).decode("utf-8")
    items = []
    for line in raw.split("\r\n"):
        fields = line[1:].split("\t")
        if len(fields) == 4 and line[0] not in "i3":
            items.append((line[0], fields[0], fields[1]))
    return items


def number_of(items, selector):
    """The 1-based number clients give the item that leads to selector."""
    for n, (_kind, _display, sel) in enumerate(items, 1):
        if sel == selector:
            return n
    raise AssertionError(f"no item leads to {selector}: {items}")


def test_the_article_menu_links_the_way_on():
    with Server(capsule=seeded_capsule()) as srv:
        items = links_of(srv.gopher_port, SEED_PATH)
        assert items[0] == ("0", "Versi teks", SEED_PATH + ".txt"), items[0]
        assert ("1", SECTION_PATH) in [(k, s) for k, _, s in items], items
        newer = [i for i in items if i[2] == NEWER_PATH]
        assert newer and newer[0][0] == "1" and newer[0][1].startswith("Lebih baru: "), items
        # The byline's link to the regional site is an item a client opens.
        assert any(k == "h" and s == "URL:http://BARRU.GOBLOG.CO.ID" for k, _, s in items), items


def test_lynx_dump_shows_the_text_and_lists_the_links():
    lynx = need_tool("lynx")
    with Server(capsule=seeded_capsule()) as srv:
        url = f"gopher://127.0.0.1:{srv.gopher_port}/1{SEED_PATH}"
        env = dict(os.environ, TERM="dumb", HOME=tempdir())
        out = subprocess.run([lynx, "-dump", url], capture_output=True, timeout=30, env=env,
                             stdin=subprocess.DEVNULL)
        assert out.returncode == 0, out
        text = out.stdout.decode("utf-8", "replace")
        assert HEADLINE in text and SEED_TEXT in text, text[:800]
        assert f":{srv.gopher_port}/1{NEWER_PATH}" in text, text[-1500:]
        assert f":{srv.gopher_port}/1{SECTION_PATH}" in text, text[-1500:]


# Where each client goes from the seed article, and what shows it got there.
TARGETS = ((NEWER_PATH, NEWER_TEXT), (SECTION_PATH, SECTION_TITLE))


def follow_in_tmux(session, command, keys, want):
    """Starts command (a terminal client on the seed article) in tmux; with
    keys, waits for the article and sends them; then waits for want to
    show. Returns the screen. Tall, so that every item is on screen."""
    tmux = Tmux(need_tool("tmux"), session)
    try:
        tmux.start(command, height=150)
        if keys:
            assert wait_until(lambda: HEADLINE in tmux.screen(), 20), tmux.screen()
            tmux.keys(*keys)
        after = wait_until(lambda: want in tmux.screen() and tmux.screen(), 20)
        assert after, tmux.screen()
        return after
    finally:
        tmux.kill()


def follow_each_target(session, start):
    """For each target, start(home, url, number) gives the client's command
    and the keys that follow item number; yields (target, screen)."""
    with Server(capsule=seeded_capsule()) as srv:
        items = links_of(srv.gopher_port, SEED_PATH)
        url = f"gopher://127.0.0.1:{srv.gopher_port}/1{SEED_PATH}"
        for target, want in TARGETS:
            command, keys = start(tempdir(), url, number_of(items, target))
            yield target, follow_in_tmux(session, command, keys, want)


def client_env(home):
    return (f"env HOME={home} XDG_CONFIG_HOME={home}/.config TERM=xterm-256color "
            "PAGER=cat LANG=C.UTF-8")


def test_lynx_follows_newer_and_the_section_from_the_article():
    lynx = need_tool("lynx")

    def start(home, url, number):
        # With links numbered, lynx reads "N" then Enter as "follow link N"
        # (by default digits are arrow keys); its script types them.
        with open(os.path.join(home, ".lynxrc"), "w") as f:
            f.write("keypad_mode=LINKS_ARE_NUMBERED\n")
        script = os.path.join(home, "keys")
        with open(script, "w") as f:
            f.write("".join(f"key {ch}\n" for ch in str(number)) + "key ^J\n")
        return (f"{client_env(home)} {lynx} -number_links -accept_all_cookies "
                f"-cmd_script={script} {url}", [])

    for _target, _screen in follow_each_target("lynx", start):
        pass


def test_sacc_follows_newer_and_the_section_from_the_article():
    sacc = need_tool("sacc")
    # sacc starts on the first item; J moves to the next one, l opens it.
    start = lambda home, url, number: (f"{client_env(home)} {sacc} {url}",
                                       ["J"] * (number - 1) + ["l"])
    for _target, screen in follow_each_target("sacc", start):
        assert SEED_TEXT not in screen


def test_bombadillo_follows_newer_and_the_section_from_the_article():
    bombadillo = need_tool("bombadillo")
    # bombadillo numbers the items; the number and Enter open one.
    start = lambda home, url, number: (f"{client_env(home)} {bombadillo} {url}",
                                       [str(number), "Enter"])
    for target, screen in follow_each_target("bombadillo", start):
        assert f"/1{target}" in screen, screen
