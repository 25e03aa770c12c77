-- the fingerprint and original values of the rejected rows of base_core_banking__transactions (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows('base_core_banking__transactions', 'core_banking', 'transactions') }}
