//! One input contract for the whole app: a visible label (with the unit), the unit after the input,
//! the message next to it, `aria-invalid` and `aria-describedby`, and no message before the user has
//! touched an empty input. Every input's id is the element id of its errors
//! ([`crate::engine::element_id`]), so a message always lands at its field.

use leptos::prelude::*;
use reactive_stores::Field;

use super::state::AppState;
use crate::engine::MassFamily;

/// What kind of text an input takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A decimal number: a text input (not `type="number"`, which hides "0,5" as empty) with the
    /// decimal keyboard.
    #[default]
    Decimal,
    /// A whole number.
    Count,
    /// A date (the browser's picker; the app echoes it with the month named).
    Date,
    /// A time of day.
    Time,
}

impl Kind {
    fn html_type(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::Time => "time",
            _ => "text",
        }
    }

    fn inputmode(self) -> &'static str {
        match self {
            Kind::Decimal => "decimal",
            Kind::Count => "numeric",
            _ => "text",
        }
    }
}

/// The messages that belong next to the inputs `ids` (the first id names the element); shown once
/// `shown` says so.
#[component]
pub fn Messages(
    /// Element ids whose errors to show; the list's own id is the first one + "-error".
    ids: Vec<String>,
    /// Whether to show them (an untouched empty input shows none).
    #[prop(into)]
    shown: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = format!("{}-error", ids.first().cloned().unwrap_or_default());
    view! {
        <div class="field-error" id=id aria-live="polite">
            {move || {
                if shown.get() {
                    state.messages_for(&ids).into_iter().map(|m| view! { <p>{m}</p> }).collect_view().into_any()
                } else {
                    ().into_any()
                }
            }}
        </div>
    }
}

/// A labelled input bound to one field of the form.
#[component]
pub fn Input(
    /// Element id, also the key of the field's errors.
    #[prop(into)]
    id: String,
    /// The visible label.
    #[prop(into)]
    label: String,
    /// The unit, shown in the label and after the input.
    #[prop(optional, into)]
    unit: Option<String>,
    /// What kind of text.
    #[prop(optional)]
    kind: Kind,
    /// The text as typed.
    value: Field<String>,
    /// Further element ids whose errors belong here.
    #[prop(optional)]
    also: Vec<String>,
    /// A compact field (in a row of several).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let mut ids = vec![id.clone()];
    ids.extend(also);
    let touched_id = id.clone();
    let typed = move || value.try_with(|v| !v.trim().is_empty()).unwrap_or(false);
    let shown = Signal::derive(move || typed() || state.touched.with(|t| t.contains(&touched_id)));
    let ids_for_invalid = ids.clone();
    let invalid = Signal::derive(move || shown.get() && !state.messages_for(&ids_for_invalid).is_empty());
    let blur_id = id.clone();
    let unit_label = unit.clone().map(|u| view! { " " <span class="unit">"("{u}")"</span> });
    let unit_suffix = unit.map(|u| view! { <span class="unit-suffix" aria-hidden="true">{u}</span> });
    view! {
        <div class="field" class:compact=compact class:invalid=invalid>
            <label for=id.clone()>{label}{unit_label}</label>
            <div class="input-with-unit">
                <input
                    id=id.clone()
                    name=id.clone()
                    type=kind.html_type()
                    inputmode=kind.inputmode()
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=format!("{id}-error")
                    aria-invalid=move || invalid.get().to_string()
                    prop:value=move || value.try_get().unwrap_or_default()
                    on:input=move |ev| { value.try_set(event_target_value(&ev)); }
                    on:blur=move |_| state.touch(&blur_id)
                />
                {unit_suffix}
            </div>
            <Messages ids=ids shown=shown />
        </div>
    }
}

/// A labelled checkbox bound to one flag of the form.
#[component]
pub fn Check(
    /// Element id.
    #[prop(into)]
    id: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// The flag.
    value: Field<bool>,
) -> impl IntoView {
    let for_id = id.clone();
    view! {
        <label class="radio" for=for_id>
            <input type="checkbox" id=id prop:checked=move || value.try_get().unwrap_or(false)
                on:change=move |ev| { value.try_set(event_target_checked(&ev)); } />
            {label}
        </label>
    }
}

/// A unit-family select (mg or mcg) with a visible label, bound to one field.
#[component]
pub fn UnitSelect(
    /// Element id.
    #[prop(into)]
    id: String,
    /// Visible label ("Concentration unit").
    #[prop(into)]
    label: String,
    /// "/mL" or "/day".
    suffix: &'static str,
    /// The family.
    value: Field<MassFamily>,
) -> impl IntoView {
    let unit = move || value.try_get().unwrap_or_default();
    view! {
        <label class="visually-small" for=id.clone()>{label}</label>
        <select id=id prop:value=move || unit().symbol().to_owned()
            on:change=move |ev| {
                let family = if event_target_value(&ev) == "mcg" { MassFamily::Mcg } else { MassFamily::Mg };
                value.try_set(family);
            }>
            <option value="mg" selected=move || unit() == MassFamily::Mg>{format!("mg{suffix}")}</option>
            <option value="mcg" selected=move || unit() == MassFamily::Mcg>{format!("mcg{suffix}")}</option>
        </select>
    }
}

/// A list of figures as a `<dl>`: the figure's name in `<dt>`, its value in `<dd>`. Every figure
/// comes from the engine's report.
#[component]
pub fn FigureList(
    /// The list's id.
    #[prop(into)]
    id: String,
    /// Its accessible name.
    #[prop(into)]
    label: String,
    /// The figures.
    #[prop(into)]
    figures: Signal<Vec<crate::engine::Figure>>,
    /// Greyed as the last valid result.
    #[prop(optional, into)]
    stale: Signal<bool>,
) -> impl IntoView {
    view! {
        <dl class="results" id=id aria-label=label class:stale=move || stale.get()>
            {move || figures.get().into_iter().map(|f| view! {
                <div class="result-row"><dt>{f.name}</dt><dd>{f.display}</dd></div>
            }).collect_view()}
        </dl>
    }
}

/// An SVG document as a `data:` URL for an `<img>` (allowed by the page's img-src; an image
/// never runs script, whatever text the chart carries).
pub fn svg_data_url(svg: &str) -> String {
    format!("data:image/svg+xml;charset=utf-8,{}", js_sys::encode_uri_component(svg))
}
