{#-
    True when a PRC resident identity number (18 characters) is well formed: 17 digits, a check
    character per ISO 7064 MOD 11-2 (GB 11643), and digits 7-14 a real date. Used to keep a mistyped
    number out of identity matching; the number itself never leaves staging unhashed.
-#}
{% macro is_valid_prc_national_id(expression) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    {%- set id = 'upper(trim(' ~ expression ~ '))' -%}
    coalesce(
        case
            -- the digit arithmetic only runs on a well-formed number (engines evaluate both sides of an and)
            when {{ bankseg.regexp_full_match(id, '[0-9]{17}[0-9X]') }}
                then
                    {{ bankseg.try_parse_date('substr(' ~ id ~ ', 7, 4) || \'-\' || substr(' ~ id ~ ', 11, 2) || \'-\' || substr(' ~ id ~ ', 13, 2)') }} is not null
                    and substr('10X98765432', cast((
                        {%- for w in weights %}
                        cast(substr({{ id }}, {{ loop.index }}, 1) as integer) * {{ w }}{{ ' +' if not loop.last }}
                        {%- endfor %}
                    ) % 11 as integer) + 1, 1) = substr({{ id }}, 18, 1)
            else false
        end,
        false
    )
{%- endmacro %}
