"""Hostile input over the wire, each case with the exact answer it must get:
traversal in every spelling, NUL and control bytes, over-long lines,
requests split byte by byte, TLS garbage, plain text on the TLS port,
ClientHellos with no or an unknown SNI, half-open connections. One server
serves every case (cases are added to this module as test_* functions); the
last test stops it and checks that it is still whole and exits cleanly."""
import os
import re
import socket
import ssl
import time

from harness import (Server, client_context, connect, gemini, gopher, patience, read_all,
                     wait_until)

_SERVER = []


def server():
    """The one server every case talks to, started by the first case."""
    if not _SERVER:
        _SERVER.append(Server(config="timeouts:\n  request: 2s\n").start())
    return _SERVER[0]


def fatal_alert(description):
    """A TLS 1.2-framed fatal alert record, as OpenSSL sends before it closes."""
    return b"\x15\x03\x03\x00\x02\x02" + bytes([description])


UNEXPECTED_MESSAGE, RECORD_OVERFLOW, DECODE_ERROR = 10, 22, 50


def gopher_error(message):
    return f"3{message}\t\terror.host\t1\r\n.\r\n".encode()


NOT_AN_ABSOLUTE_URL = "59 Bad request: not an absolute URL"
CLIMBS = "59 Bad request: path climbs above the root"
ENCODED_SLASH = "59 Bad request: encoded slash in path"
BAD_UTF8 = "59 Bad request: invalid UTF-8"
FORBIDDEN = "59 Bad request: forbidden character"
BAD_PERCENT = "59 Bad request: bad percent-encoding"
NOT_FOUND = "51 Not found"
GEMTEXT = "20 text/gemini; charset=utf-8; lang=en"

# (name, request line without CRLF, the exact header; no body unless 20)
GEMINI_CASES = [
    ("dotdot", b"gemini://localhost/../etc/passwd", CLIMBS),
    ("dotdot_deep", b"gemini://localhost/news/../../etc/passwd", CLIMBS),
    ("dotdot_alone", b"gemini://localhost/..", CLIMBS),
    ("pct_dotdot_lower", b"gemini://localhost/%2e%2e/etc/passwd", CLIMBS),
    ("pct_dotdot_upper", b"gemini://localhost/%2E%2E/etc/passwd", CLIMBS),
    ("pct_dotdot_mixed", b"gemini://localhost/.%2e/etc/passwd", CLIMBS),
    ("pct_slash", b"gemini://localhost/news/..%2f..%2fetc/passwd", ENCODED_SLASH),
    ("pct_slash_root", b"gemini://localhost/%2fetc%2fpasswd", ENCODED_SLASH),
    ("pct_all_encoded", b"gemini://localhost/news/%2e%2e%2f%2e%2e%2fetc%2fpasswd", ENCODED_SLASH),
    ("pct_dotdot_slash", b"gemini://localhost/%2e%2e%2f", ENCODED_SLASH),
    ("pct_backslash", b"gemini://localhost/..%5c..%5cetc%5cpasswd", NOT_FOUND),
    ("raw_backslash", b"gemini://localhost/..\\..\\etc\\passwd", FORBIDDEN),
    ("double_encoded", b"gemini://localhost/%252e%252e/etc/passwd", NOT_FOUND),
    ("overlong_utf8_pct", b"gemini://localhost/%c0%ae%c0%ae/etc/passwd", BAD_UTF8),
    ("overlong_utf8_raw", b"gemini://localhost/\xc0\xae\xc0\xae/etc/passwd", BAD_UTF8),
    ("overlong_utf8_3byte", b"gemini://localhost/%e0%80%ae%e0%80%ae/", BAD_UTF8),
    ("lone_ff", b"gemini://localhost/%ff", BAD_UTF8),
    ("double_slash_root", b"gemini://localhost//etc/passwd", NOT_FOUND),
    ("semicolon_dotdot", b"gemini://localhost/..;/etc", NOT_FOUND),
    ("proc_self", b"gemini://localhost/proc/self/environ", NOT_FOUND),
    ("tilde_user", b"gemini://localhost/~root", NOT_FOUND),
    ("dotfile", b"gemini://localhost/.hidden", NOT_FOUND),
    ("pct_dotfile", b"gemini://localhost/%2ehidden", NOT_FOUND),
    ("nul_encoded", b"gemini://localhost/a%00b", FORBIDDEN),
    ("nul_raw", b"gemini://localhost/a\x00b", FORBIDDEN),
    ("control_soh", b"gemini://localhost/a\x01b", FORBIDDEN),
    ("control_tab", b"gemini://localhost/a\tb", FORBIDDEN),
    ("control_del", b"gemini://localhost/a\x7fb", FORBIDDEN),
    ("control_escape", b"gemini://localhost/\x1b[31mred", FORBIDDEN),
    ("space", b"gemini://localhost/a b", FORBIDDEN),
    ("nul_in_query", b"gemini://localhost/search?%00", FORBIDDEN),
    ("bad_utf8_query", b"gemini://localhost/search?%ff", BAD_UTF8),
    ("lone_percent", b"gemini://localhost/%", BAD_PERCENT),
    ("bad_hex", b"gemini://localhost/%zz", BAD_PERCENT),
    ("huge_port", b"gemini://localhost:99999/", "59 Bad request: malformed port"),
    ("other_port", b"gemini://localhost:1/", "53 Proxy request refused"),
    ("userinfo", b"gemini://user:pw@localhost/", "59 Bad request: userinfo is not allowed"),
    ("fragment", b"gemini://localhost/#frag", "59 Bad request: fragments are not allowed"),
    ("http_scheme", b"http://localhost/", "53 Proxy request refused"),
    ("file_scheme", b"file:///etc/passwd", "59 Bad request: empty host"),
    ("file_scheme_with_host", b"file://localhost/etc/passwd", "53 Proxy request refused"),
    ("empty_host", b"gemini:///", "59 Bad request: empty host"),
    ("no_scheme", b"//localhost/", NOT_AN_ABSOLUTE_URL),
    ("bare_path", b"/etc/passwd", NOT_AN_ABSOLUTE_URL),
    ("empty_line", b"", "59 Bad request: empty request"),
    ("broken_ipv6", b"gemini://[::1/", "59 Bad request: malformed host"),
    ("foreign_host", b"gemini://other.example/", "53 Proxy request refused"),
    ("url_1024_bytes", b"gemini://localhost/" + b"a" * (1024 - 19), NOT_FOUND),
    ("url_1025_bytes", b"gemini://localhost/" + b"a" * (1025 - 19),
     "59 Bad request: request too long"),
    ("dot_segment_is_root", b"gemini://localhost/./", GEMTEXT),
    ("upper_case_scheme", b"GEMINI://LOCALHOST/", GEMTEXT),
]

# (name, selector line without CRLF, the exact whole answer)
GOPHER_CASES = [
    ("dotdot", b"../etc/passwd", gopher_error('Bad request: ".." in the selector')),
    ("dotdot_rooted", b"/../etc/passwd", gopher_error('Bad request: ".." in the selector')),
    ("dotdot_deep", b"/news/../../", gopher_error('Bad request: ".." in the selector')),
    ("pct_dotdot", b"/%2e%2e/etc/passwd", gopher_error('Bad request: ".." in the selector')),
    ("pct_dotdot_upper", b"/%2E%2E/", gopher_error('Bad request: ".." in the selector')),
    ("pct_dot_mixed", b"/.%2e/", gopher_error('Bad request: ".." in the selector')),
    ("pct_single_dot", b"/%2e/", gopher_error('Bad request: ".." in the selector')),
    ("pct_slash", b"/news/..%2f..%2fetc", gopher_error("Not found: /news/..%2f..%2fetc")),
    ("pct_slash_root", b"/%2fetc%2fpasswd", gopher_error("Not found: /%2fetc%2fpasswd")),
    ("double_encoded", b"/%252e%252e/", gopher_error("Not found: /%252e%252e/")),
    ("overlong_utf8_pct", b"/%c0%ae%c0%ae/", gopher_error("Not found: /%c0%ae%c0%ae/")),
    # Bytes that are not UTF-8 are shown as U+FFFD, as everywhere in a page.
    ("overlong_utf8_raw", b"\xc0\xae\xc0\xae/etc",
     gopher_error("Not found: /\ufffd\ufffd\ufffd\ufffd/etc")),
    ("backslash", b"/..\\..\\etc", gopher_error("Not found: /..\\..\\etc")),
    ("pct_backslash", b"/%5c..%5c", gopher_error("Not found: /%5c..%5c")),
    ("absolute_path", b"/etc/passwd", gopher_error("Not found: /etc/passwd")),
    ("double_slash_root", b"//etc/passwd", gopher_error("Not found: /etc/passwd")),
    ("dotfile", b"/.hidden", gopher_error("Not found: /.hidden")),
    ("nul", b"/a\x00b", gopher_error("Bad request: control bytes in the selector")),
    ("control_soh", b"/a\x01b", gopher_error("Bad request: control bytes in the selector")),
    ("control_del", b"/a\x7f", gopher_error("Bad request: control bytes in the selector")),
    ("control_escape", b"/\x1b[2J", gopher_error("Bad request: control bytes in the selector")),
    ("javascript_url", b"URL:javascript:alert(1)",
     gopher_error("Bad request: this URL scheme is not linked")),
    ("too_many_tabs", b"/\t\t\t\t", gopher_error("Bad request: malformed request line")),
    ("tab_soup", b"/\tsearch\t+\tx", gopher_error("Bad request: malformed request line")),
    ("bad_utf8_search", b"/search\t\xff", gopher_error("Bad request: search terms are not UTF-8")),
    ("search_1025", b"/search\t" + b"a" * 1025, gopher_error("Request too long")),
    # The message is cut to the menu's width: 70 columns, an ellipsis last.
    ("selector_255", b"/" + b"a" * 254, gopher_error("Not found: /" + "a" * 57 + "\u2026")),
    ("selector_256", b"/" + b"a" * 255, gopher_error("Request too long")),
]


def _gemini_case(request, expected):
    def case():
        resp = gemini(server().gemini_port, request + b"\r\n")
        assert resp.header == expected, (request[:80], resp.header)
        if not expected.startswith("20 "):
            assert resp.body == b"", resp.body[:80]
        assert resp.close_notify
    return case


def _gopher_case(selector, expected):
    def case():
        answer = gopher(server().gopher_port, selector + b"\r\n")
        assert answer == expected, (selector[:80], answer[:200])
    return case


for _name, _request, _expected in GEMINI_CASES:
    globals()[f"test_gemini_{_name}"] = _gemini_case(_request, _expected)
for _name, _selector, _expected in GOPHER_CASES:
    globals()[f"test_gopher_{_name}"] = _gopher_case(_selector, _expected)


# ---- the wire itself ----

def raw_exchange(port, data, shut=True):
    """Sends bytes on a plain socket and reads what comes back; a reset
    counts as the end."""
    s = connect(port)
    try:
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server has already cut it off
        got = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                return got
            if not chunk:
                return got
            got += chunk
    finally:
        s.close()


def flood_line(port, head, size, tls):
    """Sends head then size more bytes with no line end, then reads what came
    back. One thread: an SSL object must not be read and written from two
    threads at once. The server answers once the line is too long, then
    drains the rest (a lingering close), so the sending never blocks for
    good and the answer is not lost to a reset."""
    s = connect(port)
    if tls:
        s = client_context().wrap_socket(s, server_hostname="localhost")
    try:
        s.sendall(head)
        block = b"A" * 65536
        for _ in range(size // len(block)):
            s.sendall(block)
    except (OSError, ssl.SSLError):
        pass  # cut off: what was answered is still to be read
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (OSError, ssl.SSLError):
        pass
    s.close()
    return data


def test_gemini_one_megabyte_line():
    got = flood_line(server().gemini_port, b"gemini://localhost/", 1 << 20, tls=True)
    assert got == b"59 Bad request: request too long\r\n", got[:100] if got else got


def test_gopher_one_megabyte_line():
    got = flood_line(server().gopher_port, b"/", 1 << 20, tls=False)
    assert got == gopher_error("Request too long"), got[:100] if got else got


def test_gopher_line_of_nul_bytes():
    got = flood_line(server().gopher_port, b"\x00" * 5000, 0, tls=False)
    assert got == gopher_error("Request too long"), got[:100] if got else got


def test_gemini_request_byte_by_byte():
    expected = gemini(server().gemini_port, "gemini://localhost/")
    tls = client_context().wrap_socket(connect(server().gemini_port), server_hostname="localhost")
    tls.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for byte in b"gemini://localhost/\r\n":
        tls.sendall(bytes([byte]))  # one TLS record, one segment per byte
        time.sleep(0.002)
    got = read_all(tls)
    tls.close()
    assert got == expected.raw, got[:100]


def test_gopher_request_byte_by_byte():
    expected = gopher(server().gopher_port, "/news/")
    s = connect(server().gopher_port)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for byte in b"/news/\r\n":
        s.sendall(bytes([byte]))
        time.sleep(0.002)
    got = read_all(s)
    s.close()
    assert got == expected and got.endswith(b".\r\n"), got[:100]


def test_gophers_request_byte_by_byte():
    expected = gopher(server().gopher_port, "/news/")
    s = client_context().wrap_socket(connect(server().gopher_port), server_hostname=None)
    for byte in b"/news/\r\n":
        s.sendall(bytes([byte]))
    got = read_all(s)
    s.close()
    assert got == expected, got[:100]


def test_tls_port_random_garbage():
    assert raw_exchange(server().gemini_port, os.urandom(64).replace(b"\x16", b"\x17")) == b""


def test_tls_port_bad_handshake_record():
    # A handshake record whose body is no ClientHello: a fatal alert, then the end.
    got = raw_exchange(server().gemini_port, b"\x16\x03\x01\x00\x05hello")
    assert got == fatal_alert(UNEXPECTED_MESSAGE), got


def test_tls_port_plain_gemini_request():
    assert raw_exchange(server().gemini_port, b"gemini://localhost/\r\n") == b""


def test_tls_port_http_request():
    assert raw_exchange(server().gemini_port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == b""


def test_tls_port_nul_bytes():
    assert raw_exchange(server().gemini_port, b"\x00" * 4096) == b""


def test_gopher_port_broken_tls():
    # A record longer than TLS allows: the Gopher port speaks TLS back.
    got = raw_exchange(server().gopher_port, b"\x16\x03\x01\xff\xff" + os.urandom(200))
    assert got == fatal_alert(RECORD_OVERFLOW), got


def test_tls_hello_cut_short():
    hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(20)
    assert raw_exchange(server().gemini_port, hello) == fatal_alert(DECODE_ERROR)


def test_client_hello_without_sni():
    assert gemini(server().gemini_port, "gemini://localhost/", sni=None).header == GEMTEXT
    assert gemini(server().gemini_port, "gemini://127.0.0.1/", sni=None).header == GEMTEXT


def test_client_hello_with_unknown_sni():
    port = server().gemini_port
    assert gemini(port, "gemini://localhost/", sni="unknown.example").header == GEMTEXT
    assert gemini(port, "gemini://unknown.example/",
                  sni="unknown.example").header == "53 Proxy request refused"


def test_gemini_bare_lf_is_dropped():
    resp = gemini(server().gemini_port, b"gemini://localhost/\n")
    assert resp.raw == b"" and resp.close_notify


def test_gemini_pipelined_requests_get_one_answer():
    resp = gemini(server().gemini_port, b"gemini://localhost/\r\ngemini://localhost/news/\r\n")
    assert resp.header == GEMTEXT and b"\r\n20 " not in resp.body


def test_gopher_pipelined_requests_get_one_answer():
    alone = gopher(server().gopher_port, "/news/")
    assert gopher(server().gopher_port, b"/news/\r\n/\r\n") == alone


def test_gopher_half_open_still_answered():
    assert raw_exchange(server().gopher_port, b"/news/\r\n") == gopher(server().gopher_port,
                                                                        "/news/")


def test_gemini_half_open_still_answered():
    tls = client_context().wrap_socket(connect(server().gemini_port),
                                       server_hostname="localhost")
    tls.sendall(b"gemini://localhost/\r\n")
    plain = socket.socket(fileno=os.dup(tls.fileno()))
    plain.shutdown(socket.SHUT_WR)  # no more from us; the TLS session lives on
    plain.close()
    got = read_all(tls)
    tls.close()
    assert got.startswith(GEMTEXT.encode() + b"\r\n"), got[:80]


def test_connect_and_say_nothing_then_close():
    assert raw_exchange(server().gopher_port, b"") == b""
    # TLS: the handshake ends unfinished, and OpenSSL says so.
    assert raw_exchange(server().gemini_port, b"") == fatal_alert(DECODE_ERROR)


def test_gopher_line_without_lf_is_cut_at_the_timeout():
    start = time.monotonic()
    assert raw_exchange(server().gopher_port, b"/news/\r", shut=False) == b""
    assert time.monotonic() - start < patience(5)


def test_handshake_then_nothing_is_cut_at_the_timeout():
    tls = client_context().wrap_socket(connect(server().gemini_port),
                                       server_hostname="localhost")
    start = time.monotonic()
    try:
        got = read_all(tls)
    except (ssl.SSLError, ConnectionResetError):
        got = b""
    tls.close()
    assert got == b"" and 1.5 < time.monotonic() - start < patience(5)


def test_client_text_is_escaped_in_the_log():
    gopher(server().gopher_port, b"/\x1b[2J\"\\\r\n")
    gemini(server().gemini_port, b"gemini://localhost/\x1b]0;owned\x07\r\n")
    wait_until(lambda: "owned" in server().log())
    log = server().log()
    assert "\x1b" not in log and "\x07" not in log
    assert '"/\\x1b[2J\\x22\\x5c" 3 ' in log, log[-2000:]
    assert '"gemini://localhost/\\x1b]0;owned\\x07" 59 ' in log, log[-2000:]


def test_zz_server_survived_everything():
    srv = server()
    assert gemini(srv.gemini_port, "gemini://localhost/").header == GEMTEXT
    assert gopher(srv.gopher_port, "").endswith(b".\r\n")
    # No line of the log holds a raw control byte a client sent.
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", srv.log())
    srv.stop()
