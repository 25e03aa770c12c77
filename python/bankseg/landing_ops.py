"""Pure operations on landing tables, for replaying deliveries in tests.

The incremental models are proved by building a warehouse on an *earlier* landing state, adding a
later delivery as a new part file and building again.  :func:`hold_back` splits one landing table
(an Arrow table in the contract's layout) into the rows delivered earlier and the rows a later daily
extract delivers: every row dated on the data's last day plus a few rows dated some days before it
(late-arriving postings).  The held-back rows are re-stamped with the later extract's ``extracted_at``.

Nothing here reads or writes files; :func:`bankseg.contract.write_table` writes the results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

#: The timestamp formats staging accepts (the default of var('timestamp_formats') in
#: macros/cleaning/parse_dates.sql); a text that matches none of them has no date.
TIMESTAMP_FORMATS: tuple[str, ...] = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_day(text: str | None, formats: Sequence[str] = TIMESTAMP_FORMATS) -> dt.date | None:
    """The calendar day of a landing timestamp text, or None when it is missing or unparseable.

    Mirrors staging: the text is trimmed and tried against each format in turn.
    """
    if text is None:
        return None
    value = text.strip()
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def daily_extract_time(day: dt.date, hour: int = 6) -> str:
    """``extracted_at`` of the daily extract that delivers ``day``: the next morning, as landing text."""
    return f"{(day + dt.timedelta(days=1)).isoformat()} {hour:02d}:00:00"


def last_day(table: pa.Table, ts_column: str = "transaction_ts") -> dt.date:
    """The latest parseable day in ``ts_column``; ValueError when no row has one."""
    days = [d for d in (parse_day(t) for t in table.column(ts_column).to_pylist()) if d is not None]
    if not days:
        raise ValueError(f"no parseable {ts_column} in {table.num_rows} rows")
    return max(days)


@dataclass(frozen=True)
class HeldBack:
    """One landing table split into an earlier delivery and a later one."""

    earlier: pa.Table
    """The rows delivered before the later extract (unchanged)."""
    later: pa.Table
    """The held-back rows, ``extracted_at`` set to the later extract's time."""
    keys: frozenset[str]
    """Record keys of the held-back rows (every row of such a key is held back)."""
    late_keys: frozenset[str]
    """The subset of ``keys`` dated before the last day: late-arriving postings."""
    last_day: dt.date
    extracted_at: str


def hold_back(
    table: pa.Table,
    *,
    key_column: str,
    ts_column: str = "transaction_ts",
    day: dt.date | None = None,
    late_days: Iterable[int] = (2, 3),
    late_rows_per_day: int = 3,
    extracted_at: str | None = None,
) -> HeldBack:
    """Hold back the rows of the last day (and a few late-arriving rows) of a landing table.

    ``day`` is the last day (default: :func:`last_day`).  Held back are
      * every row whose ``ts_column`` falls on ``day``, and
      * for each ``n`` in ``late_days``, the rows of the ``late_rows_per_day`` smallest keys dated
        ``day - n`` (a deterministic choice of late-arriving postings),
    together with every other row sharing a held-back key, so a key is never split between the two
    deliveries.  The held-back rows get ``extracted_at`` (default: :func:`daily_extract_time` of ``day``).
    Row order within each part is kept.
    """
    if late_rows_per_day < 0:
        raise ValueError(f"late_rows_per_day must be >= 0, got {late_rows_per_day}")
    for col in (key_column, ts_column, "extracted_at"):
        if col not in table.column_names:
            raise KeyError(f"column {col!r} not in table (columns: {table.column_names})")
    days = [parse_day(t) for t in table.column(ts_column).to_pylist()]
    keys = table.column(key_column).to_pylist()
    if day is None:
        day = last_day(table, ts_column)
    stamp = extracted_at if extracted_at is not None else daily_extract_time(day)

    last_keys = {k for k, d in zip(keys, days, strict=True) if d == day and k is not None}
    late_keys: set[str] = set()
    for n in sorted(set(late_days)):
        if n <= 0:
            raise ValueError(f"late_days must be positive, got {n}")
        earlier_day = day - dt.timedelta(days=n)
        candidates = sorted({k for k, d in zip(keys, days, strict=True) if d == earlier_day and k is not None})
        late_keys.update(k for k in candidates[:late_rows_per_day] if k not in last_keys)
    held_keys = last_keys | late_keys

    mask = [(k in held_keys) or (k is None and d == day) for k, d in zip(keys, days, strict=True)]
    mask_arr = pa.array(mask, type=pa.bool_())
    earlier = table.filter(pc.invert(mask_arr))
    later = table.filter(mask_arr)
    idx = later.schema.get_field_index("extracted_at")
    later = later.set_column(
        idx,
        later.schema.field(idx),
        pa.array([stamp] * later.num_rows, type=later.schema.field(idx).type),
    )
    return HeldBack(
        earlier=earlier,
        later=later,
        keys=frozenset(held_keys),
        late_keys=frozenset(late_keys),
        last_day=day,
        extracted_at=stamp,
    )
