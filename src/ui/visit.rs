//! The refill visit: its inputs, the reconciliation and the log, as the report words them.

use leptos::prelude::*;

use super::input::{FigureList, Input, Kind, Messages};
use super::state::AppState;
use crate::engine::{Field, Location, LoggedVisit, element_id};
use crate::form::{PlanFormStoreFields, VisitFormStoreFields};

fn id(field: Field) -> String {
    element_id(field, Some(Location::Visit))
}

/// Visit inputs, reconciliation and log. In the refill workflow (`in_refill`) the visit is logged
/// when the session is confirmed, not by its own button.
#[component]
pub fn VisitSection(#[prop(optional)] in_refill: bool) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let v = form.visit();
    let reconciliation = state.section(|r| r.reconciliation.clone());
    let log = state.section(|r| r.visit_log.clone());
    let flagged = move || {
        state.last_valid.with(|r| {
            r.as_ref()
                .and_then(|r| r.outcome.reconciliation.as_ref())
                .is_some_and(|r| r.flagged)
        })
    };
    // Only the current input's reconciliation is recorded: never the last valid one kept on
    // screen while the input is being corrected, and the inputs are cleared only once recorded.
    let record = move |_| {
        let Some(r) = state
            .evaluation
            .with_untracked(|e| e.result.as_ref().ok().and_then(|s| s.outcome.reconciliation.clone()))
        else {
            return;
        };
        form.visits().update(|log| {
            log.push(LoggedVisit {
                at: r.visit.at,
                expected: r.expected,
                withdrawn: r.visit.withdrawn,
                discrepancy: r.discrepancy,
                flagged: r.flagged,
                new_fill: r.visit.new_fill,
                confirmed_after_refill: r.visit.confirmed_after_refill,
                after_refill_flagged: r.after_refill.as_ref().is_some_and(|a| a.flagged),
            })
        });
        v.set(Default::default());
    };
    let trend = move || {
        state
            .last_valid
            .with(|r| r.as_ref().and_then(|r| r.report.visit_trend.clone()))
    };
    view! {
        <section class="visit" aria-labelledby="visit-heading">
            <h3 id="visit-heading">"Visit: what the pump shows, what you withdraw, the new fill"</h3>
            <div class="no-print visit-inputs">
                <Input id=id(Field::Date) label="Visit date" kind=Kind::Date value=v.date().into() compact=true />
                <Input id=id(Field::Time) label="Visit time" kind=Kind::Time value=v.time().into() compact=true />
                <Input id=id(Field::PumpExpected) label="Pump's expected volume (programmer)" unit="mL" value=v.pump_expected().into() compact=true />
                <Input id=id(Field::PatientBoluses) label="Patient boluses logged since the fill" kind=Kind::Count value=v.patient_boluses().into() compact=true />
                <Input id=id(Field::Withdrawn) label="Withdrawn" unit="mL" value=v.withdrawn().into() compact=true />
                <Input id=id(Field::NewFill) label="Injected: new fill" unit="mL" value=v.new_fill().into() compact=true />
                <Input id=id(Field::Confirmed) label="Confirmed in the reservoir after the refill" unit="mL" value=v.confirmed_after_refill().into() compact=true />
            </div>
            <p class="hint no-print">"The expected residual is best taken from the pump: enter the programmer's expected volume, or the patient boluses it logged; otherwise it is modelled from the programme."</p>
            <Messages ids=vec!["visit".into()] shown=true />
            <Show when=move || !reconciliation.get().is_empty()>
                <div class:flagged=flagged>
                    <FigureList id="reconciliation" label="Reconciliation" figures=reconciliation stale=state.stale />
                </div>
                <Show when=move || !in_refill>
                    <button type="button" class="secondary no-print" id="record-visit" on:click=record
                        prop:disabled=move || state.stale.get()>"Record this visit in the log"</button>
                </Show>
            </Show>
            <Show when=move || !log.get().is_empty()>
                <h4>"Visit log"</h4>
                <dl class="results" id="visit-log" aria-label="Visit log">
                    <For each=move || log.get().into_iter().enumerate() key=|(i, f)| (*i, f.display.clone()) children=move |(i, f)| view! {
                        <div class="result-row">
                            <dt>{f.name}</dt>
                            <dd>{f.display}" "
                                <button type="button" class="secondary small no-print" id=format!("delete-visit-{i}")
                                    prop:disabled=move || state.stale.get()
                                    aria-label=format!("Delete visit {} from the log", i + 1)
                                    on:click=move |_| form.visits().update(|v| { if i < v.len() { v.remove(i); } })>"Delete"</button>
                            </dd>
                        </div>
                    } />
                </dl>
                <p class="hint" id="visit-trend">{move || trend().map(|t| format!("Discrepancy trend: {t}"))}</p>
            </Show>
        </section>
    }
}
