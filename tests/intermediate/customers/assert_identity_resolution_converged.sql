-- Label propagation ran enough passes: no linked neighbour could still offer a record a better label.
-- If this fails, raise var('identity_max_hops').
with

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
    where is_linked
),

directed_links as (
    {{ bankseg.identity_directed_pairs('links') }}
),

states as (
    select
        record_key,
        is_national_id_anchor,
        {{ bankseg.identity_state_key('link_strength', 'resolution_label') }} as state_key
    from identity_map
),

offers as (
    select
        directed_links.record_key,
        {{ bankseg.identity_offered_state_key('neighbour.state_key', 'directed_links.match_priority') }} as offered_state_key
    from directed_links
    inner join states as neighbour on directed_links.neighbour_key = neighbour.record_key
)

select
    states.record_key,
    states.state_key,
    offers.offered_state_key
from states
inner join offers on states.record_key = offers.record_key
where not states.is_national_id_anchor and offers.offered_state_key < states.state_key
