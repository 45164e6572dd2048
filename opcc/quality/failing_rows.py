"""Failing rows at any scale: which rows failed a rule, in order, with their keys, and a bounded record of them.

Great Expectations finds each failing row's keys (`unexpected_index_column_names`) with a Python loop
(about 100 µs a row and key), so a broken input that fails a million rows took minutes, and its
results file and Data Docs held a million entries. Here GE returns the failing rows' positions (the
frame has its default RangeIndex, so GE's index list is plain integers) and the keys are read from
the frame with numpy; the same rows, with the same values, as GE's loop read them. The results kept
for Data Docs hold the first KEPT_ROWS failing rows of each rule with their keys (the exact count is
kept beside them), in the form GE's own `unexpected_index_column_names` gives, so the pages show them
as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

KEPT_ROWS = 200  # failing rows per rule kept in the results file, for Data Docs (which show up to 10 values' first 10 rows)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A value as a reader orders it: 'row 5' before 'row 14'."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in _DIGITS.split(text))


def scalars(series, positions: np.ndarray) -> list:
    """The column's values at these positions as `DataFrame.at` gives them: numpy scalars for numbers,
    Timestamps for times, pd.NA for a missing value of a nullable integer, the objects themselves otherwise."""
    import pandas as pd

    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "biufc":
        return list(series.to_numpy()[positions])
    if isinstance(series.dtype, np.dtype | pd.StringDtype):
        return series.iloc[positions].tolist()
    return list(series.array.take(positions))  # nullable integers and booleans (slower, and rarer)


def _ranks(series, positions: np.ndarray) -> np.ndarray:
    """Each row's rank in the natural order of its value's text (equal texts, equal ranks), computed
    once per distinct value."""
    import pandas as pd

    values = series.iloc[positions]
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    distinct, first = np.unique(codes, return_index=True)
    present = distinct >= 0
    texts = {int(code): str(v) for code, v in zip(distinct[present], scalars(values, first[present]), strict=True)}
    codes = codes.astype(np.int64)
    missing = np.flatnonzero(codes < 0)
    if len(missing):  # None, NaN, NaT: each row as it reads ('None', 'nan'), rare enough to read one by one
        spelled = [str(v) for v in values.iloc[missing].tolist()]
        extra = {text: -2 - n for n, text in enumerate(dict.fromkeys(spelled))}
        codes[missing] = [extra[text] for text in spelled]
        texts.update({code: text for text, code in extra.items()})
    keys = {code: natural_key(text) for code, text in texts.items()}
    ordered = sorted(keys, key=keys.__getitem__)
    ranks, rank, previous = [], -1, None
    for code in ordered:
        rank += keys[code] != previous
        ranks.append(rank)
        previous = keys[code]
    offset = -min(keys, default=0)  # codes run from -(1 + the missing values' spellings) up
    lookup = np.zeros(offset + max(keys, default=0) + 1, dtype=np.int64)
    lookup[np.array(ordered, dtype=np.int64) + offset] = ranks
    return lookup[codes + offset]


def natural_order(frame, positions: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """The positions ordered by their rows' keys as a reader orders them, first key first; rows whose
    keys read the same keep their order (a stable sort)."""
    keys = [k for k in keys if k in frame.columns]
    if not keys or len(positions) < 2:
        return positions
    return positions[np.lexsort([_ranks(frame[k], positions) for k in reversed(keys)])]


def key_columns(domain: Sequence[str], index_columns: Sequence[str]) -> list[str]:
    """The columns of each failing row's record, in GE's order: the rule's first column, the
    identifying columns, then the rule's other columns."""
    return list(dict.fromkeys([*domain[:1], *index_columns, *domain[1:]]))


def records(frame, positions: np.ndarray, columns: Sequence[str]) -> list[dict]:
    """Each row's values of these columns as plain Python values (GE writes the same JSON for them,
    and copies them several times over before it does)."""
    values = [frame[c].iloc[positions].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


class FailingRows(Sequence):
    """Every failing row's record (its values of `columns`, as GE records a failing row), in order:
    the rows are taken from the frame at once, and each row's dict is made only when it is read, so
    a million failing rows cost what a finding's first five do, unless every one is read."""

    def __init__(self, frame, positions: np.ndarray, columns: Sequence[str]):
        self.columns = list(columns)
        self._rows = frame[self.columns].take(positions)
        self._values: list[list] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, which):
        if isinstance(which, slice):
            return [self[n] for n in range(*which.indices(len(self)))]
        if self._values is not None:
            return dict(zip(self.columns, (v[which] for v in self._values), strict=True))
        taken = np.array([range(len(self))[which]])
        return {c: scalars(self._rows[c], taken)[0] for c in self.columns}

    def __iter__(self):
        if self._values is None:
            positions = np.arange(len(self))
            self._values = [scalars(self._rows[c], positions) for c in self.columns]
        for row in zip(*self._values, strict=True):
            yield dict(zip(self.columns, row, strict=True))

    def __repr__(self) -> str:
        return f"<{len(self)} failing rows: {', '.join(self.columns)}>"


def positions_of(details: dict) -> np.ndarray | None:
    """The failing rows' positions GE listed (COMPLETE, default index), or None if it listed none."""
    listed = details.get("unexpected_index_list")
    if not listed or not all(isinstance(v, int | np.integer) for v in listed[:1]):
        return None
    return np.asarray(listed, dtype=np.int64)


def domain_of(kwargs: dict) -> list[str]:
    if isinstance(kwargs.get("column"), str):
        return [kwargs["column"]]
    if "column_A" in kwargs and "column_B" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def keep_bounded(item, frame, index_columns: Sequence[str]) -> None:
    """One rule's result as it is kept for Data Docs: its first KEPT_ROWS failing rows, each with
    its keys (as GE records them given `unexpected_index_column_names`), and the exact count."""
    details = item.result or {}
    if not index_columns or "unexpected_index_list" not in details:
        return
    details["unexpected_index_column_names"] = list(index_columns)
    positions = positions_of(details)
    if positions is None:
        return
    columns = key_columns(domain_of(item.expectation_config.kwargs), index_columns)
    kept = records(frame, positions[:KEPT_ROWS], columns)
    details["unexpected_index_list"] = kept
    details["partial_unexpected_index_list"] = kept[: len(details.get("partial_unexpected_index_list") or [])]
    if "unexpected_list" in details:
        details["unexpected_list"] = details["unexpected_list"][:KEPT_ROWS]
    if len(positions) > KEPT_ROWS:
        details.pop("unexpected_index_query", None)  # every failing row's position: unbounded, and of no use to a reader
        details["unexpected_rows_kept"] = KEPT_ROWS


def validate_unstored(definition, frame, parameters: dict, result_format: dict, run_id):
    """What ValidationDefinition.run does but for storing the result (GE's run() stores all of it, a
    million failing rows and all): the result, and what store() needs."""
    import pandas as pd
    from great_expectations.constants import DATAFRAME_REPLACEMENT_STR
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.validator.v1_validator import Validator

    if not frame.index.equals(pd.RangeIndex(len(frame))):  # GE lists failing rows by index: positions, read back with take()
        raise ValueError("a suite's frame is validated with its default index (0, 1, 2, ...)")
    validator = Validator(
        batch_definition=definition.batch_definition, batch_parameters={"dataframe": frame}, result_format=result_format
    )
    result = validator.validate_expectation_suite(definition.suite, parameters)
    run_id = run_id or RunIdentifier(run_time=datetime.now(UTC))
    result.meta.update(
        validation_id=definition.id, checkpoint_id=None, run_id=run_id, validation_time=run_id.run_time,
        batch_parameters={"dataframe": DATAFRAME_REPLACEMENT_STR},
    )
    return result, definition._get_expectation_suite_and_validation_result_ids(validator=validator, run_id=run_id)


def store(definition, result, ids, frame, index_columns: Sequence[str]) -> None:
    """The result kept for Data Docs, each rule's failing rows bounded (keep_bounded)."""
    for item in result.results:
        keep_bounded(item, frame, index_columns)
    suite_id, result_id = ids
    definition._validation_results_store.store_validation_results(
        suite_validation_result=result, suite_validation_result_identifier=result_id, expectation_suite_identifier=suite_id
    )
