"""bankseg: a dbt + DuckDB customer-segmentation warehouse for a retail bank.

The package holds everything the dbt project calls into or that runs beside it:
the landing contract, the synthetic bank generator, importers for public data
sets, segmentation logic used by the Python dbt models, evaluation and the CLI.
"""

__version__ = "0.1.0"
