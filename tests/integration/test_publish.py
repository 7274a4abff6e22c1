"""Publishing: a file dropped into a running server's capsule is served
within a second, and a deleted one is gone as fast."""
import os
import shutil
import time

from harness import Server, copy_capsule, gemini, gopher, patience, shared_path, wait_until

SEED = "000_d926a9efe1d2fe2d.txt"
HEADLINE = "Kesan Peserta Study Tiru Kabupaten Lutim"


def front_page(server):
    return gemini(server.gemini_port, f"gemini://localhost:{server.gemini_port}/").text


def within_a_second(server, shows):
    """Polls the front page until shows(page). A poll that starts more than
    a second after the change and still misses it breaks the promise; a
    slow poll (a loaded machine, valgrind) is not held against the server,
    since the page is read when the server gets to the request."""
    change = time.monotonic()
    deadline = change + patience(10)
    while time.monotonic() < deadline:
        asked = time.monotonic()
        if shows(front_page(server)):
            return True
        late = asked - change
        assert late < patience(1.0), f"still not shown {late:.2f} s after the change"
        time.sleep(0.02)
    return False


def test_seed_appears_and_disappears():
    seed = shared_path("seeds", SEED)
    capsule = copy_capsule()
    with Server(capsule=capsule) as server:
        assert HEADLINE not in front_page(server)
        # Written under a temporary name, then renamed into place, as a
        # newsroom's tools do: a half-written file is never read.
        target = os.path.join(capsule, "news", SEED)
        temporary = os.path.join(capsule, "news", "." + SEED + ".part")
        shutil.copyfile(seed, temporary)
        os.rename(temporary, target)
        assert within_a_second(server, lambda page: HEADLINE in page), "never published"
        assert HEADLINE in gopher(server.gopher_port, "").decode("utf-8", "replace")

        os.remove(target)
        assert within_a_second(server, lambda page: HEADLINE not in page), "never removed"


def test_written_in_place_and_new_folder():
    seed = shared_path("seeds", SEED)
    capsule = copy_capsule()
    with Server(capsule=capsule) as server:
        folder = os.path.join(capsule, "news", "2022", "04")
        os.makedirs(folder)
        shutil.copyfile(seed, os.path.join(folder, SEED))
        assert wait_until(lambda: HEADLINE in front_page(server), timeout=3.0, step=0.02)
        shutil.rmtree(os.path.join(capsule, "news", "2022"))
        assert wait_until(lambda: HEADLINE not in front_page(server), timeout=3.0, step=0.02)
