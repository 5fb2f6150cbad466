"""Records receipts in a loop, printing each number only after record() returned (committed).

Run by test_crash.py, which kills this process with SIGKILL at random moments.
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.domain.insurance import Insurance
from app.services.desk import Desk
from app.services.errors import Refused
from app.services.receipts import LineRequest


def main(home: str, ids_file: str, start: str) -> None:
    desk = Desk(Path(home))
    agent = desk.users.authenticate("李代收", "1234")
    sys.stdout.write("READY\n")  # start-up is not what we are testing: the killer waits for this
    sys.stdout.flush()
    for id_number in Path(ids_file).read_text().split()[int(start):]:
        try:
            r = desk.receipts.record(agent, [LineRequest(id_number, Insurance.MEDICAL, 2027)],
                                     cash_fen=40000)
        except Refused:
            continue  # paid by a receipt whose acknowledgement the kill swallowed
        sys.stdout.write(r.number + "\n")
        sys.stdout.flush()
    sys.stdout.write("DONE\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
