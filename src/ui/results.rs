//! The computed figures as `<dl>` lists: the figure's name in `<dt>`, its value in `<dd>`. The
//! figures come from the engine's report, the same list `itdose report` prints.

use leptos::prelude::*;

use super::AppState;
use crate::engine::{Figure, PlanStatus};

fn figure_list(id: String, label: String, figures: Vec<Figure>, stale: Signal<bool>) -> impl IntoView {
    view! {
        <dl class="results" id=id aria-label=label class:stale=move || stale.get()>
            {figures.into_iter().map(|f| view! { <div class="result-row"><dt>{f.name}</dt><dd>{f.display}</dd></div> }).collect_view()}
        </dl>
    }
}

/// The plan's status, overall figures and per-drug figures.
#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<AppState>();
    let stale = state.stale;
    move || {
        match state.last_valid.get() {
        None => view! {
            <p class="placeholder" id="results-empty">"Enter the fill, each drug's concentration and the lead drug's daily dose to see the flow rate, every drug's dose and the refill dates."</p>
        }
        .into_any(),
        Some(report) => {
            let status = report.status;
            // While the input is invalid the kept result is not the plan on screen: the status says
            // so (never "Valid"), and the printout carries the same warning.
            let status_view = move || {
                let (class, text) = if stale.get() {
                    ("banner banner-error", "Input not valid: correct the fields marked in red. The figures below are the last valid result, not the input on screen.")
                } else {
                    match status {
                        PlanStatus::Valid => ("banner banner-ok", status.describe()),
                        PlanStatus::NeedsAcknowledgement => ("banner banner-stale", status.describe()),
                        PlanStatus::Blocked => ("banner banner-error", status.describe()),
                    }
                };
                view! { <p class=class id="plan-status" role="status">{text}</p> }
            };
            let summary: Vec<String> = report.drugs.iter().map(|d| format!("{} {} at {}", d.display_name, d.concentration.ismp(), d.daily_dose.ismp())).collect();
            view! {
                {status_view}
                <Show when=move || stale.get()>
                    <p class="banner banner-stale" role="status" id="stale-banner">
                        "Showing the last valid result, kept while the input is corrected: "{summary.join("; ")}". Not valid for printing or export."
                    </p>
                </Show>
                <p class="plan-pump" id="plan-pump">"Pump: "{report.pump.clone()}</p>
                {figure_list("results".into(), "Overall".into(), report.figures, stale)}
                {(!report.comparison.is_empty()).then(|| view! {
                    <h3>"Current vs proposed"</h3>
                    {figure_list("comparison".into(), "Current vs proposed".into(), report.comparison.clone(), stale)}
                })}
                {(!report.scenario_figures.is_empty()).then(|| view! {
                    <h3>"Patient-bolus scenarios"</h3>
                    {figure_list("scenarios".into(), "Patient-bolus scenarios".into(), report.scenario_figures.clone(), stale)}
                })}
                <details class="refill-constraints">
                    <summary>"Refill-by constraints (the earliest binds)"</summary>
                    <dl class="results" id="refill-constraints">
                        {report.refill_by.candidates.iter().map(|c| view! {
                            <div class="result-row"><dt>{crate::engine::format::format_date_time(c.at)}</dt><dd>{c.reason.clone()}</dd></div>
                        }).collect_view()}
                    </dl>
                </details>
                <div class="drug-results">
                    {report.drugs.into_iter().enumerate().map(|(i, d)| {
                        let heading = format!("{}{}", d.display_name, if d.lead { " (lead drug)" } else { "" });
                        view! {
                            <section class="drug-result" aria-label=heading.clone()>
                                <h3>{heading.clone()}</h3>
                                {figure_list(format!("drug-{i}-results"), heading.clone(), d.figures, stale)}
                            </section>
                        }
                    }).collect_view()}
                </div>
                <p class="note">"Refill before the low-reservoir alarm; do not rely on the alarm (UW Health nursing, \u{201c}Pump refills\u{201d}). Alarm and empty times are rounded down to the minute."</p>
            }
            .into_any()
        }
    }
    }
}
