{#-
    The months the monthly history covers: var('feature_history_months') months ending with the as-of month.
    month_end_date is the calendar month end, except for the as-of month itself, which is observed on the
    as-of date.
-#}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

month_offsets as (
    {% for i in range(var('feature_history_months')) -%}
        select {{ i }} as months_back
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}
),

months as (
    select
        month_offsets.months_back,
        cast({{ dbt.dateadd('month', '-1 * month_offsets.months_back', dbt.date_trunc('month', 'as_of_dates.as_of_date')) }} as date)
            as month_start_date,
        as_of_dates.as_of_date
    from month_offsets
    cross join as_of_dates
),

final as (
    select
        month_start_date,
        case
            when months_back = 0 then as_of_date
            else cast({{ dbt.last_day('month_start_date', 'month') }} as date)
        end as month_end_date,
        months_back = 0 as is_as_of_month,
        months_back
    from months
)

select * from final
