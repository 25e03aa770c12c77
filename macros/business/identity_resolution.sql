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
