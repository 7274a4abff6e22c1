"""The connection engine over real sockets: listeners, concurrency, timeouts,
TLS (close_notify, versions, resumption, SNI), signals, the privilege drop,
the connection cap, Gopher over TLS on the Gopher port, large files."""
import os
import re
import select
import signal
import socket
import ssl
import subprocess
import threading
import time

from harness import (Server, client_context, connect, copy_capsule, gemini, gopher,
                     need_tool, patience, read_all, wait_until)

ACCESS = re.compile(r'^\S+Z (gemini|gopher) (\S+) (\S+) "(.*)" (\d+) (\d+) (\d+)ms$')


def access_lines(server):
    return [m.groups() for m in map(ACCESS.match, server.log().splitlines()) if m]


def tls_connect(port, sni="localhost", ctx=None, host="127.0.0.1"):
    ctx = ctx or client_context()
    return ctx.wrap_socket(connect(port, host), server_hostname=sni,
                           suppress_ragged_eofs=False)


def served_cert(port, sni):
    tls = tls_connect(port, sni=sni)
    try:
        return tls.getpeercert(binary_form=True)
    finally:
        tls.close()


def read_tls(sock):
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_listening_lines_loopback_and_port_zero():
    with Server(gemini=1, gopher=1) as srv:
        assert srv.gemini_port > 0 and srv.gopher_port > 0
        assert srv.gemini_port != srv.gopher_port
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
    with Server(gemini=1, gopher=1, host="::1") as srv:
        assert gemini(srv.gemini_port, "gemini://localhost/", host="::1").status == 20
        assert gopher(srv.gopher_port, "", host="::1").endswith(b".\r\n")


def test_listening_line_format():
    srv = Server(gemini=0, gopher=0, args=["--gemini", "[::1]:0", "--gopher", "*:0"])
    srv.expected = 3
    with srv:
        # Server read the lines; read their exact text from a second start.
        pass
    proc = subprocess.Popen(srv.cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, cwd=srv.workdir)
    try:
        lines = [proc.stdout.readline().decode().strip() for _ in range(3)]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        proc.stdout.close()
    assert re.fullmatch(r"listening gemini \[::1\]:\d+", lines[0]), lines
    wild = sorted(lines[1:])
    assert re.fullmatch(r"listening gopher 0\.0\.0\.0:\d+", wild[0]), lines
    assert re.fullmatch(r"listening gopher \[::\]:\d+", wild[1]), lines
    # Port 0 on "*": both families share the port that was picked.
    assert wild[0].rsplit(":", 1)[1] == wild[1].rsplit(":", 1)[1]


def test_several_clients_at_once():
    with Server(args=["--workers", "2"]) as srv:
        results = [None] * 12

        def fetch(i):
            if i % 2:
                results[i] = gemini(srv.gemini_port, "gemini://localhost/").status
            else:
                results[i] = gopher(srv.gopher_port, "").endswith(b".\r\n")

        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(len(results))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert results == [True, 20] * 6, results


def test_stalled_client_does_not_delay_another():
    with Server(args=["--workers", "1"]) as srv:
        stalled = tls_connect(srv.gemini_port)
        stalled.sendall(b"gemini://local")
        plain = connect(srv.gopher_port)
        plain.sendall(b"/ab")  # half a selector, never finished
        start = time.monotonic()
        resp = gemini(srv.gemini_port, "gemini://localhost/")
        assert resp.status == 20 and resp.close_notify
        assert gopher(srv.gopher_port, "").endswith(b".\r\n")
        assert time.monotonic() - start < 3
        # The stalled client can still finish its request.
        stalled.sendall(b"host/\r\n")
        assert read_tls(stalled).startswith(b"20 ")
        stalled.close()
        plain.close()


def test_request_timeout_closes_idle_connection():
    config = "timeouts:\n  request: 500ms\n"
    with Server(config=config) as srv:
        idle = connect(srv.gemini_port)  # TCP only: not even a handshake
        half = tls_connect(srv.gemini_port)
        half.sendall(b"gemini://localhost/")  # no CRLF
        start = time.monotonic()
        assert idle.recv(100) == b""
        try:
            data = half.recv(100)
        except (ssl.SSLError, ConnectionResetError):
            data = b""
        took = time.monotonic() - start
        assert data == b"", "a timed-out request got a response"
        assert 0.3 < took < 5, took
        idle.close()
        half.close()
        # A request that comes in time is served as usual.
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20


def test_close_notify_is_sent():
    with Server() as srv:
        for path in ("/", "/no-such-page", "/about.gmi"):
            resp = gemini(srv.gemini_port, "gemini://localhost" + path)
            assert resp.status is not None
            assert resp.close_notify, path
        # A request that is too long gets its answer and close_notify too.
        resp = gemini(srv.gemini_port, "gemini://localhost/" + "a" * 2000)
        assert resp.status == 59 and resp.close_notify


def test_old_tls_versions_refused():
    with Server() as srv:
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            ctx = client_context()
            ctx.minimum_version = version
            ctx.maximum_version = version
            try:
                ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
            except ssl.SSLError:
                pass
            try:
                tls = tls_connect(srv.gemini_port, ctx=ctx)
            except (ssl.SSLError, ConnectionResetError):
                continue
            tls.close()
            raise AssertionError(f"{version} was accepted")
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = client_context()
            ctx.minimum_version = version
            ctx.maximum_version = version
            tls = tls_connect(srv.gemini_port, ctx=ctx)
            assert tls.version() == {ssl.TLSVersion.TLSv1_2: "TLSv1.2",
                                     ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
            tls.close()


def test_openssl_s_client():
    need_tool("openssl")
    with Server() as srv:
        for flag in ("-tls1_2", "-tls1_3"):
            r = subprocess.run(["openssl", "s_client", flag, "-connect",
                                f"127.0.0.1:{srv.gemini_port}", "-servername", "localhost",
                                "-ign_eof"], input=b"gemini://localhost/\r\n",
                               capture_output=True, timeout=20)
            out = r.stdout.decode("utf-8", "replace")
            assert "\n20 text/gemini" in out, out[-2000:]
            assert "DONE" in out or r.returncode == 0, out[-2000:]
        r = subprocess.run(["openssl", "s_client", "-tls1_1", "-connect",
                            f"127.0.0.1:{srv.gemini_port}"], input=b"", capture_output=True,
                           timeout=20)
        assert r.returncode != 0
        assert "20 text/gemini" not in r.stdout.decode("utf-8", "replace")
        # TLS 1.2 only with ECDHE and AEAD: no CBC, no SHA-1 MAC.
        for cipher, works in (("ECDHE-ECDSA-AES128-SHA", False), ("ECDHE-ECDSA-AES256-SHA384", False),
                              ("ECDHE-ECDSA-AES128-GCM-SHA256", True),
                              ("ECDHE-ECDSA-CHACHA20-POLY1305", True)):
            r = subprocess.run(["openssl", "s_client", "-tls1_2", "-cipher", cipher, "-connect",
                                f"127.0.0.1:{srv.gemini_port}", "-servername", "localhost",
                                "-ign_eof"], input=b"gemini://localhost/\r\n",
                               capture_output=True, timeout=20)
            out = r.stdout.decode("utf-8", "replace")
            assert ("\n20 text/gemini" in out) == works, (cipher, out[-2000:])
            assert (f"Cipher is {cipher}" in out) == works, (cipher, out[-2000:])


def test_session_resumption():
    with Server(args=["--workers", "2"]) as srv:
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = client_context()
            ctx.maximum_version = version
            first = tls_connect(srv.gemini_port, ctx=ctx)
            first.sendall(b"gemini://localhost/\r\n")
            assert read_tls(first).startswith(b"20 ")
            session = first.session
            assert not first.session_reused
            first.close()
            assert session is not None
            # Several times, so that more than one worker takes a turn.
            for _ in range(4):
                again = ctx.wrap_socket(connect(srv.gemini_port), server_hostname="localhost",
                                        session=session)
                again.sendall(b"gemini://localhost/\r\n")
                assert read_tls(again).startswith(b"20 ")
                assert again.session_reused, version
                session = again.session
                again.close()


def test_sighup_keeps_open_connection():
    with Server() as srv:
        held = tls_connect(srv.gemini_port)
        held.sendall(b"gemini://localhost")
        plain = connect(srv.gopher_port)
        plain.sendall(b"/")
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10), srv.log()
        # New connections are served by the new runtime...
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
        # ...and the ones opened before finish on the old one.
        held.sendall(b"/\r\n")
        assert read_tls(held).startswith(b"20 ")
        plain.sendall(b"\r\n")
        assert read_all(plain).endswith(b".\r\n")
        held.close()
        plain.close()
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: srv.log().count("reloaded") >= 2, 10)
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20


def test_sighup_swaps_certificates():
    with Server() as srv:
        first = served_cert(srv.gemini_port, "localhost")
        # Both files gone: the reload makes a new pair (after the privilege
        # drop, through the certs folder's descriptor).
        for name in os.listdir(srv.certs):
            os.unlink(os.path.join(srv.certs, name))
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: os.path.exists(os.path.join(srv.certs, "localhost.crt")), 10)
        assert wait_until(lambda: served_cert(srv.gemini_port, "localhost") != first, 10)
        second = served_cert(srv.gemini_port, "localhost")
        # A broken certificate: the reload keeps the one in force.
        with open(os.path.join(srv.certs, "localhost.crt"), "w") as f:
            f.write("not a certificate\n")
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "certificates in force are kept" in srv.log(), 10), srv.log()
        assert served_cert(srv.gemini_port, "localhost") == second
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20


def test_sigterm_exits_zero_and_finishes_responses():
    capsule = copy_capsule()
    blob = os.urandom(4 * 1024 * 1024)
    with open(os.path.join(capsule, "big.bin"), "wb") as f:
        f.write(blob)
    srv = Server(capsule=capsule).start()
    stuck = tls_connect(srv.gemini_port)
    stuck.sendall(b"gemini://localhost/")  # a request that never ends
    idle = connect(srv.gopher_port)
    # A download in flight whose reader has not started reading yet.
    reader = connect(srv.gopher_port, timeout=20)
    reader.sendall(b"/big.bin\r\n")
    # In flight: the first bytes wait in the reader's socket (not read yet).
    assert select.select([reader], [], [], patience(10))[0], "the download never started"
    start = time.monotonic()
    srv.signal(signal.SIGTERM)
    time.sleep(0.3)
    assert read_all(reader) == blob
    assert srv.stop() == 0
    assert time.monotonic() - start < 4
    # Unfinished requests were closed unanswered, not left hanging.
    assert idle.recv(10) == b""
    assert stuck.recv(10) == b""
    for s in (stuck, idle, reader):
        s.close()


def test_sigusr1_reopens_access_log():
    capsule = copy_capsule()
    log_dir = os.path.dirname(capsule)
    os.chmod(log_dir, 0o777)  # the server writes here after dropping root
    log_path = os.path.join(log_dir, "access.log")
    config = f"access_log: {log_path}\n"
    with Server(capsule=capsule, config=config) as srv:
        gemini(srv.gemini_port, "gemini://localhost/")
        assert wait_until(lambda: os.path.exists(log_path) and os.path.getsize(log_path) > 0)
        os.rename(log_path, log_path + ".1")
        srv.signal(signal.SIGUSR1)
        # The server makes the file anew when it reopens it.
        assert wait_until(lambda: os.path.exists(log_path))
        gemini(srv.gemini_port, "gemini://localhost/about.gmi")
        assert wait_until(lambda: os.path.exists(log_path) and "about.gmi" in open(log_path).read())


def test_gophers_on_the_gopher_port():
    with Server() as srv:
        over_tls = gopher(srv.gopher_port, "", tls=True)
        plain = gopher(srv.gopher_port, "")
        assert over_tls.endswith(b".\r\n")
        assert over_tls == plain
        # curl speaks gophers:// the same way.
        curl = need_tool("curl")
        r = subprocess.run([curl, "-sk", f"gophers://127.0.0.1:{srv.gopher_port}/"],
                           capture_output=True, timeout=20)
        assert r.returncode == 0 and r.stdout.startswith(plain[:20])


def test_access_log_line():
    with Server() as srv:
        gemini(srv.gemini_port, "gemini://localhost/")
        gopher(srv.gopher_port, "/about.gmi")
        lines = wait_until(lambda: len(access_lines(srv)) >= 2 and access_lines(srv))
    assert lines, srv.log()
    g = [l for l in lines if l[0] == "gemini"][0]
    assert g[1] == "127.0.0.1" and g[2] == "localhost"
    assert g[3] == "gemini://localhost/" and g[4] == "20" and int(g[5]) > 0
    o = [l for l in lines if l[0] == "gopher"][0]
    assert o[1] == "127.0.0.1" and o[2] == "-" and o[3] == "/about.gmi"


def test_client_address_not_logged_when_private():
    with Server(config="log_client_address: false\n") as srv:
        gemini(srv.gemini_port, "gemini://localhost/")
        assert wait_until(lambda: access_lines(srv))
        assert access_lines(srv)[0][1] == "-"


def proc_status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)


def test_privileges_dropped():
    if os.geteuid() != 0:
        with Server() as srv:
            assert proc_status(srv.proc.pid)["NoNewPrivs"].strip() == "1"
        return
    with Server() as srv:
        # The lines are printed before the drop; wait for it.
        assert wait_until(lambda: "0" not in proc_status(srv.proc.pid)["Uid"].split(), 5)
        status = proc_status(srv.proc.pid)
        uids = status["Uid"].split()
        assert "0" not in uids, status["Uid"]
        assert "0" not in status["Gid"].split(), status["Gid"]
        assert status["Groups"].split() == [status["Gid"].split()[0]], status["Groups"]
        assert status["NoNewPrivs"].strip() == "1"
        # Generated certificates belong to that user, so a reload reads them.
        for name in os.listdir(srv.certs):
            assert os.stat(os.path.join(srv.certs, name)).st_uid == int(uids[0]), name
        assert oct(os.stat(srv.certs).st_mode & 0o777) == "0o700"
        key = [n for n in os.listdir(srv.certs) if n.endswith(".key")][0]
        assert os.stat(os.path.join(srv.certs, key)).st_mode & 0o777 == 0o600
        srv.signal(signal.SIGHUP)
        assert wait_until(lambda: "reloaded" in srv.log(), 10)
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
        assert "reload failed" not in srv.log()


def test_refuses_to_run_as_root():
    if os.geteuid() != 0:
        return
    srv = Server(config="user: root\n")
    try:
        srv.start()
    except AssertionError as e:
        assert "root" in str(e)
        return
    srv.kill()
    raise AssertionError("kabar served as root")


def test_connection_cap_pauses_and_resumes():
    config = "limits:\n  max_connections: 2\n"
    with Server(config=config, args=["--workers", "1"]) as srv:
        a = tls_connect(srv.gemini_port)
        b = connect(srv.gopher_port)
        b.sendall(b"/")
        time.sleep(0.3)
        # The third waits in the listen queue: connected, but not answered.
        waiting = connect(srv.gopher_port, timeout=10)
        waiting.sendall(b"\r\n")
        waiting.settimeout(0.5)
        try:
            early = waiting.recv(100)
        except socket.timeout:
            early = None
        assert early is None, early
        a.close()  # a slot frees: the waiting client is served
        waiting.settimeout(10)
        assert read_all(waiting).endswith(b".\r\n")
        b.sendall(b"\r\n")
        assert read_all(b).endswith(b".\r\n")
        waiting.close()
        b.close()


def test_large_file_streams_whole():
    capsule = copy_capsule()
    blob = os.urandom(3 * 1024 * 1024 + 12345)
    with open(os.path.join(capsule, "big.bin"), "wb") as f:
        f.write(blob)
    with Server(capsule=capsule) as srv:
        resp = gemini(srv.gemini_port, "gemini://localhost/big.bin", timeout=30)
        assert resp.status == 20, resp
        assert resp.body == blob and resp.close_notify
        raw = gopher(srv.gopher_port, "/big.bin", timeout=30)
        assert raw == blob
        over_tls = gopher(srv.gopher_port, "/big.bin", timeout=30, tls=True)
        assert over_tls == blob


def test_sni_selects_the_host_certificate():
    capsule = copy_capsule()
    config = (f"hosts:\n"
              f"  - hostname: [kabar.example, www.kabar.example]\n"
              f"    capsule: {capsule}\n"
              f"  - hostname: berita.example\n"
              f"    capsule: {capsule}\n")
    with Server(capsule=None, config=config) as srv:
        first = served_cert(srv.gemini_port, "kabar.example")
        assert b"kabar.example" in first and b"berita.example" not in first
        assert served_cert(srv.gemini_port, "WWW.Kabar.Example.") == first
        second = served_cert(srv.gemini_port, "berita.example")
        assert b"berita.example" in second and second != first
        # Unknown or absent names get the default host's certificate.
        assert served_cert(srv.gemini_port, "other.example") == first
        assert served_cert(srv.gemini_port, None) == first
        assert gemini(srv.gemini_port, "gemini://berita.example/",
                      sni="berita.example").status == 20
        assert gemini(srv.gemini_port, "gemini://other.example/",
                      sni="other.example").status == 53
        assert sorted(os.listdir(srv.certs)) == ["berita.example.crt", "berita.example.key",
                                                 "kabar.example.crt", "kabar.example.key"]


def test_idle_write_timeout_drops_a_reader_that_stopped():
    capsule = copy_capsule()
    with open(os.path.join(capsule, "huge.bin"), "wb") as f:
        f.write(os.urandom(24 * 1024 * 1024))
    config = "timeouts:\n  idle: 500ms\n"
    with Server(capsule=capsule, config=config) as srv:
        sock = connect(srv.gopher_port, timeout=10)
        sock.sendall(b"/huge.bin\r\n")
        # Never reads: the server's writes stop making progress, and it
        # logs the download when it drops the reader.
        assert wait_until(lambda: any(l[3] == "/huge.bin" for l in access_lines(srv)), 10), \
            "the stalled reader was not dropped"
        # What the kernel still holds for it arrives, then the end. (A
        # kernel short of memory may drop the closed socket's queue
        # silently: the client then never hears more.)
        got = 0
        try:
            while True:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                got += len(chunk)
        except (ConnectionResetError, socket.timeout):
            pass
        sock.close()
        line = [l for l in access_lines(srv) if l[3] == "/huge.bin"][0]
        assert got <= int(line[5]) < 24 * 1024 * 1024, (got, line)
        # Cut by the idle timeout (500 ms), nowhere near the default 30 s.
        assert int(line[6]) < 5000, line
        # Others are served meanwhile and afterwards.
        assert gopher(srv.gopher_port, "").endswith(b".\r\n")


def open_fds(server):
    return len(os.listdir(f"/proc/{server.proc.pid}/fd"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_out_of_descriptors_pauses_without_spinning():
    need_tool("prlimit")
    with Server(args=["--workers", "1"]) as srv:
        gopher(srv.gopher_port, "")
        base = len(os.listdir(f"/proc/{srv.proc.pid}/fd"))
    limit = base + 3
    with Server(args=["--workers", "1"], wrapper=f"prlimit --nofile={limit}:{limit}") as srv:
        clients = [connect(srv.gopher_port) for _ in range(12)]
        assert wait_until(lambda: "cannot accept" in srv.log(), 5), srv.log()
        before = cpu_seconds(srv.proc.pid)
        time.sleep(1.0)
        assert cpu_seconds(srv.proc.pid) - before < 0.3, "spinning while out of descriptors"
        assert srv.log().count("cannot accept") == 1, srv.log()
        for c in clients:
            c.close()
        # Descriptors come back: the queue drains and new clients are served.
        assert wait_until(lambda: gopher(srv.gopher_port, "").endswith(b".\r\n"), 10)


def test_garbage_never_hurts_the_server():
    with Server() as srv:
        for port, data in ((srv.gemini_port, b"GET / HTTP/1.0\r\n\r\n"),
                           (srv.gemini_port, b"\x16\x03\x01\x00\x05hello"),
                           (srv.gopher_port, b"\x16\x03\x01\xff\xff" + os.urandom(600)),
                           (srv.gopher_port, b"\x00" * 5000),
                           (srv.gopher_port, os.urandom(3000) + b"\r\n")):
            s = connect(port)
            try:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                read_all(s)
            except OSError:
                pass  # the server may cut such a client off at once
            s.close()
        assert gemini(srv.gemini_port, "gemini://localhost/").status == 20
        assert gopher(srv.gopher_port, "", tls=True).endswith(b".\r\n")


def test_out_of_descriptors_twice_serves_open_connections_meanwhile():
    need_tool("prlimit")
    with Server(args=["--workers", "1"]) as srv:
        gopher(srv.gopher_port, "")
        base = len(os.listdir(f"/proc/{srv.proc.pid}/fd"))
    limit = base + 4
    with Server(args=["--workers", "1"], wrapper=f"prlimit --nofile={limit}:{limit}") as srv:
        for episode in (1, 2):
            # A client accepted before the descriptors ran out...
            before = open_fds(srv)
            early = connect(srv.gopher_port)
            early.sendall(b"/ne")
            wait_until(lambda: open_fds(srv) > before, 5)  # accepted
            flood = [connect(srv.gopher_port) for _ in range(12)]
            assert wait_until(lambda: srv.log().count("cannot accept") == episode, 5), srv.log()
            # ...still gets its answer while the others wait in the queue (an
            # error item when even its file cannot be opened: never a hang).
            early.sendall(b"ws/\r\n")
            assert read_all(early).endswith(b".\r\n")
            early.close()
            before = cpu_seconds(srv.proc.pid)
            time.sleep(0.5)
            assert cpu_seconds(srv.proc.pid) - before < 0.2, "spinning while out of descriptors"
            for c in flood:
                c.close()
            assert wait_until(lambda: gopher(srv.gopher_port, "").endswith(b".\r\n"), 10)
            # The next episode is said again, once.
            time.sleep(0.3)
        assert srv.log().count("cannot accept") == 2, srv.log()
