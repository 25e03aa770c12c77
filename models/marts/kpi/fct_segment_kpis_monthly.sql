{#-
    Segment KPIs per month end, for value tiers and behavioural clusters (doc blocks kpi_churn_rate and
    kpi_segment_measures). A customer counts in the segment it is in at the month end, except for churn and
    retention, which count in the segment it was in at the start of the month (at the month end it has churned,
    and the churned tier would hold every churner). Every tier of ref_segment_tiers has a row every month (zero
    counts when empty); clusters have a row in the months they have members. Rates are null when their
    denominator is zero.
-#}
with

customer_months as (
    select * from {{ ref('int_kpi_customer_months') }}
),

complaints as (
    select * from {{ ref('int_kpi_complaints') }}
),

tiers as (
    select * from {{ ref('ref_segment_tiers') }}
),

month_end_members as (
    {% for segment_type, code_column in [('tier', 'tier_code'), ('cluster', 'cluster_code')] -%}
        select
            customer_id,
            month_start_date,
            month_end_date,
            '{{ segment_type }}' as segment_type,
            {{ code_column }} as segment_code,
            is_new_customer,
            aum_amount,
            deposit_balance_amount,
            product_count,
            is_digitally_active,
            complaint_count,
            latest_nps_category_3m,
            has_open_loan,
            has_past_due_loan
        from customer_months
        {% if not loop.last %}union all
        {% endif %}
    {%- endfor %}
),

month_start_members as (
    select
        month_end_date,
        'tier' as segment_type,
        start_tier_code as segment_code,
        is_churned_in_month
    from customer_months
    where is_customer_at_start
    union all
    select
        month_end_date,
        'cluster' as segment_type,
        start_cluster_code as segment_code,
        is_churned_in_month
    from customer_months
    where is_customer_at_start
),

month_end_measures as (
    select
        month_end_date,
        segment_type,
        segment_code,
        count(*) as customer_count,
        sum(case when is_new_customer then 1 else 0 end) as new_customer_count,
        sum(aum_amount) as aum_amount,
        avg(deposit_balance_amount) as average_balance_amount,
        avg(product_count * 1.0) as products_per_customer,
        sum(case when is_digitally_active then 1 else 0 end) as digitally_active_customer_count,
        sum(case when complaint_count > 0 then 1 else 0 end) as complaining_customer_count,
        sum(complaint_count) as complaint_count,
        sum(case when latest_nps_category_3m is not null then 1 else 0 end) as nps_respondent_count,
        sum(case when latest_nps_category_3m = 'promoter' then 1 else 0 end) as nps_promoter_count,
        sum(case when latest_nps_category_3m = 'detractor' then 1 else 0 end) as nps_detractor_count,
        sum(case when has_open_loan then 1 else 0 end) as loan_customer_count,
        sum(case when has_open_loan and has_past_due_loan then 1 else 0 end) as delinquent_loan_customer_count
    from month_end_members
    group by month_end_date, segment_type, segment_code
),

month_start_measures as (
    select
        month_end_date,
        segment_type,
        segment_code,
        count(*) as start_customer_count,
        sum(case when is_churned_in_month then 1 else 0 end) as churned_customer_count
    from month_start_members
    group by month_end_date, segment_type, segment_code
),

resolved_complaints as (
    select
        month_end_members.month_end_date,
        month_end_members.segment_type,
        month_end_members.segment_code,
        count(*) as resolved_complaint_count,
        percentile_cont(0.5) within group (order by complaints.resolution_hours) as median_resolution_hours
    from month_end_members
    inner join complaints
        on
            month_end_members.customer_id = complaints.customer_id
            and month_end_members.month_start_date <= complaints.resolved_date
            and month_end_members.month_end_date >= complaints.resolved_date
    group by month_end_members.month_end_date, month_end_members.segment_type, month_end_members.segment_code
),

months as (
    select distinct month_end_date from customer_months
),

segment_spine as (
    select
        months.month_end_date,
        'tier' as segment_type,
        tiers.tier_code as segment_code
    from months
    cross join tiers
    union
    select
        month_end_date,
        segment_type,
        segment_code
    from month_end_measures
    union
    select
        month_end_date,
        segment_type,
        segment_code
    from month_start_measures
),

final as (
    select
        segment_spine.month_end_date,
        segment_spine.segment_type,
        segment_spine.segment_code,
        coalesce(month_end_measures.customer_count, 0) as customer_count,
        coalesce(month_end_measures.new_customer_count, 0) as new_customer_count,
        coalesce(month_start_measures.start_customer_count, 0) as start_customer_count,
        coalesce(month_start_measures.churned_customer_count, 0) as churned_customer_count,
        month_start_measures.churned_customer_count * 1.0
        / nullif(month_start_measures.start_customer_count, 0) as churn_rate,
        (month_start_measures.start_customer_count - month_start_measures.churned_customer_count) * 1.0
        / nullif(month_start_measures.start_customer_count, 0) as retention_rate,
        coalesce(month_end_measures.aum_amount, 0) as aum_amount,
        month_end_measures.average_balance_amount,
        month_end_measures.products_per_customer,
        month_end_measures.digitally_active_customer_count * 1.0
        / nullif(month_end_measures.customer_count, 0) as digital_adoption_rate,
        coalesce(month_end_measures.nps_respondent_count, 0) as nps_respondent_count,
        100.0 * (month_end_measures.nps_promoter_count - month_end_measures.nps_detractor_count)
        / nullif(month_end_measures.nps_respondent_count, 0) as net_promoter_score,
        coalesce(month_end_measures.complaint_count, 0) as complaint_count,
        month_end_measures.complaining_customer_count * 1.0
        / nullif(month_end_measures.customer_count, 0) as complaint_rate,
        coalesce(resolved_complaints.resolved_complaint_count, 0) as resolved_complaint_count,
        resolved_complaints.median_resolution_hours,
        coalesce(month_end_measures.loan_customer_count, 0) as loan_customer_count,
        coalesce(month_end_measures.delinquent_loan_customer_count, 0) as delinquent_loan_customer_count,
        month_end_measures.delinquent_loan_customer_count * 1.0
        / nullif(month_end_measures.loan_customer_count, 0) as loan_delinquency_rate
    from segment_spine
    left join month_end_measures
        on
            segment_spine.month_end_date = month_end_measures.month_end_date
            and segment_spine.segment_type = month_end_measures.segment_type
            and segment_spine.segment_code = month_end_measures.segment_code
    left join month_start_measures
        on
            segment_spine.month_end_date = month_start_measures.month_end_date
            and segment_spine.segment_type = month_start_measures.segment_type
            and segment_spine.segment_code = month_start_measures.segment_code
    left join resolved_complaints
        on
            segment_spine.month_end_date = resolved_complaints.month_end_date
            and segment_spine.segment_type = resolved_complaints.segment_type
            and segment_spine.segment_code = resolved_complaints.segment_code
)

select
    month_end_date,
    cast(segment_type as varchar) as segment_type,
    cast(segment_code as varchar) as segment_code,
    cast(customer_count as integer) as customer_count,
    cast(new_customer_count as integer) as new_customer_count,
    cast(start_customer_count as integer) as start_customer_count,
    cast(churned_customer_count as integer) as churned_customer_count,
    cast(churn_rate as double) as churn_rate,
    cast(retention_rate as double) as retention_rate,
    {{ bankseg.to_money('aum_amount') }} as aum_amount,
    {{ bankseg.to_money('average_balance_amount') }} as average_balance_amount,
    '{{ var("reporting_currency") }}' as currency,
    cast(products_per_customer as double) as products_per_customer,
    cast(digital_adoption_rate as double) as digital_adoption_rate,
    cast(nps_respondent_count as integer) as nps_respondent_count,
    cast(net_promoter_score as double) as net_promoter_score,
    cast(complaint_count as integer) as complaint_count,
    cast(complaint_rate as double) as complaint_rate,
    cast(resolved_complaint_count as integer) as resolved_complaint_count,
    cast(median_resolution_hours as double) as median_resolution_hours,
    cast(loan_customer_count as integer) as loan_customer_count,
    cast(delinquent_loan_customer_count as integer) as delinquent_loan_customer_count,
    cast(loan_delinquency_rate as double) as loan_delinquency_rate
from final
