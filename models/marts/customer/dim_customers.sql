{#-
    The customer 360: one row per real person resolved across the bank's systems, as of the as-of date.
    Wide on purpose (BI tools read it without joins); no clear PII. Each block comes from one intermediate
    model: profile (survivorship), value (balances, products, loans, cards), behaviour (transactions, channels,
    lifestyle spend), engagement (digital, NPS, complaints, KYC). Lifecycle flags use the macros in
    macros/business/lifecycle.sql, the single definition shared with the monthly feature history.
-#}
{%- set channels = var('transaction_channels') -%}
{%- set spend_groups = var('spend_groups') -%}
with

as_of_dates as (
    select * from {{ ref('int_as_of_date') }}
),

profile as (
    select * from {{ ref('int_customer_profile') }}
),

customer_value as (
    select * from {{ ref('int_customer_value') }}
),

behaviour as (
    select * from {{ ref('int_customer_behaviour') }}
),

engagement as (
    select * from {{ ref('int_customer_engagement') }}
),

bands as (
    select * from {{ ref('ref_bands') }}
),

branches as (
    select * from {{ ref('ref_branches') }}
),

fx_rates as (
    select * from {{ ref('ref_fx_rates') }}
    where reporting_currency = '{{ var("reporting_currency") }}'
),

joined as (
    select
        profile.*,
        as_of_dates.as_of_date,
        {{ bankseg.age_in_years('profile.birth_date', 'as_of_dates.as_of_date') }} as age_years,
        profile.annual_income_amount * fx_rates.rate_to_reporting as annual_income_reporting_amount,
        customer_value.aum_amount,
        customer_value.deposit_balance_amount,
        customer_value.investment_value_amount,
        customer_value.current_balance_amount,
        customer_value.savings_balance_amount,
        customer_value.time_deposit_balance_amount,
        customer_value.average_aum_3m_amount,
        customer_value.average_aum_12m_amount,
        customer_value.open_product_count,
        customer_value.open_product_type_count,
        customer_value.current_account_count,
        customer_value.savings_account_count,
        customer_value.time_deposit_count,
        customer_value.investment_holding_count,
        customer_value.loan_count,
        customer_value.credit_card_count,
        customer_value.highest_product_risk_rating,
        customer_value.first_product_open_date,
        customer_value.loan_outstanding_amount,
        customer_value.has_delinquent_loan,
        customer_value.card_limit_amount,
        customer_value.card_balance_amount,
        customer_value.card_utilisation_rate,
        customer_value.customer_id is not null as had_products,
        behaviour.first_transaction_date,
        behaviour.transaction_count_30d,
        behaviour.transaction_amount_30d,
        behaviour.transaction_count_90d,
        behaviour.transaction_amount_90d,
        behaviour.transaction_count_365d,
        behaviour.transaction_amount_365d,
        behaviour.digital_transaction_count_365d,
        {% for c in channels -%}
            behaviour.{{ c }}_transaction_count_365d,
        {% endfor -%}
        behaviour.salary_credit_amount_365d,
        behaviour.card_transaction_count_365d,
        behaviour.card_spend_amount_365d,
        {% for g in spend_groups -%}
            behaviour.{{ g }}_spend_amount_365d,
        {% endfor -%}
        behaviour.last_transaction_date,
        behaviour.last_card_transaction_date,
        engagement.digital_session_count_90d,
        engagement.last_login_at,
        engagement.latest_nps_score,
        engagement.latest_nps_category,
        engagement.latest_nps_date,
        engagement.complaint_count_365d,
        engagement.open_complaint_count,
        engagement.kyc_risk_level,
        engagement.kyc_assessment_date,
        engagement.kyc_valid_until,
        engagement.is_kyc_expired,
        nullif(
            greatest(
                coalesce(behaviour.last_transaction_date, cast('1900-01-01' as date)),
                coalesce(behaviour.last_card_transaction_date, cast('1900-01-01' as date)),
                coalesce(cast(engagement.last_digital_event_at as date), cast('1900-01-01' as date))
            ),
            cast('1900-01-01' as date)
        ) as last_activity_date
    from profile
    cross join as_of_dates
    left join fx_rates on profile.income_currency = fx_rates.currency
    left join customer_value on profile.customer_id = customer_value.customer_id
    left join behaviour on profile.customer_id = behaviour.customer_id
    left join engagement on profile.customer_id = engagement.customer_id
),

derived as (
    select
        joined.*,
        {{ dbt.datediff('joined.last_activity_date', 'joined.as_of_date', 'day') }} as days_since_last_activity,
        least(
            coalesce(joined.onboarding_date, joined.first_product_open_date),
            coalesce(joined.first_product_open_date, joined.onboarding_date)
        ) as relationship_start_date
    from joined
),

final as (
    select
        derived.customer_id,
        derived.as_of_date,
        derived.is_bank_customer,
        cast(derived.source_record_count as integer) as source_record_count,
        cast(derived.source_system_count as integer) as source_system_count,
        derived.source_systems,
        derived.has_verified_national_id,
        derived.profile_party_id,
        derived.profile_source_system,
        derived.birth_date_source_system,
        -- demographics
        cast(derived.age_years as integer) as age_years,
        coalesce(age_bands.band_code, 'unknown') as age_band,
        derived.gender,
        coalesce(derived.occupation, 'unknown') as occupation,
        {{ bankseg.to_money('derived.annual_income_reporting_amount') }} as annual_income_amount,
        coalesce(income_bands.band_code, 'unknown') as income_band,
        coalesce(derived.marital_status, 'unknown') as marital_status,
        coalesce(derived.education_level, 'unknown') as education_level,
        derived.city,
        derived.home_branch_code,
        branches.city as home_branch_city,
        branches.region as home_branch_region,
        derived.onboarding_date,
        derived.relationship_start_date,
        cast({{ dbt.datediff('derived.relationship_start_date', 'derived.as_of_date', 'month') }} as integer)
            as tenure_months,
        -- relationship
        derived.first_transaction_date,
        derived.last_activity_date,
        cast(derived.days_since_last_activity as integer) as days_since_last_activity,
        cast(coalesce(derived.open_product_count, 0) as integer) as product_count,
        cast(coalesce(derived.open_product_type_count, 0) as integer) as product_type_count,
        cast(coalesce(derived.current_account_count, 0) as integer) as current_account_count,
        cast(coalesce(derived.savings_account_count, 0) as integer) as savings_account_count,
        cast(coalesce(derived.time_deposit_count, 0) as integer) as time_deposit_count,
        cast(coalesce(derived.investment_holding_count, 0) as integer) as investment_holding_count,
        cast(coalesce(derived.loan_count, 0) as integer) as loan_count,
        cast(coalesce(derived.credit_card_count, 0) as integer) as credit_card_count,
        coalesce(derived.investment_holding_count, 0) > 0 as has_investments,
        coalesce(derived.loan_count, 0) > 0 as has_loan,
        coalesce(derived.credit_card_count, 0) > 0 as has_credit_card,
        -- value (reporting currency)
        coalesce(derived.aum_amount, 0) as aum_amount,
        coalesce(derived.deposit_balance_amount, 0) as deposit_balance_amount,
        coalesce(derived.investment_value_amount, 0) as investment_value_amount,
        {% for t in ['current', 'savings', 'time_deposit'] -%}
            cast(case
                when derived.deposit_balance_amount > 0
                    then greatest(derived.{{ t }}_balance_amount, 0)
                        / (
                            greatest(derived.current_balance_amount, 0) + greatest(derived.savings_balance_amount, 0)
                            + greatest(derived.time_deposit_balance_amount, 0)
                        )
            end as decimal(9, 4)) as {{ t }}_deposit_share,
        {% endfor -%}
        coalesce(derived.average_aum_3m_amount, 0) as average_aum_3m_amount,
        coalesce(derived.average_aum_12m_amount, 0) as average_aum_12m_amount,
        coalesce(derived.loan_outstanding_amount, 0) as loan_outstanding_amount,
        coalesce(derived.has_delinquent_loan, false) as has_delinquent_loan,
        coalesce(derived.card_limit_amount, 0) as card_limit_amount,
        coalesce(derived.card_balance_amount, 0) as card_balance_amount,
        derived.card_utilisation_rate,
        derived.highest_product_risk_rating,
        '{{ var("reporting_currency") }}' as currency,
        -- behaviour
        cast(coalesce(derived.transaction_count_30d, 0) as integer) as transaction_count_30d,
        coalesce(derived.transaction_amount_30d, 0) as transaction_amount_30d,
        cast(coalesce(derived.transaction_count_90d, 0) as integer) as transaction_count_90d,
        coalesce(derived.transaction_amount_90d, 0) as transaction_amount_90d,
        cast(coalesce(derived.transaction_count_365d, 0) as integer) as transaction_count_365d,
        coalesce(derived.transaction_amount_365d, 0) as transaction_amount_365d,
        {% for c in channels -%}
            cast(case
                when derived.transaction_count_365d > 0
                    then derived.{{ c }}_transaction_count_365d * 1.0 / derived.transaction_count_365d
            end as decimal(9, 4)) as {{ c }}_channel_share,
        {% endfor -%}
        cast(case
            when derived.transaction_count_365d > 0
                then derived.digital_transaction_count_365d * 1.0 / derived.transaction_count_365d
        end as decimal(9, 4)) as digital_channel_share,
        coalesce(derived.salary_credit_amount_365d, 0) as salary_credit_amount_365d,
        cast(coalesce(derived.card_transaction_count_365d, 0) as integer) as card_transaction_count_365d,
        coalesce(derived.card_spend_amount_365d, 0) as card_spend_amount_365d,
        {% for g in spend_groups -%}
            cast(case
                when derived.card_spend_amount_365d > 0
                    then derived.{{ g }}_spend_amount_365d / derived.card_spend_amount_365d
            end as decimal(9, 4)) as {{ g }}_spend_share,
        {% endfor -%}
        -- engagement and voice
        cast(coalesce(derived.digital_session_count_90d, 0) as integer) as digital_session_count_90d,
        derived.last_login_at,
        derived.latest_nps_score,
        derived.latest_nps_category,
        derived.latest_nps_date,
        cast(coalesce(derived.complaint_count_365d, 0) as integer) as complaint_count_365d,
        cast(coalesce(derived.open_complaint_count, 0) as integer) as open_complaint_count,
        -- risk preference
        derived.kyc_risk_level,
        derived.kyc_assessment_date,
        derived.kyc_valid_until,
        coalesce(derived.is_kyc_expired, derived.kyc_risk_level is null) as is_kyc_expired,
        case when not coalesce(derived.is_kyc_expired, true) then derived.kyc_risk_level end as valid_kyc_risk_level,
        -- lifecycle
        {%- set lifecycle_args = ['derived.days_since_last_activity', 'coalesce(derived.open_product_count, 0)',
                                  'derived.aum_amount', 'derived.had_products'] %}
        {{ bankseg.is_active(*lifecycle_args) }} as is_active,
        {{ bankseg.is_dormant(*lifecycle_args) }} as is_dormant,
        {{ bankseg.is_churned(*lifecycle_args) }} as is_churned,
        {{ bankseg.lifecycle_status(*lifecycle_args) }} as lifecycle_status
    from derived
    left join bands as age_bands
        on
            age_bands.band_type = 'age'
            and derived.age_years >= age_bands.lower_bound
            and derived.age_years < age_bands.upper_bound
    left join bands as income_bands
        on
            income_bands.band_type = 'annual_income'
            and derived.annual_income_reporting_amount >= income_bands.lower_bound
            and derived.annual_income_reporting_amount < income_bands.upper_bound
    left join branches on derived.home_branch_code = branches.branch_code
)

select * from final
