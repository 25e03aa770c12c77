{#-
    Every segment a customer can be in: the value tiers of ref_segment_tiers and the clusters (personas) of the
    current clustering model, with English and Chinese names, the definition or persona profile, the playbook
    actions that apply (ref_segment_playbook) and the current number of customers.
-#}
with

tier_labels as (
    select * from {{ ref('ref_segment_tiers') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
    where is_current_model
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
    where is_as_of_month
),

playbook as (
    select * from {{ ref('ref_segment_playbook') }}
),

-- a tier's actions: all its playbook rows (rows reserved for a persona phrase say so)
tier_actions as (
    select
        tier_code,
        {{ dbt.listagg(
            "action_name_en || ' (' || channel || ', priority ' || cast(priority as varchar) || ', ' || owning_team"
            ~ " || coalesce(', ' || persona_phrase || ' personas only', '') || ')'",
            "'; '",
            'order by priority, playbook_id'
        ) }} as playbook_actions_en,
        {{ dbt.listagg('action_name_zh', "'；'", 'order by priority, playbook_id') }} as playbook_actions_zh,
        count(*) as playbook_action_count
    from playbook
    group by tier_code
),

-- a cluster's actions: the playbook rows reserved for a phrase of its persona name, with the tier they serve
cluster_actions as (
    select
        personas.model_version,
        personas.cluster_id,
        {{ dbt.listagg(
            "playbook.action_name_en || ' (' || playbook.tier_code || ' tier, ' || playbook.channel"
            ~ " || ', priority ' || cast(playbook.priority as varchar) || ', ' || playbook.owning_team || ')'",
            "'; '",
            'order by playbook.tier_code, playbook.priority, playbook.playbook_id'
        ) }} as playbook_actions_en,
        {{ dbt.listagg(
            'playbook.action_name_zh',
            "'；'",
            'order by playbook.tier_code, playbook.priority, playbook.playbook_id'
        ) }} as playbook_actions_zh,
        count(*) as playbook_action_count
    from personas
    inner join playbook
        on
            playbook.persona_phrase is not null
            and {{ persona_has_phrase('personas.persona_name', 'playbook.persona_phrase') }}
    group by personas.model_version, personas.cluster_id
),

tier_counts as (
    select
        tier_code,
        count(*) as customer_count
    from segments
    group by tier_code
),

tier_segments as (
    select
        'tier:' || tier_labels.tier_code as segment_key,
        'tier' as segment_type,
        tier_labels.tier_code as segment_code,
        tier_labels.tier_name_en as segment_name_en,
        tier_labels.tier_name_zh as segment_name_zh,
        tier_labels.definition as segment_description,
        tier_labels.display_order,
        cast(null as varchar) as model_version,
        coalesce(tier_counts.customer_count, 0) as current_customer_count,
        tier_actions.playbook_actions_en,
        tier_actions.playbook_actions_zh,
        coalesce(tier_actions.playbook_action_count, 0) as playbook_action_count
    from tier_labels
    left join tier_counts on tier_labels.tier_code = tier_counts.tier_code
    left join tier_actions on tier_labels.tier_code = tier_actions.tier_code
),

cluster_segments as (
    select
        'cluster:' || cast(personas.cluster_id as varchar) as segment_key,
        'cluster' as segment_type,
        cast(personas.cluster_id as varchar) as segment_code,
        personas.persona_name as segment_name_en,
        personas.persona_name_zh as segment_name_zh,
        personas.top_features as segment_description,
        100 + personas.cluster_id as display_order,
        personas.model_version,
        personas.customer_count as current_customer_count,
        cluster_actions.playbook_actions_en,
        cluster_actions.playbook_actions_zh,
        coalesce(cluster_actions.playbook_action_count, 0) as playbook_action_count
    from personas
    left join cluster_actions
        on
            personas.model_version = cluster_actions.model_version
            and personas.cluster_id = cluster_actions.cluster_id
),

final as (
    select * from tier_segments
    union all
    select * from cluster_segments
)

select
    cast(segment_key as varchar) as segment_key,
    cast(segment_type as varchar) as segment_type,
    cast(segment_code as varchar) as segment_code,
    cast(segment_name_en as varchar) as segment_name_en,
    cast(segment_name_zh as varchar) as segment_name_zh,
    cast(segment_description as varchar) as segment_description,
    cast(display_order as integer) as display_order,
    cast(model_version as varchar) as model_version,
    cast(current_customer_count as integer) as current_customer_count,
    cast(playbook_actions_en as varchar) as playbook_actions_en,
    cast(playbook_actions_zh as varchar) as playbook_actions_zh,
    cast(playbook_action_count as integer) as playbook_action_count
from final
