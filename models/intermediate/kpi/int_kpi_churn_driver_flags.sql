{#-
    The warning signs of every customer-month at risk of churning (a customer at the start of the month, see
    int_kpi_customer_months), looked for in the var('churn_driver_lookback_months') months before the month
    (doc block kpi_churn_drivers): one row per customer-month and sign shown, for churners and for customers who
    stayed alike, so fct_churn_drivers can compare the two groups within a segment.
      complaint / complaint_category   complaints opened in the window (any, and by category)
      survey_topic                     topics of survey answers (NPS or CSAT) scored 0-6 in the window
      nps_band                         category of the latest NPS answer in the window, or no_answer
      balance_drain                    AUM at the window end at least var('churn_driver_balance_drain_rate')
                                       below AUM at its start (the month end before it)
      channel_change                   main transaction channel of the first half of the window differs from the
                                       second half's (main_channel_changed), or no transactions in the second
                                       half after some in the first (stopped_transacting)
-#}
{%- set lookback = var('churn_driver_lookback_months') | int -%}
{%- set half = lookback // 2 -%}
{%- set channels = var('transaction_channels') -%}
{#- the two halves of the window: [name, comparison of an activity month with the second half's start] -#}
{%- set halves = [['first', '<'], ['second', '>=']] -%}
with

customer_months as (
    select * from {{ ref('int_kpi_customer_months') }}
),

complaints as (
    select * from {{ ref('int_kpi_complaints') }}
),

survey_answers as (
    select * from {{ ref('int_kpi_survey_answers') }}
),

balances as (
    select * from {{ ref('int_customer_balances_monthly') }}
),

activity as (
    select * from {{ ref('int_customer_activity_monthly') }}
),

observations as (
    select
        customer_id,
        month_end_date,
        cast({{ dbt.dateadd('month', -1 * lookback, 'month_start_date') }} as date) as window_start_date,
        cast({{ dbt.dateadd('month', -1 * half, 'month_start_date') }} as date) as second_half_start_date,
        cast({{ dbt.dateadd('day', -1, 'month_start_date') }} as date) as window_end_date
    from customer_months
    where is_customer_at_start
),

complaint_flags as (
    select distinct
        observations.customer_id,
        observations.month_end_date,
        'complaint' as driver_type,
        'any' as driver_value
    from observations
    inner join complaints
        on
            observations.customer_id = complaints.customer_id
            and observations.window_start_date <= complaints.opened_date
            and observations.window_end_date >= complaints.opened_date
    union all
    select distinct
        observations.customer_id,
        observations.month_end_date,
        'complaint_category' as driver_type,
        complaints.complaint_category as driver_value
    from observations
    inner join complaints
        on
            observations.customer_id = complaints.customer_id
            and observations.window_start_date <= complaints.opened_date
            and observations.window_end_date >= complaints.opened_date
),

survey_topic_flags as (
    select distinct
        observations.customer_id,
        observations.month_end_date,
        'survey_topic' as driver_type,
        survey_answers.survey_topic as driver_value
    from observations
    inner join survey_answers
        on
            observations.customer_id = survey_answers.customer_id
            and observations.window_start_date <= survey_answers.survey_date
            and observations.window_end_date >= survey_answers.survey_date
            and survey_answers.score <= 6
),

ranked_nps_answers as (
    select
        observations.customer_id,
        observations.month_end_date,
        survey_answers.nps_category,
        row_number() over (
            partition by observations.customer_id, observations.month_end_date
            order by survey_answers.survey_date desc, survey_answers.survey_response_id desc
        ) as answer_rank
    from observations
    inner join survey_answers
        on
            observations.customer_id = survey_answers.customer_id
            and survey_answers.survey_type = 'nps'
            and observations.window_start_date <= survey_answers.survey_date
            and observations.window_end_date >= survey_answers.survey_date
),

nps_band_flags as (
    select
        observations.customer_id,
        observations.month_end_date,
        'nps_band' as driver_type,
        coalesce(ranked_nps_answers.nps_category, 'no_answer') as driver_value
    from observations
    left join ranked_nps_answers
        on
            observations.customer_id = ranked_nps_answers.customer_id
            and observations.month_end_date = ranked_nps_answers.month_end_date
            and ranked_nps_answers.answer_rank = 1
),

balance_drain_flags as (
    select
        observations.customer_id,
        observations.month_end_date,
        'balance_drain' as driver_type,
        'drained' as driver_value
    from observations
    inner join balances as window_start_balances
        on
            observations.customer_id = window_start_balances.customer_id
            and window_start_balances.month_end_date
            = cast({{ dbt.dateadd('day', -1, 'observations.window_start_date') }} as date)
    left join balances as window_end_balances
        on
            observations.customer_id = window_end_balances.customer_id
            and observations.window_end_date = window_end_balances.month_end_date
    where
        window_start_balances.aum_amount > 0
        and coalesce(window_end_balances.aum_amount, 0)
        <= window_start_balances.aum_amount * (1 - {{ var('churn_driver_balance_drain_rate') }})
),

-- transactions per channel in each half of the window: one join of the window's months, summed per observation
-- with one column per channel and half, and the main channel of each half picked from those columns (the first
-- channel of var('transaction_channels') wins a tie). Unpivoting to one row per channel and ranking them with a
-- window cost most of this model's time at 1M customers (56M rows: docs/bench.md).
half_sums as (
    select
        {% for half, comparison in halves -%}
            {% for channel in channels -%}
                coalesce(sum(
                    case
                        when activity.month_start_date {{ comparison }} observations.second_half_start_date
                            then activity.{{ channel }}_transaction_count
                    end
                ), 0) as {{ half }}_{{ channel }}_count,
            {% endfor -%}
        {% endfor -%}
        observations.customer_id,
        observations.month_end_date
    from observations
    inner join activity
        on
            observations.customer_id = activity.customer_id
            and observations.window_start_date <= activity.month_start_date
            and observations.window_end_date >= activity.month_start_date
    group by
        observations.customer_id,
        observations.month_end_date
),

half_maxima as (
    select
        {% for half, comparison in halves -%}
            greatest(
                {%- for channel in channels %}{{ half }}_{{ channel }}_count{{ ', ' if not loop.last }}{% endfor -%}
            ) as {{ half }}_max_count,
        {% endfor -%}
        half_sums.*
    from half_sums
),

half_main_channels as (
    select
        {% for half, comparison in halves -%}
            case
                when {{ half }}_max_count = 0 then null
                {% for channel in channels -%}
                    when {{ half }}_{{ channel }}_count = {{ half }}_max_count then '{{ channel }}'
                {% endfor -%}
            end as {{ half }}_half_channel,
        {% endfor -%}
        customer_id,
        month_end_date
    from half_maxima
),

channel_change_flags as (
    select
        customer_id,
        month_end_date,
        'channel_change' as driver_type,
        case
            when second_half_channel is null then 'stopped_transacting'
            else 'main_channel_changed'
        end as driver_value
    from half_main_channels
    where
        first_half_channel is not null
        and (second_half_channel is null or second_half_channel != first_half_channel)
),

final as (
    select * from complaint_flags
    union all
    select * from survey_topic_flags
    union all
    select * from nps_band_flags
    union all
    select * from balance_drain_flags
    union all
    select * from channel_change_flags
)

select * from final
