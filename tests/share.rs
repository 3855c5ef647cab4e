//! Share links: a plan in the URL fragment, compressed, capped, read exactly like an imported file
//! (migration, validation; a hard limit still blocks).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{MCG, MG, TestResult, catalogue, docs, library, plan, run};
use itdose::engine::share::{MAX_LINK_CHARS, decode, encode, in_fragment};
use itdose::engine::{PlanStatus, Severity};

/// docs/example-plan.json → link → the same plan, in the current version.
#[test]
fn a_plan_round_trips_through_a_link() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let p = docs("example-plan.json")?;
    let link = encode(&p)?;
    assert!(
        link.starts_with("1.") && link.len() < MAX_LINK_CHARS,
        "{} characters",
        link.len()
    );
    // URI-safe: nothing to escape in a fragment.
    assert!(
        link.chars().all(|c| c.is_ascii_alphanumeric() || "+-$.".contains(c)),
        "{link}"
    );
    let loaded = decode(&link, &cat, &lib)?;
    assert_eq!(loaded.plan, p);
    let fragment = format!("#/plan?share={link}");
    assert_eq!(in_fragment(&fragment), Some(link.as_str()));
    assert_eq!(in_fragment("#/plan"), None);
    Ok(())
}

/// A link made from a plan over a hard limit (ziconotide 25 mcg/day, above the US maximum of
/// 19.2 mcg/day) opens as that plan, and the plan is blocked exactly as a typed one.
#[test]
fn a_link_over_a_hard_limit_is_still_blocked() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let mut p = plan("synchromed-ii-40", 40.0, "ziconotide", MCG, 25.0, 25.0);
    p.fill.new_pump = false;
    let loaded = decode(&encode(&p)?, &cat, &lib)?;
    let (outcome, _) = run(&loaded.plan)?;
    assert_eq!(outcome.status, PlanStatus::Blocked);
    assert!(outcome.findings.iter().any(|f| f.severity == Severity::Hard));
    Ok(())
}

/// Damaged, oversized, wrong-version and hostile links are refused with a message at the share
/// link; nothing panics.
#[test]
fn bad_links_are_refused_with_a_message() -> TestResult {
    let (cat, lib) = (catalogue()?, library()?);
    let refused = |v: &str| decode(v, &cat, &lib).err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(refused("abc"), "Share link: not a share link (no version)");
    assert_eq!(
        refused("2.abc"),
        "Share link: share-link version 2 is not supported (this build reads version 1)"
    );
    assert!(refused(&format!("1.{}", "A".repeat(MAX_LINK_CHARS + 1))).contains("more than 6000"));
    let good = encode(&plan("synchromed-ii-40", 40.0, "morphine", MG, 10.0, 2.0))?;
    // Cut in half: damaged, or not a plan file.
    let half = good.get(..good.len() / 2).ok_or("short link")?;
    let e = refused(half);
    assert!(
        e.starts_with("Share link: the link is damaged") || e.starts_with("Plan file:"),
        "{e}"
    );
    // Not a plan at all, compressed properly: refused as an import would be.
    let other = format!("1.{}", lz_str_compress("{\"format\":\"pump-plan\",\"version\":3}"));
    assert!(
        refused(&other).starts_with("Plan file: format is"),
        "{}",
        refused(&other)
    );
    for hostile in ["1.", "1.$$$$", "1.\u{0}", "1.😀😀", "..", "1.-+-+-+-+"] {
        let _ = refused(hostile);
    }
    Ok(())
}

fn lz_str_compress(text: &str) -> String {
    lz_str::compress_to_encoded_uri_component(text)
}
