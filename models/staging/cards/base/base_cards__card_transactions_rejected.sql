-- the rejected rows of base_cards__card_transactions: record key, reason, fingerprint and original values (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows(
    'base_cards__card_transactions', 'cards', 'card_transactions', 'card_transaction_id'
) }}
