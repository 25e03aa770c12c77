"""Parameters from a seed table or a dict.

A parameter seed is a table with (at least) the columns ``parameter`` and ``value``; dbt loads seeds as text
or numbers, so values are parsed here: ``true``/``false`` become booleans, numbers become ``int`` or ``float``,
and a value with ``|`` becomes a list of parsed items (``30|60|90`` -> ``[30, 60, 90]``). A dict is accepted
as it is, with string values parsed the same way, so a YAML or JSON config works too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

ConfigLike = Mapping[str, Any] | pd.DataFrame

LIST_SEPARATOR = "|"


def parse_value(value: Any) -> Any:
    """Parse one seed value: booleans, numbers and ``|``-separated lists; anything else is returned as is."""
    if isinstance(value, str):
        text = value.strip()
        if LIST_SEPARATOR in text:
            return [parse_value(part) for part in text.split(LIST_SEPARATOR) if part.strip() != ""]
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            return text
    return value


def read_config(config: ConfigLike) -> dict[str, Any]:
    """Return the parameters of a seed table (columns ``parameter`` and ``value``) or a dict as a parsed dict.

    Raises ``ValueError`` when the table lacks the two columns or names a parameter twice.
    """
    if isinstance(config, pd.DataFrame):
        missing = {"parameter", "value"} - set(config.columns)
        if missing:
            raise ValueError(f"config table needs the columns parameter and value; missing {sorted(missing)}")
        names = config["parameter"].astype(str).str.strip()
        duplicated = sorted(set(names[names.duplicated()]))
        if duplicated:
            raise ValueError(f"config table names these parameters more than once: {duplicated}")
        return {name: parse_value(value) for name, value in zip(names, config["value"], strict=True)}
    return {str(key): parse_value(value) for key, value in config.items()}


def require(config: Mapping[str, Any], keys: Iterable[str], what: str) -> None:
    """Raise ``KeyError`` naming every key of ``keys`` missing from ``config`` (``what`` says whose keys)."""
    missing = [key for key in keys if key not in config]
    if missing:
        raise KeyError(f"{what} config is missing {missing}")


def as_list(value: Any) -> list[Any]:
    """A parsed config value as a list (a scalar becomes a one-item list, ``None`` or ``""`` an empty one)."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]
