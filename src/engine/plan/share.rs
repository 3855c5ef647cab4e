//! Share links: a plan (never a patient record, and no patient identifier: the plan format has
//! none) compressed into the URL fragment, `#/plan?share=1.<payload>`, with lz-string's
//! URI-safe encoding (lz-str, compatible with the JavaScript lz-string). The fragment never reaches
//! a server. Both sizes are capped (decompression has no cap of its own), and a link is read
//! exactly like an imported file: [`super::migrate::load`], with its migration and validation, so
//! a hard limit applies to a shared plan as to a typed one.

use crate::engine::catalogue::library::DrugLibrary;
use crate::engine::catalogue::pump::Catalogue;
use crate::engine::error::{Error, Field};
use crate::engine::plan::migrate::{Loaded, load};
use crate::engine::plan::model::Plan;

/// The fragment parameter that carries a shared plan.
pub const SHARE_PARAM: &str = "share=";
/// The share-link format this build writes and reads ("1." before the payload).
pub const SHARE_VERSION: &str = "1";
/// At most this many characters of payload: about 6 KB keeps the link usable in every browser and
/// bounds what decompression can produce.
pub const MAX_LINK_CHARS: usize = 6_000;
/// At most this many UTF-16 units of plan JSON after decompression (a full plan with four drugs,
/// every bolus kind, a visit log and sessions is under 20,000).
pub const MAX_JSON_UNITS: usize = 200_000;

fn refused(detail: impl Into<String>) -> Error {
    Error::invalid(Field::ShareLink, detail)
}

/// The share parameter's value for `plan` ("1.<payload>").
///
/// # Errors
/// At the share link, when the compressed plan is longer than [`MAX_LINK_CHARS`]: export the
/// plan as a file instead.
pub fn encode(plan: &Plan) -> Result<String, Error> {
    let json = serde_json::to_string(plan).map_err(|e| refused(e.to_string()))?;
    let payload = lz_str::compress_to_encoded_uri_component(&json);
    if payload.len() > MAX_LINK_CHARS {
        return Err(refused(format!(
            "the plan needs {} characters, more than the {MAX_LINK_CHARS} a link may carry: export it as a file",
            payload.len()
        )));
    }
    Ok(format!("{SHARE_VERSION}.{payload}"))
}

/// The plan a share parameter's value carries, loaded as an imported file is.
///
/// # Errors
/// At the share link: another share-link version, a payload over [`MAX_LINK_CHARS`], one that
/// does not decompress, or decompresses to more than [`MAX_JSON_UNITS`] or to text that is not
/// UTF-16; and every error [`load`] gives for the plan it carries.
pub fn decode(value: &str, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Loaded, Error> {
    let Some((version, payload)) = value.split_once('.') else {
        return Err(refused("not a share link (no version)"));
    };
    if version != SHARE_VERSION {
        return Err(refused(format!(
            "share-link version {version} is not supported (this build reads version {SHARE_VERSION})"
        )));
    }
    if payload.len() > MAX_LINK_CHARS {
        return Err(refused(format!(
            "the link carries {} characters, more than {MAX_LINK_CHARS}",
            payload.len()
        )));
    }
    let units = lz_str::decompress_from_encoded_uri_component(payload)
        .ok_or_else(|| refused("the link is damaged: it does not decompress"))?;
    if units.len() > MAX_JSON_UNITS {
        return Err(refused(format!(
            "the link decompresses to {} characters, more than {MAX_JSON_UNITS}",
            units.len()
        )));
    }
    let text = String::from_utf16(&units).map_err(|_| refused("the link is damaged: not text"))?;
    load(&text, catalogue, library)
}

/// The share parameter's value in a URL fragment ("#/plan?share=1.…"), if there is one.
pub fn in_fragment(fragment: &str) -> Option<&str> {
    let at = fragment.find(SHARE_PARAM)?;
    let rest = fragment.get(at + SHARE_PARAM.len()..)?;
    Some(rest.split('&').next().unwrap_or(rest))
}
