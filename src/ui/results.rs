//! The plan's status and every figure of the report: overall, per drug, current vs proposed,
//! scenarios and the refill-by constraints. The same sections `itdose report` prints.

use leptos::prelude::*;

use super::input::FigureList;
use super::state::AppState;
use crate::engine::{PlanStatus, Problem, Report};

/// The plan's status, overall figures and per-drug figures.
#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<AppState>();
    let stale = state.stale;
    let text = move |read: fn(&Report) -> String| {
        Memo::new(move |_| state.last_valid.with(|r| r.as_ref().map(|r| read(&r.report))))
    };
    let shown = Memo::new(move |_| state.last_valid.with(Option::is_some));
    let status_text = Memo::new(move |_| state.last_valid.with(|r| r.as_ref().map(|r| r.report.status.clone())));
    let summary = text(|r| r.summary.clone());
    let pump = text(|r| r.pump.clone());
    let notes = Memo::new(move |_| {
        state
            .last_valid
            .with(|r| r.as_ref().map(|r| r.report.notes.clone()).unwrap_or_default())
    });
    // While the input is invalid the kept result is not the plan on screen: the status says so
    // (never "Valid"), and the printout carries the same warning.
    let status = move || {
        let r = status_text.get()?;
        let (class, text) = if stale.get() {
            ("banner banner-error", "Input not valid: correct the fields marked in red. The figures below are the last valid result, not the input on screen.".to_owned())
        } else {
            let class = match r.status {
                PlanStatus::Valid => "banner banner-ok",
                PlanStatus::NeedsAcknowledgement => "banner banner-stale",
                PlanStatus::Blocked => "banner banner-error",
            };
            (class, r.text)
        };
        Some(view! { <p class=class id="plan-status" role="status">{text}</p> })
    };
    let figures = state.section(|r| r.figures.clone());
    let comparison = state.section(|r| r.comparison.clone());
    let scenarios = state.section(|r| r.scenarios.clone());
    let constraints = state.section(|r| r.refill_constraints.clone());
    // Every error, each a link to its field, so none can be missed whatever its field; before any
    // result, an empty field the user has not reached yet is left to its own message.
    let error_list = move || {
        state.errors.with(|list| {
            list.iter()
                // While a kept result is shown, every error is listed (the user's change caused it).
                .filter(|e| {
                    stale.get()
                        || !matches!(e.problem, Problem::Missing)
                        || state.touched.with(|t| t.contains(&e.element_id()))
                })
                .map(|e| (format!("#{}", e.element_id()), e.to_string()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <ul class="error-summary" id="error-summary" aria-label="What to correct">
            {move || error_list().into_iter().map(|(href, text)| {
                let id = href.trim_start_matches('#').to_owned();
                view! { <li><a href=href on:click=move |ev| go_to_field(ev, &id)>{text}</a></li> }
            }).collect_view()}
        </ul>
        <Show when=move || shown.get() fallback=|| view! {
            <p class="placeholder" id="results-empty">"Enter the fill, each drug's concentration and the lead drug's daily dose to see the flow rate, every drug's dose and the refill dates."</p>
        }>
            {status}
            <Show when=move || stale.get()>
                <p class="banner banner-stale" role="status" id="stale-banner">
                    "Showing the last valid result, kept while the input is corrected: "{move || summary.get().unwrap_or_default()}". Not valid for printing or export."
                </p>
            </Show>
            <p class="plan-pump" id="plan-pump">"Pump: "{move || pump.get().unwrap_or_default()}</p>
            <FigureList id="results" label="Overall" figures=figures stale=stale />
            <Show when=move || !comparison.get().is_empty()>
                <h3>"Current vs proposed"</h3>
                <FigureList id="comparison" label="Current vs proposed" figures=comparison stale=stale />
            </Show>
            <Show when=move || !scenarios.get().is_empty()>
                <h3>"Patient-bolus scenarios"</h3>
                <FigureList id="scenarios" label="Patient-bolus scenarios" figures=scenarios stale=stale />
            </Show>
            <details class="refill-constraints">
                <summary>"Refill-by constraints (the earliest binds)"</summary>
                <FigureList id="refill-constraints" label="Refill-by constraints" figures=constraints stale=stale />
            </details>
            <DrugResults />
            {move || notes.get().into_iter().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
        </Show>
    }
}

/// Follows an error's link without changing the address (the address names the screen): focuses
/// the field, or opens the one-page plan, where every field is, and focuses it there.
fn go_to_field(ev: leptos::ev::MouseEvent, id: &str) {
    ev.prevent_default();
    let focus = |id: &str| {
        document()
            .get_element_by_id(id)
            .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
            .map(|el| el.focus())
            .is_some()
    };
    if !focus(id) {
        super::route::go(super::route::Screen::Plan);
        let id = id.to_owned();
        // After the screen is drawn.
        let _ = gloo_timers::callback::Timeout::new(50, move || {
            focus(&id);
        })
        .forget();
    }
}

/// Each drug's figures, keyed by line.
#[component]
fn DrugResults() -> impl IntoView {
    let state = expect_context::<AppState>();
    let count = Memo::new(move |_| {
        state
            .last_valid
            .with(|r| r.as_ref().map_or(0, |r| r.report.drugs.len()))
    });
    view! {
        <div class="drug-results">
            <For each=move || 0..count.get() key=|i| *i children=move |i| {
                let drug = Memo::new(move |_| state.last_valid.with(|r| r.as_ref().and_then(|r| r.report.drugs.get(i).cloned())));
                let heading = move || drug.get().map(|d| d.heading).unwrap_or_default();
                let figures = Signal::derive(move || drug.get().map(|d| d.figures).unwrap_or_default());
                view! {
                    <section class="drug-result" aria-label=heading>
                        <h3>{heading}</h3>
                        <FigureList id=format!("drug-{i}-results") label=format!("Drug {}", i + 1) figures=figures stale=state.stale />
                    </section>
                }
            } />
        </div>
    }
}
