{#-
    Every product a customer holds or held, from every system, attached to its customer_id through the
    identity map: deposit accounts (core banking party), investment holdings (party), loans (loan borrower)
    and credit cards (card holder). A product whose owner record has no customer cannot exist here: its
    owner was quarantined, so staging quarantined the product as an orphan too.
-#}
with

identity_map as (
    select * from {{ ref('int_customer_identity_map') }}
),

deposit_accounts as (
    select * from {{ ref('stg_core_banking__deposit_accounts') }}
),

holdings as (
    select * from {{ ref('stg_core_banking__investment_holdings') }}
),

loan_accounts as (
    select * from {{ ref('stg_loans__loan_accounts') }}
),

last_repayments as (
    select
        loan_id,
        max(paid_date) as last_paid_date
    from {{ ref('stg_loans__repayments') }}
    group by loan_id
),

card_accounts as (
    select * from {{ ref('stg_cards__card_accounts') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

deposit_products as (
    select
        'deposit' as product_family,
        deposit_accounts.account_id as product_key,
        'core_banking' as owner_system,
        deposit_accounts.party_id as owner_key,
        deposit_accounts.product_code,
        deposit_accounts.account_type as product_type,
        deposit_accounts.currency,
        deposit_accounts.open_date,
        deposit_accounts.close_date,
        deposit_accounts.status as reported_status
    from deposit_accounts
),

latest_valuation as (
    select max(valuation_date) as valuation_date from holdings
),

holding_spans as (
    select
        holding_id,
        min(party_id) as party_id,
        min(product_code) as product_code,
        min(product_type) as product_type,
        min(currency) as currency,
        min(valuation_date) as first_valuation_date,
        max(valuation_date) as last_valuation_date
    from holdings
    group by holding_id
),

investment_products as (
    -- a holding is open from its first valuation; one missing from the latest month-end valuation was sold
    -- after its last valuation
    select
        'investment' as product_family,
        holding_spans.holding_id as product_key,
        'core_banking' as owner_system,
        holding_spans.party_id as owner_key,
        holding_spans.product_code,
        holding_spans.product_type,
        holding_spans.currency,
        holding_spans.first_valuation_date as open_date,
        case
            when holding_spans.last_valuation_date < latest_valuation.valuation_date
                then cast({{ dbt.dateadd('day', 1, 'holding_spans.last_valuation_date') }} as date)
        end as close_date,
        case
            when holding_spans.last_valuation_date < latest_valuation.valuation_date then 'closed' else 'active'
        end as reported_status
    from holding_spans
    cross join latest_valuation
),

loan_products as (
    -- a paid-off or written-off loan closed with its last repayment (its maturity date when none is recorded)
    select
        'loan' as product_family,
        loan_accounts.loan_id as product_key,
        'loans' as owner_system,
        loan_accounts.borrower_id as owner_key,
        loan_accounts.product_code,
        loan_accounts.loan_type as product_type,
        loan_accounts.currency,
        loan_accounts.disbursement_date as open_date,
        case
            when loan_accounts.status in ('paid_off', 'written_off')
                then coalesce(last_repayments.last_paid_date, loan_accounts.maturity_date)
        end as close_date,
        loan_accounts.status as reported_status
    from loan_accounts
    left join last_repayments on loan_accounts.loan_id = last_repayments.loan_id
),

card_products as (
    select
        'card' as product_family,
        card_account_id as product_key,
        'cards' as owner_system,
        cardholder_id as owner_key,
        product_code,
        'credit_card' as product_type,
        currency,
        open_date,
        close_date,
        status as reported_status
    from card_accounts
),

unioned as (
    select * from deposit_products
    union all
    select * from investment_products
    union all
    select * from loan_products
    union all
    select * from card_products
),

final as (
    select
        unioned.product_family || ':' || unioned.product_key as customer_product_id,
        identity_map.customer_id,
        unioned.product_family,
        unioned.product_type,
        unioned.product_code,
        products.product_name_en,
        products.product_name_zh,
        products.risk_rating as product_risk_rating,
        unioned.product_key,
        unioned.owner_system,
        unioned.owner_key,
        unioned.currency,
        unioned.open_date,
        unioned.close_date,
        unioned.reported_status
    from unioned
    inner join identity_map
        on unioned.owner_system = identity_map.source_system and unioned.owner_key = identity_map.system_key
    left join products on unioned.product_code = products.product_code
)

select * from final
