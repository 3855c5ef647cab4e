//! Saving what the user typed in this browser's localStorage, so work survives a reload.
//!
//! Writes are debounced (gloo-timers) so typing does not write on every keystroke, and a short
//! "Saved on this device" status clears itself.

use gloo_storage::{LocalStorage, Storage};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::engine::ContinuousForm;

/// The localStorage key. Versioned so a future format can migrate instead of misreading.
pub const STORAGE_KEY: &str = "itdose.form.v1";
/// Quiet time after the last keystroke before saving.
const SAVE_DEBOUNCE_MS: u32 = 400;
/// How long the "Saved" status stays.
const STATUS_MS: u32 = 2000;

/// The saved form, or a blank one filled now (browser clock) when there is none.
pub fn load_form() -> ContinuousForm {
    LocalStorage::get::<ContinuousForm>(STORAGE_KEY)
        .unwrap_or_else(|_| ContinuousForm::blank_at(now()))
}

/// The browser's local wall-clock time, to the minute.
fn now() -> jiff::civil::DateTime {
    let d = js_sys::Date::new_0();
    // Date getters return small whole numbers; out-of-range values fall back to the epoch date.
    let part = |v: f64| v as i8;
    jiff::civil::DateTime::new(
        d.get_full_year() as i16,
        part(f64::from(d.get_month()) + 1.0),
        part(f64::from(d.get_date())),
        part(f64::from(d.get_hours())),
        part(f64::from(d.get_minutes())),
        0,
        0,
    )
    .unwrap_or_default()
}

#[derive(Clone, Copy)]
struct SaveState {
    message: RwSignal<Option<String>>,
}

/// Saves `form` after each change, debounced, and publishes a self-clearing status message.
pub fn autosave(form: RwSignal<ContinuousForm>) {
    let message = RwSignal::new(None::<String>);
    provide_context(SaveState { message });
    let pending = StoredValue::new_local(None::<Timeout>);
    let clear = StoredValue::new_local(None::<Timeout>);
    let first_run = StoredValue::new(true);
    Effect::new(move |_| {
        let snapshot = form.get();
        if first_run.get_value() {
            // Loading is not a change: do not re-save or announce on start.
            first_run.set_value(false);
            return;
        }
        // Replacing the stored Timeout drops (cancels) the previous one: that is the debounce.
        pending.set_value(Some(Timeout::new(SAVE_DEBOUNCE_MS, move || {
            let text = match LocalStorage::set(STORAGE_KEY, &snapshot) {
                Ok(()) => "Saved on this device".to_owned(),
                Err(e) => format!("Could not save on this device: {e}"),
            };
            message.set(Some(text));
            clear.set_value(Some(Timeout::new(STATUS_MS, move || message.set(None))));
        })));
    });
}

/// The save status line (polite live region).
#[component]
pub fn SaveStatus() -> impl IntoView {
    let state = use_context::<SaveState>();
    view! {
        <p class="save-status" role="status" id="save-status">
            {move || state.and_then(|s| s.message.get()).unwrap_or_default()}
        </p>
    }
}
