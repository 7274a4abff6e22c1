"""TLS sessions: each virtual host resumes only its own sessions (its own
session id context and ticket keys), and instances given the same
tls: ticket_key_file: resume each other's, across a key rotation by reload."""

import os
import pwd
import signal
import subprocess

from harness import (SAMPLE_CAPSULE, Server, client_context, connect, gemini, need_tool,
                     tempdir, wait_until)
from test_ops import readable_by_all

HOSTS = ("a.test", "b.test")


def two_host_config(key_file=None):
    text = ""
    if key_file is not None:
        text += f"tls:\n  ticket_key_file: {key_file}\n"
    text += "hosts:\n"
    for name in HOSTS:
        text += f"  - hostname: {name}\n    capsule: {SAMPLE_CAPSULE}\n"
    return text


def fetch(port, sni, ctx, session=None):
    """One Gemini request over a fresh connection; (status, reused, session)."""
    sock = connect(port)
    tls = ctx.wrap_socket(sock, server_hostname=sni, session=session)
    try:
        tls.sendall(f"gemini://{sni}/\r\n".encode())
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
        return data.split(b" ", 1)[0], tls.session_reused, tls.session
    finally:
        tls.close()


def new_session(port, sni, ctx):
    status, reused, session = fetch(port, sni, ctx)
    assert status == b"20" and not reused, (status, reused)
    assert session is not None and session.has_ticket, session
    return session


def resumes(port, sni, ctx, session):
    status, reused, _ = fetch(port, sni, ctx, session)
    assert status in (b"20", b"53"), status
    return reused


def test_python_session_resumes_only_on_its_own_host():
    with Server(capsule=None, config=two_host_config(), gemini=1, gopher=0) as srv:
        for version in ("TLSv1_3", "TLSv1_2"):
            ctx = client_context()
            ctx.maximum_version = getattr(__import__("ssl").TLSVersion, version)
            made_on_a = new_session(srv.gemini_port, "a.test", ctx)
            # The control: the same session resumes on the host that made it.
            assert resumes(srv.gemini_port, "a.test", ctx, made_on_a), version
            assert not resumes(srv.gemini_port, "b.test", ctx, made_on_a), version
            made_on_b = new_session(srv.gemini_port, "b.test", ctx)
            assert not resumes(srv.gemini_port, "a.test", ctx, made_on_b), version
            assert resumes(srv.gemini_port, "b.test", ctx, made_on_b), version


def s_client(port, sni, sess_out=None, sess_in=None, tls="-tls1_3"):
    """openssl s_client with a Gemini request; True when it says Reused."""
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", sni,
           "-ign_eof", tls]
    if sess_out:
        cmd += ["-sess_out", sess_out]
    if sess_in:
        cmd += ["-sess_in", sess_in]
    proc = subprocess.run(cmd, input=f"gemini://{sni}/\r\n".encode(), capture_output=True,
                          timeout=20)
    out = proc.stdout.decode("utf-8", "replace")
    assert "20 text/gemini" in out, out[-2000:]
    return "\nReused," in out


def test_openssl_session_file_resumes_only_on_its_own_host():
    need_tool("openssl")
    work = tempdir()
    with Server(capsule=None, config=two_host_config(), gemini=1, gopher=0) as srv:
        for tls in ("-tls1_3", "-tls1_2"):
            sess = os.path.join(work, f"a{tls}.pem")
            assert not s_client(srv.gemini_port, "a.test", sess_out=sess, tls=tls)
            assert s_client(srv.gemini_port, "a.test", sess_in=sess, tls=tls), tls
            assert not s_client(srv.gemini_port, "b.test", sess_in=sess, tls=tls), tls


def write_key(path, data=None):
    with open(path, "wb") as f:
        f.write(data if data is not None else os.urandom(80))
    os.chmod(path, 0o600)


def test_instances_with_one_key_file_resume_each_others_sessions():
    work = tempdir()
    key = os.path.join(work, "ticket.key")
    write_key(key)
    shared = two_host_config(key)
    ctx = client_context()
    with Server(capsule=None, config=shared, gemini=1, gopher=0) as one, \
            Server(capsule=None, config=shared, gemini=1, gopher=0) as two:
        made_on_one = new_session(one.gemini_port, "a.test", ctx)
        assert resumes(two.gemini_port, "a.test", ctx, made_on_one)
        # Still host by host: the shared file gives each host its own keys.
        assert not resumes(two.gemini_port, "b.test", ctx, made_on_one)
    # The control: instances without the file never resume each other's.
    with Server(capsule=None, config=two_host_config(), gemini=1, gopher=0) as one, \
            Server(capsule=None, config=two_host_config(), gemini=1, gopher=0) as two:
        made_on_one = new_session(one.gemini_port, "a.test", ctx)
        assert resumes(one.gemini_port, "a.test", ctx, made_on_one)
        assert not resumes(two.gemini_port, "a.test", ctx, made_on_one)


def test_openssl_session_moves_between_instances_with_one_key_file():
    need_tool("openssl")
    work = tempdir()
    key = os.path.join(work, "ticket.key")
    write_key(key)
    sess = os.path.join(work, "sess.pem")
    shared = two_host_config(key)
    with Server(capsule=None, config=shared, gemini=1, gopher=0) as one, \
            Server(capsule=None, config=shared, gemini=1, gopher=0) as two:
        assert not s_client(one.gemini_port, "b.test", sess_out=sess)
        assert s_client(two.gemini_port, "b.test", sess_in=sess)


def reloaded(srv, count):
    srv.signal(signal.SIGHUP)
    assert wait_until(lambda: srv.log().count("reloaded") >= count, timeout=10), srv.log()


def service_owned_certs(work):
    """A certs folder made ahead of kabar, as a package makes it: owned by
    the service user kabar drops to when started as root (nobody), so the
    ticket key file in it is read through the folder at a reload."""
    certs = os.path.join(work, "certs")
    os.mkdir(certs, 0o700)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(certs, nobody.pw_uid, nobody.pw_gid)
    return certs


def rotate_key(path):
    """A new key renamed into place, owned as the folder is."""
    write_key(path + ".new")
    st = os.stat(os.path.dirname(path))
    os.chown(path + ".new", st.st_uid, st.st_gid)
    os.rename(path + ".new", path)


def test_rotated_key_file_still_opens_the_previous_tickets():
    work = tempdir()
    certs = service_owned_certs(work)
    key = os.path.join(certs, "ticket.key")
    rotate_key(key)
    ctx = client_context()
    srv = Server(capsule=None, config=two_host_config(key), gemini=1, gopher=0, certs=certs)
    readable_by_all(srv.workdir, os.path.join(srv.workdir, "kabar.yaml"))
    with srv:
        before = new_session(srv.gemini_port, "a.test", ctx)
        rotate_key(key)
        reloaded(srv, 1)
        assert resumes(srv.gemini_port, "a.test", ctx, before)
        after = new_session(srv.gemini_port, "a.test", ctx)
        rotate_key(key)
        reloaded(srv, 2)
        assert resumes(srv.gemini_port, "a.test", ctx, after)
        # Two rotations back is too old: only the previous key is kept.
        assert not resumes(srv.gemini_port, "a.test", ctx, before)
        assert "error" not in srv.log(), srv.log()


def test_a_bad_key_file_is_refused_with_its_reason():
    work = tempdir()
    key = os.path.join(work, "ticket.key")
    write_key(key, os.urandom(48))
    srv = Server(capsule=None, config=two_host_config(key), gemini=1, gopher=0)
    try:
        srv.start()
    except AssertionError as e:
        assert "ticket.key: a ticket key file holds 1 to 4 keys of 80 bytes" in str(e), e
        assert "not 48 bytes" in str(e), e
    else:
        srv.stop()
        raise AssertionError("a 48-byte ticket key file was accepted")
