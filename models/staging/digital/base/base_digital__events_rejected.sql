-- the fingerprint and original values of the rejected rows of base_digital__events (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows('base_digital__events', 'digital', 'events') }}
