"""A short, human summary of a built warehouse: what was built and what was quarantined."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

LAYER_SCHEMAS = ("reference", "staging", "intermediate", "marts")


@dataclass
class WarehouseSummary:
    """Relation counts per layer, row counts of staging tables and marts, quarantine totals."""

    warehouse: Path
    relations: dict[str, int] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    quarantine: list[tuple[str, str, int]] = field(default_factory=list)

    def lines(self, docs: Path | None = None) -> list[str]:
        out = [f"Warehouse: {self.warehouse}"]
        if docs is not None:
            out.append(f"Docs:      {docs}  (open it, or run: .venv/bin/dbt docs serve)")
        out.append("Built:     " + ", ".join(f"{n} {schema} relations" for schema, n in self.relations.items() if n))
        if self.row_counts:
            out.append("Rows:")
            width = max(len(k) for k in self.row_counts)
            out += [f"  {name:<{width}}  {rows:>12,}" for name, rows in self.row_counts.items()]
        total_q = sum(n for _, _, n in self.quarantine)
        out.append(f"Quarantined rows: {total_q:,}" + (" (by source table):" if total_q else ""))
        out += [f"  {system}.{table}: {n:,}" for system, table, n in self.quarantine]
        return out


def summarize(warehouse: Path | str) -> WarehouseSummary:
    """Read a built warehouse read-only and collect its summary."""
    path = Path(warehouse)
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}; run `make build` (or dbt build) first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        summary = WarehouseSummary(warehouse=path.resolve())
        rel = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables "
            "where table_schema in ('reference', 'staging', 'intermediate', 'marts') "
            "order by table_schema, table_name"
        ).fetchall()
        for schema in LAYER_SCHEMAS:
            summary.relations[schema] = sum(1 for s, _, _ in rel if s == schema)
        for schema, name, kind in rel:
            if kind != "BASE TABLE" or schema == "reference" or name.endswith("quarantine"):
                continue
            (n,) = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
            summary.row_counts[f"{schema}.{name}"] = n
        quarantine_tables = [(s, n) for s, n, _ in rel if s == "staging" and n.endswith("__quarantine")]
        for schema, name in quarantine_tables:
            summary.quarantine += con.execute(
                f'select source_system, source_table, count(*) from "{schema}"."{name}" group by all order by all'
            ).fetchall()
        return summary
    finally:
        con.close()
