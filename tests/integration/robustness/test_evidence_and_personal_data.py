"""Raw files are evidence (never changed, every one hashed, a changed one is a resubmission);
personal data in a return is quarantined and copied nowhere."""

import hashlib
import re

import duckdb

from opcc.core import warehouse as wh
from opcc.quality import quality_dir
from orchestration.commands.refresh import run_refresh

PERSONAL = {
    "email": "jane.doe@example.org",
    "ni_number": "QQ 12 34 56 C",
    "phone": "07700 900123",
    "birth": "DOB 12/03/1987",
    "address": "12 High Street, Leicester LE1 5AB",
    "name": "Mrs Janeth Doughnut",
}


def fingerprint(raw):
    return {
        p.relative_to(raw).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(raw.rglob("*"))
        if p.is_file()
    }


def test_raw_is_evidence_and_personal_data_stays_out(warehouse_copy, raw_copy):
    q1, q2 = raw_copy / "returns" / "2016-17 Q1", raw_copy / "returns" / "2016-17 Q2"
    # A provider's file edited after the warehouse loaded it (the bundled warehouse has the original).
    edited = q1 / "LEI-002.csv"
    edited.write_text(edited.read_text(encoding="utf-8").replace("spend_gbp,", "spend_gbp,1", 1), encoding="utf-8")
    # A return with a column of names, and one with personal details in its comments.
    with_names = q2 / "LEI-003.csv"
    lines = with_names.read_text(encoding="utf-8").splitlines()
    with_names.write_text("\n".join([lines[0] + ",client_name"] + [line + ",Janeth Doughnut" for line in lines[1:]]) + "\n", encoding="utf-8")
    texts = list(PERSONAL.values())
    for name in ("LEI-004.csv", "LEI-006.csv"):  # personal details in the comments of two returns
        chatty = q2 / name
        lines = chatty.read_text(encoding="utf-8").splitlines()
        for i in range(1, len(lines)):
            if texts:
                lines[i] = ",".join([*lines[i].split(",")[:4], f'"{texts.pop()}"'])
        chatty.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not texts
    before = fingerprint(raw_copy)

    outcome = run_refresh(warehouse_copy, raw_copy, progress=False)
    assert outcome.success, outcome.reason

    assert fingerprint(raw_copy) == before, "the pipeline must not modify, add or delete anything under raw/"
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        recorded = dict(con.execute("select path, sha256 from audit.loaded_files").fetchall())
        assert recorded == {path: sha for path, (sha, _) in before.items() if not path.endswith(".md")}

        changed = con.execute(
            "select submission_number, is_on_disk, file_changed_after_loading, is_latest from marts.fct_return_submissions "
            "where contract_id = 'LEI-002' and period = '2016-17 Q1' order by submission_number"
        ).fetchall()
        assert changed == [(1, False, False, False), (2, True, True, True)]
        status = con.execute(
            "select return_status from marts.fct_contract_quarter where contract_id = 'LEI-002' and period = '2016-17 Q1'"
        ).fetchone()[0]
        assert status == "resubmitted"

        quarantined = con.execute(
            "select path, column_name, value, reason from audit.quarantined_rows where path in "
            "('returns/2016-17 Q2/LEI-003.csv', 'returns/2016-17 Q2/LEI-004.csv', 'returns/2016-17 Q2/LEI-006.csv')"
        ).fetchall()
        names = [q for q in quarantined if q[0].endswith("LEI-003.csv")]
        assert names and all(q[1] == "client_name" and "personal data" in q[3] for q in names)
        details = [q for q in quarantined if not q[0].endswith("LEI-003.csv")]
        assert len(details) == len(PERSONAL)
        assert all(q[2] == "[withheld: may be personal data]" and q[3].startswith("personal data") for q in details)

        # Nowhere in the warehouse: every text column of every table (views only read tables).
        pattern = "|".join(re.escape(t) for t in [*PERSONAL.values(), "Janeth"])
        tables = con.execute(
            """
            select c.table_schema, c.table_name, list('"' || c.column_name || '"')
            from information_schema.columns c
            join information_schema.tables t using (table_schema, table_name)
            where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR'
            group by all
            """
        ).fetchall()
        assert len(tables) > 30
        for schema, table, columns in tables:
            hits = con.execute(
                f"select count(*) from {schema}.{table} where regexp_matches(concat_ws(' ', {', '.join(columns)}), ?)", [pattern]
            ).fetchone()[0]
            assert hits == 0, (schema, table)
    # Nor in the logs, Data Docs or review packs the refresh wrote.
    written = [wh.refresh_log_path(warehouse_copy), *quality_dir(warehouse_copy).rglob("*.*"), *wh.reports_dir(warehouse_copy).rglob("*.*")]
    for path in written:
        if path.is_file() and path.suffix in (".log", ".html", ".json", ".csv"):
            content = path.read_text(encoding="utf-8", errors="replace")
            for text in [*PERSONAL.values(), "Janeth"]:
                assert text not in content, (path, text)
