//! From systemic opioids to intrathecal: worked examples with the arithmetic written out (CDC 2022
//! factors, the ratio and the reduction the clinician chooses), the cautions, and refused input.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{TestResult, library};
use itdose::engine::convert::{Conversion, ConversionInput, OpioidTable, RegimenItem, Target, convert, library_checks};
use itdose::engine::report::convert::{arithmetic, cautions};
use itdose::engine::{Field, Location};

fn item(opioid: &str, amount: f64) -> RegimenItem {
    RegimenItem {
        opioid: opioid.into(),
        amount,
    }
}

fn run(items: Vec<RegimenItem>, ratio: f64, reduction: f64, target: Target) -> Result<Conversion, String> {
    let table = OpioidTable::builtin().map_err(|e| e.to_string())?;
    let input = ConversionInput {
        items,
        ratio,
        reduction_percent: reduction,
        target,
        potency: None,
    };
    convert(&input, &table).map_err(|e| format!("{e:?}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// oxyCODONE 40 mg/day × 1.5 = 60; morphine 30 mg/day × 1 = 30; HYDROmorphone 8 mg/day × 5 = 40;
/// total 60 + 30 + 40 = 130 MME (CDC 2022 factors).
#[test]
fn a_mixed_regimen_adds_up_to_its_mme() -> TestResult {
    let c = run(
        vec![
            item("oxycodone", 40.0),
            item("morphine", 30.0),
            item("hydromorphone", 8.0),
        ],
        300.0,
        30.0,
        Target::Morphine,
    )?;
    let mme: Vec<f64> = c.items.iter().map(|i| i.mme).collect();
    assert!(close(mme.iter().sum(), 130.0) && close(c.total_mme, 130.0), "{mme:?}");
    let lines = arithmetic(&c);
    assert_eq!(
        lines.get(..4).map(<[String]>::to_vec),
        Some(vec![
            "oxyCODONE (oral) 40 mg/day \u{00d7} 1.5 = 60 MME".to_owned(),
            "morphine (oral) 30 mg/day \u{00d7} 1 = 30 MME".to_owned(),
            "HYDROmorphone (oral) 8 mg/day \u{00d7} 5 = 40 MME".to_owned(),
            "Total: 60 + 30 + 40 = 130 MME (mg/day of oral morphine)".to_owned(),
        ])
    );
    Ok(())
}

/// 300 MME (oxyCODONE 200 mg/day × 1.5). At 300 : 1: 300 ÷ 300 = 1 mg/day, less 30 %:
/// 1 × 0.7 = 0.7 mg/day. At 100 : 1: 300 ÷ 100 = 3 mg/day, less 30 %: 3 × 0.7 = 2.1 mg/day.
#[test]
fn intrathecal_morphine_at_300_and_100_to_1_with_a_30_percent_reduction() -> TestResult {
    let at300 = run(vec![item("oxycodone", 200.0)], 300.0, 30.0, Target::Morphine)?;
    assert!(
        close(at300.it_morphine_unreduced, 1.0) && close(at300.daily_dose, 0.7),
        "{at300:?}"
    );
    let at100 = run(vec![item("oxycodone", 200.0)], 100.0, 30.0, Target::Morphine)?;
    assert!(
        close(at100.it_morphine_unreduced, 3.0) && close(at100.daily_dose, 2.1),
        "{at100:?}"
    );
    let lines = arithmetic(&at100);
    assert_eq!(
        lines.get(2..).map(<[String]>::to_vec),
        Some(vec![
            "Intrathecal morphine at 100 : 1: 300 \u{00f7} 100 = 3 mg/day".to_owned(),
            "Reduced by 30 % for incomplete cross-tolerance: 3 \u{00d7} 0.7 = 2.1 mg/day".to_owned(),
        ])
    );
    // The classic 300 : 1 is unverified, and says so; 100 : 1 is sourced.
    let table = OpioidTable::builtin()?;
    assert!(
        cautions(&at300, &table)
            .iter()
            .any(|c| c.starts_with("The ratio 300 : 1 (classic"))
    );
    assert!(!cautions(&at100, &table).iter().any(|c| c.starts_with("The ratio")));
    Ok(())
}

/// Transdermal fentaNYL 25 mcg/h × 2.4 = 60 MME; its caution is given.
#[test]
fn a_fentanyl_patch_converts_per_mcg_per_hour_with_its_caution() -> TestResult {
    let c = run(vec![item("fentanyl-patch", 25.0)], 100.0, 50.0, Target::Morphine)?;
    assert!(close(c.total_mme, 60.0), "{c:?}");
    // 60 ÷ 100 = 0.6 mg/day, less 50 %: 0.3 mg/day.
    assert!(close(c.daily_dose, 0.3), "{c:?}");
    assert_eq!(
        arithmetic(&c).first().map(String::as_str),
        Some("fentaNYL (transdermal patch) 25 mcg/h \u{00d7} 2.4 = 60 MME")
    );
    let table = OpioidTable::builtin()?;
    assert!(
        cautions(&c, &table)
            .iter()
            .any(|t| t.starts_with("Transdermal fentaNYL: the CDC asks for extra caution"))
    );
    Ok(())
}

/// Methadone 20 mg/day × 4.7 = 94 MME, with the CDC's caution; and the general caution always.
#[test]
fn methadone_carries_its_caution() -> TestResult {
    let c = run(vec![item("methadone", 20.0)], 100.0, 0.0, Target::Morphine)?;
    assert!(close(c.total_mme, 94.0), "{c:?}");
    let table = OpioidTable::builtin()?;
    let said = cautions(&c, &table);
    assert!(
        said.first().is_some_and(|t| t.starts_with("MME is an estimate")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|t| t.starts_with("Methadone: the CDC asks for extra caution")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|t| t.starts_with("No reduction for incomplete cross-tolerance: the full calculated equivalent")),
        "{said:?}"
    );
    Ok(())
}

/// Intrathecal HYDROmorphone: 300 MME at 100 : 1 less 30 % = 2.1 mg/day of morphine, ÷ 5 =
/// 0.42 mg/day of HYDROmorphone, with the unverified potency said.
#[test]
fn intrathecal_hydromorphone_uses_its_unverified_potency() -> TestResult {
    let c = run(vec![item("oxycodone", 200.0)], 100.0, 30.0, Target::Hydromorphone)?;
    assert!(close(c.daily_dose, 0.42), "{c:?}");
    assert_eq!(
        arithmetic(&c).last().map(String::as_str),
        Some(
            "Intrathecal HYDROmorphone at 5 times the potency of intrathecal morphine (unverified): 2.1 \u{00f7} 5 = 0.42 mg/day"
        )
    );
    let table = OpioidTable::builtin()?;
    assert!(
        cautions(&c, &table)
            .iter()
            .any(|t| t.starts_with("The HYDROmorphone potency (5 times) is unverified"))
    );
    Ok(())
}

/// The proposal is checked against the library's starting range (and that a converted patient is opioid-tolerant) (morphine).
#[test]
fn the_proposal_is_checked_against_the_library() -> TestResult {
    let c = run(vec![item("oxycodone", 200.0)], 100.0, 30.0, Target::Morphine)?;
    let checks = library_checks(&c, &library()?);
    assert!(
        checks
            .iter()
            .any(|t| t.starts_with("2.1 mg/day is above the drug library's starting range for morphine")),
        "{checks:?}"
    );
    Ok(())
}

/// Unknown opioid, zero, negative, not finite, a unit slip, a ratio and a reduction out of range:
/// each refused at its field and line; nothing panics.
#[test]
fn bad_input_is_refused_at_its_field() -> TestResult {
    let table = OpioidTable::builtin()?;
    let input = ConversionInput {
        items: vec![
            item("heroin", 10.0),
            item("oxycodone", 0.0),
            item("morphine", -5.0),
            item("codeine", f64::NAN),
            item("fentanyl-patch", 2_500.0),
        ],
        ratio: 5.0,
        reduction_percent: 95.0,
        target: Target::Morphine,
        potency: None,
    };
    let errors = convert(&input, &table).err().ok_or("bad input was converted")?;
    let found: Vec<(Field, Option<Location>)> = errors.iter().map(|e| (e.field, e.at)).collect();
    assert_eq!(
        found,
        vec![
            (Field::RegimenOpioid, Some(Location::Regimen(0))),
            (Field::RegimenAmount, Some(Location::Regimen(1))),
            (Field::RegimenAmount, Some(Location::Regimen(2))),
            (Field::RegimenAmount, Some(Location::Regimen(3))),
            (Field::RegimenAmount, Some(Location::Regimen(4))),
            (Field::ConversionRatio, None),
            (Field::Reduction, None),
        ]
    );
    let slip = errors.get(4).map(ToString::to_string).unwrap_or_default();
    assert!(slip.contains("2,500 mcg/h") && slip.contains("1,000 mcg/h"), "{slip}");
    let empty = ConversionInput {
        items: Vec::new(),
        ..input
    };
    assert!(convert(&empty, &table).is_err());
    Ok(())
}

/// HYDROmorphone's potency is the clinician's to set (6 times: 2.1 ÷ 6 = 0.35 mg/day); outside 1 to
/// 10 times it is refused at its field. The serum-morphine note (above 4.2 mg/day of intrathecal
/// morphine, Brogan 2020) is for morphine only.
#[test]
fn the_potency_is_editable_and_the_serum_note_is_for_morphine() -> TestResult {
    let table = OpioidTable::builtin()?;
    let mut input = ConversionInput {
        items: vec![item("oxycodone", 200.0)],
        ratio: 100.0,
        reduction_percent: 30.0,
        target: Target::Hydromorphone,
        potency: Some(6.0),
    };
    let c = convert(&input, &table).map_err(|e| format!("{e:?}"))?;
    assert!(close(c.daily_dose, 0.35), "{c:?}");
    input.potency = Some(50.0);
    let e = convert(&input, &table).err().ok_or("a potency of 50 was used")?;
    assert_eq!(e.first().map(|e| e.field), Some(Field::Potency));
    // 1,000 mg/day of oxyCODONE = 1,500 MME; at 100 : 1 less 30 %: 10.5 mg/day of morphine.
    let high = run(vec![item("oxycodone", 1_000.0)], 100.0, 30.0, Target::Morphine)?;
    assert!(
        cautions(&high, &table)
            .iter()
            .any(|t| t.starts_with("Above 4.2 mg/day of intrathecal morphine"))
    );
    let as_hm = run(vec![item("oxycodone", 1_000.0)], 100.0, 30.0, Target::Hydromorphone)?;
    assert!(
        !cautions(&as_hm, &table)
            .iter()
            .any(|t| t.starts_with("Above 4.2 mg/day"))
    );
    // Below 100 : 1 the dose is larger than at the lowest sourced ratio, and that is said.
    let low = run(vec![item("oxycodone", 200.0)], 50.0, 30.0, Target::Morphine)?;
    assert!(
        cautions(&low, &table)
            .iter()
            .any(|t| t == "At 50 : 1 the dose is 2 times the dose at 100 : 1, the lowest sourced ratio.")
    );
    Ok(())
}

/// A factor edited in the table: oxyCODONE 1.5 → 2 makes 40 mg/day 40 × 2 = 80 MME; the source
/// keeps the default with its mark and source, the mark becomes the institution's, and the
/// cautions say so where the factor is used; the edited table reads back from its JSON. A factor
/// of 0, −1, 0.1 or 7 (outside a tenth to four times the CDC's 1.5: 0.15 to 6) or for an opioid
/// not in the table is refused at the table and changes nothing. A second edit keeps the original
/// default in the source.
#[test]
fn an_edited_factor_is_used_and_says_where_it_came_from() -> TestResult {
    let mut table = OpioidTable::builtin()?;
    let on = jiff::civil::date(2026, 11, 26);
    table.edit_factor("oxycodone", 2.0, on)?;
    let oxy = table.get("oxycodone").ok_or("oxycodone")?;
    assert!(close(oxy.factor, 2.0));
    assert_eq!(oxy.mark.letter(), "I");
    assert!(
        oxy.source
            .starts_with("set in itdose on 2026-11-26 (default 1.5 [V]: CDC Clinical Practice Guideline"),
        "{}",
        oxy.source
    );
    let input = ConversionInput {
        items: vec![item("oxycodone", 40.0)],
        ratio: 300.0,
        reduction_percent: 0.0,
        target: Target::Morphine,
        potency: None,
    };
    let c = convert(&input, &table).map_err(|e| format!("{e:?}"))?;
    assert!(close(c.total_mme, 80.0), "{}", c.total_mme);
    let said = itdose::engine::report::convert::cautions(&c, &table);
    assert!(
        said.iter()
            .any(|l| l.starts_with("oxyCODONE (oral): the factor 2 is not the CDC's: set in itdose on 2026-11-26")),
        "{said:?}"
    );
    assert_eq!(OpioidTable::from_json(&table.to_json())?, table);
    let before = table.clone();
    for (id, value) in [
        ("oxycodone", 0.0),
        ("oxycodone", -1.0),
        ("oxycodone", 0.1),
        ("oxycodone", 7.0),
        ("heroin", 1.0),
    ] {
        let e = table
            .edit_factor(id, value, on)
            .err()
            .ok_or(format!("{id} {value} accepted"))?;
        assert_eq!(e.field, Field::OpioidTable);
    }
    assert_eq!(table, before, "nothing changed");
    let e = table.edit_factor("oxycodone", 7.0, on).err().ok_or("7 accepted")?;
    assert!(e.to_string().contains("outside 0.15 to 6"), "{e}");
    table.edit_factor("oxycodone", 2.5, jiff::civil::date(2026, 11, 27))?;
    let source = &table.get("oxycodone").ok_or("oxycodone")?.source;
    assert!(
        source.starts_with("set in itdose on 2026-11-27 (default 1.5 [V]: CDC")
            && source.matches("set in itdose").count() == 1,
        "{source}"
    );
    // An imported table with a slipped decimal point (240 for fentaNYL's 2.4) is refused.
    let slipped = OpioidTable::builtin()?
        .to_json()
        .replace("\"factor\": 2.4", "\"factor\": 240.0");
    assert!(slipped.contains("240"));
    assert!(OpioidTable::from_json(&slipped).is_err());
    // A table of 3 MB (a source padded): more than a table may have (256 KB), refused unread.
    let big = OpioidTable::builtin()?.to_json().replacen(
        "\"source\": \"",
        &format!("\"source\": \"{}", "x".repeat(3 << 20)),
        1,
    );
    let e = OpioidTable::from_json(&big).err().ok_or("a 3 MB table was read")?;
    assert_eq!(
        e.to_string(),
        format!(
            "Conversion table: the file has {} bytes, more than the 262144 a factor table may have",
            big.len()
        )
    );
    Ok(())
}

/// An imported table: a factor changed but still marked V with the CDC's source is re-marked as
/// the institution's with the default kept; a missing methadone caution is put back from the
/// built-in table; a HYDROmorphone potency of 0.5 or a ratio of 3 : 1 (outside 1 to 10, and
/// 10 : 1 to 1,000 : 1) and a tenfold factor slip (oxyCODONE 15) are refused.
#[test]
fn an_imported_table_cannot_hide_a_changed_factor_or_drop_a_caution() -> TestResult {
    let builtin = OpioidTable::builtin()?;
    let mut edited: serde_json::Value = serde_json::from_str(&builtin.to_json())?;
    let opioids = edited
        .get_mut("opioids")
        .and_then(serde_json::Value::as_array_mut)
        .ok_or("opioids")?;
    for o in opioids.iter_mut() {
        let id = o.get("id").and_then(serde_json::Value::as_str).map(str::to_owned);
        let Some(fields) = o.as_object_mut() else { continue };
        match id.as_deref() {
            Some("oxycodone") => {
                fields.insert("factor".into(), serde_json::json!(2.0));
            }
            Some("methadone") => {
                fields.insert("caution".into(), serde_json::json!(""));
            }
            _ => {}
        }
    }
    let table = OpioidTable::from_json(&edited.to_string())?;
    let oxy = table.get("oxycodone").ok_or("oxycodone")?;
    assert_eq!(oxy.mark.letter(), "I");
    assert!(
        oxy.source
            .starts_with("changed in an imported table (default 1.5 [V]: CDC"),
        "{}",
        oxy.source
    );
    let methadone = table.get("methadone").ok_or("methadone")?;
    assert_eq!(methadone.caution, builtin.get("methadone").ok_or("methadone")?.caution);
    assert!(!methadone.caution.is_empty());
    let text = builtin.to_json();
    for (from, to) in [
        ("\"factor\": 1.5,", "\"factor\": 15.0,"),
        ("\"value\": 5.0,", "\"value\": 0.5,"),
        ("\"value\": 100.0,", "\"value\": 3.0,"),
    ] {
        assert!(text.contains(from), "{from} not in the table's JSON");
        let changed = text.replacen(from, to, 1);
        assert!(OpioidTable::from_json(&changed).is_err(), "{to} accepted");
    }
    Ok(())
}
