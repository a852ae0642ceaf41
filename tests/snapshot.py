"""A database built once per test process and put back in a second (PostgreSQL).

Browser tests need the whole demo county behind a live server, which commits: each such test
runs on ``transactional_db`` and Django empties every table after it. Building the county again
for every test cost ≈ 15 s; :class:`Snapshot` keeps the rows of every table (``COPY … TO STDOUT``
in PostgreSQL's binary format) and the sequences' positions after the first build, and puts them
back exactly — same ids, same sequences — before each later test.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

KEPT = {"django_migrations"}  # flush leaves it, and so does a restore


@dataclass
class Snapshot:
    tables: dict[str, bytes]
    sequences: list[tuple[str, int, bool]]

    @classmethod
    def take(cls) -> Snapshot:
        names = [t for t in connection.introspection.table_names() if t not in KEPT]
        data: dict[str, bytes] = {}
        with connection.cursor() as cur:
            raw = cur.cursor  # psycopg's own cursor: COPY streams
            for t in names:
                buf = bytearray()
                with raw.copy(f'COPY "{t}" TO STDOUT (FORMAT binary)') as copy:
                    for chunk in copy:
                        buf += chunk
                data[t] = bytes(buf)
            cur.execute("SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences")
            seqs = [
                (name, value, True) if value is not None else (name, 1, False)
                for name, value in cur.fetchall()
            ]
        return cls(data, seqs)

    def restore(self) -> None:
        """Every table as it was when taken (the rows a test left are removed first)."""
        with transaction.atomic(), connection.cursor() as cur:
            raw = cur.cursor
            cur.execute(
                "SET LOCAL session_replication_role = replica"
            )  # rows known to be consistent: no triggers
            cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in self.tables))
            for t, data in self.tables.items():
                if data:
                    with raw.copy(f'COPY "{t}" FROM STDIN (FORMAT binary)') as copy:
                        copy.write(data)
            for name, value, called in self.sequences:
                cur.execute("SELECT setval(%s, %s, %s)", [name, value, called])
