{#-
    The identity crosswalk: every person record of every system -> one customer_id.

    Resolution is label propagation over the linked pairs, in SQL, so transitive links (A-B by phone,
    B-C by e-mail) end up in one customer:
      - a record with a valid national id is an anchor: its label is its national id and never changes,
        so two different national ids never merge, whatever links lie between them;
      - every other record starts with its own label and, on each pass, takes the best label among itself
        and its linked neighbours. "Best" means the strongest path (the weakest link on the way, by rule
        priority), then the smallest label, so an ambiguous record is settled the same way every run.
    var('identity_max_hops') passes are unrolled below; a data test proves the labels reached a fixed
    point (no link could still change a label).
-#}
{%- set hops = var('identity_max_hops') -%}

with

records as (
    select * from {{ ref('int_identity_records') }}
),

links as (
    select * from {{ ref('int_identity_links') }}
    where is_linked
),

directed_links as (
    select
        left_record_key as record_key,
        right_record_key as neighbour_key,
        match_priority
    from links
    union all
    select
        right_record_key as record_key,
        left_record_key as neighbour_key,
        match_priority
    from links
),

-- state_key = two-digit strength (00 anchored by national id, 01-09 weakest link on the path, 99 own label) || label
state_0 as (
    select
        record_key,
        national_id_hash is not null as is_anchor,
        case
            when national_id_hash is not null then '00N' || national_id_hash
            else '99R' || record_key
        end as state_key
    from records
),
{{ bankseg.identity_propagation_ctes(hops) }}
resolved as (
    select
        record_key,
        is_anchor,
        state_key,
        substr(state_key, 3) as cluster_label
    from state_{{ hops }}
),

best_rule as (
    -- the strongest link from each record to another record of the same customer
    select
        directed_links.record_key,
        min(directed_links.match_priority) as match_priority
    from directed_links
    inner join resolved as this_record on directed_links.record_key = this_record.record_key
    inner join resolved as neighbour on directed_links.neighbour_key = neighbour.record_key
    where this_record.cluster_label = neighbour.cluster_label
    group by directed_links.record_key
),

rules as (
    select * from {{ ref('ref_identity_match_rules') }}
),

final as (
    select
        'C' || upper(substr({{ dbt.hash('resolved.cluster_label') }}, 1, 15)) as customer_id,
        records.source_system,
        records.system_key,
        records.record_key,
        case
            when resolved.is_anchor then 'national_id'
            when rules.match_rule is not null then rules.match_rule
            else 'no_match'
        end as match_rule,
        resolved.is_anchor as is_national_id_anchor,
        cast(substr(resolved.state_key, 1, 2) as integer) as link_strength,
        resolved.cluster_label as resolution_label
    from records
    inner join resolved on records.record_key = resolved.record_key
    left join best_rule on records.record_key = best_rule.record_key
    left join rules on best_rule.match_priority = rules.priority
)

select * from final
