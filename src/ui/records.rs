//! Patient records in this browser's localStorage: one key per record (`itdose.record.v1.<id>`),
//! each the engine's sealed envelope ([`crate::engine::record`]). Listed, searched, opened,
//! duplicated, deleted (with undo), exported and imported as a file. A stored text that cannot be
//! read (damaged, or saved by a newer itdose) stays where it is, untouched, and is listed with
//! the reason and a download. A session confirmed on the plan of an open record is recorded in it.
//! Which record the plan on screen belongs to is kept in the form itself (saved with the plan), and
//! every write reads the record from storage first (another tab may have changed it).

use std::sync::Arc;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use super::files::{download, on_file_chosen};
use super::persist::{Flash, now, stored};
use super::route::focus_later;
use super::state::AppState;
use crate::engine::record::{Implant, Patient, Record, export, import, seal, unseal};
use crate::engine::report::record::{RecordSummary, history, summary};
use crate::engine::{Catalogue, DrugLibrary, Plan, PlanStatus};
use crate::form::PlanForm;

/// The key prefix of stored records (the id follows).
pub const RECORD_PREFIX: &str = "itdose.record.v1.";

/// A stored record as found.
#[derive(Clone, PartialEq)]
enum Found {
    /// Read: the record, its list line, and what its migration did (in words).
    Read(Arc<Record>, Arc<RecordSummary>, Arc<Vec<String>>),
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
                Found::Read(r, ..) if r.id == id => Some(r.clone()),
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
            Ok(opened) if key(&opened.record.id) == k => {
                let s = summary(&opened.record, catalogue, library);
                Found::Read(Arc::new(opened.record), Arc::new(s), Arc::new(opened.notes))
            }
            Ok(opened) => Found::Unreadable {
                reason: format!(
                    "it is stored under another record's key (its id is {})",
                    opened.record.id
                ),
                key: k,
                text: Arc::new(text),
            },
            Err(e) => Found::Unreadable {
                key: k,
                text: Arc::new(text),
                reason: e.to_string(),
            },
        })
        .collect();
    // The most recent session first.
    found.sort_by_key(|f| match f {
        Found::Read(r, ..) => std::cmp::Reverse(r.history.last().map(|e| e.at)),
        Found::Unreadable { .. } => std::cmp::Reverse(None),
    });
    found
}

fn write(record: &Record) -> Result<(), String> {
    let text = seal(record, now()).map_err(|e| e.to_string())?;
    LocalStorage::raw()
        .set_item(&key(&record.id), &text)
        .map_err(|e| format!("could not save on this device ({e:?})"))
}

/// The record `id` as stored now (another tab may have changed it since the list was read).
fn read_one(state: AppState, id: &str) -> Result<Record, String> {
    let text = stored(&key(id)).ok_or("the record is no longer on this device")?;
    let opened = state
        .catalogue
        .with_value(|c| state.library.with_untracked(|l| unseal(&text, c, l)))
        .map_err(|e| format!("the stored record cannot be read ({e})"))?;
    Ok(opened.record)
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
    loop {
        let time = js_sys::Date::now().max(0.0) as u64;
        let random = (js_sys::Math::random() * 1e12) as u64;
        let id = format!("r-{}-{}", base36(time), base36(random));
        if stored(&key(&id)).is_none() {
            return id;
        }
    }
}

/// Provides the records, re-read when another tab changes them.
pub fn provide(state: AppState) {
    let revision = RwSignal::new(0_u32);
    let list = Memo::new(move |_| {
        revision.track();
        state.catalogue.with_value(|c| state.library.with(|l| read_all(c, l)))
    });
    let records = Records { revision, list };
    provide_context(records);
    let handle = window_event_listener(leptos::ev::storage, move |ev| {
        if ev.key().is_none_or(|k| k.starts_with(RECORD_PREFIX)) {
            records.changed();
        }
    });
    on_cleanup(move || handle.remove());
}

/// Records a session confirmed at `at` from `workflow` in the open record, if there is one; the
/// sentence that says so (or why it could not be).
pub fn confirmed(state: AppState, at: jiff::civil::DateTime, workflow: &str) -> Option<String> {
    let id = state.record_id_untracked()?;
    let records = use_context::<Records>()?;
    let mut record = match read_one(state, &id) {
        Ok(record) => record,
        Err(e) => {
            return Some(format!(
                "The patient record was not updated: {e}. The session is kept with the plan (see Patient records)."
            ));
        }
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
        let id = state.record_id()?;
        records.list.track();
        records.find(&id)
    });
    view! {
        <section class="open-record" aria-labelledby="open-record-heading">
            {move || match open.get() {
                Some(record) => view! {
                    <h3 id="open-record-heading" tabindex="-1">"Open record: "{summary_title(&record)}</h3>
                    <p class="hint">"Each session confirmed on the review is recorded here."</p>
                    <RecordDetails existing=Some(record.clone()) />
                    <RecordHistory record=record.clone() />
                    <super::outcomes::Outcomes record=record add=Callback::new(move |entry| add_outcome(state, records, entry)) />
                }.into_any(),
                None => view! {
                    <h3 id="open-record-heading" tabindex="-1">"Keep the plan on screen as a record"</h3>
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
    // What is typed is kept as a draft until it is saved: a reload does not lose it.
    let whose = existing.as_ref().map_or("new", |r| r.id.as_str()).to_owned();
    let draft_id = move |input: &str| format!("{input}:{whose}");
    let name = super::persist::draft(draft_id("record-name"), patient.name);
    let identifier = super::persist::draft(draft_id("record-identifier"), patient.identifier);
    let implanted_on = super::persist::draft(draft_id("implanted_on"), implant.implanted_on);
    let catheter = super::persist::draft(draft_id("record-catheter"), implant.catheter);
    let drafts: Vec<String> = ["record-name", "record-identifier", "implanted_on", "record-catheter"]
        .into_iter()
        .map(draft_id)
        .collect();
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
            // The stored record as it is now, with these details (a session another tab recorded
            // is kept).
            Some(r) => read_one(state, &r.id).and_then(|mut record| {
                record.patient = patient;
                record.implant = implant;
                record.validate().map(|()| record).map_err(|e| e.to_string())
            }),
            None => plan_to_keep(state).and_then(|plan| new_record(plan, patient, implant)),
        };
        match result.and_then(|record| write(&record).map(|()| record)) {
            Ok(record) => {
                drafts.iter().for_each(|d| super::persist::drop_draft(d));
                error.set(None);
                state.set_record(Some(record.id.clone()));
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

/// The plan on screen, when it may become a record's plan in force: valid (no hard limit crossed,
/// every soft limit acknowledged) and not in the middle of a session.
fn plan_to_keep(state: AppState) -> Result<Plan, String> {
    if state.baseline.with_untracked(Option::is_some) {
        return Err("A session is open: confirm it (Review and confirm) or discard it first, so that the record starts from a confirmed plan.".to_owned());
    }
    state.evaluation.with_untracked(|e| match &e.result {
        Ok(shown) if shown.outcome.status == PlanStatus::Valid => Ok(shown.plan.clone()),
        Ok(shown) if shown.outcome.status == PlanStatus::Blocked => {
            Err("A hard limit blocks the plan on screen: it cannot become a record's plan.".to_owned())
        }
        Ok(_) => Err("Acknowledge each soft limit of the plan on screen (with a reason) first.".to_owned()),
        Err(_) => {
            Err("The plan on screen is not complete: correct it first (its messages are on its screens).".to_owned())
        }
    })
}

fn new_record(plan: Plan, patient: Patient, implant: Implant) -> Result<Record, String> {
    Record::new(&fresh_id(), patient, implant, plan, now()).map_err(|e| e.to_string())
}

/// Adds a visit's outcome to the open record, as stored now.
fn add_outcome(state: AppState, records: Records, entry: crate::engine::outcomes::OutcomeEntry) -> Result<(), String> {
    let id = state.record_id_untracked().ok_or("no record is open")?;
    let mut record = read_one(state, &id)?;
    record.outcomes.push(entry);
    record.validate().map_err(|e| e.to_string())?;
    write(&record)?;
    records.changed();
    Ok(())
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

/// A deleted record, kept until the page is left so that it can be put back.
#[derive(Clone)]
struct Deleted {
    key: String,
    text: String,
    title: String,
    was_open: bool,
}

/// Every readable record: searchable; open, duplicate, export, delete (with undo, last deleted
/// first).
#[component]
fn RecordList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let records = expect_context::<Records>();
    let query = RwSignal::new(String::new());
    let deleted = RwSignal::new(Vec::<Deleted>::new());
    let flash = Flash::new();
    let shown = Memo::new(move |_| {
        let q = query.get();
        records.list.with(|list| {
            list.iter()
                .filter_map(|f| match f {
                    Found::Read(r, s, n) if r.matches(&q) => Some((r.clone(), s.clone(), n.clone())),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    });
    let undo = move |_| {
        let Some(last) = deleted.with_untracked(|d| d.last().cloned()) else {
            return;
        };
        if stored(&last.key).is_some() {
            flash.show(format!(
                "{} cannot be put back: a record with its id is on this device again.",
                last.title
            ));
            return;
        }
        match LocalStorage::raw().set_item(&last.key, &last.text) {
            Ok(()) => {
                deleted.update(|d| {
                    d.pop();
                });
                if last.was_open && state.record_id_untracked().is_none() {
                    state.set_record(last.key.strip_prefix(RECORD_PREFIX).map(str::to_owned));
                }
                records.changed();
                flash.show(format!("{} restored", last.title));
            }
            Err(e) => flash.show(format!("{} could not be put back ({e:?})", last.title)),
        }
    };
    view! {
        <section class="record-list" aria-labelledby="record-list-heading">
            <h3 id="record-list-heading">"Records on this device"</h3>
            <div class="field">
                <label for="record-search">"Search by name, identifier, pump, drug or catheter"</label>
                <input id="record-search" type="search" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            </div>
            {move || deleted.with(|d| d.last().map(|d| d.title.clone())).map(|t| view! {
                <p class="banner banner-stale" role="status" id="record-deleted">{format!("{t} deleted. ")}
                    <button type="button" class="secondary small" id="undo-delete" on:click=undo>{format!("Undo: put back {t}")}</button>
                </p>
            })}
            <p class="save-status" role="status" id="record-list-status">{move || flash.get().unwrap_or_default()}</p>
            <ul class="records-list">
                <For each=move || shown.get() key=|(r, s, _)| (r.id.clone(), s.clone(), r.history.len(), r.implant.implanted_on.clone(), r.implant.catheter.clone()) let((record, line, notes))>
                    <RecordItem record=record line=line notes=notes deleted=deleted flash=flash />
                </For>
            </ul>
            {move || shown.with(Vec::is_empty).then(|| view! { <p class="hint" id="no-records">"No record matches."</p> })}
        </section>
    }
}

/// The actions on one record: each reads the record as stored at the moment it is used.
fn item_actions(
    state: AppState,
    id: String,
    deleted: RwSignal<Vec<Deleted>>,
    flash: Flash,
) -> (
    impl Fn() + Clone + 'static,
    impl Fn() + 'static,
    impl Fn() + 'static,
    impl Fn() + 'static,
) {
    let records = expect_context::<Records>();
    let fresh = {
        let id = id.clone();
        move || read_one(state, &id)
    };
    let open = {
        let fresh = fresh.clone();
        move || match fresh() {
            Ok(record) => {
                let mut form = state.library.with_untracked(|l| PlanForm::from_plan(&record.plan, l));
                form.record = Some(record.id.clone());
                state.replace_plan(form);
                flash.show(format!("{} opened", summary_title(&record)));
                focus_later("open-record-heading");
            }
            Err(e) => flash.show(format!("Could not open: {e}")),
        }
    };
    let duplicate = {
        let fresh = fresh.clone();
        move || match fresh()
            .and_then(|r| r.duplicate(&fresh_id(), now()).map_err(|e| e.to_string()))
            .and_then(|c| write(&c).map(|()| c))
        {
            Ok(copy) => {
                records.changed();
                flash.show(format!("{} made (no identifier, no history)", summary_title(&copy)));
            }
            Err(e) => flash.show(format!("Could not duplicate: {e}")),
        }
    };
    let export_file = {
        let fresh = fresh.clone();
        move || match fresh().and_then(|r| export(&r).map_err(|e| e.to_string()).map(|t| (r, t))) {
            Ok((record, text)) => {
                if let Err(e) = download(&format!("itdose-record-{}.json", record.id), &text) {
                    flash.show(format!("Could not export: {e}"));
                }
            }
            Err(e) => flash.show(format!("Could not export: {e}")),
        }
    };
    let delete = move || {
        let k = key(&id);
        let Some(text) = stored(&k) else { return };
        if LocalStorage::raw().remove_item(&k).is_err() {
            flash.show("Could not delete the record".into());
            return;
        }
        let was_open = state.record_id_untracked().as_deref() == Some(id.as_str());
        let title = records.find(&id).map_or_else(|| id.clone(), |r| summary_title(&r));
        deleted.update(|d| {
            d.push(Deleted {
                key: k,
                text,
                title,
                was_open,
            })
        });
        if was_open {
            state.set_record(None);
        }
        records.changed();
        focus_later("undo-delete");
    };
    (open, duplicate, export_file, delete)
}

/// One record in the list.
#[component]
fn RecordItem(
    record: Arc<Record>,
    line: Arc<RecordSummary>,
    notes: Arc<Vec<String>>,
    deleted: RwSignal<Vec<Deleted>>,
    flash: Flash,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let asking = RwSignal::new(false);
    let id = record.id.clone();
    let is_open = {
        let id = id.clone();
        Signal::derive(move || state.record_id().as_deref() == Some(id.as_str()))
    };
    let (open, duplicate, export_file, delete) = item_actions(state, id.clone(), deleted, flash);
    let title_id = format!("record-{id}-title");
    let open_described = title_id.clone();
    let question = format!(
        "Open {}? The plan on screen is replaced by the record's plan (a plan not kept in a record is lost: export it first).",
        line.title
    );
    view! {
        <li class="record-item" id=format!("record-{id}")>
            <h4 id=title_id.clone()>{line.title.clone()}{move || is_open.get().then_some(" (open)")}</h4>
            <dl class="results">
                <dt>"Identifier"</dt><dd>{if line.identifier.is_empty() { "none".to_owned() } else { line.identifier.clone() }}</dd>
                <dt>"Pump"</dt><dd>{line.pump.clone()}</dd>
                <dt>"Drugs"</dt><dd>{line.drugs.clone()}</dd>
                <dt>"Last session"</dt><dd>{line.last.clone()}</dd>
                <dt>"Sessions"</dt><dd>{line.sessions}</dd>
            </dl>
            {(!notes.is_empty()).then(|| view! { <p class="hint">"Read from an older version: "{notes.join(" ")}</p> })}
            <Show when=move || asking.get()>
                <div role="group" class="confirm-box" aria-label=format!("Open {}", line.title)>
                    <p>{question.clone()}</p>
                    <button type="button" class="confirm-open" on:click={ let open = open.clone(); move |_| { asking.set(false); open(); } }>"Open the record"</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>"Cancel"</button>
                </div>
            </Show>
            <div class="buttons">
                <Show when=move || !is_open.get() && !asking.get()>
                    <button type="button" class="open-record-button" aria-describedby=open_described.clone() on:click=move |_| asking.set(true)>"Open"</button>
                </Show>
                <button type="button" class="secondary duplicate-record" aria-describedby=title_id.clone() on:click=move |_| duplicate()>"Duplicate"</button>
                <button type="button" class="secondary export-record" aria-describedby=title_id.clone() on:click=move |_| export_file()>"Export (JSON)"</button>
                <button type="button" class="danger delete-record" aria-describedby=title_id.clone() on:click=move |_| delete()>"Delete"</button>
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
        on_file_chosen(&ev, move |text| {
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
        let id = state.record_id()?;
        let records = records?;
        records.list.track();
        records.find(&id).map(|r| summary_title(&r))
    })
}
