-- Every customer-month of the feature history has exactly one tier and one cluster in fct_customer_segments.
with

features as (
    select * from {{ ref('fct_customer_features_monthly') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

counted as (
    select
        features.customer_id,
        features.month_end_date,
        count(segments.tier_code) as tier_count,
        count(segments.cluster_id) as cluster_count
    from features
    left join segments
        on
            features.customer_id = segments.customer_id
            and features.month_end_date = segments.month_end_date
    group by features.customer_id, features.month_end_date
)

select *
from counted
where tier_count <> 1 or cluster_count <> 1
