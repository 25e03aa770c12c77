{#-
    Segment membership per customer and month end: the value tier (after hysteresis) and the behavioural
    cluster with its persona, and the model version that assigned the cluster. Exactly one tier and one
    cluster per customer-month (singular test assert_one_tier_and_one_cluster_per_customer_month).
-#}
with

features as (
    select * from {{ ref('fct_customer_features_monthly') }}
),

tiers as (
    select * from {{ ref('int_segment_tiers_monthly') }}
),

clusters as (
    select * from {{ ref('int_segment_clusters_monthly') }}
),

personas as (
    select * from {{ ref('int_segment_personas') }}
),

tier_labels as (
    select * from {{ ref('ref_segment_tiers') }}
),

final as (
    select
        features.customer_id,
        features.month_end_date,
        features.is_as_of_month,
        tiers.tier_code,
        tier_labels.tier_name_en,
        tier_labels.tier_name_zh,
        tiers.raw_tier as raw_tier_code,
        tiers.rfm_score,
        tiers.months_below_tier,
        tiers.is_tier_change,
        clusters.cluster_id,
        clusters.model_version,
        personas.persona_name,
        personas.persona_name_zh
    from features
    inner join tiers
        on
            features.customer_id = tiers.customer_id
            and features.month_end_date = tiers.month_end_date
    inner join clusters
        on
            features.customer_id = clusters.customer_id
            and features.month_end_date = clusters.month_end_date
    left join tier_labels on tiers.tier_code = tier_labels.tier_code
    left join personas
        on
            clusters.model_version = personas.model_version
            and clusters.cluster_id = personas.cluster_id
)

select
    customer_id,
    month_end_date,
    is_as_of_month,
    cast(tier_code as varchar) as tier_code,
    tier_name_en,
    tier_name_zh,
    cast(raw_tier_code as varchar) as raw_tier_code,
    cast(rfm_score as integer) as rfm_score,
    cast(months_below_tier as integer) as months_below_tier,
    is_tier_change,
    cast(cluster_id as integer) as cluster_id,
    cast(model_version as varchar) as model_version,
    persona_name,
    persona_name_zh
from final
