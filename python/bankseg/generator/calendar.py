"""The generation window, its months and day-level seasonality.

Days are integers from 1970-01-01.  The window is ``months`` whole months
ending at the end date's month; the last month is cut at the end date.
Seasonal day weights (profiles) let event dates follow real rhythms: paydays,
month-end bills, the Spring Festival run-up, Golden Week, Singles' Day (11.11).
"""

from __future__ import annotations

import numpy as np

from bankseg.generator import textfmt as tf
from bankseg.generator.reference import SPRING_FESTIVAL

#: hour-of-day weights per channel (24 values), used for event times
_HOURS = {
    "BRN": [0] * 9 + [6, 9, 9, 6, 6, 8, 8, 7, 4] + [0] * 6,
    "ATM": [0.2] * 6 + [1, 2, 3, 4, 5, 6, 6, 5, 5, 5, 6, 7, 8, 8, 6, 4, 2, 1],
    "POS": [0.1] * 6 + [0.5, 1, 2, 3, 4, 6, 8, 5, 4, 4, 5, 7, 9, 8, 6, 4, 2, 1],
    "MOB": [0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 1, 2, 4, 5, 5, 6, 7, 6, 5, 5, 6, 7, 8, 9, 10, 10, 7, 3],
    "WEB": [0.2] * 6 + [0.5, 1, 3, 7, 8, 8, 6, 6, 7, 8, 7, 5, 4, 4, 4, 3, 2, 1],
    "TRF": [4, 6, 8, 6, 3, 2, 1, 1, 2, 3, 3, 3, 2, 2, 3, 3, 3, 2, 1, 1, 1, 1, 1, 2],
}


class Calendar:
    def __init__(self, end_day: int, months: int):
        self.end = int(end_day)
        end_month = (tf.EPOCH + np.timedelta64(self.end, "D")).astype("datetime64[M]")
        first = end_month - np.timedelta64(months - 1, "M")
        mstarts = np.arange(first, end_month + 2, dtype="datetime64[M]").astype("datetime64[D]")
        starts = (mstarts - tf.EPOCH).astype(np.int64)
        self.months = months
        self.month_start = starts[:-1]
        self.month_last = starts[1:] - 1  # true last day of the month
        self.month_end = np.minimum(self.month_last, self.end)  # capped at the end date
        self.start = int(self.month_start[0])
        self.ndays = self.end - self.start + 1
        days = np.arange(self.start, self.end + 1)
        self.day_month = np.searchsorted(self.month_start, days, side="right") - 1
        y, m, dom = tf.ymd(days)
        self.year, self.month_of_year, self.dom = y, m, dom
        self.month_year, self.month_moy, _ = tf.ymd(self.month_start)
        wd = tf.weekday(days)
        weekend = wd >= 5
        last = self.month_last[self.day_month]
        month_end_days = days >= last - 2
        sf = np.zeros(self.ndays)  # days to the nearest Spring Festival, signed
        sf[:] = 999
        for yr in range(int(y.min()) - 1, int(y.max()) + 2):
            if yr in SPRING_FESTIVAL:
                delta = days - tf.day_of(SPRING_FESTIVAL[yr])
                sf = np.where(np.abs(delta) < np.abs(sf), delta, sf)
        pre_sf = (sf >= -21) & (sf < 0)
        sf_holiday = (sf >= 0) & (sf <= 6)
        golden = (m == 10) & (dom <= 7)
        singles = (m == 11) & (dom == 11)
        double12 = (m == 12) & (dom == 12)
        mid618 = (m == 6) & (dom == 18)
        w = {}
        spend = np.ones(self.ndays)
        spend *= np.where(weekend, 1.25, 1.0)
        spend *= np.where(month_end_days, 1.15, 1.0)
        spend *= np.where((dom >= 10) & (dom <= 12) | (dom >= 25) & (dom <= 27), 1.15, 1.0)
        spend *= np.where(pre_sf, 1.8, 1.0) * np.where(sf_holiday, 0.8, 1.0)
        spend *= np.where(golden, 1.4, 1.0) * np.where(singles, 2.5, 1.0) * np.where(double12 | mid618, 1.5, 1.0)
        w["spend"] = spend
        general = np.where(weekend, 0.6, 1.0) * np.where(month_end_days, 1.3, 1.0)
        general *= np.where(sf_holiday, 0.4, 1.0) * np.where(golden, 0.5, 1.0)
        w["general"] = general
        digital = np.where(weekend, 1.1, 1.0) * np.where((sf >= -10) & (sf <= 3), 1.3, 1.0)
        digital *= np.where(singles, 1.6, 1.0) * np.where(month_end_days, 1.1, 1.0)
        w["digital"] = digital
        card = np.where(weekend, 1.3, 1.0) * np.where(pre_sf, 1.6, 1.0) * np.where(golden, 1.6, 1.0)
        card *= np.where(singles, 4.0, 1.0) * np.where(double12 | mid618, 2.0, 1.0)
        w["card"] = card
        w["flat"] = np.ones(self.ndays)
        self.weights = w
        self._cum = {k: np.concatenate([[0.0], np.cumsum(v)]) for k, v in w.items()}
        # month factor: average day weight of the month relative to the profile's overall average
        self.month_factor = {}
        for k, v in w.items():
            per_month = np.bincount(self.day_month, weights=v, minlength=months) / np.maximum(
                np.bincount(self.day_month, minlength=months), 1
            )
            self.month_factor[k] = per_month / v.mean()
        self.is_pre_spring_festival_month = np.bincount(self.day_month, weights=pre_sf, minlength=months) > 7
        # year-end bonuses are paid once a year, about two weeks before Spring Festival
        self.is_bonus_month = np.zeros(months, dtype=bool)
        for yr in range(int(self.month_year.min()), int(self.month_year.max()) + 1):
            if yr in SPRING_FESTIVAL:
                m = int(self.month_of(np.array([tf.day_of(SPRING_FESTIVAL[yr]) - 14]))[0])
                if 0 <= m < months and self.month_start[m] <= tf.day_of(SPRING_FESTIVAL[yr]) - 14 <= self.end:
                    self.is_bonus_month[m] = True
        self._hour_cdf = {}
        for ch, hw in _HOURS.items():
            a = np.asarray(hw, dtype=float)
            self._hour_cdf[ch] = np.cumsum(a) / a.sum()

    # ------------------------------------------------------------------ draws

    def month_of(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_start, days, side="right") - 1

    def draw_days(self, lo: np.ndarray, hi: np.ndarray, u: np.ndarray, profile: str = "general") -> np.ndarray:
        """Day numbers in ``[lo, hi]`` (clipped to the window) drawn with the profile's day weights."""
        c = self._cum[profile]
        lo_i = np.clip(np.asarray(lo) - self.start, 0, self.ndays - 1)
        hi_i = np.clip(np.asarray(hi) - self.start, 0, self.ndays - 1)
        hi_i = np.maximum(hi_i, lo_i)
        a = c[lo_i]
        b = c[hi_i + 1]
        pos = a + u * (b - a)
        d = np.searchsorted(c, pos, side="right") - 1
        return np.clip(d, lo_i, hi_i) + self.start

    def draw_seconds(self, channel: str, u: np.ndarray, u2: np.ndarray) -> np.ndarray:
        """Second of day for events on a channel (hour by the channel's hour profile)."""
        cdf = self._hour_cdf[channel]
        u = np.asarray(u)

        def exact(_row, uu):
            return np.minimum(np.searchsorted(cdf, uu, side="right"), 23)

        if tf.sorted_finite(cdf) and u.ndim == 1:  # exact() is non-decreasing in u: table look-up
            hour = tf.lookup_by_u(exact, 1, np.zeros(len(u), dtype=np.int64), u)
        else:
            hour = exact(None, u)
        return hour * 3600 + (u2 * 3600).astype(np.int64)

    def draw_seconds_by(self, channel_idx: np.ndarray, channels: tuple[str, ...], rng: np.random.Generator):
        """Seconds of day where each row has its own channel (index into ``channels``)."""
        n = len(channel_idx)
        cdf = np.stack([self._hour_cdf[_HOUR_ALIAS.get(ch, ch)] for ch in channels])
        hour = tf.rowwise_choice(cdf, channel_idx, rng.random(n))
        return hour * 3600 + (rng.random(n) * 3600).astype(np.int64)


_HOUR_ALIAS = {"CC": "WEB", "SMS": "MOB", "EML": "WEB", "RM": "BRN", "XX9": "WEB"}
