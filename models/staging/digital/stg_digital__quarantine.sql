{#- a view: its parts are tables already (doc quarantine_view) -#}
{{ config(materialized='view', tags=['quarantine', 'pii']) }}

with

small_feeds as (
    {{ bankseg.quarantine_table_rows('base_digital__quarantine_small_feeds') }}
),

events as (
    {{ bankseg.landing_quarantine_rows('base_digital__events', 'digital', 'events') }}
),

unioned as (
    select * from small_feeds
    union all
    select * from events
)

select * from unioned
