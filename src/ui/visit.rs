//! The refill visit: withdrawn volume against the expected residual, the flag, and the log.

use leptos::prelude::*;

use super::AppState;
use super::field::ErrorList;
use super::schedule::FormInput;
use crate::engine::LoggedVisit;
use crate::engine::format::{Display as _, format_date_time};

/// Visit inputs, reconciliation and log.
#[component]
pub fn VisitSection() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let reconciliation = Memo::new(move |_| {
        state
            .last_valid
            .with(|r| r.as_ref().and_then(|r| r.reconciliation.clone()))
    });
    let record = move |_| {
        if let Some(r) = reconciliation.get_untracked() {
            form.update(|f| {
                f.visits.push(LoggedVisit {
                    at: r.visit.at,
                    expected: r.expected,
                    withdrawn: r.visit.withdrawn,
                    discrepancy: r.discrepancy,
                    flagged: r.flagged,
                });
                f.visit = Default::default();
            });
        }
    };
    let trend = move || {
        state
            .last_valid
            .with(|r| r.as_ref().and_then(|r| r.visit_trend.clone()))
    };
    view! {
        <section class="visit" aria-labelledby="visit-heading">
            <h3 id="visit-heading">"Refill visit"</h3>
            <div class="no-print visit-inputs">
                <FormInput id="visit-date" label="Visit date" kind="date" get=|f| f.visit.date.clone() set=|f, v| f.visit.date = v />
                <FormInput id="visit-time" label="Visit time" kind="time" get=|f| f.visit.time.clone() set=|f, v| f.visit.time = v />
                <FormInput id="visit-pump-expected" label="Pump's expected volume (mL, programmer)" get=|f| f.visit.pump_expected.clone() set=|f, v| f.visit.pump_expected = v />
                <FormInput id="visit-boluses" label="Patient boluses logged since the fill" get=|f| f.visit.patient_boluses.clone() set=|f, v| f.visit.patient_boluses = v />
                <FormInput id="visit-withdrawn" label="Withdrawn (mL)" get=|f| f.visit.withdrawn.clone() set=|f, v| f.visit.withdrawn = v />
                <FormInput id="visit-new-fill" label="Injected: new fill (mL)" get=|f| f.visit.new_fill.clone() set=|f, v| f.visit.new_fill = v />
                <FormInput id="visit-confirmed" label="Confirmed in the reservoir after the refill (mL)" get=|f| f.visit.confirmed_after_refill.clone() set=|f, v| f.visit.confirmed_after_refill = v />
            </div>
            <p class="hint no-print">"The expected residual is best taken from the pump: enter the programmer's expected volume, or the patient boluses it logged; otherwise it is modelled from the programme."</p>
            <ErrorList ids=vec!["visit".into()] />
            {move || reconciliation.get().map(|r| {
                let threshold_rule = match r.accuracy_percent {
                    Some(a) => format!("{} (the smaller of 2 mL and the pump's \u{b1}{} % accuracy \u{d7} the {} infused: ASRA 2017)", r.threshold.ismp(), crate::engine::format::format_number(a), r.infused.ismp()),
                    None => format!("{} (the pump has no labelled accuracy: 2 mL, ASRA 2017)", r.threshold.ismp()),
                };
                let verdict = match r.direction {
                    Some(crate::engine::Direction::Shortfall) => "FLAGGED: less withdrawn than expected \u{2014} possible over-infusion or pocket fill (see Limits and cautions)".to_owned(),
                    Some(crate::engine::Direction::Excess) => "FLAGGED: more withdrawn than expected \u{2014} possible under-infusion, pump or catheter fault (see Limits and cautions)".to_owned(),
                    None => "within the threshold".to_owned(),
                };
                let mut rows = vec![
                    ("Expected residual".to_owned(), r.expected.ismp()),
                    ("Expected from".to_owned(), r.basis.describe()),
                    ("Infused since the fill".to_owned(), r.infused.ismp()),
                    ("Withdrawn".to_owned(), r.visit.withdrawn.ismp()),
                    ("Discrepancy (withdrawn \u{2212} expected)".to_owned(), r.discrepancy.ismp()),
                    ("Flag threshold".to_owned(), threshold_rule),
                    ("Reconciliation".to_owned(), verdict),
                ];
                if let Some(a) = &r.after_refill {
                    rows.push(("After the refill: expected in the reservoir".to_owned(), format!("{} (injected + residual left)", a.expected.ismp())));
                    rows.push(("After the refill: confirmed".to_owned(), format!("{} (discrepancy {}; flag beyond {}, Maino 2017){}", a.confirmed.ismp(), a.discrepancy.ismp(), a.threshold.ismp(), if a.flagged { ": FLAGGED" } else { "" })));
                }
                view! {
                    <dl class="results" id="reconciliation" class:flagged=r.flagged>
                        {rows.into_iter().map(|(k, v)| view! { <div class="result-row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                    </dl>
                    <button type="button" class="secondary no-print" id="record-visit" on:click=record>"Record this visit in the log"</button>
                }
            })}
            <Show when=move || form.with(|f| !f.visits.is_empty())>
                <h4>"Visit log"</h4>
                <dl class="results" id="visit-log">
                    {move || form.with(|f| f.visits.iter().map(|v| view! {
                        <div class="result-row">
                            <dt>{format_date_time(v.at)}</dt>
                            <dd>{format!("withdrawn {}, expected {}, discrepancy {}{}", v.withdrawn.ismp(), v.expected.ismp(), v.discrepancy.ismp(), if v.flagged { " (flagged)" } else { "" })}</dd>
                        </div>
                    }).collect_view())}
                </dl>
                <p class="hint" id="visit-trend">{move || trend().map(|t| format!("Discrepancy trend: {t}"))}</p>
            </Show>
        </section>
    }
}
