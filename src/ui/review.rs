//! Review before confirming (the current and the proposed programme side by side, every parameter,
//! changed rows marked), confirming (the session is recorded with the plan), the confirmed
//! sessions, and the printout: this screen is what prints.

use leptos::prelude::*;

use super::compounding::Worksheet;
use super::csf::CsfCharts;
use super::findings::{AcknowledgeForm, Findings};
use super::input::FigureList;
use super::reservoir_chart::ReservoirChartView;
use super::route::{Screen, focus_later};
use super::state::AppState;
use crate::engine::format::format_date_time;
use crate::engine::report::review::{self, Review, ReviewRow};
use crate::engine::{PlanStatus, Session, TitrationHistory};
use crate::form::PlanForm;

/// The review table: parameter, current, proposed; changed rows marked in words, not colour alone.
#[component]
fn ReviewTable(id: &'static str, caption: &'static str, rows: Signal<Vec<ReviewRow>>) -> impl IntoView {
    view! {
        <table class="review" id=id>
            <caption>{caption}</caption>
            <thead><tr><th scope="col">"Parameter"</th><th scope="col">"Current"</th><th scope="col">"Proposed"</th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|r| view! {
                    <tr class:changed=r.changed>
                        <th scope="row">{r.parameter}{r.changed.then(|| view! { " "<span class="changed-mark">"changed"</span> })}</th>
                        <td>{r.current}</td>
                        <td>{r.proposed}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The review's two tables and the count of changes (the live review, or the one just confirmed).
#[component]
fn ReviewTables(table: Memo<Option<Review>>) -> impl IntoView {
    let rows = Signal::derive(move || table.with(|r| r.as_ref().map(|r| r.rows.clone()).unwrap_or_default()));
    let totals = Signal::derive(move || table.with(|r| r.as_ref().map(|r| r.totals.clone()).unwrap_or_default()));
    let changed = move || table.with(|r| r.as_ref().map_or(0, |r| r.changes().len()));
    let has_current = move || table.with(|r| r.as_ref().is_some_and(|r| r.has_current));
    view! {
            <Show when=move || table.with(Option::is_some)>
                <p class="hint" id="review-intro">
                    {move || if has_current() {
                        format!("{} of the parameters below change (marked \u{201c}changed\u{201d}).", changed())
                    } else {
                        "No current programme to compare with (a first fill): every parameter is new.".to_owned()
                    }}
                </p>
                <ReviewTable id="review-table" caption="Current and proposed programme" rows=rows />
                <ReviewTable id="review-totals" caption="Maximum possible per 24 h, per drug" rows=totals />
            </Show>
    }
}

/// Why the session cannot be confirmed yet (none: it can).
fn blocker(state: AppState) -> Option<String> {
    if state.baseline.with(Option::is_none) {
        return Some("No session is open: open a workflow to change the plan.".to_owned());
    }
    if state.stale.get() || state.evaluation.with(|e| e.result.is_err()) {
        return Some("The input is not valid: correct the marked fields first.".to_owned());
    }
    if state.visit_moved.get() {
        return Some("The programme was changed after the visit was entered, and that changes the visit's expected residual: the visit must be reconciled against the programme in force since the last fill. Discard the changes, confirm the refill with the same programme, then change the programme in a session of its own.".to_owned());
    }
    let input = state
        .evaluation
        .with(|e| e.result.as_ref().ok().map(|s| s.outcome.status));
    let proposed = state.proposed();
    match (input, proposed) {
        (_, Err(e)) => Some(format!(
            "The refill cannot be applied: {}",
            e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        )),
        (Some(PlanStatus::Blocked), _) => Some("A hard limit is crossed: the plan cannot be confirmed.".to_owned()),
        (Some(PlanStatus::NeedsAcknowledgement), _) => {
            Some("Acknowledge each soft limit with a reason (under Limits and cautions) first.".to_owned())
        }
        (_, Ok(p)) if p.outcome.status != PlanStatus::Valid => {
            Some(format!("After the refill: {}", p.report.status.text))
        }
        _ => None,
    }
}

/// The review screen.
#[component]
pub fn ReviewScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let review = Memo::new(move |_| {
        state.proposed().ok().map(|p| {
            state
                .current
                .with(|c| review::review(c.as_ref().map(|c| (&c.plan, &c.outcome)), (&p.plan, &p.outcome)))
        })
    });
    let open = move || state.baseline.with(Option::is_some);
    // After confirming, the review that was confirmed stays on screen (and on paper).
    let confirmed_review = RwSignal::new(None::<Review>);
    let table = Memo::new(move |_| if open() { review.get() } else { confirmed_review.get() });
    let confirmed = RwSignal::new(None::<String>);
    let confirm = move |_| confirm_session(state, review, confirmed_review, confirmed);
    let discard = move |_| {
        if let Some(b) = state.baseline.get_untracked() {
            state.form.set(b.form);
        }
        state.end_session();
        super::persist::save_now(state.form);
        focus_later("screen-heading");
    };
    let programme = Signal::derive(move || {
        state
            .proposed()
            .ok()
            .map(|p| review::programme(&p.plan, &p.outcome))
            .unwrap_or_default()
    });
    let reconciliation = state.section(|r| r.reconciliation.clone());
    let visit_log = state.section(|r| r.visit_log.clone());
    view! {
        <section class="panel review-screen" aria-labelledby="screen-heading">
            <PrintHeader />
            <h2 id="screen-heading" tabindex="-1">"Review and confirm"</h2>
            {move || confirmed.get().map(|c| view! { <p class="banner banner-ok" role="status" id="confirmed" tabindex="-1">{c}</p> })}
            <Show when=open>
                <p class="hint no-print" id="session-open">"Not yet confirmed: the current programme (as it was when this session began) and the proposed one."</p>
            </Show>
            <Show when=move || !open() && confirmed_review.with(Option::is_none)>
                <p class="hint no-print" id="no-session">"No session is open: the plan on screen is the one last confirmed. Open a workflow to change it."</p>
            </Show>
            <ReviewTables table=table />
            <Findings />
            <AfterRefillFindings />
            <Show when=open>
                <div class="buttons no-print">
                    <button type="button" id="confirm" on:click=confirm prop:disabled=move || blocker(state).is_some()
                        aria-describedby="confirm-why">"Confirm and record this session"</button>
                    <button type="button" class="secondary" id="discard" on:click=discard>"Discard the changes"</button>
                </div>
                <p class="hint no-print" id="confirm-why">{move || blocker(state).unwrap_or_default()}</p>
            </Show>
            <div class="buttons no-print">
                <button type="button" class="secondary" id="print" on:click=move |_| { let _ = window().print(); }>"Print"</button>
                <a class="button secondary" href=Screen::Card.href()>"Patient card"</a>
            </div>
            <h3>"The programme in full"</h3>
            <FigureList id="programme-full" label="The programme in full" figures=programme />
            <Show when=move || !reconciliation.get().is_empty()>
                <h3>"Visit and reconciliation"</h3>
                <FigureList id="review-reconciliation" label="Visit and reconciliation" figures=reconciliation />
            </Show>
            <Show when=move || !visit_log.get().is_empty()>
                <h3>"Visit log"</h3>
                <FigureList id="review-visit-log" label="Visit log" figures=visit_log />
            </Show>
            <Worksheet />
            // While a refill waits, the charts would show the old fill: they follow once confirmed.
            <Show when=move || state.rolled.with(Option::is_none) fallback=|| view! {
                <p class="hint" id="charts-after-confirm">"The charts of the new fill appear once the refill is confirmed."</p>
            }>
                <ReservoirChartView />
                <CsfCharts />
            </Show>
            <Sessions />
            <PrintFooter />
        </section>
    }
}

/// Findings of the plan after its refill that still wait (a refill can raise one the visit's plan
/// does not have): listed, each soft one with its acknowledgement (kept with the plan, so the
/// plan after the refill carries it), so a blocked confirmation always says why and can be resolved.
#[component]
fn AfterRefillFindings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let waiting = Memo::new(move |_| {
        state.rolled.with(|r| match r {
            Some(Ok(p)) if p.outcome.status != PlanStatus::Valid => p
                .report
                .findings
                .iter()
                .filter(|f| f.severity == crate::engine::Severity::Hard || f.needs_acknowledgement)
                .cloned()
                .collect(),
            _ => Vec::new(),
        })
    });
    view! {
        <Show when=move || waiting.with(|w| !w.is_empty())>
            <h3 id="after-refill-findings-heading">"After the refill, still to resolve"</h3>
            <ul class="findings" id="after-refill-findings" aria-labelledby="after-refill-findings-heading">
                {move || waiting.get().into_iter().enumerate().map(|(i, f)| {
                    let soft = f.needs_acknowledgement;
                    view! {
                        <li class=if soft { "finding finding-soft" } else { "finding finding-hard" }>
                            <strong>{f.label.clone()}": "</strong>{f.message.clone()}
                            {soft.then(|| view! { <AcknowledgeForm key=f.key.clone() index=1000 + i reason=ArcRwSignal::new(super::persist::draft_text(&super::findings::reason_draft_id(&f.key), "")) /> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}

/// Confirms the open session: the plan confirmed is recorded and saved at once, the review that
/// was confirmed stays on screen, and focus moves to the confirmation.
fn confirm_session(
    state: AppState,
    review: Memo<Option<Review>>,
    confirmed_review: RwSignal<Option<Review>>,
    confirmed: RwSignal<Option<String>>,
) {
    if blocker(state).is_some() {
        return;
    }
    let (Ok(p), Some(r)) = (state.proposed(), review.get_untracked()) else {
        return;
    };
    let at = super::persist::now();
    let workflow = state
        .baseline
        .with_untracked(|b| b.as_ref().map(|b| b.workflow.clone()))
        .unwrap_or_default();
    let form = confirmed_form(&p, &r, at, workflow.clone(), state);
    confirmed_review.set(Some(r));
    state.end_session();
    state.form.set(form);
    super::persist::save_now(state.form);
    let in_record = super::records::confirmed(state, at, &workflow).unwrap_or_default();
    confirmed.set(Some(format!(
        "Confirmed {}: recorded with the plan. {in_record}",
        format_date_time(at)
    )));
    focus_later("confirmed");
}

/// The plan as confirmed: the session recorded (with every change and the acknowledgements), the
/// titration history moved to now when a 24-hour total changed.
fn confirmed_form(
    shown: &super::state::Shown,
    review: &Review,
    at: jiff::civil::DateTime,
    workflow: String,
    state: AppState,
) -> PlanForm {
    let mut plan = shown.plan.clone();
    if review.has_current && review.totals.iter().any(|r| r.changed) {
        // A rise counts towards the weekly limit: the rises of the past week (when the last
        // change was within it) and this one. Counting the older ones again errs towards caution.
        let rose = shown.outcome.drugs.iter().any(|d| {
            plan.current_programme
                .iter()
                .any(|c| c.drug == d.id && c.daily_maximum.value() < d.daily_maximum.value())
        });
        let previous = plan.titration.as_ref().filter(|t| {
            t.last_change
                .is_some_and(|l| l.duration_until(at).as_secs_f64() <= 7.0 * 86_400.0)
        });
        let before = previous.and_then(|t| t.increases_past_week).unwrap_or(0);
        plan.titration = Some(TitrationHistory {
            last_change: Some(at),
            increases_past_week: Some(if rose { before + 1 } else { before }),
        });
    }
    // What was confirmed is now the current programme.
    plan.current_programme = super::state::current_totals(&shown.outcome);
    // The acknowledgements made in this session (those the plan had before are recorded already).
    let earlier = state
        .baseline
        .with_untracked(|b| b.as_ref().map(|b| b.form.acknowledgements.clone()).unwrap_or_default());
    plan.sessions.push(Session {
        at,
        workflow,
        changes: review.changes(),
        acknowledgements: plan
            .acknowledgements
            .iter()
            .filter(|a| !earlier.contains(a))
            .cloned()
            .collect(),
    });
    let rolled = state.rolled.with_untracked(Option::is_some);
    state
        .library
        .with_untracked(|l| state.form.with_untracked(|f| f.confirmed(&plan, l, rolled)))
}

/// The confirmed sessions, newest first.
#[component]
fn Sessions() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sessions = move || state.form.with(|f| f.sessions.clone());
    view! {
        <Show when=move || !sessions().is_empty()>
            <h3 id="sessions-heading">"Confirmed sessions"</h3>
            <ul class="sessions" id="sessions" aria-labelledby="sessions-heading">
                {move || sessions().into_iter().rev().map(|s| view! {
                    <li>
                        <strong>{format_date_time(s.at)}", "{s.workflow}": "</strong>
                        {if s.changes.is_empty() { "no parameter changed".to_owned() } else {
                            s.changes.iter().map(|c| format!("{}: {} \u{2192} {}", c.parameter, c.from, c.to)).collect::<Vec<_>>().join("; ")
                        }}
                        {(!s.acknowledgements.is_empty()).then(|| format!(" ({} acknowledgement(s) recorded)", s.acknowledgements.len()))}
                    </li>
                }).collect_view()}
            </ul>
        </Show>
    }
}

/// The printout's head: lines for the patient's identifiers, when it was printed, the app and the
/// drug library.
#[component]
pub fn PrintHeader() -> impl IntoView {
    let state = expect_context::<AppState>();
    let printed = RwSignal::new(format_date_time(super::persist::now()));
    let handle = window_event_listener(leptos::ev::beforeprint, move |_| {
        printed.set(format_date_time(super::persist::now()));
    });
    on_cleanup(move || handle.remove());
    let library = move || {
        state
            .library
            .with(|l| format!("{} (library format {})", l.name, l.version))
    };
    view! {
        <div class="print-only print-header">
            <dl class="patient-lines">
                <div><dt>"Patient name"</dt><dd></dd></div>
                <div><dt>"Date of birth"</dt><dd></dd></div>
                <div><dt>"Hospital number"</dt><dd></dd></div>
            </dl>
            <p id="printed-at">"Printed "{move || printed.get()}" \u{b7} itdose "{env!("CARGO_PKG_VERSION")}" \u{b7} drug library: "{library}</p>
            <p>"Decision support only: check every figure against the pump's labelling and your institution's protocols."</p>
        </div>
    }
}

/// The printout's foot: signature lines.
#[component]
pub fn PrintFooter() -> impl IntoView {
    view! {
        <div class="print-only signatures">
            <p>"Prepared by (name, signature)"</p>
            <p>"Checked by (name, signature)"</p>
            <p>"Date and time"</p>
        </div>
    }
}
