#!/usr/bin/env python3
"""make bench: Kabar beside the servers a newsroom would otherwise pick.

Same content, same machine, one run: Kabar against Molly Brown (Gemini) and
Gophernicus (Gopher, under systemd-socket-activate --inetd; see
gophernicus_cmd for what is masked and why), alternating
A B A B at several concurrencies. Because the load generator and the server
share the machine's cores, the fair figure is the server's own CPU time per
request (from /proc), reported beside requests/s, latency and peak RSS.
Results go to BENCHMARKS.md. Only loopback addresses are used; every run is
bounded in time.

Beside the peers stands a floor (bench/floor.c): a minimal responder that
serves, from memory, the very bytes Kabar answered for each kind of page.
Kabar's CPU per request over the floor's says what each page costs beyond
accept, handshake, write and close.
"""
import argparse
import json
import os
import platform
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TICK = os.sysconf("SC_CLK_TCK")
PEERS = {"molly-brown": "/usr/bin/molly-brown", "gophernicus": "/usr/sbin/gophernicus"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_peers():
    missing = [pkg for pkg, path in PEERS.items() if not os.path.exists(path)]
    if not shutil.which("systemd-socket-activate"):
        missing.append("systemd")
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench: install {' '.join(missing)} first (apt-get install {' '.join(missing)})")
    log(f"installing {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def as_service_user(cmd):
    """Peers run unprivileged, as Kabar does after it drops root."""
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
    return cmd


def cpu_seconds(pid):
    """User + system time of the process and of its waited-for children."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / TICK


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def make_content(root):
    """A small page and a 100 KB one, as text files every server serves."""
    os.makedirs(root, exist_ok=True)
    small = "# Kabar bench\n\n" + "Berita singkat untuk pengujian beban.\n" * 20
    big_line = "Paragraf panjang berita daerah untuk pengujian beban server. " * 8 + "\n"
    big = "# Big page\n\n" + big_line * (100_000 // len(big_line))
    for name, text in (("small.gmi", small), ("big.gmi", big), ("small.txt", small),
                       ("big.txt", big)):
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    os.chmod(root, 0o755)


def make_cert(workdir):
    crt, key = os.path.join(workdir, "peer.crt"), os.path.join(workdir, "peer.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    os.chmod(key, 0o644)  # read by the unprivileged peer; a throwaway key
    return crt, key


# Every server this run started, so that a run that fails half way (a
# traceback, Ctrl-C) leaves none behind: stop_started() in each entry
# point's finally.
STARTED = []


def stop_started():
    while STARTED:
        STARTED.pop().stop()


def ensure_built(build, names):
    """Builds what the run needs (make is incremental: quick when it is
    there) instead of failing on a missing build/loadgen."""
    missing = [n for n in names if not os.access(os.path.join(build, n), os.X_OK)]
    if missing:
        log(f"building {', '.join(missing)} in {build}")
    r = subprocess.run(["make", "-s", f"BUILD={build}"] + [os.path.join(build, n) for n in names],
                       cwd=REPO)
    if r.returncode != 0:
        raise SystemExit(f"bench: cannot build {' '.join(names)} (make exited {r.returncode})")


class Proc:
    def __init__(self, name, cmd, wait_port=None, ready_lines=0):
        self.name = name
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        STARTED.append(self)
        self.ports = {}
        if ready_lines:
            while len(self.ports) < ready_lines:
                line = self.proc.stdout.readline().decode()
                if not line:
                    raise SystemExit(f"bench: {name} exited early")
                words = line.split()
                if len(words) == 3 and words[0] == "listening":
                    self.ports[words[1]] = int(words[2].rsplit(":", 1)[1])
        if wait_port:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", wait_port), 1).close()
                    break
                except OSError:
                    time.sleep(0.05)

    def stop(self):
        if self in STARTED:
            STARTED.remove(self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# Gophernicus, started per connection, looks up the platform for its
# caps.txt: where /usr/bin/lsb_release exists (Debian's lsb-release package,
# which much of a desktop or cloud image pulls in) it runs it twice through
# /bin/sh, and those shell scripts and their cut and tr children cost most of
# its CPU per request. The comparison runs it with that probe masked (the
# script replaced by /bin/true in a private mount namespace), the cheaper
# and fairer case; gophernicus_setups() measures both.
LSB_AS_INSTALLED, LSB_MASKED = "as installed", "lsb_release masked"


def gophernicus_cmd(content, port, setup):
    cmd = as_service_user([
        "systemd-socket-activate", "--inetd", "-a", "-l", f"127.0.0.1:{port}",
        PEERS["gophernicus"], "-h", "localhost", "-p", str(port), "-r", content,
        "-nm", "-ns", "-nv"])
    if setup == LSB_MASKED and os.geteuid() == 0 and os.path.exists("/usr/bin/lsb_release"):
        cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
               'mount --bind /bin/true /usr/bin/lsb_release && exec "$@"', "sh", *cmd]
    return cmd


def gophernicus_setups(args, build, content):
    """Gophernicus's CPU per request at c=1 with its platform probe as the
    machine has it and masked, to show where its time goes."""
    rows = {}
    for setup in (LSB_AS_INSTALLED, LSB_MASKED):
        port = free_port()
        g = Proc("gophernicus", gophernicus_cmd(content, port, setup), wait_port=port)
        try:
            rows[setup] = measure(g.proc.pid, lambda: loadgen(
                args, build, "gopher", port, 1, ["/small.txt"], args.seconds))
        finally:
            g.stop()
    rows["lsb_release present"] = os.path.exists("/usr/bin/lsb_release")
    return rows


def kabar_serve(kabar, workdir, capsule, name, workers=None):
    """The command that starts Kabar on free ports. The per-address limits
    are off: every request of a benchmark comes from one loopback address,
    which the defaults would slow down on purpose. workers None: Kabar's
    default, one worker a core."""
    conf = os.path.join(workdir, f"{name}.yaml")
    with open(conf, "w") as f:
        f.write("limits:\n  requests_per_minute: 0\n  connections_per_address: 0\n")
    os.chmod(conf, 0o644)
    return [kabar, "serve", "--config", conf, "--capsule", capsule, "--certs",
            os.path.join(workdir, f"certs-{name}"), "--gemini", "127.0.0.1:0",
            "--gopher", "127.0.0.1:0"] + (["--workers", str(workers)] if workers else [])


def loadgen(args, build, proto, port, concurrency, paths, seconds, extra=()):
    cmd = [os.path.join(build, "loadgen"), f"--{proto}", "--port", str(port), "--concurrency",
           str(concurrency), "--threads", "2" if concurrency > 1 else "1", "--duration",
           str(seconds), "--json", *extra, *paths]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=seconds + 60)
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def measure(proc_pid, run):
    before = cpu_seconds(proc_pid)
    result = run()
    result["cpu_s"] = cpu_seconds(proc_pid) - before
    result["cpu_us_per_req"] = 1e6 * result["cpu_s"] / max(result["requests"], 1)
    return result


def median(rows, key):
    return statistics.median(r[key] for r in rows)


def compare(args, build, label, proto, ours, peer, extra=()):
    """Alternates ours and peer runs at each concurrency; ours and peer are
    (pid, port, paths). Returns one row per concurrency."""
    rows = []
    for conc in args.concurrency:
        runs = {"kabar": [], "peer": []}
        for _ in range(args.runs):
            for who, (pid, port, paths) in (("kabar", ours), ("peer", peer)):
                r = measure(pid, lambda: loadgen(args, build, proto, port, conc, paths,
                                                 args.seconds, extra))
                runs[who].append(r)
        ratios = [k["cpu_us_per_req"] / max(p["cpu_us_per_req"], 1e-9)
                  for k, p in zip(runs["kabar"], runs["peer"])]
        rows.append({"label": label, "concurrency": conc, "kabar": runs["kabar"],
                     "peer": runs["peer"], "cpu_ratios": ratios})
        log(f"{label} c={conc}: kabar {median(runs['kabar'], 'rps'):.0f}/s "
            f"{median(runs['kabar'], 'cpu_us_per_req'):.0f} us/req, peer "
            f"{median(runs['peer'], 'rps'):.0f}/s {median(runs['peer'], 'cpu_us_per_req'):.0f} us/req")
    return rows


def table(rows, peer_name):
    out = [f"| c | Kabar req/s | {peer_name} req/s | Kabar CPU µs/req | {peer_name} CPU µs/req "
           f"| CPU ratio per run | Kabar p99 ms | {peer_name} p99 ms | errors K/P |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        k, p = r["kabar"], r["peer"]
        out.append(f"| {r['concurrency']} | {median(k, 'rps'):.0f} | {median(p, 'rps'):.0f} | "
                   f"{median(k, 'cpu_us_per_req'):.0f} | {median(p, 'cpu_us_per_req'):.0f} | "
                   f"{' '.join(f'{x:.2f}' for x in r['cpu_ratios'])} | "
                   f"{median(k, 'p99_ms'):.1f} | {median(p, 'p99_ms'):.1f} | "
                   f"{sum(x['errors'] for x in k)}/{sum(x['errors'] for x in p)} |")
    return "\n".join(out)


def gopher_get(port, selector, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout) as s:
        s.sendall(f"{selector}\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data
            data += chunk


ARTICLE = """---
title: "Berita nomor {n}: {word} di kabupaten {region}"
date: {date}
author: {author}
section: {region}
tags: [{tags}]
summary: Ringkasan berita {n} tentang {word}.
---
Paragraf pertama berita {n} tentang {word} di {region}. {filler}

Paragraf kedua dengan [tautan](https://example.org/{n}) dan kata kunci {word}{n}.
{more}"""
WORDS = ["pelayanan", "pendidikan", "jalan", "pasar", "kesehatan", "nelayan", "panen", "banjir"]
# A newsroom's shape: 50 sections (regions), 500 authors, 5,000 tags and 20
# years of dates. The first eight regions and the words above stay among
# them: the scale figures ask for /section/barru/ and /tag/pasar/.
REGIONS = ["barru", "makassar", "gowa", "maros", "bone", "wajo", "luwu", "palopo"] + \
    [f"kabupaten-{i}" for i in range(8, 50)]
AUTHORS = [f"Penulis {i}" for i in range(500)]
TAGS = WORDS + [f"topik-{i}" for i in range(8, 5000)]
YEARS = 20
FILLER = "Kalimat pengisi untuk panjang artikel yang wajar. "
PARAGRAPH = ("Paragraf lanjutan yang menceritakan kejadian itu dengan saksi, angka "
             "dan kutipan dari pejabat setempat serta warga yang terdampak. ")


def mix(n):
    """A fixed pseudo-random number for article n (the same on every run)."""
    return (n * 2654435761 + 12345) % 4294967296


def article_text(n):
    """Article n: sizes from about 1 KB to 12 KB, most near 3 KB (a few
    paragraphs, fewer long features), dated over YEARS years, with one to
    five tags, popular ones more often."""
    r = mix(n)
    paragraphs = [0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 7, 12, 20][r % 13]
    more = "".join("\n" + PARAGRAPH * (2 + (r >> (4 + k)) % 4) + "\n" for k in range(paragraphs))
    # Popular tags first: the square of a uniform number leans to the start.
    tags = [WORDS[n % 8]] + [TAGS[((r >> (8 * k)) % 71) ** 2 % len(TAGS)] for k in range(r % 5)]
    when = article_date(n)
    return ARTICLE.format(n=n, word=WORDS[n % 8], region=REGIONS[(n // 8) % len(REGIONS)],
                          author=AUTHORS[r % len(AUTHORS)],
                          tags=", ".join(dict.fromkeys(tags)),
                          date=time.strftime("%Y-%m-%d", when) + f" 08:{n % 60:02d}",
                          filler=FILLER * (2 + r % 8), more=more)


# How many articles the scale run writes (dates spread over them).
SCALE_ARTICLES = [100_000]


def article_date(n):
    """Article n of SCALE_ARTICLES, spread evenly over the YEARS years that
    end yesterday (the oldest first)."""
    day = n * (YEARS * 365) // max(SCALE_ARTICLES[0], 1)
    return time.gmtime(time.time() - (YEARS * 365 - day) * 86400 - 86400)


def article_path(news, n):
    """news/YYYY/ like a real archive: one folder per year, not a million
    files in one."""
    return os.path.join(news, str(article_date(n).tm_year), f"a{n:07d}.md")


def write_article(path, n):
    with open(path, "w") as f:
        f.write(article_text(n))


def publish_one(news, n, gopher_port, when):
    """Renames article n, dated when (seconds since the epoch), into news/
    and returns the milliseconds until its headline is on the front page."""
    tmp = os.path.join(news, f".tmp-{n}")
    write_article(tmp, n)
    # Newer than every other article, so that it heads the front page.
    with open(tmp) as f:
        text = f.read()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(when))
    text = text.replace(text.split("date: ")[1].split("\n")[0], stamp + " +00:00")
    text = text.replace("Berita nomor", f"Terbitan baru {n}")
    with open(tmp, "w") as f:
        f.write(text)
    start = time.monotonic()
    os.rename(tmp, os.path.join(news, f"new{n}.md"))
    # Polled over plain Gopher (the same snapshot as Gemini's front page):
    # a TLS handshake every few milliseconds would load the machine and
    # measure the probe instead of the publishing.
    while f"Terbitan baru {n}".encode() not in gopher_get(gopher_port, "/"):
        if time.monotonic() - start > 10:
            break
        time.sleep(0.005)
    return (time.monotonic() - start) * 1000


def generate_capsule(capsule, articles):
    """Writes the scale run's capsule: articles generated articles under
    capsule/news/YYYY/ and one static page."""
    news = os.path.join(capsule, "news")
    SCALE_ARTICLES[0] = articles
    os.makedirs(news)
    folders = set()
    for n in range(articles):
        path = article_path(news, n)
        folder = os.path.dirname(path)
        if folder not in folders:
            os.makedirs(folder, exist_ok=True)
            os.chmod(folder, 0o755)
            folders.add(folder)
        write_article(path, n)
        if n and n % 100_000 == 0:
            log(f"{n:,} of {articles:,} articles written")
    with open(os.path.join(capsule, "static.gmi"), "w") as f:
        f.write("# A static page\n\n" + "Sebuah halaman tetap.\n" * 40)
    for d in (capsule, news):
        os.chmod(d, 0o755)


def scale_figures(args, build, kabar, workdir):
    """Cold load, RSS, publish latency and search latency over many articles."""
    capsule = os.path.join(workdir, "big-capsule")
    news = os.path.join(capsule, "news")
    generate_capsule(capsule, args.articles)
    os.chmod(workdir, 0o755)
    disk = sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(news)
               for f in files)
    start = time.monotonic()
    proc = Proc("kabar", kabar_serve(kabar, workdir, capsule, "big"), ready_lines=2)
    # Kabar answers at once and loads the archive while it serves (newest
    # files first); while it loads, a path it does not know yet answers
    # "Still loading the archive" instead of "Not found". The figures below
    # are taken once it is whole.
    gopher_get(proc.ports["gopher"], "/", timeout=60)
    load_s = time.monotonic() - start
    # Realistic articles (about 3 KB) load at a few thousand a second on a
    # small machine: the wait grows with the archive.
    deadline = start + 60 + args.articles / 500
    while (b"Still loading" in gopher_get(proc.ports["gopher"], "/news/no-such-article")
           and time.monotonic() < deadline):
        time.sleep(0.2)
    full_load_s = time.monotonic() - start
    port = proc.ports["gemini"]
    rss_loaded = peak_rss_kib(proc.proc.pid)
    # The loader takes a second look at the whole archive once it watches
    # it, while serving goes on: a file published in that first half
    # second waits for the look. That one is reported apart; the figure is
    # the steady state after it.
    # Each one a second newer than the last (and all in the past, or they
    # would wait for their time): the newest always heads the front page.
    base = int(time.time()) - args.publishes - 60
    first_publish = publish_one(news, args.articles, proc.ports["gopher"], base)
    publish = [publish_one(news, args.articles + 1 + i, proc.ports["gopher"], base + 1 + i)
               for i in range(args.publishes)]
    search = loadgen(args, build, "gemini", port, 1,
                     [f"/search?{w}" for w in WORDS] + ["/search?kabupaten%20barru"], 5)
    # The same words asked as a reader pages and refines: a phrase, a
    # prefix, newest first, a later page. Apart from the figure above, which
    # stays comparable with earlier runs.
    search_more = loadgen(args, build, "gemini", port, 1,
                          ["/search?%22kabupaten%20barru%22", "/search?pelaya%2A",
                           "/search/newest?pasar", "/search/page/3?jalan%20penulis"], 5)
    index = loadgen(args, build, "gemini", port, 16, ["/section/barru/", "/tag/pasar/"], 5)
    static = loadgen(args, build, "gemini", port, 16, ["/static.gmi"], 5)
    rss_peak = peak_rss_kib(proc.proc.pid)
    proc.stop()
    log(f"publish latencies (ms, in order): first {first_publish:.0f}, then "
        + " ".join(f"{ms:.0f}" for ms in publish))
    publish.sort()
    return {"articles": args.articles, "disk_kib": disk // 1024, "load_s": load_s,
            "full_load_s": full_load_s,
            "rss_loaded_kib": rss_loaded, "rss_peak_kib": rss_peak,
            "publish_first_ms": first_publish,
            "publish_p50_ms": publish[len(publish) // 2],
            "publish_p99_ms": publish[min(len(publish) - 1, int(len(publish) * 0.99))],
            "search": search, "search_more": search_more, "index": index, "static": static}


# Each kind of page with its Gemini path and its Gopher selector.
FLOOR_KINDS = [
    ("front", "/", "/"),
    ("article", "/news/2024/03/harbour-light-returns", "/news/2024/03/harbour-light-returns"),
    ("section", "/section/community/", "/section/community/"),
    ("feed", "/feed.xml", "/feed.xml"),
    ("search", "/search?harbour", "/search\tharbour"),
    ("small static", "/small.gmi", "/small.txt"),
    ("100 KB static", "/big.gmi", "/big.txt"),
]


def gemini_get(port, path, timeout=10):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(f"gemini://localhost:{port}{path}\r\n".encode())
            data = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except ssl.SSLEOFError:
                    return data
                if not chunk:
                    return data
                data += chunk


def capture(table, proto, port):
    """Kabar's answer to every kind of page, as files the floor serves."""
    os.makedirs(table)
    with open(os.path.join(table, "index"), "w") as index:
        for i, (_, gem_path, gopher_sel) in enumerate(FLOOR_KINDS):
            request = gem_path if proto == "gemini" else gopher_sel
            data = gemini_get(port, request) if proto == "gemini" else gopher_get(port, request)
            with open(os.path.join(table, f"answer{i}"), "wb") as f:
                f.write(data)
            index.write(f"{request}\t{'answer' + str(i)}\n")
    for root, dirs, files in os.walk(table):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)


def floor_figures(args, build, kabar, workdir, crt, key):
    """Kabar / floor CPU per request for each kind of page, both protocols,
    alternating Kabar and floor runs at c=16."""
    capsule = os.path.join(workdir, "floor-capsule")
    shutil.copytree(os.path.join(REPO, "capsule"), capsule)
    make_content(capsule)
    for root, dirs, _ in os.walk(capsule):
        os.chmod(root, 0o755)
    k = Proc("kabar", kabar_serve(kabar, workdir, capsule, "floor", args.floor_workers),
             ready_lines=2)
    floors = []
    try:
        for proto in ("gemini", "gopher"):
            table = os.path.join(workdir, f"floor-{proto}")
            capture(table, proto, k.ports[proto])
            port = free_port()
            cmd = [os.path.join(build, "floor"), f"--{proto}", "--port", str(port), "--table",
                   table]
            if proto == "gemini":
                cmd += ["--cert", crt, "--key", key]
            floors.append(Proc("floor", as_service_user(cmd), ready_lines=1))
        rows = []
        for kind, gem_path, gopher_sel in FLOOR_KINDS:
            row = {"kind": kind}
            for proto, f in zip(("gemini", "gopher"), floors):
                path = gem_path if proto == "gemini" else gopher_sel
                ours, floor = [], []
                for _ in range(args.runs):
                    for who, pid, port in ((ours, k.proc.pid, k.ports[proto]),
                                           (floor, f.proc.pid, f.ports[proto])):
                        who.append(measure(pid, lambda: loadgen(
                            args, build, proto, port, 16, [path], args.floor_seconds)))
                row[proto] = {"kabar": median(ours, "cpu_us_per_req"),
                              "floor": median(floor, "cpu_us_per_req"),
                              "errors": sum(r["errors"] for r in ours + floor)}
                log(f"floor {kind} {proto}: kabar {row[proto]['kabar']:.0f} us/req, "
                    f"floor {row[proto]['floor']:.0f} us/req")
            rows.append(row)
        return rows
    finally:
        for p in floors + [k]:
            p.stop()


def floor_ratio(row, proto):
    return row[proto]["kabar"] / max(row[proto]["floor"], 1e-9)


SAMPLE_PATHS = ["/", "/news/2024/03/harbour-light-returns", "/section/community/", "/archive/",
                "/feed.xml", "/about.gmi", "/images/harbour-light.png"]


def sample_capsule_rss(args, build, kabar, workdir):
    """Peak RSS of Kabar serving the sample capsule that ships with it, under
    load at c=64 in both protocols (search included)."""
    capsule = os.path.join(workdir, "sample")
    shutil.copytree(os.path.join(REPO, "capsule"), capsule)
    for root, dirs, _ in os.walk(capsule):
        os.chmod(root, 0o755)
    proc = Proc("kabar", kabar_serve(kabar, workdir, capsule, "sample"), ready_lines=2)
    try:
        runs = [loadgen(args, build, "gemini", proc.ports["gemini"], 64,
                        SAMPLE_PATHS + ["/search?harbour"], args.seconds),
                loadgen(args, build, "gopher", proc.ports["gopher"], 64,
                        SAMPLE_PATHS + ["/search\tharbour"], args.seconds)]
        return {"rss_kib": peak_rss_kib(proc.proc.pid), "runs": runs}
    finally:
        proc.stop()


def scale_only(args):
    """The scale figures alone (make bench SCALE=N does the whole run):
    a quick look at a generated archive of any size."""
    build = os.path.abspath(args.build)
    ensure_built(build, ["kabar", "loadgen"])
    workdir = tempfile.mkdtemp(prefix="kabar-bench-")
    os.chmod(workdir, 0o755)
    try:
        scale = scale_figures(args, build, os.path.join(build, "kabar"), workdir)
    finally:
        stop_started()
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(scale, indent=1))


def floor_only(args):
    """The floor comparison alone, printed as its table (make bench does the
    whole run): a quick check of a change to the serving path."""
    build = os.path.abspath(args.build)
    ensure_built(build, ["kabar", "loadgen", "floor"])
    workdir = tempfile.mkdtemp(prefix="kabar-bench-")
    os.chmod(workdir, 0o755)
    try:
        crt, key = make_cert(workdir)
        floor = floor_figures(args, build, os.path.join(build, "kabar"), workdir, crt, key)
    finally:
        stop_started()
        shutil.rmtree(workdir, ignore_errors=True)
    print(floor_table(floor))
    for target, measured, met in floor_targets(floor):
        print(f"{target}: {measured} ({'met' if met else 'not met'})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--scale-only", action="store_true",
                    help="only the figures over --articles generated articles, printed")
    ap.add_argument("--generate", metavar="DIR",
                    help="only write the scale run's capsule of --articles articles into DIR"
                         " (a new folder), to profile or time a load by hand")
    ap.add_argument("--floor-only", action="store_true",
                    help="only Kabar against the floor, printed")
    ap.add_argument("--publishes", type=int, default=20)
    ap.add_argument("--floor-seconds", type=float, default=2)
    ap.add_argument("--floor-workers", type=int, default=None,
                    help="Kabar's workers in the floor comparison (default: one a core;"
                         " the floor itself is one thread)")
    ap.add_argument("--out", default=os.path.join(REPO, "BENCHMARKS.md"))
    args = ap.parse_args()
    if args.generate:
        return generate_capsule(args.generate, args.articles)
    if args.scale_only:
        return scale_only(args)
    if args.floor_only:
        return floor_only(args)
    install_peers()
    args.load_start = os.getloadavg()[0]
    build = os.path.abspath(args.build)
    ensure_built(build, ["kabar", "loadgen", "floor"])
    kabar = os.path.join(build, "kabar")
    workdir = tempfile.mkdtemp(prefix="kabar-bench-")
    os.chmod(workdir, 0o755)
    procs = []
    try:
        content = os.path.join(workdir, "content")
        make_content(content)
        crt, key = make_cert(workdir)
        k = Proc("kabar", kabar_serve(kabar, workdir, content, "bench"), ready_lines=2)
        procs.append(k)
        molly_port = free_port()
        conf = os.path.join(workdir, "molly.conf")
        with open(conf, "w") as f:
            f.write(f'Port = {molly_port}\nHostname = "localhost"\nCertPath = "{crt}"\n'
                    f'KeyPath = "{key}"\nDocBase = "{content}"\nAccessLog = "/dev/null"\n'
                    f'ErrorLog = "/dev/null"\n')
        os.chmod(conf, 0o644)
        m = Proc("molly-brown", as_service_user([PEERS["molly-brown"], "-c", conf]),
                 wait_port=molly_port)
        procs.append(m)
        gopher_port = free_port()
        g = Proc("gophernicus", gophernicus_cmd(content, gopher_port, LSB_MASKED),
                 wait_port=gopher_port)
        procs.append(g)
        gem_paths = ["/small.gmi", "/small.gmi", "/small.gmi", "/big.gmi"]
        gem = compare(args, build, "gemini", "gemini",
                      (k.proc.pid, k.ports["gemini"], gem_paths),
                      (m.proc.pid, molly_port, gem_paths))
        resumed = [measure(k.proc.pid, lambda: loadgen(args, build, "gemini", k.ports["gemini"],
                                                        c, gem_paths, args.seconds, ["--resume"]))
                   for c in args.concurrency]
        for c, r in zip(args.concurrency, resumed):
            r["concurrency"] = c
        gph_k = ["/small.txt", "/small.txt", "/small.txt", "/big.txt"]
        gph = compare(args, build, "gopher", "gopher", (k.proc.pid, k.ports["gopher"], gph_k),
                      (g.proc.pid, gopher_port, gph_k))
        held = {p: measure(k.proc.pid, lambda p=p: loadgen(
            args, build, p, k.ports[p], 1024, gem_paths if p == "gemini" else gph_k, args.seconds))
            for p in ("gemini", "gopher")}
        c256 = {"gemini": loadgen(args, build, "gemini", k.ports["gemini"], 256, gem_paths,
                                  args.seconds),
                "gemini, resumed": loadgen(args, build, "gemini", k.ports["gemini"], 256,
                                           gem_paths, args.seconds, ["--resume"]),
                "gopher": loadgen(args, build, "gopher", k.ports["gopher"], 256, gph_k,
                                  args.seconds)}
        rss_kabar = peak_rss_kib(k.proc.pid)
        for p in procs:
            p.stop()
        procs = []
        setups = gophernicus_setups(args, build, content)
        floor = floor_figures(args, build, kabar, workdir, crt, key)
        sample = sample_capsule_rss(args, build, kabar, workdir)
        scale = scale_figures(args, build, kabar, workdir)
        write_report(args, gem, resumed, gph, held, c256, rss_kabar, sample, scale, floor,
                     setups)
    finally:
        for p in procs:
            p.stop()
        stop_started()
        shutil.rmtree(workdir, ignore_errors=True)


def floor_targets(floor):
    """The targets set against the floor, per page kind."""
    news = [r for r in floor if "static" not in r["kind"] and r["kind"] != "search"]
    static = [r for r in floor if "static" in r["kind"]]
    worst = lambda rows, proto: max(floor_ratio(r, proto) for r in rows)
    return [
        ("Gopher news pages, CPU/request <= 1.5 x the floor",
         f"{worst(news, 'gopher'):.2f} x at worst", worst(news, "gopher") <= 1.5),
        ("Gopher static files, CPU/request <= 1.35 x the floor",
         f"{worst(static, 'gopher'):.2f} x at worst", worst(static, "gopher") <= 1.35),
        ("Gemini, every page kind but search, CPU/request <= 1.0 x the floor",
         f"{worst(news + static, 'gemini'):.2f} x at worst",
         worst(news + static, "gemini") <= 1.0),
    ]


def targets(gem, resumed, gph, held, c256, sample, scale, floor):
    """Each target of the issue with what this run measured."""
    out = floor_targets(floor)
    cpu = [x for r in gem for x in r["cpu_ratios"]]
    out.append(("Gemini CPU/request <= 0.9 x Molly Brown's (every run)",
                f"ratios {min(cpu):.2f} to {max(cpu):.2f}", max(cpu) <= 0.9))
    rps = {r["concurrency"]: median(r["kabar"], "rps") / max(median(r["peer"], "rps"), 1e-9)
           for r in gem}
    out.append(("Gemini req/s >= Molly Brown's at every concurrency",
                ", ".join(f"c={c}: {x:.2f}x" for c, x in rps.items()), min(rps.values()) >= 1))
    g64 = [r for r in gem if r["concurrency"] == 64]
    if g64:
        k, p = median(g64[0]["kabar"], "p99_ms"), median(g64[0]["peer"], "p99_ms")
        out.append(("Gemini p99 at c=64 no worse than Molly Brown's",
                    f"{k:.1f} ms vs {p:.1f} ms", k <= p))
    full = {r["concurrency"]: median(r["kabar"], "cpu_us_per_req") for r in gem}
    res = [r["cpu_us_per_req"] / max(full[r["concurrency"]], 1e-9) for r in resumed]
    out.append(("Resumed sessions: CPU/request >= 20 % below full handshakes",
                f"{min(res):.2f} to {max(res):.2f} x", max(res) <= 0.8))
    gcpu = [x for r in gph for x in r["cpu_ratios"]]
    out.append(("Gopher CPU/request <= 1/30 of Gophernicus's",
                f"1/{1 / max(max(gcpu), 1e-9):.0f} at worst", max(gcpu) <= 1 / 30))
    g64 = [r for r in gph if r["concurrency"] == 64]
    if g64:
        x = median(g64[0]["kabar"], "rps") / max(median(g64[0]["peer"], "rps"), 1e-9)
        out.append(("Gopher req/s >= 15 x Gophernicus's at c=64", f"{x:.0f}x", x >= 15))
    errors = sum(r["errors"] for r in held.values())
    out.append(("1,024 concurrent connections, zero errors", f"{errors} errors", errors == 0))
    for what, r in c256.items():
        out.append((f"p99 at c=256 under 250 ms ({what})", f"{r['p99_ms']:.0f} ms",
                    r["p99_ms"] < 250))
    out.append(("RSS with the sample capsule under load <= 16 MB",
                f"{sample['rss_kib'] / 1024:.1f} MiB", sample["rss_kib"] <= 16 * 1000))
    ratio = scale["rss_peak_kib"] / max(scale["disk_kib"], 1)
    out.append((f"Peak RSS with {scale['articles']:,} articles <= 2.5 x the article files",
                f"{ratio:.2f} x", ratio <= 2.5))
    out.append((f"{scale['articles']:,} articles: cold load < 10 s", f"{scale['load_s']:.2f} s",
                scale["load_s"] < 10))
    out.append(("Publish p99 <= 50 ms", f"{scale['publish_p99_ms']:.0f} ms",
                scale["publish_p99_ms"] <= 50))
    out.append(("Search p99 < 20 ms", f"{scale['search']['p99_ms']:.2f} ms",
                scale["search"]["p99_ms"] < 20))
    ix, st = scale["index"]["rps"], scale["static"]["rps"]
    out.append(("An index page as fast as a static page (req/s within 10 %)",
                f"{ix:.0f} vs {st:.0f} req/s", ix >= 0.9 * st))
    return out


def floor_table(floor):
    out = ["| page kind | Gemini: Kabar µs/req | floor µs/req | Kabar / floor "
           "| Gopher: Kabar µs/req | floor µs/req | Kabar / floor | errors |",
           "|---|---|---|---|---|---|---|---|"]
    for r in floor:
        g, p = r["gemini"], r["gopher"]
        out.append(f"| {r['kind']} | {g['kabar']:.0f} | {g['floor']:.0f} | "
                   f"{floor_ratio(r, 'gemini'):.2f} | {p['kabar']:.0f} | {p['floor']:.0f} | "
                   f"{floor_ratio(r, 'gopher'):.2f} | {g['errors'] + p['errors']} |")
    return "\n".join(out)


def setups_text(setups):
    a, m = setups[LSB_AS_INSTALLED], setups[LSB_MASKED]
    return [
        "Gophernicus starts once per connection (here under systemd-socket-activate "
        "--inetd, as a socket unit with Accept=yes or inetd would start it). Where "
        "/usr/bin/lsb_release exists, every start runs it twice through /bin/sh to name "
        "the platform in caps.txt (strace -f shows sh, lsb_release, getopt, cut and tr per "
        "request). This machine "
        + ("has it" if setups["lsb_release present"] else "lacks it")
        + f": as installed, Gophernicus costs {a['cpu_us_per_req'] / 1000:.1f} ms of CPU per "
        f"request at c=1; with lsb_release masked by /bin/true in a private mount "
        f"namespace, {m['cpu_us_per_req'] / 1000:.1f} ms. The table below uses the masked "
        "setup, the cheaper one for Gophernicus.", ""]


def write_report(args, gem, resumed, gph, held, c256, rss_kabar, sample, scale, floor,
                 setups):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    full = {r["concurrency"]: median(r["kabar"], "cpu_us_per_req") for r in gem}
    lines = [
        "# Benchmarks", "",
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}. "
        f"Load generator: bench/loadgen.c on the same machine; {args.runs} runs of "
        f"{args.seconds:g} s per server and concurrency, alternated Kabar/peer. "
        "CPU µs/req is the server's own user+system time per request (from /proc). "
        "Ratios are Kabar/peer per run; below 1 means Kabar used less CPU. "
        f"Load average (1 min) when the run started: {args.load_start:.2f}, when it ended: "
        f"{os.getloadavg()[0]:.2f}; anything above about 1 means other work shared the "
        "cores, which moves req/s and latency far more than CPU per request.", "",
        "## Kabar against the floor, per kind of page", "",
        "The floor (bench/floor.c) answers each request from memory with the bytes Kabar "
        "sent for it, captured at the start of the run: blocking accept, TLS handshake "
        "(Gemini), read the request, write, close. It is what any server must spend; the "
        f"ratio is what Kabar spends beyond it. c=16, {args.runs} alternated runs of "
        f"{args.floor_seconds:g} s each, medians. Search is computed per request by Kabar "
        "and canned in the floor, so its ratio is the search's own cost.", "",
        floor_table(floor), "",
        "## Gemini: Kabar and Molly Brown (full TLS handshake per request)", "",
        "Paths rotate over three small pages (about 1 KB) and one 100 KB page; ECDSA P-256 "
        "certificates on both sides.", "", table(gem, "Molly Brown"), "",
        "## Gemini with resumed TLS sessions (Kabar)", "",
        "| c | req/s | CPU µs/req | vs full handshake | resumed | p99 ms | errors |",
        "|---|---|---|---|---|---|---|"]
    for c, r in zip(args.concurrency, resumed):
        lines.append(f"| {c} | {r['rps']:.0f} | {r['cpu_us_per_req']:.0f} | "
                     f"{r['cpu_us_per_req'] / max(full[c], 1e-9):.2f} | {r['resumed']} | "
                     f"{r['p99_ms']:.1f} | {r['errors']} |")
    lines += ["", "## Gopher: Kabar and Gophernicus (systemd-socket-activate --inetd)", ""]
    lines += setups_text(setups)
    lines += [table(gph, "Gophernicus"), "",
              "## Many connections (Kabar)", "",
              "| what | requests | errors | req/s | p99 ms |", "|---|---|---|---|---|"]
    for p, r in held.items():
        lines.append(f"| {p}, 1,024 concurrent | {r['requests']} | {r['errors']} | "
                     f"{r['rps']:.0f} | {r['p99_ms']:.1f} |")
    for what, r in c256.items():
        lines.append(f"| {what}, 256 concurrent | {r['requests']} | {r['errors']} | "
                     f"{r['rps']:.0f} | {r['p99_ms']:.1f} |")
    sample_errors = sum(r["errors"] for r in sample["runs"])
    lines += ["", f"Peak RSS of Kabar serving the bench content under all of the above "
              f"(1,024 connections included): {rss_kabar / 1024:.1f} MiB.", "",
              f"Peak RSS of Kabar serving the sample capsule (capsule/) under load, Gemini "
              f"then Gopher at c=64 over its pages, index pages, feed, image and search: "
              f"{sample['rss_kib'] / 1024:.1f} MiB "
              f"({sum(r['requests'] for r in sample['runs'])} requests, {sample_errors} errors).",
              "",
              f"## {scale['articles']:,} articles", "",
              "| figure | value |", "|---|---|",
              f"| article files on disk | {scale['disk_kib'] / 1024:.1f} MiB |",
              f"| cold load (start to first answer) | {scale['load_s']:.2f} s |",
              f"| cold load, whole archive (start to the last article served) | "
              f"{scale['full_load_s']:.2f} s |",
              f"| RSS after load | {scale['rss_loaded_kib'] / 1024:.1f} MiB |",
              f"| peak RSS | {scale['rss_peak_kib'] / 1024:.1f} MiB "
              f"({scale['rss_peak_kib'] / max(scale['disk_kib'], 1):.2f} x the files) |",
              f"| publish latency (rename to front page) p50 / p99 | "
              f"{scale['publish_p50_ms']:.0f} / {scale['publish_p99_ms']:.0f} ms |",
              f"| the first publish after start (during the loader's first look) | "
              f"{scale['publish_first_ms']:.0f} ms |",
              f"| search p50 / p99 (c=1) | {scale['search']['p50_ms']:.2f} / "
              f"{scale['search']['p99_ms']:.2f} ms |",
              f"| search p50 / p99, phrase, prefix, newest first, page 3 (c=1) | "
              f"{scale['search_more']['p50_ms']:.2f} / {scale['search_more']['p99_ms']:.2f} ms |",
              f"| index page req/s, p99 (c=16) | {scale['index']['rps']:.0f}, "
              f"{scale['index']['p99_ms']:.1f} ms |"]
    lines.append(f"| static page req/s, p99 (c=16) | {scale['static']['rps']:.0f}, "
                 f"{scale['static']['p99_ms']:.1f} ms |")
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |"
              for t, m, ok in targets(gem, resumed, gph, held, c256, sample, scale, floor)]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
