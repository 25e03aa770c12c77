-- the rejected rows of base_digital__events: record key, reason, fingerprint and original values (doc rejected_landing_rows)
{{ bankseg.rejected_landing_rows(
    'base_digital__events', 'digital', 'events', 'event_id'
) }}
