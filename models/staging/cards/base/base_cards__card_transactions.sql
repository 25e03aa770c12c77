-- an incremental table, not a view (docs large_base_table, landing_increment): stg_ and the quarantine model both read it
{{ bankseg.large_base_table_config('cards', 'card_transactions') }}
{%- set columns = bankseg.source_columns('cards', 'card_transactions') -%}
{%- set keys = [['card_transaction_id', bankseg.clean_code('raw.card_transaction_id')]] -%}
{#- orphan check: the card accounts accepted into stg_cards__card_accounts -#}
{%- set lookup = {
    'sql': 'select card_account_id from ' ~ ref('base_cards__card_accounts')
        ~ ' where not _is_exact_duplicate and _quarantine_reason is null',
    'on': [['card_account_id', 'card_account_id']],
    'columns': ['card_account_id'],
} -%}
{%- set scope = bankseg.landing_increment(
    'cards', 'card_transactions', keys, lookup=lookup,
    rules=[ref('ref_merchant_category_groups')], settings=[var('reporting_currency')]
) -%}
{%- set row_checks = [
    ['missing card_transaction_id', 'card_transaction_id is null'],
    ['duplicate key', '_is_duplicate_key and card_transaction_id is not null'],
    ['missing card_account_id', 'card_account_id is null'],
    ['orphan card_account_id', 'card_account_id is not null and known_card_account_id is null'],
    ['missing transaction_ts', "nullif(trim(transaction_ts_raw), '') is null"],
    ['unparseable transaction_ts', bankseg.is_unparseable('transaction_ts_raw', 'transaction_at')],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
    ['missing amount', 'transaction_amount is null'],
    ['negative amount', 'transaction_amount < 0'],
    ['zero amount', 'transaction_amount = 0'],
    ['missing merchant_category_code', 'merchant_category_code is null'],
    ['unknown merchant_category_code',
        'merchant_category_code is not null and known_merchant_category_code is null'],
] -%}
with

{{ scope.ctes }}

raw as {{ bankseg.inline_cte() }} (
    {{ bankseg.landing_rows('cards', 'card_transactions', where=scope.raw_filter) }}
),

-- the de-duplication flags, computed on the few rows whose key repeats (macro repeat_flag_ctes)
{{ bankseg.repeat_flag_ctes(columns, keys) }},

merchant_category_groups as (
    select * from {{ ref('ref_merchant_category_groups') }}
),

-- orphan check only: the card account ids accepted by base_cards__card_accounts
card_accounts as (
    {{ lookup.sql }}
),

typed as (
    select
        raw._landing_file,
        raw._landing_row,
        {{ bankseg.clean_code('raw.card_transaction_id') }} as card_transaction_id,
        {{ bankseg.clean_code('raw.card_account_id') }} as card_account_id,
        raw.transaction_ts as transaction_ts_raw,
        {{ bankseg.try_parse_timestamp('raw.transaction_ts') }} as transaction_at,
        {{ bankseg.to_money('raw.amount') }} as transaction_amount,
        coalesce({{ bankseg.clean_code('raw.currency') }}, '{{ var("reporting_currency") }}') as currency,
        {{ bankseg.clean_code('raw.merchant_category_code') }} as merchant_category_code,
        {{ bankseg.clean_text('raw.merchant_name') }} as merchant_name,
        {{ bankseg.clean_text('raw.merchant_city') }} as merchant_city_raw,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        merchant_category_groups.merchant_category_code as known_merchant_category_code,
        merchant_category_groups.merchant_category_en as merchant_category,
        merchant_category_groups.spend_group,
        card_accounts.card_account_id as known_card_account_id,
        {{ bankseg.lookup_hash('card_accounts', lookup) }} as _lookup_hash
    from typed
    left join merchant_category_groups
        on typed.merchant_category_code = merchant_category_groups.merchant_category_code
    left join card_accounts
        on typed.card_account_id = card_accounts.card_account_id
),

keyed as (
    select
        coded.*,
        coalesce(repeat_flags._is_exact_duplicate, false) as _is_exact_duplicate,
        coalesce(repeat_flags._is_duplicate_key, false) as _is_duplicate_key
    from coded
    left join repeat_flags
        on coded._landing_file = repeat_flags._landing_file and coded._landing_row = repeat_flags._landing_row
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
        card_transaction_id,
        card_account_id,
        transaction_at,
        transaction_amount,
        currency,
        merchant_category_code,
        merchant_category,
        spend_group,
        merchant_name,
        {{ bankseg.initcap_words('merchant_city_raw') }} as merchant_city,
        extracted_at
    from checked
)

select * from final
{{ scope.output_filter }}
