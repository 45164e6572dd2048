"""PackRows: one query for every pack of a run, and one commissioner's unreadable row failing only its own pack."""

import duckdb
import pytest

from opcc.reporting.pack_rows import PackRows


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "packs.duckdb")) as con:
        con.execute("create table spend (commissioner_code varchar, contract_id varchar, amount varchar)")
        con.execute(
            "insert into spend values ('AAA', 'A-2', '20'), ('AAA', 'A-1', '10'), ('BBB', 'B-1', 'not a number'), "
            "('CCC', 'C-1', '30')"
        )
        yield con


def select(rows: PackRows, commissioner: str):
    return rows.select("contract_id, cast(amount as integer) as amount", "spend", "commissioner_code = $commissioner",
                       "contract_id", {}, commissioner)


def test_each_pack_gets_its_own_rows_in_its_order(con):
    rows = PackRows(con, "2016-17 Q1", ["AAA", "CCC", "DDD"])
    columns, aaa = rows.select("contract_id", "spend", "commissioner_code = $commissioner", "contract_id", {}, "AAA")
    assert columns == ["contract_id"] and aaa == [("A-1",), ("A-2",)]
    assert rows.select("contract_id", "spend", "commissioner_code = $commissioner", "contract_id", {}, "DDD")[1] == []


def test_a_row_one_commissioner_cannot_read_fails_that_commissioners_pack_only(con):
    rows = PackRows(con, "2016-17 Q1", ["AAA", "BBB", "CCC"])
    assert select(rows, "AAA") == (["contract_id", "amount"], [("A-1", 10), ("A-2", 20)])
    with pytest.raises(duckdb.ConversionException):
        select(rows, "BBB")
    assert select(rows, "CCC") == (["contract_id", "amount"], [("C-1", 30)])


def test_a_pack_read_alone_still_says_why_it_cannot_be_read(con):
    with pytest.raises(duckdb.ConversionException):
        select(PackRows(con, "2016-17 Q1", ["BBB"]), "BBB")
