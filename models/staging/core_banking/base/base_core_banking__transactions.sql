{#-
    The largest landing table (tens of millions of rows at scale), so it is written for DuckDB's cost model:
      - the de-duplication flags are computed only on the rows of posting ids that occur more than once (a few
        percent), on a narrow projection, joined back by landing position (bankseg.repeat_flag_ctes): a window
        over the whole wide table cost most of this model's time;
      - an incremental table, not a view (doc large_base_table): stg_ and the quarantine model both read it, so the
        scan, the cleaning and the checks run once, and a daily run recomputes only the new landing file and the
        loaded rows it can change (macro landing_increment, doc landing_increment). It keeps no raw column: each row's landing position (_landing_file,
        _landing_row) lets the quarantine model fetch the raw values of the rejected rows alone for their
        fingerprint and original values (bankseg.landing_quarantine_rows). Carrying the raw text columns through
        the joins for that, at 1M customers, spilled until the disk was full;
      - the quarantine reason text is built for rejected rows only;
      - `_is_rejected` is the quarantine test as a boolean, cheaper to filter on than the reason text.
-#}
{{ bankseg.large_base_table_config('core_banking', 'transactions') }}
{%- set columns = bankseg.source_columns('core_banking', 'transactions') -%}
{%- set keys = [['transaction_id', bankseg.clean_code('raw.transaction_id')]] -%}
{#- orphan check and currency fallback: the deposit accounts accepted into stg_core_banking__deposit_accounts -#}
{%- set lookup = {
    'sql': 'select account_id, currency from ' ~ ref('base_core_banking__deposit_accounts')
        ~ ' where not _is_exact_duplicate and _quarantine_reason is null',
    'on': [['account_id', 'account_id']],
    'columns': ['account_id', 'currency'],
} -%}
{%- set scope = bankseg.landing_increment(
    'core_banking', 'transactions', keys, lookup=lookup,
    rules=[ref('ref_code_map'), ref('ref_channels')], first_extract='extracted_at'
) -%}
{%- set transaction_checks = [
    ['missing transaction_id', 'transaction_id is null'],
    ['duplicate key', '_is_duplicate_key and transaction_id is not null'],
    ['missing account_id', 'account_id is null'],
    ['orphan account_id', 'account_id is not null and accepted_account_id is null'],
    ['missing transaction_ts', "nullif(trim(transaction_ts_raw), '') is null"],
    ['unparseable transaction_ts', bankseg.is_unparseable('transaction_ts_raw', 'transaction_at')],
    ['unparseable extracted_at', bankseg.is_unparseable('extracted_at_raw', 'extracted_at')],
    ['missing amount', 'amount is null'],
    ['negative amount', 'amount < 0'],
    ['zero amount', 'amount = 0'],
    ['missing direction', 'direction_code is null'],
    ['unknown direction', 'direction_code is not null and direction is null'],
    ['unknown channel', 'channel_code is not null and channel is null'],
    ['unknown counterparty_type', 'counterparty_type_code is not null and counterparty_type is null'],
] -%}
{#- an incremental run that reads only some landing files keeps the stored first extract day (landing_increment) -#}
{%- set first_extract_day = '_first_extracted_date' if scope.partial
    else 'cast(' ~ bankseg.try_parse_timestamp('raw.extracted_at') ~ ' as date)' -%}
{%- set extraction_lag_days = dbt.datediff('transaction_date', 'extracted_date', 'day') -%}

with

{{ scope.ctes }}

raw as {{ bankseg.inline_cte() }} (
    {{ bankseg.landing_rows('core_banking', 'transactions', where=scope.raw_filter) }}
),

-- the de-duplication flags, computed on the few rows whose posting id repeats (macro repeat_flag_ctes)
{{ bankseg.repeat_flag_ctes(columns, keys) }},

-- the table's first extract day: postings in it are history, never late (an incremental run that would change it
-- recomputes every row: landing_increment)
first_extract as (
    select min({{ first_extract_day }}) as first_extracted_date
    from {{ this if scope.partial else 'raw' }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

accepted_accounts as (
    {{ lookup.sql }}
),

typed as (
    select
        raw._landing_file,
        raw._landing_row,
        {{ bankseg.clean_code('raw.transaction_id') }} as transaction_id,
        {{ bankseg.clean_code('raw.account_id') }} as account_id,
        raw.transaction_ts as transaction_ts_raw,
        {{ bankseg.try_parse_timestamp('raw.transaction_ts') }} as transaction_at,
        {{ bankseg.to_money('raw.amount') }} as amount,
        {{ bankseg.clean_code('raw.currency') }} as currency_code,
        {{ bankseg.clean_code('raw.direction') }} as direction_code,
        {{ bankseg.clean_code('raw.channel_code') }} as channel_code,
        {{ bankseg.clean_code('raw.counterparty_type') }} as counterparty_type_code,
        {{ bankseg.clean_text('raw.description') }} as description,
        raw.extracted_at as extracted_at_raw,
        {{ bankseg.try_parse_timestamp('raw.extracted_at') }} as extracted_at
    from raw
),

coded as (
    select
        typed.*,
        cast(typed.transaction_at as date) as transaction_date,
        cast(typed.extracted_at as date) as extracted_date,
        direction.code as direction,
        channels.channel,
        channels.is_digital as is_digital_channel,
        counterparty.code as counterparty_type,
        accepted_accounts.account_id as accepted_account_id,
        accepted_accounts.currency as account_currency,
        {{ bankseg.lookup_hash('accepted_accounts', lookup) }} as _lookup_hash
    from typed
    left join code_map as direction
        on direction.code_set = 'transaction_direction' and typed.direction_code = direction.raw_code
    left join channels
        on typed.channel_code = channels.channel_code
    left join code_map as counterparty
        on counterparty.code_set = 'counterparty_type' and typed.counterparty_type_code = counterparty.raw_code
    left join accepted_accounts
        on typed.account_id = accepted_accounts.account_id
),

keyed as (
    select
        coded.*,
        coalesce(repeat_flags._is_exact_duplicate, false) as _is_exact_duplicate,
        coalesce(repeat_flags._is_duplicate_key, false) as _is_duplicate_key,
        first_extract.first_extracted_date
    from coded
    left join repeat_flags
        on coded._landing_file = repeat_flags._landing_file and coded._landing_row = repeat_flags._landing_row
    cross join first_extract
),

checked as (
    select
        keyed.*,
        {{ bankseg.is_rejected(transaction_checks) }} as _is_rejected
    from keyed
),

final as (
    select
        _landing_file,
        _landing_row,
        _is_exact_duplicate,
        _is_rejected,
        case when _is_rejected then {{ bankseg.quarantine_reasons(transaction_checks) }} end as _quarantine_reason,
        {{ scope.rules_hash }} as _rules_hash,
        _lookup_hash,
        first_extracted_date as _first_extracted_date,
        transaction_id,
        account_id,
        transaction_at,
        transaction_date,
        amount,
        case direction when 'credit' then amount when 'debit' then -amount end as signed_amount,
        coalesce(currency_code, account_currency) as currency,
        direction,
        channel,
        is_digital_channel,
        counterparty_type,
        description,
        extracted_at,
        -- late: extracted after the extract that normally carries the transaction date - more than one
        -- calendar day after it, and after the table's first extract (a history load is not late);
        -- unknown extract time: not late
        coalesce(
            {{ extraction_lag_days | trim }} > 1
            and extracted_date > first_extracted_date,
            false
        ) as is_late_arriving
    from checked
)

select * from final
{{ scope.output_filter }}
