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
use crate::engine::report::titration::{RefillRow, TitrationRow, notes, refill_rows, rows};
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
fn from_plan(plan: &Plan, outcome: &Outcome, state: AppState) -> Option<(TitrationInput, String)> {
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
            fill: state
                .catalogue
                .with_value(|c| state.library.with(|l| TitrationFill::of(plan, outcome, c, l))),
        },
        unit,
    ))
}

/// The planner's inputs: element id, and the field their errors name.
const INPUTS: [(&str, Field); 5] = [
    ("titration-target", Field::TitrationTarget),
    ("titration-start", Field::TitrationStart),
    ("titration-own-step", Field::OwnStep),
    ("titration-own-percent", Field::OwnPercent),
    ("titration-own-days", Field::OwnDays),
];

/// Why there is no plan: the planner's own inputs or its rule as a whole (each error shown at its
/// input, the last plan kept), or the plan on screen (said once, nothing kept).
#[derive(Clone, PartialEq)]
enum NoPlan {
    Inputs(Vec<Error>),
    Plan(String),
}

/// The typed planner read into `input`, or every error of its inputs.
fn read(form: &PlannerForm, mut input: TitrationInput) -> Result<TitrationInput, Vec<Error>> {
    let mut errors = Vec::new();
    let mut keep = |r: Result<f64, Error>| r.map_err(|e| errors.push(e)).ok();
    let target = keep(parse_number(Field::TitrationTarget, &form.target));
    let optional = |field: Field, text: &str| (!text.trim().is_empty()).then(|| parse_number(field, text));
    let step = optional(Field::OwnStep, &form.own_step).and_then(&mut keep);
    let percent = optional(Field::OwnPercent, &form.own_percent).and_then(&mut keep);
    let days = optional(Field::OwnDays, &form.own_days).and_then(&mut keep);
    let start = (!form.start.trim().is_empty())
        .then(|| {
            parse_date(Field::TitrationStart, &form.start)
                .map_err(|e| errors.push(e))
                .ok()
        })
        .flatten();
    // A rule of one's own needs its spacing.
    let own = [&form.own_step, &form.own_percent].iter().any(|t| !t.trim().is_empty());
    if own && form.own_days.trim().is_empty() {
        errors.push(Error::new(Field::OwnDays, crate::engine::Problem::Missing));
    }
    let Some(target) = target.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    input.target = target;
    if let Some(start) = start {
        input.start = start.at(9, 0, 0, 0);
    }
    if own || days.is_some() {
        input.own_rule = Some(OwnRule {
            max_step: step,
            max_percent: percent,
            days_between: days.unwrap_or(0.0),
        });
    }
    Ok(input)
}

/// A labelled text input bound to one field of the planner, with its messages once it has been
/// left or holds text.
fn field(
    form: RwSignal<PlannerForm>,
    errors: Memo<Vec<Error>>,
    touched: RwSignal<Vec<&'static str>>,
    id: &'static str,
    label: &'static str,
    get: fn(&PlannerForm) -> String,
    set: fn(&mut PlannerForm, String),
) -> impl IntoView {
    let own = INPUTS.iter().find(|(i, _)| *i == id).map(|(_, f)| *f);
    let messages = move || {
        let shown = form.with(|f| !get(f).trim().is_empty()) || touched.with(|t| t.contains(&id));
        if !shown {
            return Vec::new();
        }
        errors.with(|list| {
            list.iter()
                .filter(|e| Some(e.field) == own)
                .map(ToString::to_string)
                .collect()
        })
    };
    let invalid = move || !messages().is_empty();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>{label}</label>
            <input id=id autocomplete="off" inputmode=if id == "titration-start" { "text" } else { "decimal" }
                aria-describedby=format!("{id}-error") aria-invalid=move || invalid().to_string()
                prop:value=move || form.with(get)
                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)); }
                on:blur=move |_| {
                    if touched.try_with_untracked(|t| !t.contains(&id)) == Some(true) {
                        touched.try_update(|t| t.push(id));
                    }
                } />
            <div class="field-error" id=format!("{id}-error") aria-live="polite">
                {move || messages().into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        </div>
    }
}

/// The planned rises in words: (steps, notes, refills).
type Planned = (Vec<TitrationRow>, Vec<String>, Vec<RefillRow>);

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
    let touched = RwSignal::new(Vec::<&'static str>::new());
    // What the planner takes from the plan (for a new pump, one more evaluation of it): once per
    // plan on screen, not again for every keystroke in the planner's own fields.
    let base = Memo::new(move |_| {
        state
            .last_valid
            .with(|s| s.as_ref().and_then(|s| from_plan(&s.plan, &s.outcome, state)))
    });
    let result = Memo::new(move |_| -> Result<Planned, NoPlan> {
        let Some((input, unit)) = base.get() else {
            return Err(NoPlan::Plan("The planner needs a lead-dose programme without flex steps, with the lead drug's dose and concentration.".to_owned()));
        };
        let input = form.with(|f| read(f, input)).map_err(NoPlan::Inputs)?;
        state
            .library
            .with(|l| plan_titration(&input, l))
            .map(|p| (rows(&p, &unit), notes(&p, &unit), refill_rows(&p)))
            .map_err(
                |e| match e.field == Field::TitrationRule || INPUTS.iter().any(|(_, f)| *f == e.field) {
                    true => NoPlan::Inputs(vec![e]),
                    false => NoPlan::Plan(e.to_string()),
                },
            )
    });
    let errors = Memo::new(move |_| match result.get() {
        Err(NoPlan::Inputs(list)) => list,
        _ => Vec::new(),
    });
    // The last plan is kept, dimmed, while the planner's own inputs are corrected; not when the
    // plan on screen cannot be planned from.
    let kept = Memo::new(move |previous: Option<&Option<Planned>>| match result.get() {
        Ok(planned) => Some(planned),
        Err(NoPlan::Inputs(_)) => previous.cloned().flatten(),
        Err(NoPlan::Plan(_)) => None,
    });
    let stale = move || result.with(Result::is_err) && kept.with(Option::is_some);
    // Before anything is typed in the target, the planner says nothing.
    let idle = move || form.with(|f| f.target.trim().is_empty()) && !touched.with(|t| t.contains(&"titration-target"));
    // Said once, under the inputs: why the plan on screen cannot be planned from, or what the
    // rule as a whole lacks (no rule in the library and none of one's own).
    let problem = move || match result.get() {
        _ if idle() => None,
        Err(NoPlan::Plan(e)) => Some(e),
        Err(NoPlan::Inputs(list)) => list
            .iter()
            .find(|e| e.field == Field::TitrationRule)
            .map(ToString::to_string),
        Ok(_) => None,
    };
    let f = move |id, label, get, set| field(form, errors, touched, id, label, get, set);
    view! {
        <details class="titration-planner" id="titration-planner">
            <summary>"Titration planner: the rises the drug's rule allows, to a target dose"</summary>
            <p class="hint">"A plan to follow, not a programme: each rise is a change of its own, reviewed and confirmed on its day. Dates start at 09:00."</p>
            <div class="field-row">
                {f("titration-target", "Target daily dose (the lead drug's unit)", |f: &PlannerForm| f.target.clone(), |f: &mut PlannerForm, v| f.target = v)}
                {f("titration-start", "First rise no earlier than (YYYY-MM-DD; empty: the fill date)", |f: &PlannerForm| f.start.clone(), |f: &mut PlannerForm, v| f.start = v)}
            </div>
            <fieldset>
                <legend>"Your rule, for a drug the library gives none"</legend>
                <div class="field-row">
                    {f("titration-own-step", "Largest rise per step (the drug's unit per day)", |f: &PlannerForm| f.own_step.clone(), |f: &mut PlannerForm, v| f.own_step = v)}
                    {f("titration-own-percent", "Largest rise per step (%)", |f: &PlannerForm| f.own_percent.clone(), |f: &mut PlannerForm, v| f.own_percent = v)}
                    {f("titration-own-days", "Days between rises", |f: &PlannerForm| f.own_days.clone(), |f: &mut PlannerForm, v| f.own_days = v)}
                </div>
            </fieldset>
            {move || problem().map(|e| view! { <p class="field-error" id="titration-error" role="alert">{e}</p> })}
            {move || (stale() && !idle()).then(|| view! {
                <p class="banner banner-stale" role="status" id="titration-stale">"A planner input is not valid: the last valid plan is shown, dimmed, until it is corrected."</p>
            })}
            {move || kept.get().filter(|_| !idle()).map(|(steps, said, refills)| view! {
                <dl class="results" id="titration-steps" aria-label="Titration plan" class:stale=stale>
                    {steps.into_iter().map(|r| view! {
                        <dt>{r.at}</dt><dd>{format!("{} ({}), {}", r.dose, r.rise, r.rate)}</dd>
                    }).collect_view()}
                </dl>
                {(!refills.is_empty()).then(|| view! {
                    <h4>"Refill by, along the way"</h4>
                    <dl class="results" id="titration-refills" aria-label="Refills along the way" class:stale=stale>
                        {refills.into_iter().map(|r| view! { <dt>{r.at}</dt><dd>{r.binding}</dd> }).collect_view()}
                    </dl>
                })}
                <ul class="hint" id="titration-notes">{said.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
            })}
        </details>
    }
}
