-- int_customer_products attaches products to customers with an inner join on the identity map; staging
-- quarantines a product whose owner record was not accepted, so no accepted product may be lost here.
with

expected as (
    select
        'deposit' as product_family,
        count(*) as product_count
    from {{ ref('stg_core_banking__deposit_accounts') }}
    union all
    select
        'investment' as product_family,
        count(distinct holding_id) as product_count
    from {{ ref('stg_core_banking__investment_holdings') }}
    union all
    select
        'loan' as product_family,
        count(*) as product_count
    from {{ ref('stg_loans__loan_accounts') }}
    union all
    select
        'card' as product_family,
        count(*) as product_count
    from {{ ref('stg_cards__card_accounts') }}
),

attached as (
    select
        product_family,
        count(*) as product_count
    from {{ ref('int_customer_products') }}
    group by product_family
)

select
    expected.product_family,
    expected.product_count as expected_count,
    coalesce(attached.product_count, 0) as attached_count
from expected
left join attached on expected.product_family = attached.product_family
where expected.product_count <> coalesce(attached.product_count, 0)
