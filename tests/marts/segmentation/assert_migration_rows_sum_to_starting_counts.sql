-- The migration rows of each starting segment sum to the customers in that segment at the starting month.
with

migration as (
    select * from {{ ref('fct_segment_migration') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

starting as (
    select
        'tier' as segment_type,
        month_end_date,
        tier_code as segment_code,
        count(*) as customer_count
    from segments
    group by month_end_date, tier_code
    union all
    select
        'cluster' as segment_type,
        month_end_date,
        cast(cluster_id as varchar) as segment_code,
        count(*) as customer_count
    from segments
    group by month_end_date, cluster_id
),

last_month as (
    select max(month_end_date) as month_end_date from segments
),

summed as (
    select
        segment_type,
        from_month_end_date,
        from_segment_code,
        sum(customer_count) as migrated_count,
        sum(migration_rate) as rate_sum
    from migration
    group by segment_type, from_month_end_date, from_segment_code
)

select
    starting.segment_type,
    starting.month_end_date,
    starting.segment_code,
    starting.customer_count,
    summed.migrated_count,
    summed.rate_sum
from starting
cross join last_month
left join summed
    on
        starting.segment_type = summed.segment_type
        and starting.month_end_date = summed.from_month_end_date
        and starting.segment_code = summed.from_segment_code
where
    starting.month_end_date < last_month.month_end_date
    and (
        summed.migrated_count is null
        or summed.migrated_count <> starting.customer_count
        or abs(summed.rate_sum - 1) > 0.000001
    )
