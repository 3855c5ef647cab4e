//! The titration planner on the change screen: from the lead drug's current daily dose to a target,
//! the rises its titration rule allows (the library's, or the clinician's own when the library has
//! none), with their dates and rates, when the low-reservoir alarm falls under those rates, and
//! the refill-by dates along the way (the pump's rule, the drug's stability, the end of service).
//! A plan to follow, not a programme: each rise is a change of its own, reviewed and confirmed.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::persist::stored;
use super::state::AppState;
use crate::engine::report::titration::{notes, refill_rows, rows};
use crate::engine::{
    Error, Field, Outcome, OwnRule, Plan, Programme, TitrationFill, TitrationInput, parse_date, parse_number,
    plan_titration,
};

/// The key of the planner as typed.
const TITRATION_KEY: &str = "itdose.titration.v1";

/// The planner as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct PlannerForm {
    target: String,
    start: String,
    own_step: String,
    own_percent: String,
    own_days: String,
}

/// What the planner needs from the evaluated plan: the lead drug, its dose, concentration and unit,
/// the fill with its refill-by constraints, and the last change.
fn from_plan(plan: &Plan, outcome: &Outcome) -> Option<(TitrationInput, String)> {
    let Programme::LeadDose { lead } = plan.programme else {
        return None;
    };
    if plan.flex.is_some() {
        return None;
    }
    let line = plan.drugs.get(lead)?;
    let dose = line.daily_dose?;
    let concentration = line.concentration?;
    let unit = format!("{}/day", dose.family().symbol());
    Some((
        TitrationInput {
            drug: line.drug.clone(),
            condition: line.condition.clone(),
            current: dose.value(),
            target: 0.0,
            start: plan.fill.filled_at,
            last_change: plan.titration.as_ref().and_then(|t| t.last_change),
            own_rule: None,
            concentration: concentration.value(),
            fill: TitrationFill::of(plan, outcome),
        },
        unit,
    ))
}

fn read(form: &PlannerForm, mut input: TitrationInput) -> Result<TitrationInput, Error> {
    input.target = parse_number(Field::TitrationTarget, &form.target)?;
    if !form.start.trim().is_empty() {
        input.start = parse_date(Field::TitrationStart, &form.start)?.at(9, 0, 0, 0);
    }
    let optional = |field: Field, text: &str| -> Result<Option<f64>, Error> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            parse_number(field, text).map(Some)
        }
    };
    let step = optional(Field::TitrationRule, &form.own_step)?;
    let percent = optional(Field::TitrationRule, &form.own_percent)?;
    let days = optional(Field::TitrationRule, &form.own_days)?;
    if step.is_some() || percent.is_some() || days.is_some() {
        input.own_rule = Some(OwnRule {
            max_step: step,
            max_percent: percent,
            days_between: days.unwrap_or(0.0),
        });
    }
    Ok(input)
}

/// A labelled text input bound to one field of the planner.
fn field(
    form: RwSignal<PlannerForm>,
    id: &'static str,
    label: &'static str,
    get: fn(&PlannerForm) -> String,
    set: fn(&mut PlannerForm, String),
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id autocomplete="off" inputmode=if id == "titration-start" { "text" } else { "decimal" }
                prop:value=move || form.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)); } />
        </div>
    }
}

/// The planner.
#[component]
pub fn TitrationPlanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let saved = stored(TITRATION_KEY)
        .and_then(|t| serde_json::from_str::<PlannerForm>(&t).ok())
        .unwrap_or_default();
    let form = RwSignal::new(saved);
    Effect::new(move |_| {
        if let Ok(json) = form.with(serde_json::to_string) {
            let _ = LocalStorage::raw().set_item(TITRATION_KEY, &json);
        }
    });
    let result = Memo::new(move |_| {
        let base = state
            .last_valid
            .with(|s| s.as_ref().and_then(|s| from_plan(&s.plan, &s.outcome)));
        let Some((input, unit)) = base else {
            return Err("The planner needs a lead-dose programme without flex steps, with the lead drug's dose and concentration.".to_owned());
        };
        if form.with(|f| f.target.trim().is_empty()) {
            return Err(String::new());
        }
        let input = form.with(|f| read(f, input)).map_err(|e| e.to_string())?;
        state
            .library
            .with(|l| plan_titration(&input, l))
            .map(|p| (rows(&p, &unit), notes(&p, &unit), refill_rows(&p)))
            .map_err(|e| e.to_string())
    });
    view! {
        <details class="titration-planner" id="titration-planner">
            <summary>"Titration planner: the rises the drug's rule allows, to a target dose"</summary>
            <p class="hint">"A plan to follow, not a programme: each rise is a change of its own, reviewed and confirmed on its day. Dates start at 09:00."</p>
            <div class="field-row">
                {field(form, "titration-target", "Target daily dose (the lead drug's unit)", |f| f.target.clone(), |f, v| f.target = v)}
                {field(form, "titration-start", "First rise no earlier than (YYYY-MM-DD; empty: the fill date)", |f| f.start.clone(), |f, v| f.start = v)}
            </div>
            <fieldset>
                <legend>"Your rule, for a drug the library gives none"</legend>
                <div class="field-row">
                    {field(form, "titration-own-step", "Largest rise per step (the drug's unit per day)", |f| f.own_step.clone(), |f, v| f.own_step = v)}
                    {field(form, "titration-own-percent", "Largest rise per step (%)", |f| f.own_percent.clone(), |f, v| f.own_percent = v)}
                    {field(form, "titration-own-days", "Days between rises", |f| f.own_days.clone(), |f, v| f.own_days = v)}
                </div>
            </fieldset>
            {move || match result.get() {
                Ok((steps, said, refills)) => view! {
                    <dl class="results" id="titration-steps" aria-label="Titration plan">
                        {steps.into_iter().map(|r| view! {
                            <dt>{r.at}</dt><dd>{format!("{} ({}), {}", r.dose, r.rise, r.rate)}</dd>
                        }).collect_view()}
                    </dl>
                    {(!refills.is_empty()).then(|| view! {
                        <h4>"Refill by, along the way"</h4>
                        <dl class="results" id="titration-refills" aria-label="Refills along the way">
                            {refills.into_iter().map(|r| view! { <dt>{r.at}</dt><dd>{r.binding}</dd> }).collect_view()}
                        </dl>
                    })}
                    <ul class="hint" id="titration-notes">{said.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                }.into_any(),
                Err(e) if e.is_empty() => ().into_any(),
                Err(e) => view! { <p class="field-error" id="titration-error" role="alert">{e}</p> }.into_any(),
            }}
        </details>
    }
}
