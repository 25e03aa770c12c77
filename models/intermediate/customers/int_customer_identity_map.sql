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

-- every record's own label (`N` + national id hash for an anchor, else `R` + record key) and two integers the
-- passes work on: a record id, and the label's rank in text order (records of one national id share it)
nodes as (
    select
        record_key,
        is_anchor,
        own_label,
        row_number() over (order by record_key) as record_id,
        dense_rank() over (order by own_label) as label_rank
    from (
        select
            record_key,
            national_id_hash is not null as is_anchor,
            case when national_id_hash is not null then 'N' || national_id_hash else 'R' || record_key end as own_label
        from records
    ) as labelled
),

directed_links as (
    select
        this_record.record_id,
        neighbour.record_id as neighbour_id,
        pairs.match_priority
    from (
        {{ bankseg.identity_directed_pairs('links') }}
    ) as pairs
    inner join nodes as this_record on pairs.record_key = this_record.record_key
    inner join nodes as neighbour on pairs.neighbour_key = neighbour.record_key
),

-- state_key = strength (00 anchored by national id, 01-09 weakest link on the path, 99 own label) and label rank,
-- as one number (bankseg.identity_state_number): the smallest is the best
state_0 as (
    select
        record_id,
        is_anchor,
        {{ bankseg.identity_state_number('case when is_anchor then 0 else 99 end', 'label_rank') }} as state_key
    from nodes
),
{{ bankseg.identity_propagation_ctes(hops) }}
resolved as (
    select
        state.record_id,
        state.is_anchor,
        {{ bankseg.identity_state_strength('state.state_key') }} as link_strength,
        {{ bankseg.identity_state_label('state.state_key') }} as label_rank
    from state_{{ hops }} as state
),

labels as (
    select distinct
        label_rank,
        own_label
    from nodes
),

best_rule as (
    -- the strongest link from each record to another record of the same customer
    select
        directed_links.record_id,
        min(directed_links.match_priority) as match_priority
    from directed_links
    inner join resolved as this_record on directed_links.record_id = this_record.record_id
    inner join resolved as neighbour on directed_links.neighbour_id = neighbour.record_id
    where this_record.label_rank = neighbour.label_rank
    group by directed_links.record_id
),

rules as (
    select * from {{ ref('ref_identity_match_rules') }}
),

final as (
    select
        'C' || upper(substr({{ dbt.hash('labels.own_label') }}, 1, 15)) as customer_id,
        records.source_system,
        records.system_key,
        records.record_key,
        case
            when resolved.is_anchor then 'national_id'
            when rules.match_rule is not null then rules.match_rule
            else 'no_match'
        end as match_rule,
        resolved.is_anchor as is_national_id_anchor,
        cast(resolved.link_strength as integer) as link_strength,
        labels.own_label as resolution_label
    from records
    inner join nodes on records.record_key = nodes.record_key
    inner join resolved on nodes.record_id = resolved.record_id
    inner join labels on resolved.label_rank = labels.label_rank
    left join best_rule on nodes.record_id = best_rule.record_id
    left join rules on best_rule.match_priority = rules.priority
)

select * from final
