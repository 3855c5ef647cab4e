//! Saving what the user typed, and the drug library in force, in this browser's localStorage, so
//! work survives a reload. Writes are debounced (gloo-timers); status messages clear themselves.

use gloo_storage::{LocalStorage, Storage};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

use crate::engine::DrugLibrary;
use crate::form::PlanForm;

/// The localStorage key of the form. Versioned so a future format can migrate instead of misreading.
pub const STORAGE_KEY: &str = "itdose.form.v2";
/// The localStorage key of an imported drug library (absent: the built-in library).
pub const LIBRARY_KEY: &str = "itdose.library.v1";
/// Quiet time after the last keystroke before saving.
const SAVE_DEBOUNCE_MS: u32 = 400;
/// How long a passing status message stays.
const STATUS_MS: u32 = 2500;

/// The saved form, or a blank one filled now (browser clock) when there is none.
pub fn load_form() -> PlanForm {
    LocalStorage::get::<PlanForm>(STORAGE_KEY).unwrap_or_else(|_| PlanForm::blank_at(now()))
}

/// The saved library if there is a valid one, else the built-in one, with a note when a saved
/// library could not be used.
pub fn load_library(builtin: DrugLibrary) -> (DrugLibrary, Option<String>) {
    match LocalStorage::raw().get_item(LIBRARY_KEY) {
        Ok(Some(text)) => match DrugLibrary::from_json(&text) {
            Ok(library) => (library, None),
            Err(e) => (
                builtin,
                Some(format!(
                    "The saved drug library could not be used ({e}); the built-in library is in force."
                )),
            ),
        },
        _ => (builtin, None),
    }
}

/// The browser's local wall-clock time, to the minute.
pub fn now() -> jiff::civil::DateTime {
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

/// A status message that clears itself after a while (gloo-timers).
#[derive(Clone, Copy)]
pub struct Flash {
    message: RwSignal<Option<String>>,
    timer: StoredValue<Option<Timeout>, leptos::prelude::LocalStorage>,
}

impl Flash {
    /// A new, empty message.
    pub fn new() -> Self {
        Self {
            message: RwSignal::new(None),
            timer: StoredValue::new_local(None),
        }
    }

    /// Shows `text` for a while; a newer message replaces it (and its timer).
    pub fn show(self, text: String) {
        self.message.set(Some(text));
        let message = self.message;
        self.timer
            .set_value(Some(Timeout::new(STATUS_MS, move || message.set(None))));
    }

    /// The current message.
    pub fn get(self) -> Option<String> {
        self.message.get()
    }
}

#[derive(Clone, Copy)]
struct SaveState {
    flash: Flash,
}

/// Saves the form and the library after each change, debounced, with a self-clearing status.
pub fn autosave(form: RwSignal<PlanForm>, library: RwSignal<DrugLibrary>) {
    let flash = Flash::new();
    provide_context(SaveState { flash });
    let pending = StoredValue::new_local(None::<Timeout>);
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
            flash.show(text);
        })));
    });
    let library_first_run = StoredValue::new(true);
    Effect::new(move |_| {
        let json = library.with(DrugLibrary::to_json);
        if library_first_run.get_value() {
            library_first_run.set_value(false);
            return;
        }
        if LocalStorage::raw().set_item(LIBRARY_KEY, &json).is_err() {
            flash.show("Could not save the drug library on this device".to_owned());
        }
    });
}

/// The save status line (polite live region).
#[component]
pub fn SaveStatus() -> impl IntoView {
    let state = use_context::<SaveState>();
    view! {
        <p class="save-status" role="status" id="save-status">
            {move || state.and_then(|s| s.flash.get()).unwrap_or_default()}
        </p>
    }
}
