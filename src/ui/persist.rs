//! Saving what the user typed, and the drug library in force, in this browser's localStorage, so
//! work survives a reload. Writes are debounced (gloo-timers); status messages clear themselves.
//! What the stored text becomes (and the migration of the first version) is decided by
//! [`crate::form::stored`].

use gloo_storage::{LocalStorage, Storage};
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use reactive_stores::Store;

use crate::engine::DrugLibrary;
use crate::form::PlanForm;
use crate::form::stored::{FIRST_STORAGE_KEY, Restored, STORAGE_KEY, UNREADABLE_KEY, note, restore};

/// The localStorage key of an imported drug library (absent: the built-in library).
pub const LIBRARY_KEY: &str = "itdose.library.v1";
/// Quiet time after the last keystroke before saving.
const SAVE_DEBOUNCE_MS: u32 = 400;
/// How long a passing status message stays.
const STATUS_MS: u32 = 2500;

pub(super) fn stored(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

/// The saved form (migrated from the first version when that is all there is), or a blank one
/// filled now (browser clock), with a note when the saved work was migrated or could not be read.
pub fn load_form() -> (PlanForm, Option<String>) {
    let current = stored(STORAGE_KEY);
    let restored = restore(current.as_deref(), stored(FIRST_STORAGE_KEY).as_deref());
    let message = note(&restored);
    let form = match restored {
        Restored::Form(form) | Restored::Migrated(form) => form,
        Restored::Unreadable(_) => {
            // Keep the text aside before any save can overwrite it, in a slot of its own (an
            // earlier unreadable text is never overwritten either).
            if let Some(text) = current.or_else(|| stored(FIRST_STORAGE_KEY)) {
                set_aside(UNREADABLE_KEY, &text);
            }
            PlanForm::blank_at(now())
        }
        Restored::Nothing => PlanForm::blank_at(now()),
    };
    (form, message)
}

/// Keeps `text` under `key`, or `key.2`, `key.3`, … when that is taken.
fn set_aside(key: &str, text: &str) {
    if set_aside_texts().iter().any(|(_, kept)| kept == text) {
        return;
    }
    let free = std::iter::once(key.to_owned())
        .chain((2..1000).map(|n| format!("{key}.{n}")))
        .find(|k| stored(k).is_none());
    if let Some(k) = free {
        let _ = LocalStorage::raw().set_item(&k, text);
    }
}

/// Every text set aside because it could not be read: (key, text).
fn set_aside_texts() -> Vec<(String, String)> {
    let Ok(storage) = LocalStorage::raw().length() else {
        return Vec::new();
    };
    (0..storage)
        .filter_map(|i| LocalStorage::raw().key(i).ok().flatten())
        .filter(|k| k.starts_with("itdose.") && k.contains(".unreadable"))
        .filter_map(|k| stored(&k).map(|t| (k, t)))
        .collect()
}

/// Work set aside because it could not be read, offered for download (never deleted by the app).
#[component]
pub fn SetAsideWork() -> impl IntoView {
    let texts = set_aside_texts();
    (!texts.is_empty()).then(|| {
        view! {
            <section class="set-aside" aria-labelledby="set-aside-heading">
                <h3 id="set-aside-heading">"Work kept aside on this device"</h3>
                <p class="hint">"This saved work could not be read, so it was kept aside instead of being replaced. Download it to keep it or to send it for help; it stays on this device until the browser's data is cleared."</p>
                <ul>
                    {texts.into_iter().enumerate().map(|(i, (key, text))| {
                        let name = format!("itdose-kept-aside-{}.txt", i + 1);
                        view! {
                            <li>
                                <code>{key.clone()}</code>" ("{text.chars().count()}" characters) "
                                <button type="button" class="secondary small" id=format!("download-set-aside-{i}")
                                    on:click=move |_| { let _ = super::files::download(&name, &text); }>"Download"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// The saved library if there is a valid one, else the built-in one, with a note when a saved
/// library could not be used.
pub fn load_library(builtin: DrugLibrary) -> (DrugLibrary, Option<String>) {
    match stored(LIBRARY_KEY) {
        Some(text) => match DrugLibrary::from_json(&text) {
            Ok(library) => (library, None),
            Err(e) => (
                builtin,
                Some(format!(
                    "The saved drug library could not be used ({e}); the built-in library is in force."
                )),
            ),
        },
        None => (builtin, None),
    }
}

/// The localStorage key of drafts: text typed into an input that applies by a button (a limit,
/// a factor, a record's details, a finding's reason), kept until it is applied so that a reload
/// does not lose it.
pub const DRAFTS_KEY: &str = "itdose.drafts.v1";

/// Every draft: input id → (the value in force when it was typed, the text typed).
type Drafts = std::collections::BTreeMap<String, (String, String)>;

fn drafts() -> Drafts {
    stored(DRAFTS_KEY)
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn put_drafts(all: &Drafts) {
    let storage = LocalStorage::raw();
    let _ = match serde_json::to_string(all) {
        Ok(json) if !all.is_empty() => storage.set_item(DRAFTS_KEY, &json),
        _ => storage.remove_item(DRAFTS_KEY),
    };
}

/// The text of the input `id` whose value in force is `in_force`: its draft from before a
/// reload, when that was typed over this same value; else the value in force. A draft typed over
/// another value (the value in force changed since: applied, restored, imported) is not used.
pub fn draft_text(id: &str, in_force: &str) -> String {
    drafts()
        .remove(id)
        .filter(|(base, _)| base == in_force)
        .map_or_else(|| in_force.to_owned(), |(_, text)| text)
}

/// Keeps `text()` as the draft of the input `id` each time it changes; typing the value in force
/// back drops the draft, and so does a draft of another value in force.
pub fn keep_draft(id: String, in_force: String, text: impl Fn() -> String + 'static) {
    Effect::new(move |_| {
        let typed = text();
        let mut all = drafts();
        let before = all.get(&id).cloned();
        if typed == in_force {
            all.remove(&id);
        } else {
            all.insert(id.clone(), (in_force.clone(), typed));
        }
        if all.get(&id) != before.as_ref() {
            put_drafts(&all);
        }
    });
}

/// An input's text as a signal, kept as a draft (see [`draft_text`] and [`keep_draft`]).
pub fn draft(id: String, in_force: String) -> RwSignal<String> {
    let text = RwSignal::new(draft_text(&id, &in_force));
    keep_draft(id, in_force, move || text.get());
    text
}

/// Drops the draft of the input `id` (its text was applied).
pub fn drop_draft(id: &str) {
    let mut all = drafts();
    if all.remove(id).is_some() {
        put_drafts(&all);
    }
}

/// Drops the drafts that belong to the plan on screen (findings' reasons, a record's details):
/// another patient's plan never starts with them.
pub fn drop_plan_drafts() {
    let mut all = drafts();
    let before = all.len();
    all.retain(|id, _| id.starts_with("lib-") || id.starts_with("factor-"));
    if all.len() != before {
        put_drafts(&all);
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
pub fn autosave(form: Store<PlanForm>, library: RwSignal<DrugLibrary>) {
    let flash = Flash::new();
    provide_context(SaveState { flash });
    let pending = StoredValue::new_local(None::<Timeout>);
    let first_run = StoredValue::new(true);
    Effect::new(move |_| {
        // Serialised now (not when the timer fires), so the save is of what was on screen.
        let json = form.with(serde_json::to_string);
        if first_run.get_value() {
            // Loading is not a change: do not re-save or announce on start.
            first_run.set_value(false);
            return;
        }
        // Replacing the stored Timeout drops (cancels) the previous one: that is the debounce.
        pending.set_value(Some(Timeout::new(SAVE_DEBOUNCE_MS, move || {
            let saved = json.map_err(|e| e.to_string()).and_then(|j| {
                LocalStorage::raw()
                    .set_item(STORAGE_KEY, &j)
                    .map_err(|e| format!("{e:?}"))
            });
            let text = match saved {
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

/// Saves the form at once (not after the pause): when a session ends, the form and the session
/// are saved together, so a reload right after cannot find one without the other.
pub fn save_now(form: Store<PlanForm>) {
    if let Ok(json) = form.with_untracked(serde_json::to_string) {
        let _ = LocalStorage::raw().set_item(STORAGE_KEY, &json);
    }
}

/// The localStorage key of an open session (the plan as it was when the session began).
pub const SESSION_KEY: &str = "itdose.session.v1";

/// Restores an open session saved before a reload, and saves it whenever it changes. A stored
/// session that cannot be read is kept aside under its own key, never silently dropped.
pub fn keep_session(baseline: RwSignal<Option<super::state::Baseline>>) {
    if let Some(text) = stored(SESSION_KEY) {
        match serde_json::from_str(&text) {
            Ok(b) => baseline.set(Some(b)),
            Err(_) => set_aside(&format!("{SESSION_KEY}.unreadable"), &text),
        }
    }
    Effect::new(move |_| {
        let json = baseline.with(|b| b.as_ref().map(serde_json::to_string));
        let storage = LocalStorage::raw();
        let _ = match json {
            Some(Ok(j)) => storage.set_item(SESSION_KEY, &j),
            _ => storage.remove_item(SESSION_KEY),
        };
    });
}

/// Asks the browser to keep this site's storage (not evict it under storage pressure), and says
/// where the work lives. The answer arrives later: "granted", "not granted", or no such request in
/// this browser.
#[component]
pub fn StorageNote() -> impl IntoView {
    use wasm_bindgen::{JsCast, JsValue};
    let answer = RwSignal::new(None::<bool>);
    let get = |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name)).ok();
    let storage = web_sys::window()
        .and_then(|w| get(&w.into(), "navigator"))
        .and_then(|n| get(&n, "storage"))
        .filter(|s| !s.is_undefined());
    if let Some(storage) = storage
        && let Some(persist) = get(&storage, "persist").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        && let Ok(promise) = persist.call0(&storage).and_then(|p| p.dyn_into::<js_sys::Promise>())
    {
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(v) = wasm_bindgen_futures::JsFuture::from(promise).await {
                answer.set(v.as_bool());
            }
        });
    }
    view! {
        <p id="storage-note">
            "Your work is saved in this browser, on this device only (its local storage); export plans and patient records to keep a copy elsewhere. "
            {move || match answer.get() {
                Some(true) => "The browser keeps this storage even when space runs low.",
                Some(false) => "The browser may clear this storage when space runs low: export your plans and records.",
                None => "",
            }}
        </p>
    }
}
