-- An offer of a rated product (ref_products.risk_rating) carries that rating; unrated products are offered as R1.
with

offer_seed as (
    select * from {{ ref('ref_offers') }}
),

products as (
    select * from {{ ref('ref_products') }}
)

select
    offer_seed.offer_code,
    offer_seed.product_code,
    offer_seed.offer_risk_rating,
    products.risk_rating
from offer_seed
left join products on offer_seed.product_code = products.product_code
where
    products.product_code is null
    or offer_seed.offer_risk_rating <> coalesce(products.risk_rating, 'R1')
