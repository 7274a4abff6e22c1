"""Running Kabar as an operator and an editor does: make install/uninstall,
the manual pages, the systemd unit, access log formats, SIGHUP with new
certificates and a held connection, kabar check in a git hook, kabar
render and kabar new."""
import os
import re
import shutil
import signal
import ssl
import subprocess

from harness import (REPO, SAMPLE_CAPSULE, Server, Skip, client_context, connect, copy_capsule,
                     gemini, gopher, kabar_bin, need_tool, tempdir, wait_until)


def need_binary():
    path = kabar_bin()
    if not os.access(path, os.X_OK):
        raise Skip(f"{path} is not built yet")
    return path


def kabar(*args, cwd=None, env=None):
    return subprocess.run([need_binary(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60, cwd=cwd, env=env)


def make(*args):
    need_tool("make")
    build = os.path.relpath(os.path.dirname(need_binary()), REPO)
    return subprocess.run(["make", "-s", f"BUILD={build}", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120)


def files_under(root):
    found = set()
    for folder, _, names in os.walk(root):
        for name in names:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- install ----

INSTALLED = {
    "usr/bin/kabar",
    "usr/share/man/man8/kabar.8",
    "usr/share/man/man5/kabar.yaml.5",
    "usr/share/doc/kabar/README.md",
    "usr/share/doc/kabar/editors-guide.md",
    "usr/share/doc/kabar/scaling.md",
    "usr/share/doc/kabar/examples/kabar.yaml",
    "usr/share/doc/kabar/examples/haproxy.cfg",
    "usr/share/doc/kabar/examples/pre-commit",
    "usr/lib/systemd/system/kabar.service",
    "usr/share/kabar/capsule/index.gmi",
    "usr/share/kabar/capsule/news/welcome.md",
    "etc/kabar/kabar.yaml",
}


def test_install_for_a_package_and_uninstall():
    dest = tempdir()
    r = make("install", f"DESTDIR={dest}", "PREFIX=/usr")
    assert r.returncode == 0, r.stderr
    assert files_under(dest) == INSTALLED
    assert os.stat(os.path.join(dest, "usr/bin/kabar")).st_mode & 0o777 == 0o755
    unit = open(os.path.join(dest, "usr/lib/systemd/system/kabar.service")).read()
    assert "ExecStart=/usr/bin/kabar serve --config /etc/kabar/kabar.yaml" in unit
    assert not re.search(r"@[A-Z]+@", unit), unit  # every placeholder filled in
    assert "\nUser=kabar\n" in unit and "\nDynamicUser=" not in unit
    r = make("uninstall", f"DESTDIR={dest}", "PREFIX=/usr")
    assert r.returncode == 0, r.stderr
    assert files_under(dest) == set()
    # Only Kabar's own folders go; shared ones such as usr/bin stay.
    assert not os.path.exists(os.path.join(dest, "usr/share/doc/kabar"))
    assert not os.path.exists(os.path.join(dest, "etc/kabar"))
    assert os.path.isdir(os.path.join(dest, "usr/bin"))


def test_local_install_leaves_etc_alone_and_the_unit_verifies():
    prefix = tempdir()
    r = make("install", f"PREFIX={prefix}")
    assert r.returncode == 0, r.stderr
    installed = files_under(prefix)
    assert "bin/kabar" in installed and "share/doc/kabar/examples/kabar.yaml" in installed
    assert not any(p.startswith("etc/") for p in installed), installed
    unit = os.path.join(prefix, "lib/systemd/system/kabar.service")
    assert f"ExecStart={prefix}/bin/kabar serve --config {prefix}/etc/kabar/kabar.yaml" \
        in open(unit).read()
    r = subprocess.run([os.path.join(prefix, "bin/kabar"), "--version"], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 0 and r.stdout.startswith("kabar ")
    analyze = shutil.which("systemd-analyze")
    if analyze:
        env = dict(os.environ, MANPATH=os.path.join(prefix, "share/man"))
        r = subprocess.run([analyze, "verify", unit], capture_output=True, text=True, timeout=60,
                           env=env)
        assert r.returncode == 0, r.stdout + r.stderr
    # The installed page is found by man through MANPATH.
    r = subprocess.run(["man", "-w", "kabar.yaml"], capture_output=True, text=True, timeout=20,
                       env=dict(os.environ, MANPATH=os.path.join(prefix, "share/man")))
    assert r.stdout.strip().endswith("man5/kabar.yaml.5"), r.stdout + r.stderr
    assert make("uninstall", f"PREFIX={prefix}").returncode == 0
    assert files_under(prefix) == set()


def test_man_pages_lint_clean():
    need_tool("mandoc")
    r = make("lint-man")
    assert r.returncode == 0, r.stdout + r.stderr
    # Every command and key the program knows is documented.
    page8 = open(os.path.join(REPO, "doc/kabar.8")).read()
    for word in ("serve", "check", "render", "new", "SIGHUP", "SIGUSR1", "--section"):
        assert word in page8.replace("\\-", "-"), word
    page5 = open(os.path.join(REPO, "doc/kabar.yaml.5")).read()
    for key in ("capsule", "host", "title", "lang", "timezone", "listing", "page_size", "wrap",
                "hosts", "gemini", "gopher", "certs", "workers", "user", "timeouts", "limits",
                "access_log", "log_format", "log_client_address"):
        assert f".It Ic {key}" in page5, key


def test_a_lint_warning_fails_lint_man():
    need_tool("mandoc")
    bad = write(os.path.join(tempdir(), "bad.8"), ".Dd May 1, 2024\n.Dt BAD 8\n.Os\n"
                ".Sh NAME\n.Nm bad\n.Nd x\n.Sh DESCRIPTION\n.Xr\n")
    r = make("lint-man", f"MAN_PAGES={bad}")
    assert r.returncode != 0
    assert "bad.8" in r.stdout + r.stderr


def test_packaged_sample_configuration_reads():
    r = kabar("check", "--config", os.path.join(REPO, "dist/kabar.yaml"))
    # The only problem on a machine without /srv/kabar is that folder.
    lines = r.stdout.splitlines()
    assert lines[-1] in ("0 articles, 1 problem", "0 articles, 0 problems") or \
        re.match(r"\d+ articles, 0 problems", lines[-1]), r.stdout
    for line in lines[:-1]:
        assert line.startswith("/srv/kabar"), line


# ---- logs ----

CLF = re.compile(r'^(\S+) - - \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] '
                 r'"([^"]*)" (\d+) (\d+|-)( "-" "-")?$')


def clf_lines(text):
    return [m.groups() for m in map(CLF.match, text.splitlines()) if m]


def test_common_and_combined_log_formats():
    for fmt, tail in (("common", None), ("combined", ' "-" "-"')):
        with Server(config=f"log_format: {fmt}\n") as srv:
            gemini(srv.gemini_port, "gemini://localhost/")
            gopher(srv.gopher_port, "/about.gmi")
            gopher(srv.gopher_port, "/no-such-file")
            lines = wait_until(lambda: len(clf_lines(srv.log())) >= 3 and clf_lines(srv.log()))
        assert lines and len(lines) == 3, srv.log()
        by_request = {l[2]: l for l in lines}
        g = by_request["gemini://localhost/"]
        assert g[0] == "127.0.0.1" and g[3] == "20" and int(g[4]) > 0 and g[5] == tail
        assert by_request["/about.gmi"][3] == "0"
        assert by_request["/no-such-file"][3] == "3"


def test_reload_switches_log_format():
    capsule = copy_capsule()
    srv = Server(capsule=capsule, config="log_format: kabar\n")
    readable_by_all(srv.workdir, os.path.dirname(capsule))
    with srv:
        config = os.path.join(srv.workdir, "kabar.yaml")
        write(config, "log_format: common\n")
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
        gopher(srv.gopher_port, "/")
        assert wait_until(lambda: clf_lines(srv.log())), srv.log()


# ---- SIGHUP: configuration and certificates, held connections ----

def readable_by_all(*paths):
    """Started as root, kabar reloads as nobody: let it read the files."""
    if os.geteuid() == 0:
        for path in paths:
            os.chmod(path, 0o755)


def peer_certificate(port):
    sock = client_context().wrap_socket(connect(port), server_hostname="localhost")
    try:
        return sock.getpeercert(binary_form=True)
    finally:
        sock.close()


def new_certificate(certs):
    """Replaces localhost's certificate and key, as an operator renewing
    them would, owned by whoever owns the folder (the service user)."""
    openssl = need_tool("openssl")
    crt, key = os.path.join(certs, "localhost.crt"), os.path.join(certs, "localhost.key")
    tmp_crt, tmp_key = crt + ".new", key + ".new"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", tmp_key, "-out", tmp_crt,
                    "-days", "30", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost"], check=True, capture_output=True, timeout=30)
    st = os.stat(certs)
    for path in (tmp_crt, tmp_key):
        os.chown(path, st.st_uid, st.st_gid)
    os.rename(tmp_key, key)
    os.rename(tmp_crt, crt)


def test_sighup_new_certificate_bad_config_and_a_held_connection():
    capsule = copy_capsule()
    srv = Server(capsule=capsule, config="title: Before\n")
    readable_by_all(srv.workdir, os.path.dirname(capsule))
    with srv:
        config = os.path.join(srv.workdir, "kabar.yaml")
        old_cert = peer_certificate(srv.gemini_port)
        held = client_context().wrap_socket(connect(srv.gemini_port, timeout=20),
                                            server_hostname="localhost")
        held.sendall(b"gemini://localhost/")  # the request is not finished yet

        # A mistake: refused with its reason, the old settings serve.
        write(config, "title: Broken\nworkers: many\n")
        srv.signal(signal.SIGHUP)
        reason = f'{config}:2:10: workers: expected an integer, got "many"'
        assert wait_until(lambda: reason in srv.log(), 10), srv.log()
        assert peer_certificate(srv.gemini_port) == old_cert
        assert "Before" in gemini(srv.gemini_port, "gemini://localhost/").text

        # Fixed, with a renewed certificate: new connections get both.
        new_certificate(srv.certs)
        write(config, "title: After\n")
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
        assert wait_until(lambda: peer_certificate(srv.gemini_port) != old_cert, 5)
        assert "After" in gemini(srv.gemini_port, "gemini://localhost/").text

        # The connection opened before both reloads finishes on the old ones.
        assert held.getpeercert(binary_form=True) == old_cert
        held.sendall(b"\r\n")
        data = b""
        while True:
            chunk = held.recv(65536)
            if not chunk:
                break
            data += chunk
        held.close()
        assert data.startswith(b"20 "), data[:100]
        assert b"Before" in data


# ---- editors ----

def test_check_in_a_git_pre_commit_hook():
    git = need_tool("git")
    repo = copy_capsule()
    env = dict(os.environ, KABAR=need_binary(), GIT_AUTHOR_NAME="Ed", GIT_AUTHOR_EMAIL="ed@x",
               GIT_COMMITTER_NAME="Ed", GIT_COMMITTER_EMAIL="ed@x", HOME=tempdir())

    def run(*args):
        return subprocess.run([git, *args], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=60)

    assert run("init", "-q").returncode == 0
    hook = os.path.join(repo, ".git", "hooks", "pre-commit")
    shutil.copy(os.path.join(REPO, "doc", "pre-commit"), hook)
    os.chmod(hook, 0o755)
    run("add", "-A")
    r = run("commit", "-qm", "The sample capsule")
    assert r.returncode == 0, r.stderr

    write(os.path.join(repo, "news", "broken.md"), "---\ntitle: Broken\ndate: 2024-02-30\n---\n")
    run("add", "news/broken.md")
    r = run("commit", "-qm", "A broken article")
    assert r.returncode != 0
    assert re.search(r"^\./news/broken\.md:3: \S", r.stderr, re.M), r.stderr
    assert "fix the articles above" in r.stderr

    # The hook checks what is staged: fixing only the working tree is not enough.
    write(os.path.join(repo, "news", "broken.md"), "---\ntitle: Fixed\ndate: 2024-02-28\n---\n")
    assert run("commit", "-qm", "Still broken in the index").returncode != 0
    run("add", "news/broken.md")
    r = run("commit", "-qm", "Fixed")
    assert r.returncode == 0, r.stderr


def test_render_and_new_from_the_command_line():
    capsule = copy_capsule()
    env = dict(os.environ, USER="rina")
    r = kabar("new", "--capsule", capsule, "--section", "harbour", "Ferry: back on Monday",
              env=env)
    assert r.returncode == 0, r.stderr
    path = r.stdout.strip()
    assert re.fullmatch(re.escape(capsule) + r"/news/\d{4}-\d\d-\d\d-ferry-back-on-monday\.md",
                        path), path
    text = open(path).read()
    assert 'author: "rina"' in text and 'section: "harbour"' in text and "draft: true" in text

    again = kabar("new", "--capsule", capsule, "Ferry: back on Monday")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert open(path).read() == text

    r = kabar("render", path, "--capsule", capsule)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Ferry: back on Monday\n")
    assert "draft" in r.stderr
    r = kabar("render", "--gopher", path, "--capsule", capsule)
    assert r.returncode == 0
    # (text mode reads "\r\n" as "\n")
    assert r.stdout.startswith("Ferry: back on Monday\n=====")

    # A published one renders with the site's zone, and the check agrees.
    published = os.path.join(SAMPLE_CAPSULE, "news", "harbour-light-returns.md")
    r = kabar("render", published, "--config", os.path.join(REPO, "kabar.yaml"))
    assert r.returncode == 0, r.stderr
    assert r.stderr == (f"kabar: settings from {os.path.join(REPO, 'kabar.yaml')}: host localhost, "
                        f"zone WITA\n{published}: lang: en (identified from the text)\n"), r.stderr
    assert "2024-03-14 19:20 WITA" in r.stdout

    broken = write(os.path.join(capsule, "news", "zz-broken.md"), "---\ntitle: [x\n---\n")
    r = kabar("render", broken)
    assert r.returncode == 1 and r.stdout == ""
    assert re.fullmatch(re.escape(broken) + r":\d+: [^\n]+\n", r.stderr), r.stderr


# ---- time zones by name ----

def test_named_zone_daylight_saving_in_both_protocols():
    if not os.path.exists("/usr/share/zoneinfo/Europe/Berlin") and not os.environ.get("TZDIR"):
        raise Skip("no tzdata (Europe/Berlin)")
    capsule = os.path.join(tempdir(), "capsule")
    os.makedirs(os.path.join(capsule, "news"))
    readable_by_all(os.path.dirname(capsule))
    write(os.path.join(capsule, "news", "winter.md"),
          "---\ntitle: Winter\ndate: 2024-01-15 10:00\n---\nCold.\n")
    write(os.path.join(capsule, "news", "summer.md"),
          "---\ntitle: Summer\ndate: 2024-07-15 10:00\n---\nWarm.\n")
    # A zone written in the date itself is kept, and shown as its offset.
    write(os.path.join(capsule, "news", "abroad.md"),
          "---\ntitle: Abroad\ndate: 2024-07-15T10:00:00+08:00\n---\nFar.\n")
    with Server(capsule=capsule, config="timezone: Europe/Berlin\n") as srv:
        for slug, line in (("2024/01/winter", "2024-01-15 10:00 CET"),
                           ("2024/07/summer", "2024-07-15 10:00 CEST"),
                           ("2024/07/abroad", "2024-07-15 10:00 +08:00")):
            page = gemini(srv.gemini_port, f"gemini://localhost/news/{slug}")
            assert page.header.startswith("20 "), page.header
            assert line in page.text, page.text
            text = gopher(srv.gopher_port, f"/news/{slug}").decode("utf-8")
            assert line in text, text
        feed = gemini(srv.gemini_port, "gemini://localhost/feed.xml").text
        assert "2024-01-15T10:00:00+01:00" in feed and "2024-07-15T10:00:00+02:00" in feed, feed
    r = kabar("check", "--capsule", capsule, "--config", write(os.path.join(tempdir(), "k.yaml"),
                                                               "timezone: America/New_York\n"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_editor_tools_read_the_settings_here():
    """new, render and check read ./kabar.yaml as serve does, and say so."""
    folder = tempdir()
    shutil.copytree(SAMPLE_CAPSULE, os.path.join(folder, "capsule"))
    env = {k: v for k, v in os.environ.items() if k != "USER"}
    # Without settings: the defaults, said; no author, said.
    r = kabar("new", "--capsule", "capsule", "Quiet harbour", cwd=folder, env=env)
    assert r.returncode == 0, r.stderr
    assert "kabar: settings: the defaults (no --config, no ./kabar.yaml): host localhost, zone UTC" \
        in r.stderr, r.stderr
    assert "no author written" in r.stderr, r.stderr
    text = open(os.path.join(folder, r.stdout.strip())).read()
    assert "author:" not in text and re.search(r"^date: \S+Z   # UTC$", text, re.M), text
    os.unlink(os.path.join(folder, r.stdout.strip()))

    write(os.path.join(folder, "kabar.yaml"), "capsule: capsule\ntimezone: WITA\n")
    r = kabar("new", "--author", "Rina", "Ferry back", cwd=folder, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "kabar: settings from kabar.yaml: host localhost, zone WITA\n", r.stderr
    made = os.path.join(folder, r.stdout.strip())
    assert made.startswith(os.path.join(folder, "capsule", "news")), made
    text = open(made).read()
    assert re.search(r"^date: \S+\+08:00   # WITA$", text, re.M), text
    assert 'author: "Rina"' in text

    published = os.path.join("capsule", "news", "harbour-light-returns.md")
    r = kabar("render", published, cwd=folder)
    assert r.returncode == 0, r.stderr
    assert "2024-03-14 19:20 WITA" in r.stdout
    assert r.stderr.startswith("kabar: settings from kabar.yaml: host localhost, zone WITA\n")
    r = kabar("check", cwd=folder)
    assert "kabar: settings from kabar.yaml" in r.stderr, r.stderr
    assert r.returncode == 0, r.stdout
    # --config still wins.
    other = write(os.path.join(tempdir(), "other.yaml"),
                  f"capsule: {os.path.join(folder, 'capsule')}\ntimezone: WIT\n")
    r = kabar("render", published, "--config", other, cwd=folder)
    assert "2024-03-14 19:20 +08:00" in r.stdout and f"settings from {other}" in r.stderr, r.stderr


# ---- reloads that editors' tools and new editors make ----

def replace_by_rename(path, text):
    """As sed -i, vim and ansible save: a new file renamed over the old."""
    tmp = path + ".new"
    write(tmp, text)
    os.chmod(tmp, 0o644)
    os.rename(tmp, path)


def confined(srv):
    return "landlock: not available" not in srv.log()


def test_reload_after_the_configuration_is_replaced_by_rename():
    capsule = copy_capsule()
    srv = Server(capsule=capsule, config="title: Before\n")
    readable_by_all(srv.workdir, os.path.dirname(capsule))
    with srv:
        config = os.path.join(srv.workdir, "kabar.yaml")
        for n, title in enumerate(("After", "Again")):
            replace_by_rename(config, f"title: {title}\n")
            srv.signal(signal.SIGHUP)
            assert wait_until(lambda: srv.log().count("reloaded") == n + 1, 10), srv.log()
            assert title in gemini(srv.gemini_port, "gemini://localhost/").text
        assert "cannot open" not in srv.log(), srv.log()


def editors_config(title, fingerprints, paths="[news/]"):
    text = f"title: {title}\n"
    if fingerprints:
        text += "editors:\n"
        for n, fp in enumerate(fingerprints):
            text += f"  - name: Editor {n}\n    fingerprint: \"{fp}\"\n    paths: {paths}\n"
    return text


def test_an_editor_added_by_reload_uploads_or_the_reload_waits_for_a_restart():
    from test_titan import ARTICLE, STRANGER, EDITOR, editable_capsule, titan
    capsule = editable_capsule()
    # No editors at start: nothing of the capsule is writable, so adding one
    # by SIGHUP is refused, with its reason, and the old settings serve.
    srv = Server(capsule=capsule, config=editors_config("Before", []))
    readable_by_all(srv.workdir, os.path.dirname(capsule))
    with srv:
        config = os.path.join(srv.workdir, "kabar.yaml")
        write(config, editors_config("After", [EDITOR[2]]))
        srv.signal(signal.SIGHUP)
        if not confined(srv):
            raise Skip("no Landlock on this kernel")
        assert wait_until(lambda: "reload refused" in srv.log(), 10), srv.log()
        assert f"editor Editor 0: {capsule}/news/ was not writable when the server started" \
            in srv.log(), srv.log()
        assert "reloaded" not in srv.log()
        assert "Before" in gemini(srv.gemini_port, "gemini://localhost/").text
        assert titan(srv, "/news/ferry.md", ARTICLE.encode()).status != 30

    # An editor with a folder already writable is added at once, and uploads.
    srv = Server(capsule=capsule, config=editors_config("Before", [EDITOR[2]]))
    readable_by_all(srv.workdir)
    with srv:
        config = os.path.join(srv.workdir, "kabar.yaml")
        write(config, editors_config("After", [EDITOR[2], STRANGER[2]]))
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
        r = titan(srv, "/news/ferry-by-the-new-editor.md", ARTICLE.encode(), cert=STRANGER)
        assert r.status == 30, r


def test_a_write_the_server_may_not_make_answers_50_with_a_reason():
    from test_titan import ARTICLE, EDITOR, editable_capsule, titan
    capsule = editable_capsule()
    locked = os.path.join(capsule, "news", "locked")
    os.makedirs(locked)
    os.chmod(locked, 0o555)
    srv = Server(capsule=capsule, config=editors_config("Desk", [EDITOR[2]]))
    with srv:
        r = titan(srv, "/news/locked/ferry.md", ARTICLE.encode())
        assert r.status == 50, r
        assert "may not write there" in r.meta and "administrator" in r.meta, r.meta


# ---- small ones ----

def test_sigterm_says_stopping_and_stopped():
    srv = Server().start()
    assert srv.stop() == 0
    log = srv.log()
    assert "kabar: stopping (SIGTERM)" in log, log
    assert log.rstrip().endswith("kabar: stopped") or "kabar: stopped\n" in log, log
    assert log.index("stopping (SIGTERM)") < log.index("kabar: stopped")


def test_a_language_without_page_words_is_warned_once():
    capsule = copy_capsule()
    config = write(os.path.join(tempdir(), "kabar.yaml"), f"capsule: {capsule}\nlang: fr\n")
    r = kabar("check", "--config", config)
    assert r.returncode == 0, r.stdout + r.stderr
    warning = f'{config}:2:7: lang: no page words for "fr" (en and id are built in): ' \
              "the pages' own words are in English"
    assert r.stderr.count(warning) == 1, r.stderr
    r = kabar("check", "--config", write(config, f"capsule: {capsule}\nlang: id\n"))
    assert "no page words" not in r.stderr, r.stderr


def test_an_unclosed_quote_is_reported_where_it_opens():
    folder = tempdir()
    article = write(os.path.join(folder, "quote.md"),
                    '---\ntitle: "never closed\ndate: 2024-03-01\n---\n\nBody.\n')
    r = kabar("render", article)
    assert r.returncode == 1
    assert r.stderr.startswith(f"{article}:2: front matter: while scanning a quoted scalar"), \
        r.stderr
    config = write(os.path.join(folder, "kabar.yaml"), 'title: "never closed\nworkers: 2\n')
    r = kabar("check", "--config", config)
    assert r.stdout.startswith(f"{config}:1:8: while scanning a quoted scalar"), r.stdout


def test_reload_after_a_certificate_elsewhere_is_replaced_by_rename():
    import pwd
    folder = os.path.join(tempdir(), "tls")
    os.makedirs(folder)
    if os.geteuid() == 0:  # the service user reads them at a reload
        nobody = pwd.getpwnam("nobody")
        os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    readable_by_all(os.path.dirname(folder))
    new_certificate(folder)
    config = (f"hosts:\n  - hostname: localhost\n    cert: {folder}/localhost.crt\n"
              f"    key: {folder}/localhost.key\n")
    srv = Server(config=config)
    readable_by_all(srv.workdir)
    with srv:
        old_cert = peer_certificate(srv.gemini_port)
        new_certificate(folder)  # renamed over the files the server read
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
        assert wait_until(lambda: peer_certificate(srv.gemini_port) != old_cert, 5), srv.log()
        assert "Permission denied" not in srv.log(), srv.log()
