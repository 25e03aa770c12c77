-- The lifecycle definition lives once (macros/business/lifecycle.sql): the customer 360 and the as-of month of
-- the monthly feature history must give every customer the same status.
with

dim_customers as (
    select * from {{ ref('dim_customers') }}
),

features as (
    select * from {{ ref('fct_customer_features_monthly') }}
    where is_as_of_month
)

select
    dim_customers.customer_id,
    dim_customers.lifecycle_status as dim_status,
    features.lifecycle_status as monthly_status
from dim_customers
inner join features on dim_customers.customer_id = features.customer_id
where dim_customers.lifecycle_status <> features.lifecycle_status
