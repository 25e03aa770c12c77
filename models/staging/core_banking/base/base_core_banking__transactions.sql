{#-
    The largest landing table (tens of millions of rows at scale): one pass over the raw rows, seed
    look-ups and one accepted-accounts join (hash joins on small tables), and ONE window for both
    de-duplication flags. Sorting each posting id's rows by extract time (latest first) and fingerprint
    puts identical raw rows next to each other, so
      - a row equal to the row before it is an exact duplicate (what bankseg.duplicate_flag() flags), and
      - a row different from the first (latest) row of its id is a duplicate key (the key window of the
        other base models),
    the same flags as the two-window pattern with one sort of the table instead of two.
-#}
{%- set extraction_lag_days = dbt.datediff('transaction_date', 'extracted_date', 'day') -%}

with

raw as (
    {{ bankseg.raw_rows('core_banking', 'transactions') }}
),

code_map as (
    select * from {{ ref('ref_code_map') }}
),

channels as (
    select * from {{ ref('ref_channels') }}
),

-- orphan check only: the deposit accounts that were accepted into stg_core_banking__deposit_accounts
accepted_accounts as (
    select
        account_id,
        currency
    from {{ ref('base_core_banking__deposit_accounts') }}
    where not _is_exact_duplicate and _quarantine_reason is null
),

typed as (
    select
        raw._row_fingerprint,
        raw._original_values,
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
        accepted_accounts.currency as account_currency
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
        -- an identical copy of the row before it: removed, not quarantined
        coalesce(lag(coded._row_fingerprint) over by_posting = coded._row_fingerprint, false) as _is_exact_duplicate,
        -- a second, different row under an already-used posting reference: the latest extract is kept
        first_value(coded._row_fingerprint) over by_posting <> coded._row_fingerprint as _is_duplicate_key
    from coded
    window by_posting as (
        partition by coded.transaction_id
        order by coded.extracted_at desc nulls last, coded._row_fingerprint asc
    )
),

final as (
    select
        _row_fingerprint,
        _original_values,
        _is_exact_duplicate,
        {{ bankseg.quarantine_reasons([
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
        ]) }} as _quarantine_reason,
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
            and extracted_date > min(extracted_date) over (),
            false
        ) as is_late_arriving
    from keyed
)

select * from final
