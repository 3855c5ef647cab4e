//! Findings as dose error reduction software shows them: hard limits block; soft findings need an
//! explicit acknowledgement with a reason, recorded (with its time) in the plan under the finding's
//! structured key; info is shown. Worded by the report.

use leptos::prelude::*;

use super::state::AppState;
use crate::engine::report::FindingView;
use crate::engine::{AckKey, Acknowledgement, FindingKey, Severity};
use crate::form::PlanFormStoreFields;

/// The reasons being typed, by finding: they survive the list being redrawn (another finding
/// acknowledged, a figure changed) for as long as the page is open. Reference-counted signals, so
/// that redrawing the list (which disposes what its items created) never disposes them.
#[derive(Clone, Copy)]
struct Reasons(StoredValue<std::collections::HashMap<FindingKey, ArcRwSignal<String>>>);

/// The draft id of the reason typed for the finding `key` (kept until it is acknowledged).
pub fn reason_draft_id(key: &FindingKey) -> String {
    format!("finding-reason:{}", serde_json::to_string(key).unwrap_or_default())
}

impl Reasons {
    fn of(self, key: &FindingKey) -> ArcRwSignal<String> {
        if let Some(signal) = self.0.with_value(|m| m.get(key).cloned()) {
            return signal;
        }
        let signal = ArcRwSignal::new(super::persist::draft_text(&reason_draft_id(key), ""));
        self.0.update_value(|m| {
            m.insert(key.clone(), signal.clone());
        });
        signal
    }
}

/// One soft finding's acknowledgement form.
#[component]
pub fn AcknowledgeForm(key: FindingKey, index: usize, reason: ArcRwSignal<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let problem = RwSignal::new(None::<&'static str>);
    let input_id = format!("finding-{index}-reason");
    let (shown, typed, kept) = (reason.clone(), reason.clone(), reason.clone());
    // What is typed is kept as a draft until it is acknowledged: a reload does not lose it.
    let draft_id = reason_draft_id(&key);
    super::persist::keep_draft(draft_id.clone(), String::new(), move || kept.get());
    let acknowledge = move |_| {
        let text = reason.get();
        if text.trim().is_empty() {
            problem.set(Some("Give a reason to acknowledge this finding."));
            return;
        }
        problem.set(None);
        super::persist::drop_draft(&draft_id);
        let at = super::persist::now();
        let key = key.clone();
        state.form.acknowledgements().update(|acks| {
            acks.retain(|a| a.finding != AckKey::Key(key.clone()));
            acks.push(Acknowledgement {
                finding: AckKey::Key(key),
                reason: text.trim().to_owned(),
                at,
            });
        });
    };
    view! {
        <div class="ack-form">
            <label for=input_id.clone()>"Reason for proceeding (recorded with the time)"</label>
            <input id=input_id.clone() type="text" autocomplete="off" aria-describedby=format!("{input_id}-error") prop:value=move || shown.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
            <button type="button" id=format!("finding-{index}-ack") on:click=acknowledge
                prop:disabled=move || state.stale.get()>"Acknowledge"</button>
            <p class="field-error" id=format!("{input_id}-error") aria-live="polite">{move || problem.get()}</p>
        </div>
    }
}

fn finding_item(index: usize, finding: FindingView, reasons: Reasons) -> impl IntoView {
    let state = expect_context::<AppState>();
    let class = match finding.severity {
        Severity::Hard => "finding finding-hard",
        Severity::Soft => "finding finding-soft",
        Severity::Info => "finding finding-info",
    };
    let source = finding.source.clone().map(|s| {
        let mark = finding
            .mark
            .map(|m| format!(" [{}: {}]", m.letter(), m.describe()))
            .unwrap_or_default();
        format!("Source: {s}{mark}")
    });
    let key = finding.key.clone();
    // The acknowledgement that matched: by its key, or a version-1 text key not yet upgraded.
    let withdraw = move |_| {
        let legacy = state.last_valid.with_untracked(|s| {
            s.as_ref()
                .and_then(|s| s.outcome.findings.iter().find(|f| f.key == key))
                .map(|f| f.legacy_key.clone())
                .filter(|l| !l.is_empty())
        });
        let key = AckKey::Key(key.clone());
        state.form.acknowledgements().update(|acks| {
            acks.retain(|a| a.finding != key && legacy.as_ref().is_none_or(|l| a.finding != AckKey::Legacy(l.clone())))
        });
    };
    let body = match (&finding.acknowledgement, finding.needs_acknowledgement) {
        (Some(text), _) => view! {
            <p class="ack-done">{text.clone()}" "
                <button type="button" class="secondary" on:click=withdraw
                    prop:disabled=move || state.stale.get()>"Withdraw"</button>
            </p>
        }
        .into_any(),
        (None, true) => {
            view! { <AcknowledgeForm key=finding.key.clone() index=index reason=reasons.of(&finding.key) /> }.into_any()
        }
        _ => ().into_any(),
    };
    view! {
        <li class=class id=format!("finding-{index}")>
            <strong>{finding.label.clone()}": "</strong>{finding.message.clone()}
            {source.map(|s| view! { <span class="source">" "{s}</span> })}
            {body}
        </li>
    }
}

/// The findings list of the last valid report.
#[component]
pub fn Findings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let reasons = Reasons(StoredValue::new(std::collections::HashMap::new()));
    let findings = Memo::new(move |_| {
        state
            .last_valid
            .with(|r| r.as_ref().map(|r| r.report.findings.clone()).unwrap_or_default())
    });
    view! {
        <Show when=move || findings.with(|f| !f.is_empty())>
            <h3 id="findings-heading">"Limits and cautions"</h3>
            <ul class="findings" id="findings" aria-labelledby="findings-heading">
                {move || findings.get().into_iter().enumerate().map(|(i, f)| finding_item(i, f, reasons)).collect_view()}
            </ul>
        </Show>
    }
}
