//! Patient records in this browser's localStorage: one key per record (`itdose.record.v1.<id>`),
//! each the engine's sealed envelope ([`crate::engine::record`]). Listed, searched, opened,
//! duplicated, deleted (with undo), exported and imported as a file. A stored text that cannot be
//! read (damaged, or saved by a newer itdose) stays where it is, untouched, and is listed with
//! the reason and a download. A session confirmed on the plan of an open record is recorded in it.

use std::sync::Arc;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::files::{download, read_chosen_file};
use super::persist::{Flash, now, stored};
use super::route::focus_later;
use super::state::AppState;
use crate::engine::record::{Implant, Patient, Record, export, import, is_id, seal, unseal};
use crate::engine::report::record::{RecordSummary, history, summary};
use crate::engine::{Catalogue, DrugLibrary, Plan};
use crate::form::PlanForm;

/// The key prefix of stored records (the id follows).
pub const RECORD_PREFIX: &str = "itdose.record.v1.";
/// The key of the open record's id.
pub const OPEN_RECORD_KEY: &str = "itdose.open-record.v1";

/// A stored record as found.
#[derive(Clone, PartialEq)]
enum Found {
    /// Read: the record and its list line.
    Read(Arc<Record>, Arc<RecordSummary>),
    /// Not read: the key, the text (kept as it is) and why.
    Unreadable {
        key: String,
        text: Arc<String>,
        reason: String,
    },
}

/// The records in storage, re-read after each change.
#[derive(Clone, Copy)]
struct Records {
    revision: RwSignal<u32>,
    list: Memo<Vec<Found>>,
}

impl Records {
    fn changed(self) {
        self.revision.update(|r| *r = r.wrapping_add(1));
    }

    fn find(self, id: &str) -> Option<Arc<Record>> {
        self.list.with_untracked(|list| {
            list.iter().find_map(|f| match f {
                Found::Read(r, _) if r.id == id => Some(r.clone()),
                _ => None,
            })
        })
    }
}

fn key(id: &str) -> String {
    format!("{RECORD_PREFIX}{id}")
}

fn read_all(catalogue: &Catalogue, library: &DrugLibrary) -> Vec<Found> {
    let storage = LocalStorage::raw();
    let count = storage.length().unwrap_or(0);
    let mut keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(RECORD_PREFIX))
        .collect();
    keys.sort();
    let mut found: Vec<Found> = keys
        .into_iter()
        .filter_map(|k| stored(&k).map(|t| (k, t)))
        .map(|(k, text)| match unseal(&text, catalogue, library) {
            Ok(opened) => {
                let s = summary(&opened.record, catalogue, library);
                Found::Read(Arc::new(opened.record), Arc::new(s))
            }
            Err(e) => Found::Unreadable {
                key: k,
                text: Arc::new(text),
                reason: e.to_string(),
            },
        })
        .collect();
    // The most recent session first.
    found.sort_by_key(|f| match f {
        Found::Read(r, _) => std::cmp::Reverse(r.history.last().map(|e| e.at)),
        Found::Unreadable { .. } => std::cmp::Reverse(None),
    });
    found
}

fn write(record: &Record) -> Result<(), String> {
    LocalStorage::raw()
        .set_item(&key(&record.id), &seal(record, now()))
        .map_err(|e| format!("could not save on this device ({e:?})"))
}

/// A new record id: the time and a random part, in base 36.
fn fresh_id() -> String {
    fn base36(mut n: u64) -> String {
        let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut out = Vec::new();
        loop {
            out.push(digits.get((n % 36) as usize).copied().unwrap_or(b'0'));
            n /= 36;
            if n == 0 {
                break;
            }
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
    let time = js_sys::Date::now().max(0.0) as u64;
    let random = (js_sys::Math::random() * 1e12) as u64;
    format!("r-{}-{}", base36(time), base36(random))
}

/// Provides the records, and restores (and keeps) which record is open.
pub fn provide(state: AppState) {
    let revision = RwSignal::new(0_u32);
    let list = Memo::new(move |_| {
        revision.track();
        state.catalogue.with_value(|c| state.library.with(|l| read_all(c, l)))
    });
    provide_context(Records { revision, list });
    if let Some(id) = stored(OPEN_RECORD_KEY).filter(|id| is_id(id)) {
        state.record.set(Some(id));
    }
    Effect::new(move |_| {
        let storage = LocalStorage::raw();
        let _ = match state.record.get() {
            Some(id) => storage.set_item(OPEN_RECORD_KEY, &id),
            None => storage.remove_item(OPEN_RECORD_KEY),
        };
    });
}

/// Records a session confirmed at `at` from `workflow` in the open record, if there is one; the
/// sentence that says so (or why it could not be).
pub fn confirmed(state: AppState, at: jiff::civil::DateTime, workflow: &str) -> Option<String> {
    let id = state.record.get_untracked()?;
    let records = use_context::<Records>()?;
    let Some(mut record) = records.find(&id).map(|r| (*r).clone()) else {
        return Some(
            "The open record could not be read: the session is kept with the plan only (see Patient records)."
                .to_owned(),
        );
    };
    let plan = state.catalogue.with_value(|c| {
        state
            .library
            .with_untracked(|l| state.form.with_untracked(|f| f.to_plan(c, l)))
    });
    let Ok(plan) = plan else {
        return Some("The confirmed plan could not be read back: the record is unchanged.".to_owned());
    };
    record.confirm(at, workflow, plan);
    let text = match write(&record) {
        Ok(()) => format!("Recorded in the patient record \u{201c}{}\u{201d}.", title(&record)),
        Err(e) => format!("The patient record was not updated: {e}."),
    };
    records.changed();
    Some(text)
}

fn title(record: &Record) -> String {
    let name = record.patient.name.trim();
    if name.is_empty() {
        record.patient.identifier.trim().to_owned()
    } else {
        name.to_owned()
    }
}

/// The records screen.
#[component]
pub fn RecordsScreen() -> impl IntoView {
    view! {
        <section class="panel records" aria-labelledby="screen-heading">
            <h2 id="screen-heading" tabindex="-1">"Patient records"</h2>
            <p class="hint" id="records-where">"Records are kept in this browser, on this device only, and never sent anywhere. Clearing the browser's data deletes them, and some browsers clear storage of sites not used for a while: export each record to keep a copy."</p>
            <UnreadableRecords />
            <div class="records-layout">
                <OpenRecord />
                <div>
                    <RecordList />
                    <ImportRecord />
                </div>
            </div>
        </section>
    }
}

/// The record the plan on screen belongs to: its details and history; or a form to keep the plan
/// on screen as a new record.
#[component]
fn OpenRecord() -> impl IntoView {
    let state = expect_context::<AppState>();
    let records = expect_context::<Records>();
    let open = Memo::new(move |_| {
        let id = state.record.get()?;
        records.list.track();
        records.find(&id)
    });
    view! {
        <section class="open-record" aria-labelledby="open-record-heading">
            {move || match open.get() {
                Some(record) => view! {
                    <h3 id="open-record-heading">"Open record: "{summary_title(&record)}</h3>
                    <p class="hint">"Each session confirmed on the review is recorded here."</p>
                    <RecordDetails existing=Some(record.clone()) />
                    <RecordHistory record=record />
                }.into_any(),
                None => view! {
                    <h3 id="open-record-heading">"Keep the plan on screen as a record"</h3>
                    <p class="hint">"The name and identifier are optional. Sessions confirmed afterwards are recorded in it."</p>
                    <RecordDetails existing=None />
                }.into_any(),
            }}
        </section>
    }
}

fn summary_title(record: &Record) -> String {
    let t = title(record);
    if t.is_empty() {
        "Record without a name".to_owned()
    } else {
        t
    }
}

/// The patient and implant details, saved to the open record or into a new one.
#[component]
fn RecordDetails(existing: Option<Arc<Record>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let records = expect_context::<Records>();
    let (patient, implant) = existing
        .as_ref()
        .map(|r| (r.patient.clone(), r.implant.clone()))
        .unwrap_or_default();
    let name = RwSignal::new(patient.name);
    let identifier = RwSignal::new(patient.identifier);
    let implanted_on = RwSignal::new(implant.implanted_on);
    let catheter = RwSignal::new(implant.catheter);
    let error = RwSignal::new(None::<String>);
    let flash = Flash::new();
    let is_new = existing.is_none();
    let save = move |_| {
        let patient = Patient {
            name: name.get_untracked(),
            identifier: identifier.get_untracked(),
        };
        let implant = Implant {
            implanted_on: implanted_on.get_untracked(),
            catheter: catheter.get_untracked(),
        };
        let result = match &existing {
            Some(r) => {
                let mut record = (**r).clone();
                record.patient = patient;
                record.implant = implant;
                record.validate().map(|()| record).map_err(|e| e.to_string())
            }
            None => match state.evaluation.with_untracked(|e| e.plan.clone()) {
                Some(plan) => new_record(plan, patient, implant),
                None => Err(
                    "The plan on screen is not complete: correct it first (its messages are on its screens)."
                        .to_owned(),
                ),
            },
        };
        match result.and_then(|record| write(&record).map(|()| record)) {
            Ok(record) => {
                error.set(None);
                state.record.set(Some(record.id.clone()));
                records.changed();
                flash.show("Record saved on this device".into());
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let field = |id: &'static str, label: &'static str, kind: &'static str, value: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <div class="record-details">
            <div class="field-row">
                {field("record-name", "Name (optional)", "text", name)}
                {field("record-identifier", "Identifier, e.g. hospital number (optional)", "text", identifier)}
            </div>
            <div class="field-row">
                {field("implanted_on", "Pump implanted on (optional)", "date", implanted_on)}
                {field("record-catheter", "Catheter: tip level, length, revisions (optional)", "text", catheter)}
            </div>
            <p class="field-error" id="record-details-error" role="alert">{move || error.get()}</p>
            <button type="button" id="save-record" on:click=save>
                {if is_new { "Save as a new record" } else { "Save the details" }}
            </button>
            <p class="save-status" role="status" id="record-status">{move || flash.get().unwrap_or_default()}</p>
        </div>
    }
}

fn new_record(plan: Plan, patient: Patient, implant: Implant) -> Result<Record, String> {
    Record::new(&fresh_id(), patient, implant, plan, now()).map_err(|e| e.to_string())
}

/// The history, newest first, in the engine's words.
#[component]
fn RecordHistory(record: Arc<Record>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = state.library.with_untracked(|l| history(&record, l));
    view! {
        <h4 id="history-heading">"History"</h4>
        <dl class="record-history" aria-labelledby="history-heading">
            {rows.into_iter().map(|row| view! {
                <dt>{row.at}" \u{2014} "{row.workflow}</dt>
                <dd><ul>{row.lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul></dd>
            }).collect_view()}
        </dl>
    }
}

/// Every readable record: searchable; open, duplicate, export, delete (with undo).
#[component]
fn RecordList() -> impl IntoView {
    let records = expect_context::<Records>();
    let query = RwSignal::new(String::new());
    let deleted = RwSignal::new(None::<(String, String, String)>);
    let flash = Flash::new();
    let shown = Memo::new(move |_| {
        let q = query.get();
        records.list.with(|list| {
            list.iter()
                .filter_map(|f| match f {
                    Found::Read(r, s) if r.matches(&q) => Some((r.clone(), s.clone())),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    });
    let undo = move |_| {
        if let Some((k, text, t)) = deleted.get_untracked() {
            let _ = LocalStorage::raw().set_item(&k, &text);
            deleted.set(None);
            records.changed();
            flash.show(format!("{t} restored"));
        }
    };
    view! {
        <section class="record-list" aria-labelledby="record-list-heading">
            <h3 id="record-list-heading">"Records on this device"</h3>
            <div class="field">
                <label for="record-search">"Search by name, identifier, pump, drug or catheter"</label>
                <input id="record-search" type="search" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            </div>
            {move || deleted.get().map(|(_, _, t)| view! {
                <p class="banner banner-stale" role="status" id="record-deleted">{format!("{t} deleted. ")}
                    <button type="button" class="secondary small" id="undo-delete" on:click=undo>"Undo"</button>
                </p>
            })}
            <p class="save-status" role="status" id="record-list-status">{move || flash.get().unwrap_or_default()}</p>
            <ul class="records-list">
                <For each=move || shown.get() key=|(r, s)| (r.id.clone(), s.clone(), r.history.len()) let((record, line))>
                    <RecordItem record=record line=line deleted=deleted flash=flash />
                </For>
            </ul>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="hint" id="no-records">"No record matches."</p> })}
        </section>
    }
}

/// One record in the list.
#[component]
fn RecordItem(
    record: Arc<Record>,
    line: Arc<RecordSummary>,
    deleted: RwSignal<Option<(String, String, String)>>,
    flash: Flash,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let records = expect_context::<Records>();
    let asking = RwSignal::new(false);
    let id = record.id.clone();
    let is_open = {
        let id = id.clone();
        Signal::derive(move || state.record.get().as_deref() == Some(id.as_str()))
    };
    let open = {
        let record = record.clone();
        move |_| {
            let form = state.library.with_untracked(|l| PlanForm::from_plan(&record.plan, l));
            state.replace_plan(form);
            state.record.set(Some(record.id.clone()));
            asking.set(false);
            flash.show(format!("{} opened", summary_title(&record)));
            focus_later("open-record-heading");
        }
    };
    let duplicate = {
        let record = record.clone();
        move |_| match record
            .duplicate(&fresh_id())
            .map_err(|e| e.to_string())
            .and_then(|c| write(&c))
        {
            Ok(()) => {
                records.changed();
                flash.show(format!("{} duplicated", summary_title(&record)));
            }
            Err(e) => flash.show(format!("Could not duplicate: {e}")),
        }
    };
    let export_file = {
        let record = record.clone();
        move |_| {
            let name = format!("itdose-record-{}.json", record.id);
            if let Err(e) = download(&name, &export(&record)) {
                flash.show(format!("Could not export: {e}"));
            }
        }
    };
    let delete = {
        let record = record.clone();
        move |_| {
            let k = key(&record.id);
            if let Some(text) = stored(&k) {
                let _ = LocalStorage::raw().remove_item(&k);
                deleted.set(Some((k, text, summary_title(&record))));
                if state.record.get_untracked().as_deref() == Some(record.id.as_str()) {
                    state.record.set(None);
                }
                records.changed();
            }
        }
    };
    let item_id = format!("record-{id}");
    view! {
        <li class="record-item" id=item_id.clone()>
            <h4>{line.title.clone()}{move || is_open.get().then_some(" (open)")}</h4>
            <dl class="results">
                <dt>"Identifier"</dt><dd>{if line.identifier.is_empty() { "none".to_owned() } else { line.identifier.clone() }}</dd>
                <dt>"Pump"</dt><dd>{line.pump.clone()}</dd>
                <dt>"Drugs"</dt><dd>{line.drugs.clone()}</dd>
                <dt>"Last session"</dt><dd>{line.last.clone()}</dd>
                <dt>"Sessions"</dt><dd>{line.sessions}</dd>
            </dl>
            <Show when=move || asking.get()>
                <div role="group" class="confirm-box">
                    <p>"Open this record? The plan on screen is replaced by the record's plan (a plan not kept in a record is lost: export it first)."</p>
                    <button type="button" class="confirm-open" on:click=open.clone()>"Open the record"</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>"Cancel"</button>
                </div>
            </Show>
            <div class="buttons">
                <Show when=move || !is_open.get() && !asking.get()>
                    <button type="button" class="open-record-button" on:click=move |_| asking.set(true)>"Open"</button>
                </Show>
                <button type="button" class="secondary duplicate-record" on:click=duplicate>"Duplicate"</button>
                <button type="button" class="secondary export-record" on:click=export_file>"Export (JSON)"</button>
                <button type="button" class="danger delete-record" on:click=delete>"Delete"</button>
            </div>
        </li>
    }
}

/// Import a record file (or a plan file, which becomes a new record). A record whose id is taken
/// here is imported under a new id: nothing stored is replaced.
#[component]
fn ImportRecord() -> impl IntoView {
    let state = expect_context::<AppState>();
    let records = expect_context::<Records>();
    let message = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = read_chosen_file(input.clone()).await;
            input.set_value("");
            let opened = text.and_then(|text| {
                state.catalogue.with_value(|c| {
                    state
                        .library
                        .with_untracked(|l| import(&text, &fresh_id(), now(), c, l))
                        .map_err(|e| e.to_string())
                })
            });
            match opened {
                Ok(mut opened) => {
                    if stored(&key(&opened.record.id)).is_some() {
                        opened.record.id = fresh_id();
                        opened.notes.push(
                            "A record with this id is already on this device: imported as another record.".into(),
                        );
                    }
                    match write(&opened.record) {
                        Ok(()) => {
                            error.set(None);
                            records.changed();
                            let mut text = format!("Imported \u{201c}{}\u{201d}.", summary_title(&opened.record));
                            for n in &opened.notes {
                                text.push(' ');
                                text.push_str(n);
                            }
                            message.set(Some(text));
                        }
                        Err(e) => error.set(Some(e)),
                    }
                }
                Err(e) => error.set(Some(format!("{e}. Nothing was imported."))),
            }
        });
    };
    view! {
        <section class="record-import" aria-labelledby="record-import-heading">
            <h3 id="record-import-heading">"Import"</h3>
            <div class="buttons">
                <label class="file-button" for="import-record">"Import a record (JSON)"</label>
                <input type="file" id="import-record" accept=".json,application/json" on:change=on_change />
            </div>
            <p class="field-error" id="import-record-error" role="alert">{move || error.get()}</p>
            <p class="hint" role="status" id="import-record-status">{move || message.get()}</p>
        </section>
    }
}

/// Stored records that could not be read: kept as they are, with the reason and a download.
#[component]
fn UnreadableRecords() -> impl IntoView {
    let records = expect_context::<Records>();
    let unreadable = Memo::new(move |_| {
        records.list.with(|list| {
            list.iter()
                .filter_map(|f| match f {
                    Found::Unreadable { key, text, reason } => Some((key.clone(), text.clone(), reason.clone())),
                    Found::Read(..) => None,
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || unreadable.with(|u| !u.is_empty())>
            <section class="set-aside" aria-labelledby="unreadable-records-heading" id="unreadable-records">
                <h3 id="unreadable-records-heading">"Records that could not be read"</h3>
                <p class="hint">"These stored records are kept exactly as they are: nothing is replaced or deleted. Download each to keep it, or to open it in a newer itdose."</p>
                <ul>
                    {move || unreadable.get().into_iter().enumerate().map(|(i, (k, text, reason))| {
                        let name = format!("itdose-unreadable-record-{}.json", i + 1);
                        view! {
                            <li>
                                <code>{k}</code>": "{reason}" "
                                <button type="button" class="secondary small" id=format!("download-unreadable-record-{i}")
                                    on:click=move |_| { let _ = download(&name, &text); }>"Download"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// How many stored records could not be read (for the start screen).
pub fn unreadable_count() -> Signal<usize> {
    let records = use_context::<Records>();
    Signal::derive(move || {
        records.map_or(0, |r| {
            r.list
                .with(|l| l.iter().filter(|f| matches!(f, Found::Unreadable { .. })).count())
        })
    })
}

/// The title of the open record (none when no record is open or it cannot be read).
pub fn open_title() -> Signal<Option<String>> {
    let state = expect_context::<AppState>();
    let records = use_context::<Records>();
    Signal::derive(move || {
        let id = state.record.get()?;
        let records = records?;
        records.list.track();
        records.find(&id).map(|r| summary_title(&r))
    })
}
