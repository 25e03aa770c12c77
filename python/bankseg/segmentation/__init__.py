"""Customer segmentation: pure functions the dbt Python models call (no dbt, no database).

Two views of the same customers:

- **value tiers** (management view, :mod:`.tiers`): high_value, potential, mass, at_risk, churned, new and
  inactive from recency, frequency, monetary value and assets, with thresholds from a config seed and bank-style
  hysteresis (upgrade at the next month end, downgrade after N consecutive months below);
- **behavioural clusters** (data-mining view): a robust feature matrix (:mod:`.features`), k chosen by
  silhouette, Davies-Bouldin and stability across seeds (:mod:`.clustering`), cluster ids kept stable from run
  to run by Hungarian matching of centroids, readable personas (:mod:`.personas`), a JSON model registry entry
  that can re-assign any month (:mod:`.registry`), drift checks that say when to refit (:mod:`.drift`) and the
  whole fit in one call (:mod:`.pipeline`).

:mod:`.suitability` holds the offer rule (product risk rating R1-R5 against the KYC risk level C1-C5) and
:mod:`.config` reads parameter seeds (``parameter,value`` tables) into dicts.
"""
