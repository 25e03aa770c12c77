{#-
    Identity questions for a data steward, one row each:
      - blocked_identifier: a placeholder or over-shared phone / e-mail that was not used to link anyone;
      - pair_not_linked: two records that share an identifier but were kept apart (different national ids
        or different birth dates), e.g. two people of one household sharing a phone;
      - ambiguous_record: a record linked to records of more than one customer; it joined the one its
        strongest link points to (then the smallest label), the others are listed here.
-#}
with

blocked as (
    select * from {{ ref('int_identity_blocked_values') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
),

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

blocked_identifiers as (
    select
        'blocked_identifier' as conflict_type,
        cast(null as {{ dbt.type_string() }}) as record_key,
        cast(null as {{ dbt.type_string() }}) as other_record_key,
        identifier_type,
        identifier_hash,
        blocked_reason as detail,
        record_count
    from blocked
),

pairs_not_linked as (
    select
        'pair_not_linked' as conflict_type,
        left_record_key as record_key,
        right_record_key as other_record_key,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_hash,
        link_blocked_reason as detail,
        2 as record_count
    from links
    where not is_linked
),

linked_across_customers as (
    select
        'ambiguous_record' as conflict_type,
        left_map.record_key,
        right_map.record_key as other_record_key,
        cast(null as {{ dbt.type_string() }}) as identifier_type,
        cast(null as {{ dbt.type_string() }}) as identifier_hash,
        'linked by ' || links.match_rule || ' to a record of another customer' as detail,
        2 as record_count
    from links
    inner join identity_map as left_map on links.left_record_key = left_map.record_key
    inner join identity_map as right_map on links.right_record_key = right_map.record_key
    where links.is_linked and left_map.customer_id <> right_map.customer_id
),

final as (
    select * from blocked_identifiers
    union all
    select * from pairs_not_linked
    union all
    select * from linked_across_customers
)

select * from final
