//! Findings from the drug library and the pump, the way dose error reduction software shows them:
//! hard limits block; soft limits need an explicit acknowledgement with a reason, which is recorded
//! (with its time) in the plan; info is shown.

use leptos::prelude::*;

use super::AppState;
use crate::engine::format::format_date_time;
use crate::engine::{Acknowledgement, Finding, Severity};

/// One soft finding's acknowledgement form.
#[component]
fn AcknowledgeForm(
    /// The finding's key.
    key: String,
    /// Position, for element ids.
    index: usize,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    let input_id = format!("finding-{index}-reason");
    let acknowledge = move |_| {
        let text = reason.get();
        if text.trim().is_empty() {
            problem.set(Some("Give a reason to acknowledge this limit."));
            return;
        }
        problem.set(None);
        let at = super::persist::now();
        let key = key.clone();
        state.form.update(|f| {
            f.acknowledgements.retain(|a| a.finding != key);
            f.acknowledgements.push(Acknowledgement {
                finding: key,
                reason: text.trim().to_owned(),
                at,
            });
        });
    };
    view! {
        <div class="ack-form">
            <label for=input_id.clone()>"Reason for proceeding (recorded with the time)"</label>
            <input id=input_id.clone() type="text" autocomplete="off" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
            <button type="button" id=format!("finding-{index}-ack") on:click=acknowledge>"Acknowledge"</button>
            <p class="field-error" aria-live="polite">{move || problem.get()}</p>
        </div>
    }
}

fn finding_item(index: usize, finding: Finding) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (class, label) = match finding.severity {
        Severity::Hard => ("finding finding-hard", "Hard limit \u{2014} blocked"),
        Severity::Soft => ("finding finding-soft", "Acknowledge to proceed"),
        Severity::Info => ("finding finding-info", "Info"),
    };
    let source = finding.source.clone().map(|s| {
        let mark = finding
            .mark
            .map(|m| format!(" [{}: {}]", m.letter(), m.describe()))
            .unwrap_or_default();
        format!("Source: {s}{mark}")
    });
    let key = finding.key.clone();
    let withdraw = move |_| {
        let key = key.clone();
        state.form.update(|f| f.acknowledgements.retain(|a| a.finding != key));
    };
    let acknowledgement = finding.acknowledged.clone();
    view! {
        <li class=class id=format!("finding-{index}")>
            <strong>{label}": "</strong>{finding.message.clone()}
            {source.map(|s| view! { <span class="source">" "{s}</span> })}
            {match (finding.severity, acknowledgement) {
                (Severity::Soft, Some(a)) => view! {
                    <p class="ack-done">{format!("Acknowledged {}: {}", format_date_time(a.at), a.reason)}" "
                        <button type="button" class="secondary" on:click=withdraw>"Withdraw"</button>
                    </p>
                }.into_any(),
                (Severity::Soft, None) => view! { <AcknowledgeForm key=finding.key.clone() index=index /> }.into_any(),
                _ => ().into_any(),
            }}
        </li>
    }
}

/// The findings list of the last valid report.
#[component]
pub fn Findings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let findings = Memo::new(move |_| {
        state
            .last_valid
            .with(|r| r.as_ref().map(|r| r.findings.clone()).unwrap_or_default())
    });
    view! {
        <Show when=move || findings.with(|f| !f.is_empty())>
            <h3 id="findings-heading">"Limits and cautions"</h3>
            <ul class="findings" id="findings" aria-labelledby="findings-heading">
                {move || findings.get().into_iter().enumerate().map(|(i, f)| finding_item(i, f)).collect_view()}
            </ul>
        </Show>
    }
}
