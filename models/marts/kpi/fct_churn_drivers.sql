{#-
    Why customers leave (doc block kpi_churn_drivers): per segment and warning sign, how many churners showed it in
    the var('churn_driver_lookback_months') months before the month they churned, against how many customer-months
    of customers who stayed, in the same segment at the start of the same months. Pooled over the monthly history.
    A sign with a much larger share among churners than among those who stayed (driver_lift well above 1) is a
    candidate driver; with few churners the shares are noisy, so the counts are published with them. Every
    segment has a row for every sign seen anywhere in the data (zero counts when none of its observations showed
    it), so the rows of one segment type add up over segments.
-#}
with

customer_months as (
    select * from {{ ref('int_kpi_customer_months') }}
),

driver_flags as (
    select * from {{ ref('int_kpi_churn_driver_flags') }}
),

observations as (
    {% for segment_type, code_column in [('tier', 'start_tier_code'), ('cluster', 'start_cluster_code')] -%}
        select
            customer_id,
            month_end_date,
            '{{ segment_type }}' as segment_type,
            {{ code_column }} as segment_code,
            is_churned_in_month
        from customer_months
        where is_customer_at_start
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}
),

group_sizes as (
    select
        segment_type,
        segment_code,
        sum(case when is_churned_in_month then 1 else 0 end) as churned_customer_count,
        sum(case when is_churned_in_month then 0 else 1 end) as retained_customer_month_count
    from observations
    group by segment_type, segment_code
),

driver_counts as (
    select
        observations.segment_type,
        observations.segment_code,
        driver_flags.driver_type,
        driver_flags.driver_value,
        sum(case when observations.is_churned_in_month then 1 else 0 end) as churned_with_driver_count,
        sum(case when observations.is_churned_in_month then 0 else 1 end) as retained_with_driver_count
    from observations
    inner join driver_flags
        on
            observations.customer_id = driver_flags.customer_id
            and observations.month_end_date = driver_flags.month_end_date
    group by observations.segment_type, observations.segment_code, driver_flags.driver_type, driver_flags.driver_value
),

driver_catalog as (
    select distinct
        driver_type,
        driver_value
    from driver_flags
),

final as (
    select
        group_sizes.segment_type,
        group_sizes.segment_code,
        driver_catalog.driver_type,
        driver_catalog.driver_value,
        group_sizes.churned_customer_count,
        coalesce(driver_counts.churned_with_driver_count, 0) as churned_with_driver_count,
        coalesce(driver_counts.churned_with_driver_count, 0) * 1.0
        / nullif(group_sizes.churned_customer_count, 0) as churned_driver_share,
        group_sizes.retained_customer_month_count,
        coalesce(driver_counts.retained_with_driver_count, 0) as retained_with_driver_count,
        coalesce(driver_counts.retained_with_driver_count, 0) * 1.0
        / nullif(group_sizes.retained_customer_month_count, 0) as retained_driver_share
    from group_sizes
    cross join driver_catalog
    left join driver_counts
        on
            group_sizes.segment_type = driver_counts.segment_type
            and group_sizes.segment_code = driver_counts.segment_code
            and driver_catalog.driver_type = driver_counts.driver_type
            and driver_catalog.driver_value = driver_counts.driver_value
)

select
    cast(segment_type as varchar) as segment_type,
    cast(segment_code as varchar) as segment_code,
    cast(driver_type as varchar) as driver_type,
    cast(driver_value as varchar) as driver_value,
    cast(churned_customer_count as integer) as churned_customer_count,
    cast(churned_with_driver_count as integer) as churned_with_driver_count,
    cast(churned_driver_share as double) as churned_driver_share,
    cast(retained_customer_month_count as integer) as retained_customer_month_count,
    cast(retained_with_driver_count as integer) as retained_with_driver_count,
    cast(retained_driver_share as double) as retained_driver_share,
    cast(churned_driver_share - retained_driver_share as double) as driver_share_difference,
    cast(churned_driver_share / nullif(retained_driver_share, 0) as double) as driver_lift
from final
