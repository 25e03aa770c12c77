{#-
    Segment migration between consecutive month ends, for value tiers and behavioural clusters: how many
    customers of each starting segment sit in each segment a month later, and the rate (count / starting count).
    A customer present at the start but not a month later migrates to '(exited)', so the rows of a starting
    segment always sum to its starting count (singular test assert_migration_rows_sum_to_starting_counts).
-#}
with

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

months as (
    select
        month_end_date,
        row_number() over (order by month_end_date) as month_number
    from (select distinct month_end_date from segments) as distinct_months
),

memberships as (
    select
        segments.customer_id,
        segments.month_end_date,
        months.month_number,
        'tier' as segment_type,
        segments.tier_code as segment_code
    from segments
    inner join months on segments.month_end_date = months.month_end_date
    union all
    select
        segments.customer_id,
        segments.month_end_date,
        months.month_number,
        'cluster' as segment_type,
        cast(segments.cluster_id as varchar) as segment_code
    from segments
    inner join months on segments.month_end_date = months.month_end_date
),

transitions as (
    select
        memberships.segment_type,
        memberships.month_end_date as from_month_end_date,
        next_months.month_end_date as to_month_end_date,
        memberships.segment_code as from_segment_code,
        coalesce(later.segment_code, '(exited)') as to_segment_code
    from memberships
    inner join months as next_months on memberships.month_number + 1 = next_months.month_number
    left join memberships as later
        on
            memberships.customer_id = later.customer_id
            and memberships.segment_type = later.segment_type
            and later.month_number = memberships.month_number + 1
),

counted as (
    select
        segment_type,
        from_month_end_date,
        to_month_end_date,
        from_segment_code,
        to_segment_code,
        count(*) as customer_count
    from transitions
    group by segment_type, from_month_end_date, to_month_end_date, from_segment_code, to_segment_code
),

final as (
    select
        *,
        sum(customer_count) over (
            partition by segment_type, from_month_end_date, from_segment_code
        ) as starting_customer_count
    from counted
)

select
    cast(segment_type as varchar) as segment_type,
    from_month_end_date,
    to_month_end_date,
    cast(from_segment_code as varchar) as from_segment_code,
    cast(to_segment_code as varchar) as to_segment_code,
    cast(from_segment_code = to_segment_code as boolean) as is_same_segment,
    cast(customer_count as integer) as customer_count,
    cast(starting_customer_count as integer) as starting_customer_count,
    cast(customer_count * 1.0 / starting_customer_count as double) as migration_rate
from final
