//! The Leptos single-page app (wasm32 only): thin components that hold what the user typed,
//! call the engine, and show its results. No dosing maths here.

mod field;
mod persist;
mod pump_info;
mod reservoir_chart;
mod results;

use leptos::prelude::*;

use crate::engine::format::format_date_time;
use crate::engine::{
    Catalogue, ContinuousForm, ContinuousPlan, Error, Field, Mg, parse_date, parse_time,
};
use field::{ErrorList, NumberField};
pub use persist::STORAGE_KEY;

/// Mounts the app on the page body. Called by `main` in the browser.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole app: pump and programme inputs on the left, results and the reservoir chart on the right.
#[component]
pub fn App() -> impl IntoView {
    // The catalogue is compiled in; a test guarantees it parses. Should it ever not, the app says so
    // instead of computing with a guess.
    let catalogue = match Catalogue::builtin() {
        Ok(c) => c,
        Err(e) => return view! { <main><p class="banner banner-error" role="alert">{e.to_string()}</p></main> }.into_any(),
    };
    let catalogue = StoredValue::new(catalogue);
    let form = RwSignal::new(persist::load_form());
    persist::autosave(form);

    let result = Memo::new(move |_| form.with(|f| catalogue.with_value(|c| f.evaluate(c))));
    // The last plan computed from valid input stays on screen while the input is being corrected.
    let last_valid: Memo<Option<ContinuousPlan<Mg>>> = Memo::new(
        move |previous: Option<&Option<ContinuousPlan<Mg>>>| match result.get() {
            Ok(plan) => Some(plan),
            Err(_) => previous.cloned().flatten(),
        },
    );
    let errors: Signal<Vec<Error>> = Signal::derive(move || result.get().err().unwrap_or_default());
    let stale =
        Signal::derive(move || result.with(Result::is_err) && last_valid.with(Option::is_some));

    let is_custom = Signal::derive(move || {
        form.with(|f| catalogue.with_value(|c| c.get(&f.pump_id).is_some_and(|p| p.is_custom())))
    });
    let setter = move |apply: fn(&mut ContinuousForm, String)| {
        move |value: String| form.update(|f| apply(f, value))
    };
    let text = move |read: fn(&ContinuousForm) -> &String| {
        Signal::derive(move || form.with(|f| read(f).clone()))
    };

    // The browser shows a date input in its own locale ("11/25/2026" reads as two different days in
    // two countries); this echo names the month.
    let fill_echo = move || {
        form.with(|f| {
            let date = parse_date(Field::FillDate, &f.fill_date).ok()?;
            let time = parse_time(Field::FillTime, &f.fill_time).ok()?;
            Some(format!(
                "Filled {}",
                format_date_time(date.to_datetime(time))
            ))
        })
    };
    let pump_options = catalogue.with_value(|c| {
        c.pumps
            .iter()
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect::<Vec<_>>()
    });

    view! {
        <header class="app-header">
            <h1>"itdose"</h1>
            <p class="tagline">"Intrathecal pump dosing calculator \u{2014} decision support only: check every figure against the pump's labelling and your institution's protocols."</p>
        </header>
        <main class="layout">
            <section class="panel inputs" aria-labelledby="inputs-heading">
                <h2 id="inputs-heading">"Pump and programme"</h2>
                <div class="field">
                    <label for="pump">"Pump"</label>
                    <select
                        id="pump"
                        on:change=move |ev| { let v = event_target_value(&ev); form.update(|f| f.pump_id = v); }
                        prop:value=move || form.with(|f| f.pump_id.clone())
                    >
                        {pump_options.into_iter().map(|(id, name)| {
                            let selected_id = id.clone();
                            view! { <option value=id selected=move || form.with(|f| f.pump_id == selected_id)>{name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <Show when=move || is_custom.get()>
                    <NumberField field=Field::PumpCapacity unit="mL" value=text(|f| &f.custom_capacity)
                        on_input=setter(|f, v| f.custom_capacity = v) errors=errors />
                </Show>
                <NumberField field=Field::FillVolume unit="mL" value=text(|f| &f.fill_volume)
                    on_input=setter(|f, v| f.fill_volume = v) errors=errors />
                <NumberField field=Field::Concentration unit="mg/mL" value=text(|f| &f.concentration)
                    on_input=setter(|f, v| f.concentration = v) errors=errors />
                <NumberField field=Field::DailyDose unit="mg/day" value=text(|f| &f.daily_dose)
                    on_input=setter(|f, v| f.daily_dose = v) errors=errors also=Field::FlowRate />
                <NumberField field=Field::LowReservoirAlarm unit="mL" value=text(|f| &f.low_reservoir_alarm)
                    on_input=setter(|f, v| f.low_reservoir_alarm = v) errors=errors />
                <div class="field-row">
                    <div class="field">
                        <label for="fill_date">"Fill date"</label>
                        <input id="fill_date" type="date" aria-describedby="fill_date-error"
                            prop:value=text(|f| &f.fill_date)
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.fill_date = v); } />
                        <ErrorList field=Field::FillDate errors=errors />
                    </div>
                    <div class="field">
                        <label for="fill_time">"Fill time"</label>
                        <input id="fill_time" type="time" aria-describedby="fill_time-error"
                            prop:value=text(|f| &f.fill_time)
                            on:input=move |ev| { let v = event_target_value(&ev); form.update(|f| f.fill_time = v); } />
                        <ErrorList field=Field::FillTime errors=errors />
                    </div>
                </div>
                <p class="hint" id="fill-echo">{move || fill_echo().unwrap_or_default()}</p>
                <persist::SaveStatus />
                <pump_info::PumpInfo form=form catalogue=catalogue />
            </section>
            <section class="panel outputs" aria-labelledby="results-heading">
                <h2 id="results-heading">"Results"</h2>
                <results::Results plan=last_valid stale=stale />
                <reservoir_chart::ReservoirChartView plan=last_valid stale=stale />
            </section>
        </main>
        <footer class="app-footer">
            <p>"Runs entirely in this browser; nothing is sent anywhere. Work is saved on this device only. Not a medical device."</p>
        </footer>
    }
    .into_any()
}
