//! The delivery schedule editor: flex steps, periodic and single boluses, patient-activated
//! boluses, the device's end of service, and "set as the current programme" for the
//! current-vs-proposed comparison.

use leptos::prelude::*;

use super::AppState;
use super::field::ErrorList;
use crate::engine::{CurrentTotal, Cycle, MassFamily};
use crate::form::{FlexStepForm, Per, PeriodicForm, PlanForm, SingleForm};

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A labelled text, date or time input bound to one string of the form.
#[component]
pub fn FormInput(
    /// Element id.
    #[prop(into)]
    id: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// "text" (decimal), "date" or "time".
    #[prop(default = "text")]
    kind: &'static str,
    /// Reads the value.
    get: impl Fn(&PlanForm) -> String + Send + Sync + 'static,
    /// Writes the value.
    set: impl Fn(&mut PlanForm, String) + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let for_id = id.clone();
    view! {
        <div class="field compact">
            <label for=for_id>{label}</label>
            <input id=id type=kind inputmode=if kind == "text" { "decimal" } else { "text" } autocomplete="off"
                prop:value=move || form.with(|f| get(f))
                on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| set(f, v)); } />
        </div>
    }
}

/// A labelled checkbox bound to one flag of the form.
#[component]
pub fn FormCheck(
    /// Element id.
    #[prop(into)]
    id: String,
    /// Visible label.
    #[prop(into)]
    label: String,
    /// Reads the flag.
    get: fn(&PlanForm) -> bool,
    /// Writes the flag.
    set: fn(&mut PlanForm, bool),
) -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let for_id = id.clone();
    view! {
        <label class="radio" for=for_id>
            <input type="checkbox" id=id prop:checked=move || form.with(get)
                on:change=move |ev| { let v = event_target_checked(&ev); form.update(|f| set(f, v)); } />
            {label}
        </label>
    }
}

fn flex_step(index: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let id = |what: &str| format!("flex-{index}-{what}");
    let is_week = move || form.with(|f| f.flex.cycle == Cycle::Week);
    let unit = move || form.with(|f| f.flex.steps.get(index).map(|s| s.unit).unwrap_or_default());
    let per = move || form.with(|f| f.flex.steps.get(index).map(|s| s.per).unwrap_or_default());
    let day_id = id("day");
    let unit_id = id("unit");
    let per_id = id("per");
    view! {
        <fieldset class="sub-row">
            <legend>{format!("Step {}", index + 1)}</legend>
            <Show when=is_week>
                <div class="field compact">
                    <label for=day_id.clone()>"Day"</label>
                    <select id=day_id.clone()
                        on:change=move |ev| { let d = event_target_value(&ev).parse().unwrap_or(0); form.update(|f| if let Some(s) = f.flex.steps.get_mut(index) { s.day = d }); }>
                        {WEEKDAYS.iter().enumerate().map(|(i, name)| {
                            let i = u8::try_from(i).unwrap_or(0);
                            view! { <option value=i.to_string() selected=move || form.with(|f| f.flex.steps.get(index).is_some_and(|s| s.day == i))>{*name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </Show>
            <FormInput id=id("start") label="Start (HH:MM)" kind="time"
                get=move |f| f.flex.steps.get(index).map(|s| s.start.clone()).unwrap_or_default()
                set=move |f, v| if let Some(s) = f.flex.steps.get_mut(index) { s.start = v } />
            <FormInput id=id("dose") label="Lead drug dose"
                get=move |f| f.flex.steps.get(index).map(|s| s.dose.clone()).unwrap_or_default()
                set=move |f, v| if let Some(s) = f.flex.steps.get_mut(index) { s.dose = v } />
            <div class="field compact">
                <label for=unit_id.clone()>"Unit"</label>
                <select id=unit_id.clone() on:change=move |ev| {
                    let u = if event_target_value(&ev) == "mcg" { MassFamily::Mcg } else { MassFamily::Mg };
                    form.update(|f| if let Some(s) = f.flex.steps.get_mut(index) { s.unit = u });
                }>
                    <option value="mg" selected=move || unit() == MassFamily::Mg>"mg"</option>
                    <option value="mcg" selected=move || unit() == MassFamily::Mcg>"mcg"</option>
                </select>
            </div>
            <div class="field compact">
                <label for=per_id.clone()>"Per"</label>
                <select id=per_id.clone() on:change=move |ev| {
                    let p = if event_target_value(&ev) == "hour" { Per::Hour } else { Per::Day };
                    form.update(|f| if let Some(s) = f.flex.steps.get_mut(index) { s.per = p });
                }>
                    <option value="day" selected=move || per() == Per::Day>"per day"</option>
                    <option value="hour" selected=move || per() == Per::Hour>"per hour (\u{d7} 24)"</option>
                </select>
            </div>
            <button type="button" class="secondary" id=id("remove") on:click=move |_| form.update(|f| { if index < f.flex.steps.len() { f.flex.steps.remove(index); } })>
                {format!("Remove step {}", index + 1)}
            </button>
            <p class="step-note" id=id("note") role="status">{move || state.last_valid.with(|r| {
                r.as_ref().and_then(|r| r.step_notes.iter().find(|n| n.step == index).map(|n| n.message.clone()))
            })}</p>
        </fieldset>
    }
}

fn periodic_row(index: usize) -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let id = |what: &str| format!("periodic-{index}-{what}");
    macro_rules! bind {
        ($field:ident) => {
            (
                move |f: &PlanForm| {
                    f.periodic
                        .get(index)
                        .map(|p| p.$field.clone())
                        .unwrap_or_default()
                },
                move |f: &mut PlanForm, v: String| {
                    if let Some(p) = f.periodic.get_mut(index) {
                        p.$field = v
                    }
                },
            )
        };
    }
    let (g1, s1) = bind!(volume);
    let (g2, s2) = bind!(duration_minutes);
    let (g3, s3) = bind!(interval_hours);
    let (g4, s4) = bind!(first_date);
    let (g5, s5) = bind!(first_time);
    view! {
        <fieldset class="sub-row">
            <legend>{format!("Periodic bolus {}", index + 1)}</legend>
            <FormInput id=id("volume") label="Volume (mL)" get=g1 set=s1 />
            <FormInput id=id("duration") label="Duration (min)" get=g2 set=s2 />
            <FormInput id=id("interval") label="Every (h)" get=g3 set=s3 />
            <FormInput id=id("date") label="First on" kind="date" get=g4 set=s4 />
            <FormInput id=id("time") label="at" kind="time" get=g5 set=s5 />
            <button type="button" class="secondary" id=id("remove") on:click=move |_| form.update(|f| { if index < f.periodic.len() { f.periodic.remove(index); } })>
                {format!("Remove periodic bolus {}", index + 1)}
            </button>
        </fieldset>
    }
}

fn single_row(index: usize) -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let id = |what: &str| format!("single-{index}-{what}");
    macro_rules! bind {
        ($field:ident) => {
            (
                move |f: &PlanForm| f.single.get(index).map(|p| p.$field.clone()).unwrap_or_default(),
                move |f: &mut PlanForm, v: String| {
                    if let Some(p) = f.single.get_mut(index) {
                        p.$field = v
                    }
                },
            )
        };
    }
    let (g1, s1) = bind!(volume);
    let (g2, s2) = bind!(duration_minutes);
    let (g3, s3) = bind!(date);
    let (g4, s4) = bind!(time);
    view! {
        <fieldset class="sub-row">
            <legend>{format!("Single bolus {}", index + 1)}</legend>
            <FormInput id=id("volume") label="Volume (mL)" get=g1 set=s1 />
            <FormInput id=id("duration") label="Duration (min)" get=g2 set=s2 />
            <FormInput id=id("date") label="On" kind="date" get=g3 set=s3 />
            <FormInput id=id("time") label="at" kind="time" get=g4 set=s4 />
            <button type="button" class="secondary" id=id("remove") on:click=move |_| form.update(|f| { if index < f.single.len() { f.single.remove(index); } })>
                {format!("Remove single bolus {}", index + 1)}
            </button>
        </fieldset>
    }
}

/// The schedule editor.
#[component]
pub fn ScheduleEditor(
    /// Whether the pump is constant-flow (no flex, no boluses).
    constant_flow: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let flex_on = move || form.with(|f| f.flex.enabled);
    let ptm_on = move || form.with(|f| f.patient.enabled);
    let set_current = move |_| {
        if let Some(report) = state.last_valid.get_untracked() {
            let totals: Vec<CurrentTotal> = report
                .drugs
                .iter()
                .map(|d| CurrentTotal {
                    drug: d.drug.clone(),
                    daily_maximum: d.daily_maximum,
                })
                .collect();
            form.update(|f| f.current_programme = totals);
        }
    };
    let current_text = move || {
        form.with(|f| {
            state.library.with(|l| {
                f.current_programme
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {}",
                            l.get(&c.drug).map_or(c.drug.clone(), |d| d.display_name.clone()),
                            c.daily_maximum.ismp()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
    };
    view! {
        <Show when=move || !constant_flow.get()>
        <section class="schedule" aria-labelledby="schedule-heading">
            <h3 id="schedule-heading">"Schedule and boluses"</h3>
            <FormCheck id="flex-enabled" label="Flex dosing: the lead drug's dose in steps" get=|f| f.flex.enabled set=|f, v| {
                f.flex.enabled = v;
                if v && f.flex.steps.is_empty() {
                    f.flex.steps.push(FlexStepForm { start: "00:00".into(), ..FlexStepForm::default() });
                }
            } />
            <Show when=flex_on>
                <div class="field compact">
                    <label for="flex-cycle">"Cycle"</label>
                    <select id="flex-cycle" on:change=move |ev| { let c = if event_target_value(&ev) == "week" { Cycle::Week } else { Cycle::Day }; form.update(|f| f.flex.cycle = c); }>
                        <option value="day" selected=move || form.with(|f| f.flex.cycle == Cycle::Day)>"24 hours"</option>
                        <option value="week" selected=move || form.with(|f| f.flex.cycle == Cycle::Week)>"7 days"</option>
                    </select>
                </div>
                <For each=move || 0..form.with(|f| f.flex.steps.len()) key=|i| *i children=flex_step />
                <button type="button" id="add-flex-step" on:click=move |_| form.update(|f| {
                    let unit = f.drugs.get(f.lead).map(|d| d.dose_unit).unwrap_or_default();
                    f.flex.steps.push(FlexStepForm { unit, ..FlexStepForm::default() });
                })>"Add a flex step"</button>
            </Show>
            <For each=move || 0..form.with(|f| f.periodic.len()) key=|i| *i children=periodic_row />
            <For each=move || 0..form.with(|f| f.single.len()) key=|i| *i children=single_row />
            <div class="buttons">
                <button type="button" class="secondary" id="add-periodic" on:click=move |_| form.update(|f| {
                    let (first_date, first_time) = (f.fill_date.clone(), f.fill_time.clone());
                    f.periodic.push(PeriodicForm { first_date, first_time, ..PeriodicForm::default() });
                })>"Add a periodic bolus"</button>
                <button type="button" class="secondary" id="add-single" on:click=move |_| form.update(|f| {
                    let (date, time) = (f.fill_date.clone(), f.fill_time.clone());
                    f.single.push(SingleForm { date, time, ..SingleForm::default() });
                })>"Add a single bolus"</button>
            </div>
            <FormCheck id="ptm-enabled" label="Patient-activated boluses (myPTM / PTC)" get=|f| f.patient.enabled set=|f, v| f.patient.enabled = v />
            <Show when=ptm_on>
                <fieldset class="sub-row">
                    <legend>"Patient bolus (device ranges unverified: check your pump's labelling)"</legend>
                    <FormInput id="ptm-volume" label="Volume per activation (mL)" get=|f| f.patient.volume.clone() set=|f, v| f.patient.volume = v />
                    <FormInput id="ptm-duration" label="Delivery duration (min)" get=|f| f.patient.duration_minutes.clone() set=|f, v| f.patient.duration_minutes = v />
                    <FormInput id="ptm-lockout" label="Lockout (h)" get=|f| f.patient.lockout_hours.clone() set=|f, v| f.patient.lockout_hours = v />
                    <FormInput id="ptm-max" label="Maximum per 24 h" get=|f| f.patient.max_per_day.clone() set=|f, v| f.patient.max_per_day = v />
                    <FormInput id="ptm-typical" label="Typical activations per day" get=|f| f.patient.typical_per_day.clone() set=|f, v| f.patient.typical_per_day = v />
                </fieldset>
                <p class="hint">"Using the PTM to give opioid to opioid-naive patients is contraindicated (Medtronic cancer-pain TDD page, V)."</p>
            </Show>
            <FormCheck id="priming-enabled" label="Priming bolus (after implant or catheter revision)" get=|f| f.priming.enabled set=|f, v| f.priming.enabled = v />
            <Show when=move || form.with(|f| f.priming.enabled)>
                <fieldset class="sub-row">
                    <legend>"Priming bolus: the volume ahead of the drug (pump tubing + catheter, under the CSF model settings)"</legend>
                    <FormInput id="priming-date" label="On" kind="date" get=|f| f.priming.date.clone() set=|f, v| f.priming.date = v />
                    <FormInput id="priming-time" label="at" kind="time" get=|f| f.priming.time.clone() set=|f, v| f.priming.time = v />
                    <FormInput id="priming-duration" label="Duration (min)" get=|f| f.priming.duration_minutes.clone() set=|f, v| f.priming.duration_minutes = v />
                    <p class="hint">"At priming rates drug and fluid mix: drug can reach the patient before the priming bolus ends, and the concentration afterwards is reduced (Medtronic labelling update). Prime under medical supervision. It counts in every 24-hour total."</p>
                </fieldset>
            </Show>
            <FormCheck id="bridge-enabled" label="Bridge bolus (after a change of drug or concentration)" get=|f| f.bridge.enabled set=|f, v| f.bridge.enabled = v />
            <Show when=move || form.with(|f| f.bridge.enabled)>
                <fieldset class="sub-row">
                    <legend>"Bridge bolus: the volume ahead of the new solution at the rate that keeps the lead drug's dose with the old concentration (enter the solution being replaced under the drug)"</legend>
                    <FormInput id="bridge-date" label="On" kind="date" get=|f| f.bridge.date.clone() set=|f, v| f.bridge.date = v />
                    <FormInput id="bridge-time" label="at" kind="time" get=|f| f.bridge.time.clone() set=|f, v| f.bridge.time = v />
                </fieldset>
            </Show>
            <ErrorList ids=vec!["schedule".into()] />
            <div class="current-programme">
                <p class="hint" id="current-programme">{move || {
                    let text = current_text();
                    if text.is_empty() { "No current programme set: set it before changing the programme to see the change in every 24-hour total.".to_owned() } else { format!("Current programme (maximum per 24 h): {text}") }
                }}</p>
                <div class="buttons">
                    <button type="button" class="secondary" id="set-current" on:click=set_current>"Use these results as the current programme"</button>
                    <button type="button" class="secondary" id="clear-current" on:click=move |_| form.update(|f| f.current_programme.clear())>"Clear the current programme"</button>
                </div>
                <fieldset class="sub-row">
                    <legend>"Titration history of the current programme (for the drug library's titration rules)"</legend>
                    <FormInput id="titration-date" label="Last dose change on" kind="date" get=|f| f.titration.last_change_date.clone() set=|f, v| f.titration.last_change_date = v />
                    <FormInput id="titration-time" label="at" kind="time" get=|f| f.titration.last_change_time.clone() set=|f, v| f.titration.last_change_time = v />
                    <FormInput id="titration-rises" label="Rises in the past 7 days" get=|f| f.titration.increases_past_week.clone() set=|f, v| f.titration.increases_past_week = v />
                </fieldset>
            </div>
        </section>
        </Show>
    }
}
