//! A labelled number input with its unit and its error messages beside it.

use leptos::prelude::*;

use super::AppState;

/// The current errors whose element id is one of `ids`, as messages.
fn messages_for(state: &AppState, ids: &[String]) -> Vec<String> {
    state.errors.with(|list| {
        list.iter()
            .filter(|e| ids.contains(&e.element_id()))
            .map(ToString::to_string)
            .collect()
    })
}

/// The error messages that belong next to the inputs `ids` (the first id names the element).
#[component]
pub fn ErrorList(
    /// Element ids whose errors to show; the list's own id is the first one + "-error".
    ids: Vec<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = format!("{}-error", ids.first().cloned().unwrap_or_default());
    view! {
        <div class="field-error" id=id aria-live="polite">
            {move || messages_for(&state, &ids).into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
        </div>
    }
}

/// Whether any current error belongs to one of `ids`.
pub fn has_error(state: &AppState, ids: &[String]) -> bool {
    !messages_for(state, ids).is_empty()
}

/// A text input for a decimal number. Text, not `type="number"`, so the app sees exactly what was
/// typed (a number input hides "0,5" as empty) and can say what is wrong with it.
#[component]
pub fn NumberField(
    /// Element id (also the key of the field's errors).
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The unit, shown in the label and after the input.
    unit: &'static str,
    /// What the user typed.
    value: Signal<String>,
    /// Called with the new text on every keystroke.
    on_input: impl Fn(String) + 'static,
    /// Further element ids whose errors belong here (flow rate next to the lead dose).
    #[prop(optional)]
    also: Vec<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let mut ids = vec![id.clone()];
    ids.extend(also);
    let ids_for_invalid = ids.clone();
    let invalid = Signal::derive(move || has_error(&state, &ids_for_invalid));
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}" "<span class="unit">"("{unit}")"</span></label>
            <div class="input-with-unit">
                <input
                    id=id.clone()
                    name=id.clone()
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=format!("{id}-error")
                    aria-invalid=move || invalid.get().to_string()
                    prop:value=value
                    on:input=move |ev| on_input(event_target_value(&ev))
                />
                <span class="unit-suffix" aria-hidden="true">{unit}</span>
            </div>
            <ErrorList ids=ids />
        </div>
    }
}
