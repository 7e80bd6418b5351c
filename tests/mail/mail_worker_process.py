"""The mail worker as a process of its own, for tests/mail/test_mail_delivery.py.

    python tests/mail/mail_worker_process.py SECONDS worker [--once] [--interval S]

runs ``dialoog worker`` (configured by the DIALOOG_* environment) with the app's clock SECONDS ahead of real
time: a restart after a claim's lease has run out, without waiting minutes for it.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.cli import main
from app.kit import clock

if __name__ == "__main__":
    clock.advance(timedelta(seconds=float(sys.argv[1])))
    sys.exit(main(sys.argv[2:]))
