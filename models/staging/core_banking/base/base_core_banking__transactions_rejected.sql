-- the rejected rows of base_core_banking__transactions: record key, reason, fingerprint and original values (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows(
    'base_core_banking__transactions', 'core_banking', 'transactions', 'transaction_id'
) }}
