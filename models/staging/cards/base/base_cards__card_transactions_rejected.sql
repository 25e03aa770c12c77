-- the fingerprint and original values of the rejected rows of base_cards__card_transactions (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows('base_cards__card_transactions', 'cards', 'card_transactions') }}
