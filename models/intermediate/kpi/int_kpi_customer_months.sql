{#-
    One row per customer and month end of the monthly history (fct_customer_segments): the segments the
    customer is in at the month end and was in at the start of the month (the previous month end), and the
    per-customer facts the segment KPIs add up (doc blocks kpi_churn_rate and kpi_segment_measures):
      - churn: a customer at the start of the month (in the history at the previous month end and not churned
        there, doc block churned_customer) who is churned at the month end churned in the month;
      - new: the customer's first product (relationship start) opened in the month;
      - AUM, deposit balance and products at the month end; digital adoption over the 3 months ending with it;
      - complaints opened in the month; the latest NPS answer of the 3 months ending with the month end;
      - an open loan at the month end, and whether an instalment due before the month end was still unpaid.
    The first month of the history has no start-of-month row, so nobody is at risk of churning in it.
-#}
with

month_ends as (
    select * from {{ ref('int_month_ends') }}
),

segments as (
    select * from {{ ref('fct_customer_segments') }}
),

features as (
    select * from {{ ref('fct_customer_features_monthly') }}
),

products as (
    select * from {{ ref('int_customer_products') }}
),

repayments as (
    select * from {{ ref('stg_loans__repayments') }}
),

complaints as (
    select * from {{ ref('int_kpi_complaints') }}
),

survey_answers as (
    select * from {{ ref('int_kpi_survey_answers') }}
),

customer_months as (
    select
        segments.customer_id,
        month_ends.month_start_date,
        segments.month_end_date,
        month_ends.months_back,
        segments.tier_code,
        cast(segments.cluster_id as varchar) as cluster_code,
        features.is_churned,
        features.aum_amount,
        features.deposit_balance_amount,
        features.product_count,
        features.loan_count,
        features.currency,
        (
            features.digital_session_count_3m > 0 or coalesce(features.digital_channel_share_3m, 0) > 0
        ) as is_digitally_active
    from segments
    inner join month_ends on segments.month_end_date = month_ends.month_end_date
    inner join features
        on
            segments.customer_id = features.customer_id
            and segments.month_end_date = features.month_end_date
),

relationship_starts as (
    select
        customer_id,
        min(open_date) as relationship_start_date
    from products
    group by customer_id
),

loan_products as (
    select
        customer_id,
        product_key as loan_id,
        open_date,
        close_date
    from products
    where product_family = 'loan'
),

past_due_customers as (
    -- an open loan with an instalment due before the month end and not paid by it
    select distinct
        customer_months.customer_id,
        customer_months.month_end_date
    from customer_months
    inner join loan_products
        on
            customer_months.customer_id = loan_products.customer_id
            and customer_months.month_end_date >= loan_products.open_date
            and (loan_products.close_date is null or customer_months.month_end_date < loan_products.close_date)
    inner join repayments
        on
            loan_products.loan_id = repayments.loan_id
            and customer_months.month_end_date > repayments.due_date
            and (repayments.paid_date is null or customer_months.month_end_date < repayments.paid_date)
),

monthly_complaints as (
    select
        customer_months.customer_id,
        customer_months.month_end_date,
        count(*) as complaint_count
    from customer_months
    inner join complaints
        on
            customer_months.customer_id = complaints.customer_id
            and customer_months.month_start_date <= complaints.opened_date
            and customer_months.month_end_date >= complaints.opened_date
    group by customer_months.customer_id, customer_months.month_end_date
),

ranked_nps_answers as (
    select
        customer_months.customer_id,
        customer_months.month_end_date,
        survey_answers.nps_category,
        row_number() over (
            partition by customer_months.customer_id, customer_months.month_end_date
            order by survey_answers.survey_date desc, survey_answers.survey_response_id desc
        ) as answer_rank
    from customer_months
    inner join survey_answers
        on
            customer_months.customer_id = survey_answers.customer_id
            and survey_answers.survey_type = 'nps'
            and survey_answers.survey_date
            >= cast({{ dbt.dateadd('month', -2, 'customer_months.month_start_date') }} as date)
            and customer_months.month_end_date >= survey_answers.survey_date
),

final as (
    select
        customer_months.customer_id,
        customer_months.month_start_date,
        customer_months.month_end_date,
        customer_months.tier_code,
        customer_months.cluster_code,
        previous_months.tier_code as start_tier_code,
        previous_months.cluster_code as start_cluster_code,
        coalesce(not previous_months.is_churned, false) as is_customer_at_start,
        coalesce(not previous_months.is_churned and customer_months.is_churned, false) as is_churned_in_month,
        customer_months.is_churned,
        coalesce(
            relationship_starts.relationship_start_date >= customer_months.month_start_date
            and relationship_starts.relationship_start_date <= customer_months.month_end_date,
            false
        ) as is_new_customer,
        customer_months.aum_amount,
        customer_months.deposit_balance_amount,
        customer_months.product_count,
        customer_months.is_digitally_active,
        coalesce(monthly_complaints.complaint_count, 0) as complaint_count,
        ranked_nps_answers.nps_category as latest_nps_category_3m,
        customer_months.loan_count > 0 as has_open_loan,
        past_due_customers.customer_id is not null as has_past_due_loan,
        customer_months.currency
    from customer_months
    left join customer_months as previous_months
        on
            customer_months.customer_id = previous_months.customer_id
            and customer_months.months_back + 1 = previous_months.months_back
    left join relationship_starts on customer_months.customer_id = relationship_starts.customer_id
    left join past_due_customers
        on
            customer_months.customer_id = past_due_customers.customer_id
            and customer_months.month_end_date = past_due_customers.month_end_date
    left join monthly_complaints
        on
            customer_months.customer_id = monthly_complaints.customer_id
            and customer_months.month_end_date = monthly_complaints.month_end_date
    left join ranked_nps_answers
        on
            customer_months.customer_id = ranked_nps_answers.customer_id
            and customer_months.month_end_date = ranked_nps_answers.month_end_date
            and ranked_nps_answers.answer_rank = 1
)

select * from final
