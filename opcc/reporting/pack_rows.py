"""The rows of one period's review packs, read together for a set of commissioners (see PackRows)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter

import duckdb

from opcc.core.periods import Period

_PACK = '"pack_commissioner"'  # the column a query read for several packs adds: whose pack a row is for


class PackRows:
    """The rows of one period's packs for a set of commissioners, each query run once for all of them.

    A pack's query names its commissioner as `$commissioner`; here that is a column of a join with
    the set's commissioners, so one query reads every pack's rows, ordered by commissioner and then
    as the pack orders them, and each pack is handed its own. What every pack reads whole (the
    periods loaded, the quality rules' results) is read once. Building the packs of a refresh, the
    rows of forty commissioners take two dozen queries instead of a thousand; `opcc report` reads
    one pack's rows the same way, as a set of one. A query is run when a pack first asks for it, so a
    pack that cannot be built fails where it did when it read its rows alone.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, period: str, commissioners: Iterable[str]):
        self.con = con
        try:
            self.period = str(Period.parse(period))
        except ValueError:
            self.period = period
        self.commissioners = list(dict.fromkeys(commissioners))
        self._read: dict[tuple, tuple[list[str], dict[str, list[tuple]]] | None] = {}  # None: read pack by pack
        self._alone: dict[tuple, tuple[list[str], dict[str, list[tuple]]]] = {}
        self._shared: dict[str, object] = {}

    def covers(self, period: str, commissioner: str) -> bool:
        return period == self.period and commissioner in self.commissioners

    def select(self, select: str, source: str, where: str, order: str, params: dict, commissioner: str) -> tuple[list[str], list[tuple]]:
        """The commissioner's rows of `select ... from source where ... order by ...` (its columns and rows)."""
        key = (select, source, where, order, tuple(sorted(params.items())))
        if key not in self._read:
            try:
                self._read[key] = self._query(select, source, where, order, params, self.commissioners)
            except duckdb.Error:
                if len(self.commissioners) == 1:
                    raise
                # A row of one commissioner the query cannot read (a value it cannot cast ...) fails that
                # commissioner's pack, not every pack of the run: each reads its own rows from here on.
                self._read[key] = None
        read = self._read[key]
        if read is None:
            alone = (key, commissioner)
            if alone not in self._alone:
                self._alone[alone] = self._query(select, source, where, order, params, [commissioner])
            read = self._alone[alone]
        columns, rows = read
        return columns, rows.get(commissioner, [])

    def _query(self, select: str, source: str, where: str, order: str, params: dict, commissioners: list[str]):
        joined = re.sub(r"\$commissioner\b", f"pack.{_PACK}", where)
        distinct, select = ("distinct ", select.removeprefix("distinct ")) if select.startswith("distinct ") else ("", select)
        sql = (
            f"select {distinct}pack.{_PACK}, {select} from {source}, (select unnest($pack_commissioners::varchar[]) as {_PACK}) as pack "
            f"where {joined} order by 1" + (f", {order}" if order else "")
        )
        named = {**params, "pack_commissioners": commissioners}
        used = set(re.findall(r"\$(\w+)", sql))
        relation = self.con.execute(sql, {name: value for name, value in named.items() if name in used})
        columns = [d[0] for d in relation.description][1:]
        rows = {code: [row[1:] for row in group] for code, group in groupby(relation.fetchall(), key=itemgetter(0))}
        return columns, rows

    def records(self, select: str, source: str, where: str, order: str, params: dict, commissioner: str) -> list[dict]:
        columns, rows = self.select(select, source, where, order, params, commissioner)
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def shared(self, name: str, read):
        """What every pack reads whole: `read(con)`, once."""
        if name not in self._shared:
            self._shared[name] = read(self.con)
        return self._shared[name]
