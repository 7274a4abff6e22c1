"""Publishing: a file dropped into a running server's capsule is served
within a second, and a deleted one is gone as fast."""
import os
import shutil
import time

from harness import Server, copy_capsule, gemini, gopher, shared_path, wait_until

SEED = "000_d926a9efe1d2fe2d.txt"
HEADLINE = "Kesan Peserta Study Tiru Kabupaten Lutim"


def front_page(server):
    return gemini(server.gemini_port, f"gemini://localhost:{server.gemini_port}/").text


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
        start = time.monotonic()
        os.rename(temporary, target)
        assert wait_until(lambda: HEADLINE in front_page(server), timeout=3.0, step=0.02)
        took = time.monotonic() - start
        assert took < 1.0, f"published after {took:.2f} s"
        assert HEADLINE in gopher(server.gopher_port, "").decode("utf-8", "replace")

        os.remove(target)
        start = time.monotonic()
        assert wait_until(lambda: HEADLINE not in front_page(server), timeout=3.0, step=0.02)
        took = time.monotonic() - start
        assert took < 1.0, f"still listed {took:.2f} s after deletion"


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
