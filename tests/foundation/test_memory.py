"""memory.py: a worker hands freed memory back after a heavy page, and only then."""
from __future__ import annotations

import memory


class Recorder:
    def __init__(self, sizes):
        self.sizes = list(sizes)
        self.trims = 0

    def measure(self):
        return self.sizes.pop(0)

    def release(self):
        self.trims += 1


def test_trims_once_growth_passes_the_threshold_and_takes_the_trimmed_size_as_the_new_level():
    sizes = Recorder([100, 110, 117, 104,   # rest, small growth, past 16 -> trim, after the trim
                      112, 121])            # from the new level 104: +8 (no), +17 -> trim
    trimmer = memory.GrowthTrimmer(16, measure=sizes.measure, release=sizes.release)
    for _ in range(3):
        trimmer.after_response()
    assert sizes.trims == 1 and trimmer.level == 104
    trimmer.after_response()
    assert sizes.trims == 1
    sizes.sizes.append(103)  # measured after the second trim
    trimmer.after_response()
    assert sizes.trims == 2 and trimmer.level == 103


def test_memory_the_app_keeps_does_not_set_off_a_trim_on_every_request():
    sizes = Recorder([100, 130, 128] + [128] * 10)   # a warm cache of 28 that no trim can free
    trimmer = memory.GrowthTrimmer(16, measure=sizes.measure, release=sizes.release)
    for _ in range(12):
        trimmer.after_response()
    assert sizes.trims == 1


def test_a_smaller_size_lowers_the_level():
    sizes = Recorder([100, 80, 95])
    trimmer = memory.GrowthTrimmer(16, measure=sizes.measure, release=sizes.release)
    for _ in range(3):
        trimmer.after_response()
    assert sizes.trims == 0 and trimmer.level == 80   # 95 is 15 above 80: below the threshold


def test_the_app_trims_after_sending_a_response(app):
    trimmer = app.extensions.get("memory.trimmer")
    assert trimmer is not None, "memory.install(app) runs in create_app (MEMORY_TRIM_GROWTH_MB=16)"
    seen = []
    trimmer.after_response = lambda: seen.append(1)
    app.test_client().get("/healthz").close()
    assert seen == [1]


def test_resident_size_is_read_on_linux():
    assert memory.resident_bytes() > 10 * 2**20
