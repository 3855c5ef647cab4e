//! The patient card: the plan in plain language, from the report, printable on its own.

use leptos::prelude::*;

use super::input::FigureList;
use super::state::AppState;
use crate::engine::report::card::{PatientCard, card};

/// The patient card screen.
#[component]
pub fn CardScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The plan the session proposes (after a refill, the new fill), else the plan on screen.
    let made = Memo::new(move |_| {
        let shown = match state.proposed() {
            Ok(s) => Some(s),
            Err(_) => state.last_valid.get(),
        };
        shown.map(|s| {
            state
                .catalogue
                .with_value(|c| card(&s.plan, &s.outcome, c.get(&s.plan.pump.model)))
        })
    });
    let open = move || state.baseline.with(Option::is_some);
    let figures = Signal::derive(move || made.with(|c| c.as_ref().map(|c| c.figures.clone()).unwrap_or_default()));
    let body = move || {
        made.get().map(|c: PatientCard| {
            view! {
                {(!c.alarms.is_empty()).then(|| view! {
                    <h3>"If your pump sounds an alarm"</h3>
                    <dl class="card-alarms" id="card-alarms">
                        {c.alarms.into_iter().map(|a| view! {
                            <div><dt>{a.name}</dt><dd><p>"How it sounds: "{a.sound}"."</p><p>{a.action}</p></dd></div>
                        }).collect_view()}
                    </dl>
                })}
                <h3>"MRI scans"</h3>
                <p id="card-mri">{c.mri}</p>
                {c.patient_bolus.map(|b| view! { <h3>"Extra doses (myPTM)"</h3><p id="card-bolus">{b}</p> })}
            }
        })
    };
    view! {
        <section class="panel patient-card" aria-labelledby="screen-heading">
            <h2 id="screen-heading" tabindex="-1">"Your intrathecal pump"</h2>
            <Show when=move || made.with(Option::is_some) fallback=|| view! {
                <p class="placeholder">"The card appears once the plan is valid."</p>
            }>
                <Show when=open>
                    <p class="banner banner-stale" role="status" id="card-unconfirmed">"This card shows changes not yet confirmed: confirm the review before giving it to the patient."</p>
                </Show>
                <Show when=move || state.stale.get()>
                    <p class="banner banner-error" role="status">"The input is not valid: this card shows the last valid plan. Do not print it until the input is corrected."</p>
                </Show>
                <FigureList id="card-figures" label="Your pump and medicines" figures=figures stale=state.stale />
                {body}
                <h3>"Who to call"</h3>
                <dl class="patient-lines" id="card-contacts">
                    <div><dt>"Pump clinic (working hours)"</dt><dd></dd></div>
                    <div><dt>"Out of hours"</dt><dd></dd></div>
                </dl>
                <p class="hint">"Carry this card with you. Bring it to every refill visit and every hospital appointment."</p>
            </Show>
            <div class="buttons no-print">
                <button type="button" class="secondary" id="print-card" on:click=move |_| { let _ = window().print(); }>"Print the card"</button>
            </div>
        </section>
    }
}
