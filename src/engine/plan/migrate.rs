//! Every plan file, of every version, loads here: the app's import and the native command go
//! through [`load`] (and so will records and share links), so an older file can never be read two
//! ways. Work saved in the browser is kept as the form's text; its version-1 acknowledgement keys
//! are upgraded by [`upgrade_acknowledgements`] once its plan evaluates.
//!
//! Version 1 → 2: the only change is the acknowledgements' keys. Version 1 keyed an acknowledgement
//! by text (the drug, the limit and the raw value, or a pump caution's whole message); version 2
//! keys it by rule, drug, bound and value at display precision, so rewording a message never
//! orphans it. Migration evaluates the plan and gives each acknowledgement the structured key of
//! the finding its text key named. An acknowledgement whose finding no longer arises (the rule
//! changed, or the plan is not valid) is kept exactly as it was, and said so: nothing is dropped.

use serde::{Deserialize, Serialize};

use super::evaluate::evaluate;
use super::findings::AckKey;
use super::model::{PLAN_FORMAT, PLAN_VERSION, Plan};
use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::catalogue::pump::Catalogue;
use crate::engine::error::{Error, Field, read_json_within};

/// A plan as loaded, with what its migration did.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The plan, in the current version.
    pub plan: Plan,
    /// The version the file had.
    pub from_version: u32,
    /// Version-1 acknowledgement keys kept as they were (their findings do not arise now).
    pub kept: Vec<String>,
}

#[derive(Deserialize, Serialize)]
struct Header {
    format: String,
    version: u32,
}

/// Reads a plan file of any version this build knows, migrating it to the current version.
///
/// # Errors
/// [`Field::PlanFile`]: not JSON, another format, a version newer than this build (kept untouched
/// by the caller), or a field that does not fit (named).
pub fn load(text: &str, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Loaded, Error> {
    load_within(text, None, catalogue, library)
}

/// [`load`] for a plan taken out of a larger file (a record): `within` is where it was in that file
/// ("history[2].plan"), so that a refusal names the key from the file's top.
///
/// # Errors
/// As [`load`].
pub fn load_within(
    text: &str,
    within: Option<&str>,
    catalogue: &Catalogue,
    library: &DrugLibrary,
) -> Result<Loaded, Error> {
    if text.len() > MAX_PLAN_BYTES {
        return Err(Error::invalid(
            Field::PlanFile,
            format!(
                "the file has {} bytes, more than the {MAX_PLAN_BYTES} a plan may have",
                text.len()
            ),
        ));
    }
    let header: Header = read_json_within(text, within)
        .map_err(|p| Error::invalid(Field::PlanFile, format!("not a valid plan file: {p}")))?;
    if header.format != PLAN_FORMAT {
        return Err(Error::invalid(
            Field::PlanFile,
            format!(
                "format is \u{201c}{}\u{201d}, expected \u{201c}{PLAN_FORMAT}\u{201d}",
                header.format
            ),
        ));
    }
    if header.version == 0 || header.version > PLAN_VERSION {
        return Err(Error::invalid(
            Field::PlanFile,
            format!(
                "version {} is not supported (this build reads versions 1 to {PLAN_VERSION})",
                header.version
            ),
        ));
    }
    let mut plan: Plan = read_json_within(text, within)
        .map_err(|p| Error::invalid(Field::PlanFile, format!("not a valid plan file: {p}")))?;
    check_ids(&plan)?;
    plan.version = PLAN_VERSION;
    let kept = upgrade_acknowledgements(&mut plan, catalogue, library);
    Ok(Loaded {
        plan,
        from_version: header.version,
        kept,
    })
}

/// At most this many bytes of plan JSON: a plan is kept inside a patient record, so a plan larger
/// than a record may be ([`MAX_RECORD_BYTES`](crate::engine::record::MAX_RECORD_BYTES)) is not one
/// this app wrote (a plan with a year of visits and sessions is well under 100 KB).
pub const MAX_PLAN_BYTES: usize = crate::engine::record::MAX_RECORD_BYTES;
/// At most this many characters in an id the plan names (a pump model, a drug, a condition): the
/// catalogue's and library's ids are short words, and a longer one is never shown back whole.
pub const MAX_PLAN_ID_CHARS: usize = 64;

/// Every id the plan names is an id: not longer than [`MAX_PLAN_ID_CHARS`] (a 1 MB drug name
/// was read, and shown back whole in the drug select and every message that named it).
fn check_ids(plan: &Plan) -> Result<(), Error> {
    let ids = std::iter::once(("the pump model", plan.pump.model.as_str())).chain(plan.drugs.iter().flat_map(|d| {
        [
            ("a drug", Some(d.drug.as_str())),
            ("a drug's condition", d.condition.as_deref()),
        ]
        .into_iter()
        .filter_map(|(what, id)| id.map(|id| (what, id)))
    }));
    for (what, id) in ids {
        let chars = id.chars().count();
        if chars > MAX_PLAN_ID_CHARS {
            return Err(Error::invalid(
                Field::PlanFile,
                format!("{what} is named by {chars} characters, more than the {MAX_PLAN_ID_CHARS} of an id"),
            ));
        }
    }
    Ok(())
}

/// Gives every version-1 acknowledgement the key of the finding it names, where that finding
/// arises; returns the version-1 keys kept as they were. Used by [`load`], and by the app for work
/// saved in its storage before version 2.
pub fn upgrade_acknowledgements(plan: &mut Plan, catalogue: &Catalogue, library: &DrugLibrary) -> Vec<String> {
    if !plan
        .acknowledgements
        .iter()
        .any(|a| matches!(a.finding, AckKey::Legacy(_)))
    {
        return Vec::new();
    }
    let findings = evaluate(plan, catalogue, library)
        .map(|o| o.findings)
        .unwrap_or_default();
    let mut kept = Vec::new();
    for ack in &mut plan.acknowledgements {
        let AckKey::Legacy(text) = &ack.finding else { continue };
        match findings
            .iter()
            .find(|f| !f.legacy_key.is_empty() && f.legacy_key == *text)
        {
            Some(f) => ack.finding = AckKey::Key(f.key.clone()),
            None => kept.push(text.clone()),
        }
    }
    kept
}
