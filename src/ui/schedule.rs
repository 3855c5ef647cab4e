//! The delivery schedule: flex steps (with a note next to a step far from the current programme),
//! periodic and single boluses, patient-activated boluses, priming and bridge boluses, the current
//! programme and its titration history.

use leptos::prelude::*;
use reactive_stores::{Field as StoreField, StoreFieldIterator};

use super::input::{Check, FigureList, Input, Kind, Messages, UnitSelect};
use super::state::AppState;
use crate::engine::report::{current_programme_text, review};
use crate::engine::{Cycle, Field, Location, MAX_DRUGS, element_id};
use crate::form::{
    FlexFormStoreFields, FlexStepForm, FlexStepFormStoreFields, PatientFormStoreFields, Per, PeriodicForm,
    PeriodicFormStoreFields, PlanFormStoreFields, ProcedureFormStoreFields, SingleForm, SingleFormStoreFields,
    TitrationFormStoreFields,
};

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn id(field: Field, at: Location) -> String {
    element_id(field, Some(at))
}

fn flex_step(index: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let step: StoreField<FlexStepForm> = form.flex().steps().at_unkeyed(index).into();
    let at = Location::FlexStep(index);
    let day_id = format!("flex-{index}-day");
    let per_id = format!("flex-{index}-per");
    let note = move || {
        state.last_valid.with(|r| {
            r.as_ref().and_then(|r| {
                r.report
                    .step_notes
                    .iter()
                    .find(|n| n.step == index)
                    .map(|n| n.text.clone())
            })
        })
    };
    let per = move || step.try_with(|s| s.per).unwrap_or_default();
    view! {
        <fieldset class="sub-row">
            <legend>{format!("Step {}", index + 1)}</legend>
            <Show when=move || form.flex().cycle().get() == Cycle::Week>
                <div class="field compact">
                    <label for=day_id.clone()>"Day"</label>
                    <select id=day_id.clone()
                        on:change=move |ev| { let d = event_target_value(&ev).parse().unwrap_or(0); step.day().try_set(d); }>
                        {WEEKDAYS.iter().enumerate().map(|(i, name)| {
                            let i = u8::try_from(i).unwrap_or(0);
                            view! { <option value=i.to_string() selected=move || step.try_with(|s| s.day == i).unwrap_or(false)>{*name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </Show>
            <Input id=id(Field::Start, at) label="Start (HH:MM)" kind=Kind::Time value=step.start().into() compact=true />
            <Input id=id(Field::Dose, at) label="Lead drug dose" value=step.dose().into() compact=true also=vec![id(Field::FlowRate, at)] />
            <div class="field compact">
                <UnitSelect id=format!("flex-{index}-unit") label="Unit" suffix="" value=step.unit().into() />
            </div>
            <div class="field compact">
                <label for=per_id.clone()>"Per"</label>
                <select id=per_id.clone() on:change=move |ev| {
                    let p = if event_target_value(&ev) == "hour" { Per::Hour } else { Per::Day };
                    step.per().try_set(p);
                }>
                    <option value="day" selected=move || per() == Per::Day>"per day"</option>
                    <option value="hour" selected=move || per() == Per::Hour>"per hour (\u{d7} 24)"</option>
                </select>
            </div>
            <button type="button" class="secondary" id=format!("flex-{index}-remove")
                on:click=move |_| form.flex().steps().update(|s| { if index < s.len() { s.remove(index); } })>
                {format!("Remove step {}", index + 1)}
            </button>
            <p class="step-note" id=format!("flex-{index}-note") role="status">{note}</p>
        </fieldset>
    }
}

fn periodic_row(index: usize) -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let row: StoreField<PeriodicForm> = form.periodic().at_unkeyed(index).into();
    let at = Location::PeriodicBolus(index);
    view! {
        <fieldset class="sub-row">
            <legend>{format!("Periodic bolus {}", index + 1)}</legend>
            <Input id=id(Field::Volume, at) label="Volume" unit="mL" value=row.volume().into() compact=true />
            <Input id=id(Field::Duration, at) label="Duration" unit="min" value=row.duration_minutes().into() compact=true />
            <Input id=id(Field::Interval, at) label="Every" unit="h" value=row.interval_hours().into() compact=true />
            <Input id=id(Field::Date, at) label="First on" kind=Kind::Date value=row.first_date().into() compact=true />
            <Input id=id(Field::Time, at) label="at" kind=Kind::Time value=row.first_time().into() compact=true />
            <button type="button" class="secondary" id=format!("periodic-{index}-remove")
                on:click=move |_| form.periodic().update(|p| { if index < p.len() { p.remove(index); } })>
                {format!("Remove periodic bolus {}", index + 1)}
            </button>
        </fieldset>
    }
}

fn single_row(index: usize) -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let row: StoreField<SingleForm> = form.single().at_unkeyed(index).into();
    let at = Location::SingleBolus(index);
    view! {
        <fieldset class="sub-row">
            <legend>{format!("Single bolus {}", index + 1)}</legend>
            <Input id=id(Field::Volume, at) label="Volume" unit="mL" value=row.volume().into() compact=true />
            <Input id=id(Field::Duration, at) label="Duration" unit="min" value=row.duration_minutes().into() compact=true />
            <Input id=id(Field::Date, at) label="On" kind=Kind::Date value=row.date().into() compact=true />
            <Input id=id(Field::Time, at) label="at" kind=Kind::Time value=row.time().into() compact=true />
            <button type="button" class="secondary" id=format!("single-{index}-remove")
                on:click=move |_| form.single().update(|p| { if index < p.len() { p.remove(index); } })>
                {format!("Remove single bolus {}", index + 1)}
            </button>
        </fieldset>
    }
}

/// Flex dosing: the cycle and the steps.
#[component]
fn Flex() -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let flex = form.flex();
    let on_flex = move |ev| {
        let on = event_target_checked(&ev);
        flex.update(|f| {
            f.enabled = on;
            if on && f.steps.is_empty() {
                f.steps.push(FlexStepForm {
                    start: "00:00".into(),
                    ..FlexStepForm::default()
                });
            }
        });
    };
    let add = move |_| {
        let unit = form.drugs().with(|d| {
            d.get(form.lead().get_untracked())
                .map(|l| l.dose_unit)
                .unwrap_or_default()
        });
        flex.steps().update(|s| {
            s.push(FlexStepForm {
                unit,
                ..FlexStepForm::default()
            })
        });
    };
    view! {
        <label class="radio" for="flex-enabled">
            <input type="checkbox" id="flex-enabled" prop:checked=move || flex.enabled().get() on:change=on_flex />
            "Flex dosing: the lead drug's dose in steps"
        </label>
        <Show when=move || flex.enabled().get()>
            <div class="field compact">
                <label for="flex-cycle">"Cycle"</label>
                <select id="flex-cycle" on:change=move |ev| {
                    let c = if event_target_value(&ev) == "week" { Cycle::Week } else { Cycle::Day };
                    flex.cycle().set(c);
                }>
                    <option value="day" selected=move || flex.cycle().get() == Cycle::Day>"24 hours"</option>
                    <option value="week" selected=move || flex.cycle().get() == Cycle::Week>"7 days"</option>
                </select>
            </div>
            <For each=move || 0..flex.steps().with(Vec::len) key=|i| *i children=flex_step />
            <button type="button" id="add-flex-step" on:click=add>"Add a flex step"</button>
            <FlexTimeline />
        </Show>
    }
}

/// Patient-activated boluses (myPTM / PTC).
#[component]
fn PatientBolus() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    // Each drug's dose per press, as the report words it (from the last valid result).
    let per_press = Signal::derive(move || {
        state.last_valid.with(|s| {
            s.as_ref()
                .map(|s| {
                    review::programme(&s.plan, &s.outcome)
                        .into_iter()
                        .filter(|f| f.name.ends_with(" per patient bolus"))
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    let p = form.patient();
    let at = Location::PatientBolus;
    view! {
        <Check id="ptm-enabled" label="Patient-activated boluses (myPTM / PTC)" value=p.enabled().into() />
        <Show when=move || p.enabled().get()>
            <fieldset class="sub-row">
                <legend>"Patient bolus (device ranges unverified: check your pump's labelling)"</legend>
                <Input id=id(Field::Volume, at) label="Volume per activation" unit="mL" value=p.volume().into() compact=true />
                <Input id=id(Field::Duration, at) label="Delivery duration" unit="min" value=p.duration_minutes().into() compact=true />
                <Input id=id(Field::Lockout, at) label="Lockout" unit="h" value=p.lockout_hours().into() compact=true />
                <Input id=id(Field::MaxPerDay, at) label="Maximum per 24 h" kind=Kind::Count value=p.max_per_day().into() compact=true />
                <Input id=id(Field::TypicalPerDay, at) label="Typical activations per day" kind=Kind::Count value=p.typical_per_day().into() compact=true />
            </fieldset>
            <FigureList id="ptm-per-press" label="Each drug per patient bolus" figures=per_press stale=state.stale />
            <p class="hint">"Using the PTM to give opioid to opioid-naive patients is contraindicated (Medtronic cancer-pain TDD page, V)."</p>
        </Show>
    }
}

/// The 24-hour timeline of the flex steps (a 24-hour cycle), drawn from the last valid plan.
#[component]
fn FlexTimeline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let steps = Memo::new(move |_| {
        state
            .last_valid
            .with(|s| s.as_ref().map(|s| review::flex_timeline(&s.plan)).unwrap_or_default())
    });
    view! {
        <Show when=move || steps.with(|s| !s.is_empty())>
            <figure class="flex-timeline" class:stale=move || state.stale.get()>
                <figcaption>"The lead drug's dose over 24 hours (00:00 to 24:00)"</figcaption>
                <ol id="flex-timeline">
                    {move || steps.get().into_iter().map(|s| view! {
                        <li style=format!("left: {:.3}%; width: {:.3}%", s.from * 100.0, (s.to - s.from) * 100.0)>
                            <span>{s.label}</span>
                        </li>
                    }).collect_view()}
                </ol>
            </figure>
        </Show>
    }
}

/// Priming and bridge boluses.
#[component]
fn Procedures() -> impl IntoView {
    let form = expect_context::<AppState>().form;
    let (priming, bridge) = (form.priming(), form.bridge());
    let (p, b) = (Location::Priming, Location::Bridge);
    view! {
        <Check id="priming-enabled" label="Priming bolus (after implant or catheter revision)" value=priming.enabled().into() />
        <Show when=move || priming.enabled().get()>
            <fieldset class="sub-row">
                <legend>"Priming bolus: the volume ahead of the drug (pump tubing + catheter, under the CSF model settings)"</legend>
                <Input id=id(Field::Date, p) label="On" kind=Kind::Date value=priming.date().into() compact=true />
                <Input id=id(Field::Time, p) label="at" kind=Kind::Time value=priming.time().into() compact=true />
                <Input id=id(Field::Duration, p) label="Duration" unit="min" value=priming.duration_minutes().into() compact=true also=vec![id(Field::Volume, p)] />
                <p class="hint">"At priming rates drug and fluid mix: drug can reach the patient before the priming bolus ends, and the concentration afterwards is reduced (Medtronic labelling update). Prime under medical supervision. It counts in every 24-hour total."</p>
            </fieldset>
        </Show>
        <Check id="bridge-enabled" label="Bridge bolus (after a change of drug or concentration)" value=bridge.enabled().into() />
        <Show when=move || bridge.enabled().get()>
            <fieldset class="sub-row">
                <legend>"Bridge bolus: the volume ahead of the new solution at the rate that keeps the lead drug's dose with the old concentration (enter the solution being replaced under the drug)"</legend>
                <Input id=id(Field::Date, b) label="On" kind=Kind::Date value=bridge.date().into() compact=true also=vec![id(Field::Volume, b), id(Field::Previous, b), id(Field::LeadDrug, b)] />
                <Input id=id(Field::Time, b) label="at" kind=Kind::Time value=bridge.time().into() compact=true />
            </fieldset>
        </Show>
    }
}

/// The current programme (captured when the session began) and its titration history.
#[component]
fn CurrentProgramme() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let text = move || {
        let current = form.current_programme().get();
        if current.is_empty() {
            "No current programme: starting doses are checked. The current programme is the plan as it was when this session began (captured when a workflow opens)."
                .to_owned()
        } else {
            format!(
                "Current programme, as it was when this session began (maximum per 24 h): {}",
                state.library.with(|l| current_programme_text(&current, l))
            )
        }
    };
    let t = form.titration();
    let at = Location::Titration;
    view! {
        <div class="current-programme">
            <p class="hint" id="current-programme">{text}</p>
            // A current programme in the wrong unit family (from an imported plan) is refused here.
            <Messages ids=(0..MAX_DRUGS).map(|i| id(Field::Schedule, Location::Drug(i))).collect() shown=true />
            <fieldset class="sub-row">
                <legend>"Titration history of the current programme (for the drug library's titration rules)"</legend>
                <Input id=id(Field::Date, at) label="Last dose change on" kind=Kind::Date value=t.last_change_date().into() compact=true />
                <Input id=id(Field::Time, at) label="at" kind=Kind::Time value=t.last_change_time().into() compact=true />
                <Input id=id(Field::Rises, at) label="Rises in the past 7 days" kind=Kind::Count value=t.increases_past_week().into() compact=true />
            </fieldset>
        </div>
    }
}

/// The schedule editor (not on a constant-flow pump: no flex, no boluses).
#[component]
pub fn ScheduleEditor() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let constant_flow = move || {
        let id = form.pump_id().get();
        state
            .catalogue
            .with_value(|c| c.get(&id).is_some_and(|m| m.is_constant_flow()))
    };
    let add_periodic = move |_| {
        let (first_date, first_time) = (form.fill_date().get_untracked(), form.fill_time().get_untracked());
        form.periodic().update(|p| {
            p.push(PeriodicForm {
                first_date,
                first_time,
                ..PeriodicForm::default()
            })
        });
    };
    let add_single = move |_| {
        let (date, time) = (form.fill_date().get_untracked(), form.fill_time().get_untracked());
        form.single().update(|p| {
            p.push(SingleForm {
                date,
                time,
                ..SingleForm::default()
            })
        });
    };
    view! {
        <Show when=move || !constant_flow()>
            <section class="schedule" aria-labelledby="schedule-heading">
                <h3 id="schedule-heading">"Schedule and boluses"</h3>
                <Flex />
                <For each=move || 0..form.periodic().with(Vec::len) key=|i| *i children=periodic_row />
                <For each=move || 0..form.single().with(Vec::len) key=|i| *i children=single_row />
                <div class="buttons">
                    <button type="button" class="secondary" id="add-periodic" on:click=add_periodic>"Add a periodic bolus"</button>
                    <button type="button" class="secondary" id="add-single" on:click=add_single>"Add a single bolus"</button>
                </div>
                <PatientBolus />
                <Procedures />
                <Messages ids=vec!["schedule".into()] shown=true />
                <CurrentProgramme />
            </section>
        </Show>
    }
}
