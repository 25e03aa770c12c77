{#-
    Label propagation state of identity resolution, shared by int_customer_identity_map and the test that
    proves it converged. A state key is a two-digit strength (00 anchored by a national id, 01-09 the weakest
    link priority on the path, 99 a record's own label) followed by the label, so the smallest key is the best.
-#}
{% macro identity_state_key(strength, label) -%}
    lpad(cast({{ strength }} as {{ dbt.type_string() }}), 2, '0') || {{ label }}
{%- endmacro %}

{#- What a neighbour in state `neighbour_state_key` offers over a link of `match_priority`. -#}
{% macro identity_offered_state_key(neighbour_state_key, match_priority) -%}
    {{ bankseg.identity_state_key(
        'greatest(cast(substr(' ~ neighbour_state_key ~ ', 1, 2) as integer), ' ~ match_priority ~ ')',
        'substr(' ~ neighbour_state_key ~ ', 3)'
    ) }}
{%- endmacro %}


{#-
    The same state as one bigint for the propagation passes: strength * 2^40 + label rank, where the label rank is
    the label's position in text order (dense_rank), so comparing numbers ranks states exactly as comparing
    identity_state_key texts does. Integers instead of 60-70 character texts keep the passes' joins and
    aggregates small: at 1M customers (4M records, 13M directed links) the text version ran out of a 6 GB memory
    limit (docs/bench.md). Labels up to 2^40 (a trillion records); strengths up to 99.
-#}
{% macro identity_label_base() -%}
    cast(1099511627776 as bigint)
{%- endmacro %}

{% macro identity_state_number(strength, label_rank) -%}
    (cast({{ strength }} as bigint) * {{ bankseg.identity_label_base() }} + {{ label_rank }})
{%- endmacro %}

{#- Strength (0-99) and label rank of a numeric state. Division by a power of two is exact in a double. -#}
{% macro identity_state_strength(state) -%}
    cast(floor({{ state }} / {{ bankseg.identity_label_base() }}) as bigint)
{%- endmacro %}

{% macro identity_state_label(state) -%}
    ({{ state }} - {{ bankseg.identity_state_strength(state) }} * {{ bankseg.identity_label_base() }})
{%- endmacro %}

{#- What a neighbour in numeric state `neighbour_state` offers over a link of `match_priority`. -#}
{% macro identity_offered_state_number(neighbour_state, match_priority) -%}
    {{ bankseg.identity_state_number(
        'greatest(' ~ bankseg.identity_state_strength(neighbour_state) ~ ', ' ~ match_priority ~ ')',
        bankseg.identity_state_label(neighbour_state)
    ) }}
{%- endmacro %}

{#- Each linked pair in both directions (record -> neighbour), from a relation or CTE of linked pairs. -#}
{% macro identity_directed_pairs(links) -%}
    select
        left_record_key as record_key,
        right_record_key as neighbour_key,
        match_priority
    from {{ links }}
    union all
    select
        right_record_key as record_key,
        left_record_key as neighbour_key,
        match_priority
    from {{ links }}
{%- endmacro %}

{#-
    True when one record of the pair is a core banking party and the other comes from a system that keys people
    by the core banking party id (var identity_shared_key_systems), so equal system keys are the same person.
-#}
{% macro is_shared_person_key(left_record, right_record, systems) -%}
    {%- set quoted = [] -%}
    {%- for system in systems %}{% do quoted.append("'" ~ system ~ "'") %}{% endfor -%}
    (
        ({{ left_record }}.source_system = 'core_banking' and {{ right_record }}.source_system in ({{ quoted | join(', ') }}))
        or ({{ right_record }}.source_system = 'core_banking' and {{ left_record }}.source_system in ({{ quoted | join(', ') }}))
    )
{%- endmacro %}


{#-
    The label propagation passes of int_customer_identity_map: CTEs state_1 .. state_<hops>, each pass from the
    one before (state_0 and directed_links are CTEs of the model). Dispatched because engines plan the chain
    differently: DuckDB materialises a CTE used twice, Spark inlines it, so a pass that reads the previous state
    twice (its offers and its own row) recomputes 2^hops copies of the chain.
-#}
{% macro identity_propagation_ctes(hops) %}
    {{ return(adapter.dispatch('identity_propagation_ctes', 'bankseg')(hops)) }}
{% endmacro %}

{% macro default__identity_propagation_ctes(hops) %}
{%- for i in range(1, hops + 1) %}
    offers_{{ i }} as (
        select
            directed_links.record_id,
            min(
                {{ bankseg.identity_offered_state_number('neighbour.state_key', 'directed_links.match_priority') }}
            ) as offered_state_key
        from directed_links
        inner join state_{{ i - 1 }} as neighbour on directed_links.neighbour_id = neighbour.record_id
        group by directed_links.record_id
    ),

    state_{{ i }} as (
        select
            state_{{ i - 1 }}.record_id,
            state_{{ i - 1 }}.is_anchor,
            case
                when state_{{ i - 1 }}.is_anchor then state_{{ i - 1 }}.state_key
                when offers_{{ i }}.offered_state_key < state_{{ i - 1 }}.state_key
                    then offers_{{ i }}.offered_state_key
                else state_{{ i - 1 }}.state_key
            end as state_key
        from state_{{ i - 1 }}
        left join offers_{{ i }} on state_{{ i - 1 }}.record_id = offers_{{ i }}.record_id
    ),
{% endfor -%}
{% endmacro %}

{#-
    The same passes reading the previous state once: each record meets itself (a self edge keeps its own state)
    and its neighbours in one join, and takes the smallest of its own state key and the offered ones; an anchor
    keeps its own. Same result as the default (the smaller of own and best offer), a plan linear in hops.
-#}
{% macro spark__identity_propagation_ctes(hops) %}
    edges_with_self as (
        select record_id, neighbour_id, match_priority, false as is_self from directed_links
        union all
        select record_id, record_id as neighbour_id, cast(null as integer) as match_priority, true as is_self
        from state_0
    ),
{%- for i in range(1, hops + 1) %}

    state_{{ i }} as (
        select
            record_id,
            is_anchor,
            case when is_anchor then own_state_key else least(own_state_key, offered_state_key) end as state_key
        from (
            select
                edges_with_self.record_id,
                max(case when edges_with_self.is_self then neighbour.is_anchor end) as is_anchor,
                max(case when edges_with_self.is_self then neighbour.state_key end) as own_state_key,
                min(
                    case when not edges_with_self.is_self then
                        {{ bankseg.identity_offered_state_number('neighbour.state_key', 'edges_with_self.match_priority') }}
                    end
                ) as offered_state_key
            from edges_with_self
            inner join state_{{ i - 1 }} as neighbour on edges_with_self.neighbour_id = neighbour.record_id
            group by edges_with_self.record_id
        ) as pass
    ),
{%- endfor %}
{% endmacro %}
