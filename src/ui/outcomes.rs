//! Visits and outcomes in the open patient record: per visit the pain score now and worst (0 to
//! 10), the systemic opioids (MME, from the conversion screen or typed) and side effects; the
//! markers (mild, severe, responder, systemic opioids stopped) in the engine's words; the log as
//! CSV; and the therapy timeline chart. A bad score gets a message at its field and nothing typed
//! is lost.

use std::sync::Arc;

use leptos::prelude::*;

use super::files::download;
use super::persist::Flash;
use super::state::AppState;
use crate::engine::format::format_number;
use crate::engine::outcomes::{OutcomeEntry, Thresholds};
use crate::engine::record::Record;
use crate::engine::report::outcomes::{csv, rows};
use crate::engine::{Error, Field, element_id, parse_date, parse_number, parse_time};

/// The key of the visit being typed.
const DRAFT_KEY: &str = "itdose.outcome-draft.v1";

/// The visit as typed.
#[derive(Clone, Copy)]
struct Typed {
    date: RwSignal<String>,
    time: RwSignal<String>,
    pain_now: RwSignal<String>,
    pain_worst: RwSignal<String>,
    mme: RwSignal<String>,
    side_effects: RwSignal<String>,
}

fn optional(field: Field, text: &str) -> Result<Option<f64>, Error> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_number(field, text).map(Some)
    }
}

/// The typed visit read into an entry, or every error at its field.
fn read(t: Typed) -> Result<OutcomeEntry, Vec<Error>> {
    let mut errors = Vec::new();
    let date = parse_date(Field::OutcomeDate, &t.date.get_untracked());
    let time = if t.time.with_untracked(|x| x.trim().is_empty()) {
        Ok(jiff::civil::Time::midnight())
    } else {
        parse_time(Field::OutcomeTime, &t.time.get_untracked())
    };
    let now = optional(Field::PainNow, &t.pain_now.get_untracked());
    let worst = optional(Field::PainWorst, &t.pain_worst.get_untracked());
    let mme = optional(Field::SystemicMme, &t.mme.get_untracked());
    let (Ok(date), Ok(time), Ok(now), Ok(worst), Ok(mme)) =
        (date.clone(), time.clone(), now.clone(), worst.clone(), mme.clone())
    else {
        errors.extend(date.err());
        errors.extend(time.err());
        errors.extend(now.err());
        errors.extend(worst.err());
        errors.extend(mme.err());
        return Err(errors);
    };
    let entry = OutcomeEntry {
        at: date.to_datetime(time),
        pain_now: now,
        pain_worst: worst,
        systemic_mme: mme,
        side_effects: t.side_effects.get_untracked(),
    };
    entry.validate().map(|()| entry)
}

/// One labelled input with its messages.
fn input(
    t: RwSignal<String>,
    errors: RwSignal<Vec<Error>>,
    field: Field,
    label: &'static str,
    kind: &'static str,
) -> impl IntoView {
    let id = element_id(field, None);
    let error_id = format!("{id}-error");
    let mine = move || {
        errors.with(|list| {
            list.iter()
                .filter(|e| e.field == field)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="field" class:invalid=move || !mine().is_empty()>
            <label for=id.clone()>{label}</label>
            <input id=id.clone() type=kind autocomplete="off" aria-describedby=error_id.clone()
                aria-invalid=move || (!mine().is_empty()).to_string()
                inputmode=if kind == "text" { "decimal" } else { "text" }
                prop:value=move || t.get() on:input=move |ev| t.set(event_target_value(&ev)) />
            <div class="field-error" id=error_id aria-live="polite">
                {move || mine().into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        </div>
    }
}

/// The visit being typed, kept in this browser until it is recorded: the section is redrawn when
/// the record changes (a visit added, another tab), and nothing typed is lost.
fn typed_draft() -> Typed {
    let draft: [String; 6] = super::persist::stored(DRAFT_KEY)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let [date, time, pain_now, pain_worst, mme, side_effects] = draft;
    let t = Typed {
        date: RwSignal::new(date),
        time: RwSignal::new(time),
        pain_now: RwSignal::new(pain_now),
        pain_worst: RwSignal::new(pain_worst),
        mme: RwSignal::new(mme),
        side_effects: RwSignal::new(side_effects),
    };
    Effect::new(move |_| {
        let all = [t.date, t.time, t.pain_now, t.pain_worst, t.mme, t.side_effects].map(|s| s.get());
        if let Ok(json) = serde_json::to_string(&all) {
            let _ = <gloo_storage::LocalStorage as gloo_storage::Storage>::raw().set_item(DRAFT_KEY, &json);
        }
    });
    t
}

/// The open record's visits and outcomes.
#[component]
pub fn Outcomes(record: Arc<Record>, add: Callback<OutcomeEntry, Result<(), String>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let thresholds = Thresholds::builtin().ok();
    let t = typed_draft();
    let errors = RwSignal::new(Vec::<Error>::new());
    let flash = Flash::new();
    let record_visit = {
        move |_| match read(t) {
            Ok(entry) => match add.run(entry) {
                Ok(()) => {
                    errors.set(Vec::new());
                    for s in [t.pain_now, t.pain_worst, t.mme, t.side_effects] {
                        s.set(String::new());
                    }
                    flash.show("Visit recorded".into());
                }
                Err(e) => flash.show(e),
            },
            // What was typed stays in the fields.
            Err(list) => errors.set(list),
        }
    };
    // Every session's plan evaluated once: the doses in force at each visit and on the timeline.
    let doses = state.library.with_untracked(|l| {
        state
            .catalogue
            .with_value(|c| crate::engine::outcomes::intrathecal_history(&record, c, l))
    });
    let (table, csv_text) = match &thresholds {
        Some(th) => (rows(&record, &doses, th), csv(&record, &doses, th)),
        None => (Vec::new(), String::new()),
    };
    let chart_height = crate::chart::timeline::height(&doses);
    let chart = thresholds
        .as_ref()
        .map(|th| super::input::svg_data_url(&crate::chart::timeline::svg(&record, &doses, th, 720)));
    view! {
        <section class="outcomes" aria-labelledby="outcomes-heading">
            <h4 id="outcomes-heading">"Visits and outcomes"</h4>
            <div class="field-row">
                {input(t.date, errors, Field::OutcomeDate, "Visit date (YYYY-MM-DD)", "date")}
                {input(t.time, errors, Field::OutcomeTime, "Time (optional)", "time")}
            </div>
            <div class="field-row">
                {input(t.pain_now, errors, Field::PainNow, "Pain now (0 to 10)", "text")}
                {input(t.pain_worst, errors, Field::PainWorst, "Worst pain since the last visit (0 to 10)", "text")}
                {input(t.mme, errors, Field::SystemicMme, "Systemic opioids, MME (mg/day; 0 when stopped)", "text")}
            </div>
            {super::convert::saved_total_mme().map(|mme| {
                let label = format!("Use the conversion screen's total: {} mg/day", format_number(mme));
                let text = crate::form::number_text(mme);
                view! {
                    <p><button type="button" class="secondary small" id="outcome-mme-from-conversion"
                        on:click=move |_| t.mme.set(text.clone())>{label}</button></p>
                }
            })}
            <div class="field">
                <label for="outcome-side-effects">"Side effects"</label>
                <input id="outcome-side-effects" type="text" prop:value=move || t.side_effects.get()
                    on:input=move |ev| t.side_effects.set(event_target_value(&ev)) />
            </div>
            <div class="buttons">
                <button type="button" id="outcome-add" on:click=record_visit>"Record this visit"</button>
                <button type="button" class="secondary" id="outcome-csv" on:click=move |_| { let _ = download("itdose-outcomes.csv", &csv_text); }>"Export the log (CSV)"</button>
            </div>
            <p class="save-status" role="status" id="outcome-status">{move || flash.get().unwrap_or_default()}</p>
            <dl class="record-history" id="outcome-log">
                {table.into_iter().rev().map(|r| view! {
                    <dt>{r.at}</dt>
                    <dd><ul>
                        <li>{format!("Pain now {}, worst {}", r.pain_now, r.pain_worst)}</li>
                        <li>{format!("Systemic opioids: {}", r.systemic_mme)}</li>
                        <li>{format!("Intrathecal (basal): {}", r.intrathecal)}</li>
                        {(!r.markers.is_empty()).then(|| view! { <li><strong>{r.markers}</strong></li> })}
                        {(!r.side_effects.is_empty()).then(|| view! { <li>{format!("Side effects: {}", r.side_effects)}</li> })}
                    </ul></dd>
                }).collect_view()}
            </dl>
            {chart.map(|src| view! {
                <figure class="chart" id="timeline">
                    <figcaption>"Therapy timeline: pain now and systemic MME by visit, the mild and severe thresholds, each confirmed session, and each intrathecal drug's basal daily dose"</figcaption>
                    <p class="hint" id="timeline-legend">{crate::engine::report::outcomes::session_legend(&record)}</p>
                    <img src=src alt="Therapy timeline: pain scores and systemic MME over time with the mild and severe thresholds and the sessions marked (each by its workflow's initial), and under it each intrathecal drug's basal daily dose from session to session; the same values are listed above." width="720" height=chart_height.to_string() />
                </figure>
            })}
            {thresholds.map(|th| view! {
                <p class="hint source">{crate::engine::report::outcomes::thresholds_text(&th)}</p>
            })}
        </section>
    }
}
