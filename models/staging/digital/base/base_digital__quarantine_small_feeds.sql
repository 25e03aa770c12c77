{{ config(tags=['quarantine', 'pii']) }}
{#- the quarantine rows of the digital feeds other than the events (doc quarantine_view) -#}
with

users as (
    {{ bankseg.quarantine_rows('base_digital__users', 'digital', 'users', 'user_id') }}
)

select * from users
