"""Keys stay private: the certificates folder is 0700 whatever it shipped as
(made so at start, or the start is refused with what to do); keys are the
service user's only when it reads them after the drop; the shared nobody
gets a warning. (The default user kabar is tried by scripts/package-test.sh,
where the package has made that account.)"""
import os
import pwd
import subprocess

from harness import Server, Skip, copy_capsule, patience, tempdir


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root (CI runs as root)")


def world_readable_capsule():
    capsule = copy_capsule()
    os.chmod(os.path.dirname(capsule), 0o755)
    return capsule


def open_certs_folder():
    """A certs folder as a clone ships it: 0755, in a folder anyone reaches."""
    parent = tempdir()
    os.chmod(parent, 0o755)
    certs = os.path.join(parent, "certs")
    os.mkdir(certs)
    os.chmod(certs, 0o755)
    return certs


def proc_uid(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise AssertionError("no Uid line")


def mode(path):
    return os.stat(path).st_mode & 0o7777


def test_a_0755_certs_folder_is_made_0700_at_start():
    certs = open_certs_folder()
    with Server(capsule=world_readable_capsule(), certs=certs) as srv:
        assert mode(certs) == 0o700, oct(mode(certs))
        assert f"{certs}: mode 0755 made 0700" in srv.log(), srv.log()
        keys = [n for n in os.listdir(certs) if n.endswith(".key")]
        assert keys and all(mode(os.path.join(certs, k)) == 0o600 for k in keys), keys
        if os.geteuid() == 0:
            # Started as root: the folder and the keys are the service user's,
            # who re-reads them on a reload.
            uid = proc_uid(srv.proc.pid)
            assert uid != 0
            assert os.stat(certs).st_uid == uid
            assert all(os.stat(os.path.join(certs, k)).st_uid == uid for k in keys)


def test_a_private_folder_is_left_as_it_is():
    certs = open_certs_folder()
    os.chmod(certs, 0o700)
    with Server(capsule=world_readable_capsule(), certs=certs) as srv:
        assert mode(certs) == 0o700
        assert "made 0700" not in srv.log(), srv.log()


def test_a_folder_kabar_cannot_make_private_is_refused():
    need_root()
    certs = open_certs_folder()  # root's, 0755: nobody cannot change it
    nobody = pwd.getpwnam("nobody")
    wrapper = f"setpriv --reuid={nobody.pw_uid} --regid={nobody.pw_gid} --clear-groups"
    srv = Server(capsule=world_readable_capsule(), certs=certs, wrapper=wrapper)
    try:
        srv.start()
    except AssertionError:
        pass
    try:
        code = srv.proc.wait(patience(10))
    except subprocess.TimeoutExpired:
        srv.kill()
        raise AssertionError("kabar kept running")
    log = srv.log()
    assert code != 0, log
    assert (f"{certs}: mode 0755 lets other users reach the private keys, and kabar cannot "
            f"change it (Operation not permitted): run chmod 0700 {certs} as its owner") in log, log
    assert mode(certs) == 0o755 and not os.listdir(certs)


def test_the_shared_nobody_is_warned_about():
    need_root()
    with Server(capsule=world_readable_capsule(), config="user: nobody\n") as srv:
        assert "running as the shared user nobody" in srv.log(), srv.log()
        assert proc_uid(srv.proc.pid) == pwd.getpwnam("nobody").pw_uid


def test_a_user_of_its_own_is_not_warned_about():
    need_root()
    # Any unprivileged account but nobody will do; daemon is in every base system.
    try:
        pwd.getpwnam("daemon")
    except KeyError:
        raise Skip("no daemon account")
    with Server(capsule=world_readable_capsule(), config="user: daemon\n") as srv:
        assert "shared user" not in srv.log(), srv.log()


def test_under_chroot_the_keys_stay_roots():
    need_root()
    # No reload reads them after the drop (it needs a restart), so the
    # service user never gets them. LeakSanitizer reads /proc, hidden by
    # the chroot.
    certs = open_certs_folder()
    with Server(capsule=world_readable_capsule(), certs=certs, config="chroot: true\n",
                env={"LSAN_OPTIONS": "detect_leaks=0"}) as srv:
        assert proc_uid(srv.proc.pid) != 0
        assert mode(certs) == 0o700 and os.stat(certs).st_uid == 0
        for name in os.listdir(certs):
            assert os.stat(os.path.join(certs, name)).st_uid == 0, name
