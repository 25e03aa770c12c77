"""Fast, vectorised construction of Arrow string columns.

Large tables (tens of millions of rows) cannot afford Python string formatting,
so fixed-width values (ids, dates, timestamps) are assembled as numpy byte
arrays from lookup tables and handed to Arrow without a copy.  Days are
integers counted from 1970-01-01 throughout the generator.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = np.datetime64("1970-01-01", "D")
_TABLE_FIRST = np.datetime64("1900-01-01", "D")
_TABLE_LAST = np.datetime64("2200-01-01", "D")
_DATE_BASE = int((_TABLE_FIRST - EPOCH).astype(int))  # negative
_DATES = np.datetime_as_string(np.arange(_TABLE_FIRST, _TABLE_LAST, dtype="datetime64[D]")).astype("S10")
_TIMES = np.array(
    [f" {h:02d}:{m:02d}:{s:02d}".encode() for h in range(24) for m in range(60) for s in range(60)], dtype="S9"
)
_DIG4 = np.frombuffer(b"".join(f"{i:04d}".encode() for i in range(10000)), dtype="<u4")
_HEX4 = np.frombuffer(b"".join(f"{i:04x}".encode() for i in range(65536)), dtype="<u4")


def day_of(text: str) -> int:
    """'YYYY-MM-DD' -> day number."""
    return int((np.datetime64(text, "D") - EPOCH).astype(int))


def date_text(day: int) -> str:
    return str(EPOCH + np.timedelta64(int(day), "D"))


def _calendar_tables() -> tuple[np.ndarray, ...]:
    """Per-day (year, month, day of month, month number) and per-month (first day, length) lookup tables."""
    global _CAL_TABLES
    if _CAL_TABLES is None:
        d = np.arange(_TABLE_FIRST, _TABLE_LAST, dtype="datetime64[D]")
        mon = d.astype("datetime64[M]")
        y = d.astype("datetime64[Y]").astype(np.int64) + 1970
        m = mon.astype(np.int64) % 12 + 1
        dom = (d - mon).astype(np.int64) + 1
        mons = np.arange(mon[0], mon[-1] + 2, dtype="datetime64[M]")
        first = (mons.astype("datetime64[D]") - EPOCH).astype(np.int64)
        length = ((mons + 1).astype("datetime64[D]") - mons.astype("datetime64[D]")).astype(np.int64)
        _CAL_TABLES = (y, m, dom, mon.astype(np.int64) - mons[0].astype(np.int64), first, length)
    return _CAL_TABLES


_CAL_TABLES: tuple[np.ndarray, ...] | None = None


def _table_index(days) -> np.ndarray | None:
    """``days`` as indexes into the per-day tables, or None if any day (or the input type) is outside them."""
    a = np.asarray(days)
    if a.ndim == 0 or a.dtype.kind not in "iu" or a.size == 0:
        return None
    idx = a.astype(np.int64) - _DATE_BASE
    if idx.min() < 0 or idx.max() >= len(_DATES):
        return None
    return idx


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day of month of day numbers."""
    idx = _table_index(days)
    if idx is not None:  # table look-up (same values as the datetime64 arithmetic below)
        y, m, dom = _calendar_tables()[:3]
        return y[idx], m[idx], dom[idx]
    d = EPOCH + np.asarray(days).astype("timedelta64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    dom = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y, m, dom


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Same day of month ``months`` later, clipped to the month's last day (Jan 31 + 1 -> Feb 28)."""
    idx = _table_index(days)
    mo = np.asarray(months)
    if idx is not None and mo.dtype.kind in "iu":  # table look-up (same values as the arithmetic below)
        _, _, dom1, mon_i, first, length = _calendar_tables()
        t = mon_i[idx] + mo.astype(np.int64)
        if t.size and t.min() >= 0 and t.max() < len(first):
            return first[t] + np.minimum(dom1[idx] - 1, length[t] - 1)
    days = np.asarray(days, dtype=np.int64)
    d = EPOCH + days.astype("timedelta64[D]")
    mon = d.astype("datetime64[M]")
    dom = (d - mon.astype("datetime64[D]")).astype(np.int64)
    target = mon + np.asarray(months).astype("timedelta64[M]")
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64) - 1
    return (target.astype("datetime64[D]") - EPOCH).astype(np.int64) + np.minimum(dom, last)


def weekday(days: np.ndarray) -> np.ndarray:
    """Monday = 0 ... Sunday = 6."""
    return (np.asarray(days) + 3) % 7


# --------------------------------------------------------------------------- arrow


def from_fixed(buf: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """An Arrow string array over a numpy ``S<w>`` array (or 2-D uint8), no Python objects.

    Rows where ``valid`` is False are null.
    """
    if buf.ndim == 2:
        n, w = buf.shape
    else:
        n, w = len(buf), buf.dtype.itemsize
    raw = np.ascontiguousarray(buf)
    if n * w >= 2**31:
        half = n // 2
        return pa.concat_arrays(
            [from_fixed(raw[:half], None if valid is None else valid[:half]),
             from_fixed(raw[half:], None if valid is None else valid[half:])]
        )  # fmt: skip
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    bitmap, nulls = None, 0
    if valid is not None:
        valid = np.asarray(valid, dtype=bool)
        nulls = int(n - np.count_nonzero(valid))
        if nulls:
            bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), n, [bitmap, pa.py_buffer(offsets), pa.py_buffer(raw)], null_count=nulls)


def fixed_width(arr: pa.Array) -> int | None:
    """The common byte width of a null-free string array whose values all have one length, else None."""
    if not isinstance(arr, pa.StringArray) or arr.null_count or len(arr) == 0:
        return None
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    w = int(offs[1] - offs[0])
    if int(offs[-1] - offs[0]) != w * len(arr) or not np.all(np.diff(offs) == w):
        return None
    return w


def fixed_bytes(arr: pa.Array, w: int) -> np.ndarray:
    """The values of a fixed-width string array as ``S<w>`` (a copy)."""
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    start = int(offs[arr.offset])
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[start : start + w * len(arr)]
    return data.copy().view(f"S{w}")


def with_nulls(arr: pa.Array, valid: np.ndarray | None) -> pa.Array:
    if valid is None or bool(np.all(valid)):
        return arr
    return pc.if_else(pa.array(valid), arr, pa.scalar(None, arr.type))


def digits(nums: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits as ``S<width>`` (numbers must fit)."""
    x = np.asarray(nums, dtype=np.int64)
    groups = -(-width // 4)
    out = np.empty((len(x), groups), dtype="<u4")
    small = x.max(initial=0) < 2**31
    if small:
        x = x.astype(np.int32)
    for g in range(groups - 1, 0, -1):
        q, r = np.divmod(x, 10000)
        out[:, g] = _DIG4[r]
        x = q
    out[:, 0] = _DIG4[x]
    b = out.view(np.uint8).reshape(len(x), groups * 4)
    if groups * 4 != width:
        b = b[:, groups * 4 - width :]
    return np.ascontiguousarray(b).view(f"S{width}").ravel()


def hexdigits(nums: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded lowercase hex digits as ``S<width>`` (width a multiple of 4)."""
    x = np.asarray(nums, dtype=np.uint64)
    groups = width // 4
    out = np.empty((len(x), groups), dtype="<u4")
    for g in range(groups - 1, -1, -1):
        out[:, g] = _HEX4[(x & np.uint64(0xFFFF)).astype(np.int64)]
        x = x >> np.uint64(16)
    return out.view(np.uint8).reshape(len(x), width).copy().view(f"S{width}").ravel()


def concat_fixed(*parts: np.ndarray | bytes, n: int | None = None) -> np.ndarray:
    """Concatenate fixed-width byte parts (``S<w>`` arrays or bytes constants) row by row."""
    if n is None:
        n = next(len(p) for p in parts if isinstance(p, np.ndarray))
    widths = [len(p) if isinstance(p, bytes) else p.dtype.itemsize for p in parts]
    offsets = np.cumsum([0, *widths[:-1]]).tolist()
    dt = np.dtype({"names": [f"f{i}" for i in range(len(parts))], "formats": [f"S{w}" for w in widths],
                   "offsets": offsets, "itemsize": sum(widths)})  # fmt: skip
    out = np.empty(n, dtype=dt)
    for i, p in enumerate(parts):
        out[f"f{i}"] = p
    return out.view(f"S{sum(widths)}")


def date_bytes(days: np.ndarray) -> np.ndarray:
    idx = np.asarray(days, dtype=np.int64) - _DATE_BASE
    return _DATES[np.clip(idx, 0, len(_DATES) - 1)]


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DD' strings; rows where ``valid`` is False are null."""
    return from_fixed(date_bytes(days), valid)


def timestamps(days: np.ndarray, seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS' strings."""
    b = concat_fixed(date_bytes(days), _TIMES[np.asarray(seconds, dtype=np.int64) % 86400])
    return from_fixed(b, valid)


def ids(prefix: str, nums: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded number."""
    return from_fixed(concat_fixed(prefix.encode(), digits(nums, width)))


def constant(text: str, n: int) -> pa.Array:
    b = text.encode()
    if not b:
        return pa.array([""] * n, type=pa.string())
    return from_fixed(np.full(n, b, dtype=f"S{len(b)}"))


def take(vocab: list[str] | tuple[str, ...] | pa.Array, idx: np.ndarray) -> pa.Array:
    """Strings by index into a small vocabulary (negative index -> null)."""
    idx = np.asarray(idx)
    neg = idx.size and idx.min() < 0
    if not isinstance(vocab, pa.Array):
        enc = [v.encode() for v in vocab]
        if enc and len({len(e) for e in enc}) == 1 and len(enc[0]) > 0:  # equal widths: a numpy gather
            tab = np.array(enc, dtype=f"S{len(enc[0])}")
            return from_fixed(tab[np.where(idx < 0, 0, idx)] if neg else tab[idx], idx >= 0 if neg else None)
        vocab = pa.array(list(vocab), type=pa.string())
    if neg:
        return vocab.take(pa.array(np.where(idx < 0, 0, idx), mask=idx < 0))
    return vocab.take(pa.array(idx.astype(np.int64, copy=False)))


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays / scalars (null if any part is null)."""
    return pc.binary_join_element_wise(*parts, sep)


def num_text(nums: np.ndarray) -> pa.Array:
    """Decimal text of integers without padding."""
    return pc.cast(pa.array(np.asarray(nums, dtype=np.int64)), pa.string())


def rowwise_choice(cdf: np.ndarray, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Category per draw, each draw using its own row of a (rows, k) cumulative distribution.

    One ``searchsorted`` over the rows laid end to end (row r shifted by r), so millions of
    draws over thousands of distinct distributions cost one vectorised pass.  With few rows
    the same results come from a look-up table over ``u`` (see :func:`lookup_by_u`).
    """
    rows, k = cdf.shape
    c = cdf / cdf[:, -1:]
    flat = (c + np.arange(rows)[:, None]).ravel()
    row = np.asarray(row, dtype=np.int64)
    u = np.asarray(u)

    def exact(r: np.ndarray, uu: np.ndarray) -> np.ndarray:
        pos = r + uu * (1 - 1e-12)
        return np.clip(np.searchsorted(flat, pos, side="right") - r * k, 0, k - 1)

    if sorted_finite(flat):  # exact() is then non-decreasing in u for every row
        return lookup_by_u(exact, rows, row, u)
    return exact(row, u)


#: bins per table row of :func:`lookup_by_u` (a power of two, so ``u * LUT_BINS`` is exact)
LUT_BINS = 1024


def lookup_by_u(exact, rows: int, row: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``exact(row, u)`` for many draws, where ``exact`` is non-decreasing in ``u`` for each of ``rows`` rows.

    ``u`` in [0, 1) is cut into ``LUT_BINS`` bins of exactly representable edges; a bin whose lowest and
    highest ``u`` give the same result gives it for every ``u`` inside, so most draws are one table look-up
    and only those in bins straddling a threshold are computed with ``exact``.  Falls back to ``exact``
    for few draws or values outside the table.
    """
    n = len(row)
    if (
        n < 4 * rows * LUT_BINS
        or u.dtype != np.float64
        or u.shape != row.shape
        or row.min() < 0
        or row.max() >= rows
        or not (u.min() >= 0 and u.max() < 1)
    ):
        return exact(row, u)
    grid_row = np.repeat(np.arange(rows, dtype=np.int64), LUT_BINS)
    lo = exact(grid_row, np.tile(np.arange(LUT_BINS) / LUT_BINS, rows))
    hi = exact(grid_row, np.tile(np.nextafter(np.arange(1, LUT_BINS + 1) / LUT_BINS, 0), rows))
    idx = row * LUT_BINS + (u * LUT_BINS).astype(np.int64)
    out = lo[idx]
    amb = np.flatnonzero((lo != hi)[idx])
    if len(amb):
        out[amb] = exact(row[amb], u[amb])
    return out


def sorted_finite(a: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(a)) and np.all(a[1:] >= a[:-1]))
