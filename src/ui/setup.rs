//! The pump and the fill: pump, capacity or fixed rate where the catalogue has none, fill volume,
//! alarm, fill date and time, first fill of a new pump, device end of service.

use leptos::prelude::*;

use super::input::{Input, Kind, Messages};
use super::state::AppState;
use crate::engine::report::date_echo;
use crate::engine::{Field, element_id};
use crate::form::PlanFormStoreFields;

/// "First fill of a new pump?" as an explicit yes or no: some drugs (ziconotide) have rules for a
/// new pump, so the answer is never a silent default.
#[component]
fn NewPumpQuestion() -> impl IntoView {
    let state = expect_context::<AppState>();
    let answer = state.form.new_pump();
    let choice = move |value: bool, id: &'static str, label: &'static str| {
        view! {
            <label class="radio" for=id>
                <input type="radio" id=id name="new-pump"
                    prop:checked=move || answer.get() == Some(value)
                    on:change=move |_| answer.set(Some(value)) />
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="new-pump" id="new_pump" aria-describedby="new_pump-error">
            <legend>"Is this the first fill of a new pump?"</legend>
            {choice(true, "new-pump-yes", "Yes: the first fill after implant")}
            {choice(false, "new-pump-no", "No: a refill or a programme change")}
            // The question is asked once a drug with new-pump rules is chosen: the user's own act.
            <Messages ids=vec!["new_pump".into()] shown=true />
        </fieldset>
    }
}

/// The pump select: choosing a pump sets the alarm to its recommended volume (the user may change it).
#[component]
fn PumpSelect() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pump_id = state.form.pump_id();
    let options = state.catalogue.with_value(|c| {
        c.pumps
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect::<Vec<_>>()
    });
    let on_pump = move |ev| {
        let id = event_target_value(&ev);
        let alarm = state.catalogue.with_value(|c| {
            c.get(&id)
                .and_then(|m| m.default_alarm().map(|a| crate::form::number_text(a.value.value())))
        });
        pump_id.set(id);
        if let Some(alarm) = alarm {
            state.form.low_reservoir_alarm().set(alarm);
        }
    };
    view! {
        <div class="field">
            <label for="pump">"Pump"</label>
            <select id="pump" on:change=on_pump prop:value=move || pump_id.get()>
                {options.into_iter().map(|(id, name)| {
                    let this = id.clone();
                    view! { <option value=id selected=move || pump_id.get() == this>{name}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// The pump and the fill.
#[component]
pub fn PumpAndFill() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = state.form;
    let model = move || {
        let id = form.pump_id().get();
        state
            .catalogue
            .with_value(|c| c.get(&id).map(|m| (m.is_custom(), m.is_constant_flow())))
    };
    let echo = move || date_echo("Filled", &form.fill_date().get(), &form.fill_time().get());
    view! {
        <PumpSelect />
        <Show when=move || model().is_some_and(|m| m.0)>
            <Input id=element_id(Field::PumpCapacity, None) label="Pump capacity" unit="mL" value=form.custom_capacity().into() />
        </Show>
        <Show when=move || model().is_some_and(|m| m.1)>
            <Input id=element_id(Field::FixedRate, None) label="Fixed flow rate (label or last measured)" unit="mL/day" value=form.fixed_rate().into() />
        </Show>
        <Input id=element_id(Field::FillVolume, None) label="Fill volume" unit="mL" value=form.fill_volume().into() />
        <Input id=element_id(Field::LowReservoirAlarm, None) label="Low-reservoir alarm" unit="mL" value=form.low_reservoir_alarm().into() />
        <div class="field-row">
            <Input id=element_id(Field::FillDate, None) label="Fill date" kind=Kind::Date value=form.fill_date().into() />
            <Input id=element_id(Field::FillTime, None) label="Fill time" kind=Kind::Time value=form.fill_time().into() />
        </div>
        <p class="hint" id="fill-echo">{move || echo().unwrap_or_default()}</p>
        <NewPumpQuestion />
        <div class="field-row">
            <Input id=element_id(Field::EndOfService, None) label="Device end of service (optional)" kind=Kind::Date value=form.end_of_service().into() />
            <Input id=element_id(Field::EndOfServiceTime, None) label="at (empty: 00:00)" kind=Kind::Time value=form.end_of_service_time().into() />
        </div>
    }
}
