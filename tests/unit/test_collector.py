"""The serve process's collector policy: old messages frozen out of full collections,
everything unfrozen when the store shrinks. Run in a subprocess: gc.freeze is
process-wide, and this test process must keep its own collector as it was."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import gc
    from mock_efidem.collector import FREEZE_STEP, FreezeOldMessages

    stored = [0]
    policy = FreezeOldMessages(lambda: stored[0])
    policy.install()
    at_start = gc.get_freeze_count()
    kept = []

    def grow(count):
        kept.extend([object()] for _ in range(count))
        stored[0] += count
        gc.collect(1)

    grow(FREEZE_STEP // 2)
    print(gc.get_freeze_count() == at_start)      # not grown enough yet
    grow(FREEZE_STEP)
    print(gc.get_freeze_count() > at_start + FREEZE_STEP)
    gc.collect(0)
    print(gc.get_freeze_count() > at_start)       # a young collection changes nothing
    stored[0] = 10                                # a reset
    gc.collect(2)
    print(gc.get_freeze_count() == 0)
    policy.uninstall()
    print(policy not in gc.callbacks)
""")


def test_old_messages_are_frozen_and_unfrozen_when_the_store_shrinks() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 5
