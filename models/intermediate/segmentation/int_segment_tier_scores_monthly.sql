{#-
    RFM scores and the raw value tier of every customer-month (doc blocks segment_rfm_scores, segment_tiers).
    Every cut point and threshold is a row of the seed ref_segment_tier_config; hysteresis (the effective tier)
    is applied on top of these raw tiers by int_segment_tiers_monthly.
-#}
with

features as (
    select
        customer_id,
        month_end_date,
        cast(date_trunc('month', month_end_date) as date) as month_start_date,
        days_since_last_activity,
        transaction_count_3m,
        cast(debit_amount_3m as double) as debit_amount_3m,
        cast(aum_amount as double) as aum_amount,
        lifecycle_status
    from {{ ref('fct_customer_features_monthly') }}
),

customers as (
    select
        customer_id,
        relationship_start_date
    from {{ ref('dim_customers') }}
),

parameters as (
    select
        parameter,
        value
    from {{ ref('ref_segment_tier_config') }}
),

config as (
    select
        any_value(value) filter (where parameter = 'rfm_method') as rfm_method,
        cast(any_value(value) filter (where parameter = 'rfm_score_levels') as integer) as rfm_score_levels,
        cast(string_split(any_value(value) filter (where parameter = 'recency_days_cut_points'), '|') as double[])
            as recency_cut_points,
        cast(string_split(any_value(value) filter (where parameter = 'frequency_cut_points'), '|') as double[])
            as frequency_cut_points,
        cast(string_split(any_value(value) filter (where parameter = 'monetary_cut_points'), '|') as double[])
            as monetary_cut_points,
        string_split(any_value(value) filter (where parameter = 'churned_lifecycle_statuses'), '|')
            as churned_statuses,
        cast(any_value(value) filter (where parameter = 'new_max_tenure_months') as integer) as new_max_tenure_months,
        string_split(any_value(value) filter (where parameter = 'at_risk_lifecycle_statuses'), '|')
            as at_risk_statuses,
        cast(any_value(value) filter (where parameter = 'at_risk_lookback_months') as integer)
            as at_risk_lookback_months,
        cast(any_value(value) filter (where parameter = 'at_risk_aum_decline_rate') as double)
            as at_risk_aum_decline_rate,
        cast(any_value(value) filter (where parameter = 'at_risk_activity_decline_rate') as double)
            as at_risk_activity_decline_rate,
        cast(any_value(value) filter (where parameter = 'at_risk_min_aum_amount') as double) as at_risk_min_aum_amount,
        cast(any_value(value) filter (where parameter = 'high_value_min_aum_amount') as double)
            as high_value_min_aum_amount,
        cast(any_value(value) filter (where parameter = 'high_value_min_rfm_score') as integer)
            as high_value_min_rfm_score,
        cast(any_value(value) filter (where parameter = 'potential_min_aum_amount') as double)
            as potential_min_aum_amount,
        cast(any_value(value) filter (where parameter = 'potential_min_rfm_score') as integer)
            as potential_min_rfm_score,
        string_split(any_value(value) filter (where parameter = 'mass_lifecycle_statuses'), '|') as mass_statuses
    from parameters
),

with_history as (
    select
        features.*,
        config.*,
        earlier.aum_amount as aum_amount_before,
        earlier.transaction_count_3m as transaction_count_3m_before,
        cast({{ dbt.datediff('customers.relationship_start_date', 'features.month_end_date', 'month') }} as integer)
            as tenure_months
    from features
    cross join config
    left join customers on features.customer_id = customers.customer_id
    left join features as earlier
        on
            features.customer_id = earlier.customer_id
            and earlier.month_start_date
            = cast({{ dbt.dateadd('month', '-config.at_risk_lookback_months', 'features.month_start_date') }} as date)
),

-- the quantile scores rank every customer within each month (three windows over all customer-months): computed only
-- when the seed asks for them (the filter keeps no row otherwise, so the default fixed method pays nothing for them)
quantile_scores as (
    select
        features.customer_id,
        features.month_end_date,
        {{ quantile_score('features.days_since_last_activity', 'features.month_end_date', 'config.rfm_score_levels', true) }}
            as recency_score,
        {{ quantile_score('features.transaction_count_3m', 'features.month_end_date', 'config.rfm_score_levels') }}
            as frequency_score,
        {{ quantile_score('features.debit_amount_3m', 'features.month_end_date', 'config.rfm_score_levels') }}
            as monetary_score
    from features
    cross join config
    where config.rfm_method = 'quantile'
),

scored as (
    select
        with_history.*,
        case
            when with_history.rfm_method = 'quantile' then quantile_scores.recency_score
            else {{ cut_point_score('with_history.days_since_last_activity', 'with_history.recency_cut_points', true) }}
        end as recency_score,
        case
            when with_history.rfm_method = 'quantile' then quantile_scores.frequency_score
            else {{ cut_point_score('with_history.transaction_count_3m', 'with_history.frequency_cut_points') }}
        end as frequency_score,
        case
            when with_history.rfm_method = 'quantile' then quantile_scores.monetary_score
            else {{ cut_point_score('with_history.debit_amount_3m', 'with_history.monetary_cut_points') }}
        end as monetary_score
    from with_history
    left join quantile_scores
        on
            with_history.customer_id = quantile_scores.customer_id
            and with_history.month_end_date = quantile_scores.month_end_date
),

signals as (
    select
        *,
        recency_score + frequency_score + monetary_score as rfm_score,
        coalesce(aum_amount, 0) as aum_value,
        coalesce(list_contains(churned_statuses, lifecycle_status), false) as is_churned_status,
        coalesce(list_contains(at_risk_statuses, lifecycle_status), false) as is_at_risk_status,
        coalesce(list_contains(mass_statuses, lifecycle_status), false) as is_mass_status,
        greatest(coalesce(aum_amount, 0), coalesce(aum_amount_before, 0)) >= at_risk_min_aum_amount
            as is_worth_keeping,
        coalesce(
            aum_amount_before > 0
            and coalesce(aum_amount, 0) <= (1 - at_risk_aum_decline_rate) * aum_amount_before,
            false
        ) as is_aum_declining,
        coalesce(
            transaction_count_3m_before > 0
            and coalesce(transaction_count_3m, 0) <= (1 - at_risk_activity_decline_rate) * transaction_count_3m_before,
            false
        ) as is_activity_declining
    from scored
),

final as (
    select
        customer_id,
        month_end_date,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score,
        cast(rfm_score as integer) as rfm_score,
        tenure_months,
        is_aum_declining,
        is_activity_declining,
        case
            when is_churned_status then 'churned'
            when tenure_months < new_max_tenure_months then 'new'
            when is_worth_keeping and (is_at_risk_status or is_aum_declining or is_activity_declining) then 'at_risk'
            when aum_value >= high_value_min_aum_amount or rfm_score >= high_value_min_rfm_score then 'high_value'
            when aum_value >= potential_min_aum_amount or rfm_score >= potential_min_rfm_score then 'potential'
            when is_mass_status then 'mass'
            else 'inactive'
        end as raw_tier_code
    from signals
)

select * from final
