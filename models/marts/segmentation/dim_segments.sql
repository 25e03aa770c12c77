{#-
    Every segment a customer can be in: the value tiers of ref_segment_tiers and the clusters (personas) of the
    current clustering model, with English and Chinese names and the current number of customers.
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
        coalesce(tier_counts.customer_count, 0) as current_customer_count
    from tier_labels
    left join tier_counts on tier_labels.tier_code = tier_counts.tier_code
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
        personas.customer_count as current_customer_count
    from personas
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
    cast(current_customer_count as integer) as current_customer_count
from final
