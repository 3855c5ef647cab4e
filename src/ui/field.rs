//! A labelled number input with its unit and its error messages beside it.

use leptos::prelude::*;

use crate::engine::{Error, Field};

/// The errors for one field (and optionally a second, derived one shown at the same input).
#[component]
pub fn ErrorList(
    /// The field whose errors to show.
    field: Field,
    /// All current errors.
    errors: Signal<Vec<Error>>,
    /// A derived figure whose errors belong next to this input (flow rate next to the dose).
    #[prop(optional)]
    also: Option<Field>,
) -> impl IntoView {
    let messages = move || {
        errors.with(|list| {
            list.iter()
                .filter(|e| e.field == field || Some(e.field) == also)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="field-error" id=format!("{}-error", field.key()) aria-live="polite">
            {move || messages().into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
        </div>
    }
}

/// A text input for a decimal number. Text, not `type="number"`, so the app sees exactly what was
/// typed (a number input hides "0,5" as empty) and can say what is wrong with it.
#[component]
pub fn NumberField(
    /// Which field this is: gives the label, the element id and which errors to show.
    field: Field,
    /// The unit, shown in the label and after the input.
    unit: &'static str,
    /// What the user typed.
    value: Signal<String>,
    /// Called with the new text on every keystroke.
    on_input: impl Fn(String) + 'static,
    /// All current errors.
    errors: Signal<Vec<Error>>,
    /// A derived figure whose errors belong next to this input.
    #[prop(optional)]
    also: Option<Field>,
) -> impl IntoView {
    let key = field.key();
    let invalid = move || {
        errors.with(|list| {
            list.iter()
                .any(|e| e.field == field || Some(e.field) == also)
        })
    };
    view! {
        <div class="field" class:invalid=invalid>
            <label for=key>{field.label()}" "<span class="unit">"("{unit}")"</span></label>
            <div class="input-with-unit">
                <input
                    id=key
                    name=key
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=format!("{key}-error")
                    aria-invalid=move || invalid().to_string()
                    prop:value=value
                    on:input=move |ev| on_input(event_target_value(&ev))
                />
                <span class="unit-suffix" aria-hidden="true">{unit}</span>
            </div>
            <ErrorList field=field errors=errors also=also.unwrap_or(field) />
        </div>
    }
}
