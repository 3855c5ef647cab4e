//! The computed figures, as a `<dl>`: the figure's name in `<dt>`, its value in `<dd>`.

use leptos::prelude::*;

use crate::engine::format::{Display as _, format_date_time};
use crate::engine::{ContinuousPlan, Mg};

/// The results list, or a prompt when nothing valid has been entered yet.
#[component]
pub fn Results(
    /// The last plan computed from valid input.
    plan: Memo<Option<ContinuousPlan<Mg>>>,
    /// Whether the current input is invalid (so the plan shown is the last valid one).
    stale: Signal<bool>,
) -> impl IntoView {
    move || {
        match plan.get() {
        None => view! {
            <p class="placeholder" id="results-empty">"Enter the fill volume, concentration and daily dose to see the flow rate and refill dates."</p>
        }
        .into_any(),
        Some(plan) => {
            let rows = [
                ("Flow rate", plan.flow_rate.ismp()),
                ("Daily dose", plan.input.daily_dose.ismp()),
                ("Days to low-reservoir alarm", plan.days_to_alarm.ismp()),
                ("Low-reservoir alarm date", format_date_time(plan.alarm_at)),
                ("Days to empty", plan.days_to_empty.ismp()),
                ("Empty date", format_date_time(plan.empty_at)),
                ("Drug in reservoir at fill", plan.drug_in_reservoir.ismp()),
            ];
            let cautions = plan.cautions.clone();
            view! {
                <Show when=move || stale.get()>
                    <p class="banner banner-stale" role="status" id="stale-banner">
                        "The current input has errors (see the fields). Showing the last valid result, for "
                        {plan.input.fill_volume.ismp()}" of "{plan.input.concentration.ismp()}" at "{plan.input.daily_dose.ismp()}"."
                    </p>
                </Show>
                <dl class="results" id="results" class:stale=move || stale.get()>
                    {rows.into_iter().map(|(name, value)| view! {
                        <div class="result-row"><dt>{name}</dt><dd>{value}</dd></div>
                    }).collect_view()}
                </dl>
                <ul class="cautions" aria-label="Cautions">
                    {cautions.into_iter().map(|c| view! { <li class="caution">{c.message}</li> }).collect_view()}
                </ul>
                <p class="note">"Refill before the low-reservoir alarm; do not rely on the alarm (UW Health nursing, \u{201c}Pump refills\u{201d}). Alarm and empty times are rounded down to the minute."</p>
            }
            .into_any()
        }
    }
    }
}
