{#-
    Every accepted complaint attached to its customer (the complaint desk logs complaints against the core
    banking party number, which the identity map resolves), with the dates KPIs count it on: the day it was
    opened and, once resolved, the day it was resolved and how many hours that took.
-#}
with

complaints as (
    select * from {{ ref('stg_feedback__complaints') }}
),

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

final as (
    select
        complaints.complaint_id,
        identity_map.customer_id,
        complaints.complaint_category,
        cast(complaints.opened_at as date) as opened_date,
        cast(complaints.resolved_at as date) as resolved_date,
        complaints.resolution_hours,
        complaints.resolved_at is not null as is_resolved
    from complaints
    inner join identity_map
        on
            identity_map.source_system = 'core_banking'
            and complaints.party_id = identity_map.system_key
)

select * from final
