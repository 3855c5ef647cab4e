//! The start screen, the navigation, the summary that stays in view, the workflows (each only its
//! inputs, with its results beside them) and "New patient".

use leptos::prelude::*;

use super::compounding::Worksheet;
use super::csf::{CsfCharts, CsfInputs, MriInputs};
use super::drugs::Programme;
use super::files::PlanFiles;
use super::findings::Findings;
use super::input::FigureList;
use super::library_view::LibraryView;
use super::pump_info::PumpInfo;
use super::reservoir_chart::ReservoirChartView;
use super::results::Results;
use super::route::{Screen, go};
use super::schedule::ScheduleEditor;
use super::setup::PumpAndFill;
use super::state::AppState;
use super::visit::VisitSection;
use crate::engine::Figure;
use crate::engine::report::review;
use crate::form::PlanForm;

/// The navigation between screens.
#[component]
pub fn Nav(screen: Memo<Screen>) -> impl IntoView {
    let links = Screen::ALL;
    view! {
        <nav class="app-nav no-print" aria-label="Screens">
            <ul>
                {links.into_iter().map(|s| view! {
                    <li><a href=s.href() aria-current=move || (screen.get() == s).then_some("page")>{s.title()}</a></li>
                }).collect_view()}
            </ul>
        </nav>
    }
}

/// The figures named `names` of a programme list, in that order.
fn pick(list: &[Figure], names: &[&str]) -> Vec<Figure> {
    names
        .iter()
        .filter_map(|n| list.iter().find(|f| f.name == *n).cloned())
        .collect()
}

/// The summary that stays in view: pump, drugs, rate, alarm and refill-by dates, status, and the
/// dates after the refill being entered.
#[component]
pub fn Summary() -> impl IntoView {
    let state = expect_context::<AppState>();
    let figures = Memo::new(move |_| {
        state.last_valid.with(|s| {
            s.as_ref()
                .map(|s| {
                    let mut f = vec![
                        Figure::text("Pump", s.report.pump.clone()),
                        Figure::text("Drugs", s.report.summary.clone()),
                    ];
                    let programme = review::programme(&s.plan, &s.outcome);
                    f.extend(pick(
                        &programme,
                        &["Flow rate", "Low-reservoir alarm date", "Refill by"],
                    ));
                    f
                })
                .unwrap_or_default()
        })
    });
    let after = Memo::new(move |_| {
        state.rolled.with(|r| match r {
            Some(Ok(s)) => {
                let programme = review::programme(&s.plan, &s.outcome);
                pick(
                    &programme,
                    &["Fill date", "Fill volume", "Low-reservoir alarm date", "Refill by"],
                )
                .into_iter()
                .map(|f| Figure::text(&format!("After this refill: {}", f.name), f.display))
                .collect()
            }
            _ => Vec::new(),
        })
    });
    let status = move || {
        if state.stale.get() {
            return "Input not valid: correct the marked fields".to_owned();
        }
        let plan = state
            .last_valid
            .with(|s| s.as_ref().map(|s| s.report.status.text.clone()))
            .unwrap_or_else(|| "No plan yet".to_owned());
        let pending = state
            .baseline
            .with(|b| b.as_ref().is_some_and(|b| state.form.with(|f| *f != b.form)));
        if pending {
            format!("{plan}. Changes not yet confirmed.")
        } else {
            plan
        }
    };
    let record = super::records::open_title();
    let all = Signal::derive(move || {
        let mut f = figures.get();
        // Whose record the plan on screen belongs to, first: the right patient.
        if let Some(title) = record.get() {
            f.insert(0, Figure::text("Patient record", title));
        }
        f.extend(after.get());
        f.push(Figure::text("Status", status()));
        f
    });
    view! {
        <aside class="summary" aria-label="Plan summary">
            <FigureList id="summary" label="Plan summary" figures=all stale=state.stale />
        </aside>
    }
}

/// Choose the task.
#[component]
pub fn StartScreen(note: ReadSignal<Option<String>>, notes: Vec<String>) -> impl IntoView {
    let tasks = [
        (
            Screen::Refill,
            "Reconcile what you withdraw, refill, and see the new alarm and refill-by dates.",
        ),
        (
            Screen::Change,
            "Dose, flex steps, boluses and the myPTM, checked against each drug's titration rules.",
        ),
        (
            Screen::NewPump,
            "Priming, the first fill and the rules for a new pump (ziconotide).",
        ),
        (
            Screen::Mri,
            "The scan, its checklist, the restart and the pump's MRI conditions.",
        ),
        (Screen::Card, "The plan in plain language for the patient to carry."),
        (
            Screen::Records,
            "Each patient's pump history in this browser: fills, visits, changes, MRIs.",
        ),
        (
            Screen::Library,
            "The drug library in force: limits, titration rules and sources.",
        ),
        (
            Screen::Convert,
            "From systemic opioids: the daily MME and an intrathecal starting proposal, with the arithmetic.",
        ),
        (Screen::Plan, "Every input and result on one page."),
    ];
    view! {
        <section class="panel start" aria-labelledby="screen-heading">
            <h2 id="screen-heading" tabindex="-1">"What are you doing today?"</h2>
            {move || note.get().map(|n| view! { <p class="banner banner-stale" role="status">{n}</p> })}
            <ul class="tasks">
                {tasks.into_iter().map(|(s, what)| view! {
                    <li><a class="task" href=s.href()><strong>{s.title()}</strong><span>{what}</span></a></li>
                }).collect_view()}
            </ul>
            <RecordNote />
            <NewPatient />
            <PlanFiles notes=notes />
            <super::persist::SetAsideWork />
        </section>
    }
}

/// Which record the plan on screen belongs to, and stored records that could not be read.
#[component]
fn RecordNote() -> impl IntoView {
    let state = expect_context::<AppState>();
    let unreadable = super::records::unreadable_count();
    view! {
        <p class="hint" id="record-note">
            {move || match state.record_id() {
                Some(_) => "The plan on screen is kept in a patient record: sessions confirmed on the review are recorded in it. ",
                None => "The plan on screen is not kept in a patient record. ",
            }}
            <a href=Screen::Records.href()>"Patient records"</a>
        </p>
        {move || (unreadable.get() > 0).then(|| view! {
            <p class="banner banner-stale" role="status" id="unreadable-records-note">
                {format!("{} stored patient record(s) could not be read: they are kept as they are, and offered for download under ", unreadable.get())}
                <a href=Screen::Records.href()>"Patient records"</a>"."
            </p>
        })}
    }
}

/// "New patient": nothing of the previous plan carries over (the drug library in force stays).
#[component]
pub fn NewPatient() -> impl IntoView {
    let state = expect_context::<AppState>();
    let asking = RwSignal::new(false);
    let clear = move |_| {
        state.replace_plan(PlanForm::blank_at(super::persist::now()));
        asking.set(false);
        go(Screen::Start);
        super::route::focus_later("new-patient");
    };
    view! {
        <div class="new-patient">
            <Show when=move || asking.get() fallback=move || view! {
                <button type="button" class="secondary" id="new-patient" on:click=move |_| asking.set(true)>"New patient"</button>
            }>
                <div role="group" aria-labelledby="new-patient-question" class="confirm-box">
                    <p id="new-patient-question">"Start a new patient? Everything of this plan is cleared: pump, fill, programme, visits, sessions and acknowledgements. Export the plan first to keep it."</p>
                    <button type="button" class="danger" id="new-patient-confirm" on:click=clear>"Clear and start a new patient"</button>
                    <button type="button" class="secondary" id="new-patient-cancel" on:click=move |_| asking.set(false)>"Cancel"</button>
                </div>
            </Show>
        </div>
    }
}

/// The heading of a workflow and its steps.
fn heading(title: &'static str, steps: &'static [&'static str]) -> impl IntoView {
    view! {
        <h2 id="screen-heading" tabindex="-1">{title}</h2>
        <ol class="steps">{steps.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol>
    }
}

/// The way on: review before confirming.
#[component]
fn ToReview() -> impl IntoView {
    view! {
        <p class="to-review no-print"><a class="button" id="to-review" href=Screen::Review.href()>"Review and confirm \u{2192}"</a></p>
    }
}

/// The refill visit.
#[component]
pub fn RefillScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let last = Memo::new(move |_| {
        let from = move |s: &Option<std::sync::Arc<super::state::Shown>>| {
            s.as_ref()
                .map(|s| review::programme(&s.plan, &s.outcome))
                .unwrap_or_default()
        };
        match state.current.with(|c| c.is_some()) {
            true => state.current.with(from),
            false => state.last_valid.with(from),
        }
    });
    let last = Signal::derive(move || {
        pick(
            &last.get(),
            &[
                "Pump",
                "Fill date",
                "Fill volume",
                "Flow rate",
                "Low-reservoir alarm date",
            ],
        )
    });
    // The new fill's overall figures (rate, alarm, empty, refill-by), as the report words them.
    let after = Signal::derive(move || {
        state.rolled.with(|r| match r {
            Some(Ok(s)) => s.report.figures.clone(),
            _ => Vec::new(),
        })
    });
    let after_errors = move || {
        state.rolled.with(|r| match r {
            Some(Err(e)) => e.iter().map(ToString::to_string).collect(),
            _ => Vec::<String>::new(),
        })
    };
    view! {
        <div class="workflow">
            <section class="panel inputs" aria-labelledby="screen-heading">
                {heading("Refill visit", &["Check the last fill and programme.", "Enter what the pump expects and what you withdraw.", "Enter the new fill: the plan rolls forward to it.", "Change the programme too if needed, then review and confirm."])}
                <h3>"Last fill and programme"</h3>
                <FigureList id="last-fill" label="Last fill and programme" figures=last />
                <details class="correct-fill">
                    <summary>"Correct the last fill or the pump"</summary>
                    <PumpAndFill />
                </details>
                <VisitSection in_refill=true />
                <ul class="field-error" id="after-refill-errors">
                    {move || after_errors().into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}
                </ul>
                <p class="hint">"The same programme carries over to the new fill. To change the dose or the concentration as well, "<a href=Screen::Change.href()>"change the programme"</a>" before reviewing: the refill is kept."</p>
                <ToReview />
            </section>
            <section class="panel outputs" aria-label="Results">
                <Show when=move || !after.get().is_empty()>
                    <h3 id="after-refill-heading">"After this refill"</h3>
                    <FigureList id="after-refill" label="After this refill" figures=after />
                    <h3>"The last fill, until the refill is confirmed"</h3>
                </Show>
                <Results />
                <Findings />
                <Worksheet />
            </section>
        </div>
    }
}

/// Change the programme.
#[component]
pub fn ChangeScreen() -> impl IntoView {
    view! {
        <div class="workflow">
            <section class="panel inputs" aria-labelledby="screen-heading">
                {heading("Change the programme", &["Set the dose, or the flow rate.", "Flex steps, boluses and the myPTM.", "Check the titration findings, then review and confirm."])}
                <Programme />
                <ScheduleEditor />
                <super::titration::TitrationPlanner />
                <ToReview />
            </section>
            <section class="panel outputs" aria-label="Results">
                <Results />
                <Findings />
                <ReservoirChartView />
            </section>
        </div>
    }
}

/// A new pump or a catheter revision.
#[component]
pub fn NewPumpScreen() -> impl IntoView {
    view! {
        <div class="workflow">
            <section class="panel inputs" aria-labelledby="screen-heading">
                {heading("New pump or catheter revision", &["The pump and its first fill.", "The drugs and the programme.", "The catheter, then the priming bolus.", "Review and confirm."])}
                <PumpAndFill />
                <Programme />
                <CsfInputs />
                <ScheduleEditor />
                <ToReview />
            </section>
            <section class="panel outputs" aria-label="Results">
                <Results />
                <Findings />
                <Worksheet />
                <PumpInfo />
            </section>
        </div>
    }
}

/// An MRI scan.
#[component]
pub fn MriScreen() -> impl IntoView {
    view! {
        <div class="workflow">
            <section class="panel inputs" aria-labelledby="screen-heading">
                {heading("MRI", &["Enter the scan.", "Read the pump's MRI conditions and the checklist.", "Check the restart and the refill-by date, then review and confirm."])}
                <MriInputs />
                <PumpInfo />
                <ToReview />
            </section>
            <section class="panel outputs" aria-label="Results">
                <Results />
                <Findings />
                <CsfCharts />
            </section>
        </div>
    }
}

/// The drug library.
#[component]
pub fn LibraryScreen() -> impl IntoView {
    view! {
        <section class="panel library-panel" aria-labelledby="library-heading">
            <span id="screen-heading" tabindex="-1" class="visually-hidden">"Drug library"</span>
            <LibraryView />
        </section>
    }
}
