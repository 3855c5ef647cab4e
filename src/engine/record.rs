//! Patient records: a patient's pump history kept in the browser (`docs/record-format.md`). A record
//! holds an optional name and identifier, the implant and catheter details, the plan in force,
//! and the history: the plan as confirmed at each session (its fill, visit log, programme changes
//! with the confirmed review's rows, acknowledgements and MRI), oldest first.
//!
//! Two texts are kept: the record file (exported and imported, [`export`] and [`import`]) and the
//! stored envelope ([`seal`] and [`unseal`]): the record's text with the time it was saved and a
//! checksum, so that storage damaged by hand or by the browser is recognised. Every plan in a
//! record is read by the plan format's own [`load`], with its migration: an old plan inside a
//! record migrates exactly as an old plan file does. A text that cannot be read, or was written
//! by a newer version, is an error naming why: the app sets it aside and offers it for export;
//! nothing here deletes or replaces anything. Pure: the caller brings the clock and the ids.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::catalogue::pump::Catalogue;
use crate::engine::error::{Error, Field, read_json};
use crate::engine::outcomes::OutcomeEntry;
use crate::engine::plan::migrate::{load, load_within};
use crate::engine::plan::model::{PLAN_FORMAT, Plan};
use crate::engine::quantities::parse::parse_date;

/// The file format tag of a record.
pub const RECORD_FORMAT: &str = "itdose-record";
/// The record format version this build writes (version 1 is read: it had no outcome log).
pub const RECORD_VERSION: u32 = 2;
/// The format tag of a record as kept in the browser's storage (the envelope).
pub const STORED_FORMAT: &str = "itdose-stored-record";
/// The envelope version this build writes and reads.
pub const STORED_VERSION: u32 = 1;
/// At most this many bytes of a record's compact JSON (as stored): each history entry keeps only
/// what its session added (a plan of a few KB), so this holds several hundred sessions, within a
/// browser's 5 MB of local storage. A record file may be up to twice this (it is pretty-printed).
pub const MAX_RECORD_BYTES: usize = 2_000_000;
/// At most this many characters in a record's id.
pub const MAX_ID_CHARS: usize = 64;
/// At most this many characters in the patient's name or identifier: each is a line of the
/// record list, the summary and the printout (a 1 MB name was kept, and shown whole, everywhere).
pub const MAX_NAME_CHARS: usize = 200;
/// At most this many characters in the catheter's description.
pub const MAX_CATHETER_CHARS: usize = 2_000;
/// The history entry a new record starts with.
pub const CREATED: &str = "Record created";

/// Who the record is for: both optional, never required (a record can be kept without either).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Patient {
    /// A name, as the clinician writes it.
    #[serde(default)]
    pub name: String,
    /// A hospital number or other identifier.
    #[serde(default)]
    pub identifier: String,
}

/// The implant and its catheter (the pump model and its capacity are in the plan).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Implant {
    /// The implant date, "YYYY-MM-DD", or empty when not known.
    #[serde(default)]
    pub implanted_on: String,
    /// The catheter: tip level, length, revisions, as the clinician writes them.
    #[serde(default)]
    pub catheter: String,
}

/// One confirmed session: the plan as it was confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was confirmed (the clinician's device clock).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
    /// The workflow it was confirmed from, or [`CREATED`].
    pub workflow: String,
    /// The plan as confirmed.
    pub plan: Plan,
}

/// A patient record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`RECORD_FORMAT`].
    pub format: String,
    /// Always [`RECORD_VERSION`] for records this build writes.
    pub version: u32,
    /// The record's id in this browser (letters, digits and hyphens).
    pub id: String,
    /// Who it is for.
    #[serde(default)]
    pub patient: Patient,
    /// The implant and catheter.
    #[serde(default)]
    pub implant: Implant,
    /// The plan in force: the last one confirmed.
    pub plan: Plan,
    /// Every confirmed session, oldest first.
    #[serde(default)]
    pub history: Vec<Entry>,
    /// The outcome log: pain, systemic opioids and side effects per visit (version 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<OutcomeEntry>,
}

/// A record as read, with what its migration did.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// The record, in the current version.
    pub record: Record,
    /// When it was saved (stored records only).
    pub saved_at: Option<DateTime>,
    /// What was migrated or kept, in words (empty: nothing).
    pub notes: Vec<String>,
}

/// A record's text as written, before its plans are migrated.
#[derive(Deserialize)]
struct RawRecord {
    id: String,
    #[serde(default)]
    patient: Patient,
    #[serde(default)]
    implant: Implant,
    plan: serde_json::Value,
    #[serde(default)]
    history: Vec<RawEntry>,
    #[serde(default)]
    outcomes: Vec<OutcomeEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(with = "crate::engine::quantities::civil_serde")]
    at: DateTime,
    workflow: String,
    plan: serde_json::Value,
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    #[serde(with = "crate::engine::quantities::civil_serde")]
    saved_at: DateTime,
    checksum: String,
    record: String,
}

fn refused(detail: impl Into<String>) -> Error {
    Error::invalid(Field::RecordFile, detail)
}

impl Record {
    /// A new record of `plan`, its history starting with [`CREATED`] at `at`.
    ///
    /// # Errors
    /// At the record file when `id` is not an id; at the implant date when it is not a date.
    pub fn new(id: &str, patient: Patient, implant: Implant, plan: Plan, at: DateTime) -> Result<Self, Error> {
        let record = Record {
            format: RECORD_FORMAT.to_owned(),
            version: RECORD_VERSION,
            id: id.to_owned(),
            patient,
            implant,
            history: vec![Entry {
                at,
                workflow: CREATED.to_owned(),
                plan: plan.clone(),
            }],
            plan,
            outcomes: Vec::new(),
        };
        record.validate()?;
        Ok(record)
    }

    /// Records a confirmed session: `plan` is in force from `at`, and joins the history. The
    /// history entry keeps the visits and sessions that this session added, not the whole log
    /// again (the plan in force keeps it all), so a record grows by one session's worth each time.
    pub fn confirm(&mut self, at: DateTime, workflow: &str, plan: Plan) {
        let mut entry = plan.clone();
        entry.visits.retain(|v| !self.plan.visits.contains(v));
        entry.sessions.retain(|s| !self.plan.sessions.contains(s));
        self.history.push(Entry {
            at,
            workflow: workflow.to_owned(),
            plan: entry,
        });
        self.plan = plan;
    }

    /// A new record under `id` with the plan in force, made at `at` (a starting point for
    /// another patient or pump): named as a copy, with no identifier and none of this patient's
    /// history; its history starts with where it was copied from.
    ///
    /// # Errors
    /// At the record file when `id` is not an id.
    pub fn duplicate(&self, id: &str, at: DateTime) -> Result<Self, Error> {
        let name = self.patient.name.trim();
        let name = if name.is_empty() {
            "Copy".to_owned()
        } else {
            format!("{name} (copy)")
        };
        let mut plan = self.plan.clone();
        plan.visits.clear();
        plan.sessions.clear();
        let mut copy = Record::new(
            id,
            Patient {
                name,
                identifier: String::new(),
            },
            self.implant.clone(),
            plan,
            at,
        )?;
        if let Some(first) = copy.history.first_mut() {
            first.workflow = format!("{CREATED} as a copy of another record's plan");
        }
        Ok(copy)
    }

    /// Checks the id and the implant date.
    ///
    /// # Errors
    /// At the record file (the id), or at the implant date.
    pub fn validate(&self) -> Result<(), Error> {
        if !is_id(&self.id) {
            return Err(refused(format!(
                "the record id \u{201c}{}\u{201d} must be 1 to {MAX_ID_CHARS} letters, digits or hyphens",
                self.id.chars().take(MAX_ID_CHARS).collect::<String>()
            )));
        }
        for (what, text, most) in [
            ("the patient's name", &self.patient.name, MAX_NAME_CHARS),
            ("the patient's identifier", &self.patient.identifier, MAX_NAME_CHARS),
            ("the catheter's description", &self.implant.catheter, MAX_CATHETER_CHARS),
        ] {
            let chars = text.chars().count();
            if chars > most {
                return Err(refused(format!("{what} has {chars} characters, more than {most}")));
            }
        }
        if !self.implant.implanted_on.trim().is_empty() {
            parse_date(Field::ImplantDate, &self.implant.implanted_on)?;
        }
        for entry in &self.outcomes {
            if let Err(errors) = entry.validate()
                && let Some(first) = errors.into_iter().next()
            {
                return Err(first);
            }
        }
        Ok(())
    }

    /// Whether every word of `query` is in the name, the identifier, the pump, a drug, the
    /// catheter or the id (case ignored). An empty query matches every record.
    pub fn matches(&self, query: &str) -> bool {
        let mut haystack = vec![
            self.patient.name.as_str(),
            self.patient.identifier.as_str(),
            self.implant.catheter.as_str(),
            self.id.as_str(),
            self.plan.pump.model.as_str(),
        ];
        haystack.extend(self.plan.drugs.iter().map(|d| d.drug.as_str()));
        let haystack = haystack.join(" ").to_lowercase();
        query
            .split_whitespace()
            .all(|word| haystack.contains(&word.to_lowercase()))
    }
}

/// Whether `id` is 1 to [`MAX_ID_CHARS`] ASCII letters, digits or hyphens.
pub fn is_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_CHARS && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The record file: pretty JSON.
///
/// # Errors
/// At the record file, when the record cannot be written (never expected: every field is text or
/// a finite number).
pub fn export(record: &Record) -> Result<String, Error> {
    serde_json::to_string_pretty(record).map_err(|e| refused(format!("could not be written: {e}")))
}

/// Reads a record file, or a plan file (which becomes a new record under `fresh_id`, with no name
/// and its history starting at `at`), migrating every plan in it.
///
/// # Errors
/// At the record file: too long, not JSON, another format, a version newer than this build, a
/// field that does not fit, a bad id; every error [`load`] gives for a plan in it; at the implant
/// date when it is not a date.
pub fn import(
    text: &str,
    fresh_id: &str,
    at: DateTime,
    catalogue: &Catalogue,
    library: &DrugLibrary,
) -> Result<Opened, Error> {
    if text.len() > 2 * MAX_RECORD_BYTES {
        return Err(refused(format!(
            "the file has {} bytes, more than the {} a record file may have",
            text.len(),
            2 * MAX_RECORD_BYTES
        )));
    }
    let header: Header = read_json(text).map_err(|p| refused(format!("not a record or plan file: {p}")))?;
    if header.format == PLAN_FORMAT {
        let loaded = load(text, catalogue, library)?;
        let record = Record::new(fresh_id, Patient::default(), Implant::default(), loaded.plan, at)?;
        return Ok(Opened {
            record,
            saved_at: None,
            notes: vec!["A plan file: it became a new record with no name.".to_owned()],
        });
    }
    read_record(text, header, catalogue, library)
}

fn read_record(text: &str, header: Header, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Opened, Error> {
    if header.format != RECORD_FORMAT {
        return Err(refused(format!(
            "format is \u{201c}{}\u{201d}, expected \u{201c}{RECORD_FORMAT}\u{201d}",
            header.format
        )));
    }
    if header.version == 0 {
        return Err(refused("record version 0 is not a version"));
    }
    if header.version > RECORD_VERSION {
        return Err(refused(format!(
            "record version {} is not supported (this build reads version {RECORD_VERSION}): it was written by a newer itdose",
            header.version
        )));
    }
    let raw: RawRecord = read_json(text).map_err(|p| refused(format!("not a valid record: {p}")))?;
    let mut notes = Vec::new();
    let mut plan_of = |value: &serde_json::Value, what: &str, within: &str| -> Result<Plan, Error> {
        let loaded = load_within(&value.to_string(), Some(within), catalogue, library)
            .map_err(|e| refused(format!("{what}: {}", e)))?;
        if loaded.from_version < crate::engine::plan::model::PLAN_VERSION {
            notes.push(format!("{what} was plan version {}: migrated.", loaded.from_version));
        }
        notes.extend(
            loaded
                .kept
                .iter()
                .map(|k| format!("{what}: acknowledgement kept as written: {k}")),
        );
        Ok(loaded.plan)
    };
    let plan = plan_of(&raw.plan, "The plan in force", "plan")?;
    let mut history = Vec::with_capacity(raw.history.len());
    for (i, entry) in raw.history.iter().enumerate() {
        history.push(Entry {
            at: entry.at,
            workflow: entry.workflow.clone(),
            plan: plan_of(
                &entry.plan,
                &format!("History entry {}", i + 1),
                &format!("history[{i}].plan"),
            )?,
        });
    }
    let record = Record {
        format: RECORD_FORMAT.to_owned(),
        version: RECORD_VERSION,
        id: raw.id,
        patient: raw.patient,
        implant: raw.implant,
        plan,
        history,
        outcomes: raw.outcomes,
    };
    record.validate()?;
    Ok(Opened {
        record,
        saved_at: None,
        notes,
    })
}

/// FNV-1a, 64 bits, over the UTF-8 bytes, as 16 hex digits: a check against damage, not against
/// a forger (a record that is edited and re-sealed is read, and its plan is checked like any other).
pub fn checksum(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The text kept in storage for `record`, saved at `saved_at`.
///
/// # Errors
/// At the record file, when the record is larger than [`MAX_RECORD_BYTES`] (nothing is stored:
/// export it and start a new record) or cannot be written.
pub fn seal(record: &Record, saved_at: DateTime) -> Result<String, Error> {
    let text = serde_json::to_string(record).map_err(|e| refused(format!("could not be written: {e}")))?;
    if text.len() > MAX_RECORD_BYTES {
        return Err(refused(format!(
            "the record has grown to {} bytes, more than the {MAX_RECORD_BYTES} kept in this browser: export it, and start a new record from its plan (Duplicate)",
            text.len()
        )));
    }
    let envelope = Envelope {
        format: STORED_FORMAT.to_owned(),
        version: STORED_VERSION,
        saved_at,
        checksum: checksum(&text),
        record: text,
    };
    serde_json::to_string(&envelope).map_err(|e| refused(format!("could not be written: {e}")))
}

/// The record kept in storage as `text`.
///
/// # Errors
/// At the record file, naming why: not an envelope, a newer envelope or record version, a
/// checksum that does not match (the text was damaged), or any error [`import`] gives for a record
/// (at the implant date for an impossible date). The caller keeps the text aside and offers it
/// for export.
pub fn unseal(text: &str, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Opened, Error> {
    if text.len() > MAX_RECORD_BYTES + 1_000 {
        return Err(refused(format!(
            "the stored text has {} bytes, more than a record may have",
            text.len()
        )));
    }
    let header: Header = read_json(text).map_err(|p| refused(format!("the stored text is damaged: {p}")))?;
    if header.format != STORED_FORMAT {
        return Err(refused(format!(
            "format is \u{201c}{}\u{201d}, expected \u{201c}{STORED_FORMAT}\u{201d}",
            header.format
        )));
    }
    if header.version == 0 || header.version > STORED_VERSION {
        return Err(refused(format!(
            "stored version {} is not supported (this build reads version {STORED_VERSION}): it was saved by a newer itdose",
            header.version
        )));
    }
    let envelope: Envelope = read_json(text).map_err(|p| refused(format!("the stored text is damaged: {p}")))?;
    if checksum(&envelope.record) != envelope.checksum {
        return Err(refused("the stored text is damaged: its checksum does not match"));
    }
    let header: Header =
        read_json(&envelope.record).map_err(|p| refused(format!("the stored record is damaged: {p}")))?;
    let mut opened = read_record(&envelope.record, header, catalogue, library)?;
    opened.saved_at = Some(envelope.saved_at);
    Ok(opened)
}
