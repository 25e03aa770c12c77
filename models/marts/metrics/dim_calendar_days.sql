{#-
    One row per calendar day from the first month of the feature history to the as-of date: the time spine
    MetricFlow needs to aggregate metrics over time (semantic models in this folder).
-#}
with

as_of as (
    select as_of_date from {{ ref('int_as_of_date') }}
),

bounds as (
    select
        as_of_date,
        cast(
            {{ dbt.dateadd('month', -(var('feature_history_months') | int), "date_trunc('month', as_of_date)") }}
            as date
        ) as first_date
    from as_of
),

days as (
    select cast(unnest(generate_series(first_date, as_of_date, interval 1 day)) as date) as date_day
    from bounds
),

final as (
    select
        date_day,
        cast(date_trunc('month', date_day) as date) as month_start_date,
        cast(last_day(date_day) as date) as month_end_date,
        extract(year from date_day) as calendar_year
    from days
)

select * from final
