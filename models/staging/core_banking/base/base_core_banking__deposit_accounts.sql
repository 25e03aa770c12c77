{#- A deposit rate above this fraction (default 20%) is not a retail deposit rate: an extract error. -#}
{%- set max_interest_rate = var('max_deposit_interest_rate', 0.2) -%}

with

raw as (
    {{ bankseg.raw_rows('core_banking', 'deposit_accounts') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

products as (
    select * from {{ ref('ref_products') }}
),

branches as (
    select * from {{ ref('ref_branches') }}
),

-- orphan check only: the parties that were accepted into stg_core_banking__parties
accepted_parties as (
    select party_id
    from {{ ref('base_core_banking__parties') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
        {{ bankseg.duplicate_flag() }} as _is_exact_duplicate,
        {{ bankseg.clean_code('raw.account_id') }} as account_id,
        {{ bankseg.clean_code('raw.party_id') }} as party_id,
        {{ bankseg.clean_code('raw.product_code') }} as product_code,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        raw.open_date as open_date_raw,
        {{ bankseg.try_parse_date('raw.open_date') }} as open_date,
        raw.maturity_date as maturity_date_raw,
        {{ bankseg.try_parse_date('raw.maturity_date') }} as maturity_date,
        raw.close_date as close_date_raw,
        {{ bankseg.try_parse_date('raw.close_date') }} as close_date,
        {{ bankseg.clean_code('raw.status_code') }} as status_code,
        {{ bankseg.clean_code('raw.branch_code') }} as branch_code,
        -- the extract gives percent per year (1.65 = 1.65%); the house unit is a fraction
        cast(round(raw.interest_rate / 100, 6) as decimal(10, 6)) as interest_rate,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        status.code as status,
        products.product_family,
        products.product_type,
        products.default_currency,
        branches.branch_code as known_branch_code,
        accepted_parties.party_id as accepted_party_id
    from typed
    left join code_map as status
        on status.code_set = 'deposit_account_status' and typed.status_code = status.raw_code
    left join products
        on typed.product_code = products.product_code
    left join branches
        on typed.branch_code = branches.branch_code
    left join accepted_parties
        on typed.party_id = accepted_parties.party_id
),

keyed as (
    select
        coded.*,
        -- a second, different row under an already-used account number: keep the latest extract
        row_number() over (
            partition by coded._is_exact_duplicate, coded.account_id
            order by coded.extracted_at desc nulls last, coded._row_fingerprint asc
        ) > 1 as _is_duplicate_key
    from coded
),

final as (
    select
        _row_fingerprint,
        _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons([
            ['missing account_id', 'account_id is null'],
            ['duplicate key', '_is_duplicate_key and account_id is not null'],
            ['missing party_id', 'party_id is null'],
            ['orphan party_id', 'party_id is not null and accepted_party_id is null'],
            ['missing product_code', 'product_code is null'],
            ['unknown product', 'product_code is not null and product_family is null'],
            ['not a deposit product', "product_family <> 'deposit'"],
            ['missing open_date', "nullif(trim(open_date_raw), '') is null"],
            ['unparseable open_date', bankseg.is_unparseable('open_date_raw', 'open_date')],
            ['unparseable maturity_date', bankseg.is_unparseable('maturity_date_raw', 'maturity_date')],
            ['unparseable close_date', bankseg.is_unparseable('close_date_raw', 'close_date')],
            ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
            ['close date before open date', 'close_date < open_date'],
            ['maturity date before open date', 'maturity_date < open_date'],
            ['missing status_code', 'status_code is null'],
            ['unknown status', 'status_code is not null and status is null'],
            ['unknown branch_code', 'branch_code is not null and known_branch_code is null'],
            ['negative interest_rate', 'interest_rate < 0'],
            ['implausible interest_rate', 'interest_rate > ' ~ max_interest_rate],
        ]) }} as _quarantine_reason,
        account_id,
        party_id,
        product_code,
        case when product_family = 'deposit' then product_type end as account_type,
        coalesce(currency_code, default_currency) as currency,
        open_date,
        maturity_date,
        close_date,
        status,
        branch_code,
        interest_rate,
        extracted_at
    from keyed
)

select * from final
