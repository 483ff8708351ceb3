"""The `reader` library as a peer, run in its own process like the other tools.

python -m bench.reader_peer add DB URLS_FILE     subscribe (setup, not timed)
python -m bench.reader_peer update DB WORKERS    one refresh of every feed (timed)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Run one reader command; prints a JSON summary on stdout."""
    from reader import make_reader

    command, db = argv[0], argv[1]
    reader = make_reader(db)
    try:
        if command == "add":
            for url in Path(argv[2]).read_text().split():
                reader.add_feed(url, exist_ok=True)
        elif command == "update":
            # scheduled=False: fetch every feed now, as `amity refresh` and newsboat do, rather
            # than skipping feeds whose update interval has not passed.
            reader.update_feeds(workers=int(argv[2]), scheduled=False)
        else:
            print(f"unknown command {command!r}", file=sys.stderr)
            return 2
        counts = reader.get_entry_counts()
        broken = sum(1 for f in reader.get_feeds() if f.last_exception)
        print(json.dumps({"entries": counts.total, "broken_feeds": broken}))
    finally:
        reader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
