-- No eligible offer is riskier than the customer's valid KYC level (R1-R5 against C1-C5), checked against
-- dim_customers and the product's own rating in ref_products; without a valid level only the configured maximum.
with

offers as (
    select * from {{ ref('fct_customer_eligible_offers') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

offer_seed as (
    select * from {{ ref('ref_offers') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

checked as (
    select
        offers.customer_id,
        offers.offer_code,
        customers.valid_kyc_risk_level,
        coalesce(products.risk_rating, offer_seed.offer_risk_rating) as rating,
        cast(substring(coalesce(products.risk_rating, offer_seed.offer_risk_rating), 2) as integer) as rating_number,
        cast(substring(customers.valid_kyc_risk_level, 2) as integer) as kyc_number
    from offers
    inner join customers on offers.customer_id = customers.customer_id
    inner join offer_seed on offers.offer_code = offer_seed.offer_code
    left join products on offer_seed.product_code = products.product_code
)

select *
from checked
where
    rating_number is null
    or rating_number > coalesce(kyc_number, {{ var('segmentation_max_rating_without_valid_kyc') }})
