-- the rejected rows of base_core_banking__balances: record key, reason, fingerprint and original values (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows(
    'base_core_banking__balances', 'core_banking', 'balances', "concat_ws('|', account_id, balance_date)"
) }}
