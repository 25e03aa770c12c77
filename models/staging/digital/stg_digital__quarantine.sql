{{ config(tags=['quarantine', 'pii']) }}

with

users as (
    {{ bankseg.quarantine_rows('base_digital__users', 'digital', 'users', 'user_id') }}
),

events as (
    {{ bankseg.landing_quarantine_rows('base_digital__events', 'digital', 'events', 'event_id') }}
),

unioned as (
    select * from users
    union all
    select * from events
)

select * from unioned
