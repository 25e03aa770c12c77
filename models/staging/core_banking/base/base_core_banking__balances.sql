-- an incremental table, not a view (docs large_base_table, landing_increment): stg_ and the quarantine model both read it
{{ bankseg.large_base_table_config('core_banking', 'balances') }}
{%- set columns = bankseg.source_columns('core_banking', 'balances') -%}
{%- set keys = [
    ['account_id', bankseg.clean_code('raw.account_id')], ['balance_date', bankseg.try_parse_date('raw.balance_date')]
] -%}
{#- the deposit accounts accepted into stg_core_banking__deposit_accounts, with their product's overdraft rule -#}
{%- set lookup = {
    'sql': 'select deposit_accounts.account_id, deposit_accounts.open_date, deposit_accounts.close_date,'
        ~ ' deposit_accounts.currency, coalesce(products.allows_overdraft, false) as allows_overdraft'
        ~ ' from ' ~ ref('base_core_banking__deposit_accounts') ~ ' as deposit_accounts'
        ~ ' left join ' ~ ref('ref_products') ~ ' as products'
        ~ ' on deposit_accounts.product_code = products.product_code'
        ~ ' where not deposit_accounts._is_exact_duplicate and deposit_accounts._quarantine_reason is null',
    'on': [['account_id', 'account_id']],
    'columns': ['account_id', 'open_date', 'close_date', 'currency', 'allows_overdraft'],
} -%}
{%- set scope = bankseg.landing_increment('core_banking', 'balances', keys, lookup=lookup) -%}
{%- set row_checks = [
    ['missing account_id', 'account_id is null'],
    ['missing balance_date', "nullif(trim(balance_date_raw), '') is null"],
    ['unparseable balance_date', bankseg.is_unparseable('balance_date_raw', 'balance_date')],
    ['duplicate key', '_is_duplicate_key and account_id is not null and balance_date is not null'],
    ['orphan account_id', 'account_id is not null and accepted_account_id is null'],
    ['missing balance', 'balance_amount is null'],
    ['negative balance', 'balance_amount < 0 and not coalesce(account_allows_overdraft, false)'],
    ['balance date before account opened', 'balance_date < account_open_date'],
    ['balance date after account closed', 'balance_date > account_close_date'],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
] -%}
with

{{ scope.ctes }}

raw as {{ bankseg.inline_cte() }} (
    {{ bankseg.landing_rows('core_banking', 'balances', where=scope.raw_filter) }}
),

-- the de-duplication flags, computed on the few rows whose key repeats (macro repeat_flag_ctes)
{{ bankseg.repeat_flag_ctes(columns, keys) }},

-- orphan check only: the deposit accounts that were accepted into stg_core_banking__deposit_accounts
accepted_accounts as (
    {{ lookup.sql }}
),

typed as (
    select
        raw._landing_file,
        raw._landing_row,
        {{ bankseg.clean_code('raw.account_id') }} as account_id,
        raw.balance_date as balance_date_raw,
        {{ bankseg.try_parse_date('raw.balance_date') }} as balance_date,
        {{ bankseg.to_money('raw.balance') }} as balance_amount,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

joined as (
    select
        typed.*,
        accepted_accounts.account_id as accepted_account_id,
        accepted_accounts.open_date as account_open_date,
        accepted_accounts.close_date as account_close_date,
        accepted_accounts.currency as account_currency,
        accepted_accounts.allows_overdraft as account_allows_overdraft,
        {{ bankseg.lookup_hash('accepted_accounts', lookup) }} as _lookup_hash
    from typed
    left join accepted_accounts
        on typed.account_id = accepted_accounts.account_id
),

keyed as (
    select
        joined.*,
        coalesce(repeat_flags._is_exact_duplicate, false) as _is_exact_duplicate,
        coalesce(repeat_flags._is_duplicate_key, false) as _is_duplicate_key
    from joined
    left join repeat_flags
        on joined._landing_file = repeat_flags._landing_file and joined._landing_row = repeat_flags._landing_row
),

checked as (
    select
        keyed.*,
        {{ bankseg.is_rejected(row_checks) }} as _is_rejected
    from keyed
),

final as (
    select
        _landing_file,
        _landing_row,
        _is_exact_duplicate,
        _is_rejected,
        case when _is_rejected then {{ bankseg.quarantine_reasons(row_checks) }} end as _quarantine_reason,
        {{ scope.rules_hash }} as _rules_hash,
        _lookup_hash,
        account_id,
        balance_date,
        balance_amount,
        coalesce(currency_code, account_currency) as currency,
        extracted_at
    from checked
)

select * from final
{{ scope.output_filter }}
