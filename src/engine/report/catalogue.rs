//! The pump catalogue and the drug library in words: every value with its source and mark, as
//! the app shows them next to the inputs and in the library panel.

use serde::{Deserialize, Serialize};

use crate::engine::catalogue::drug_rules::TitrationRule;
use crate::engine::catalogue::library::{Bound, DrugEntry, Limit, Severity};
use crate::engine::catalogue::pump::{Mark, PumpModel, Sourced};
use crate::engine::format::{Display as _, format_number, with_unit};

/// One sourced value ready for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedRow {
    /// What the value is.
    pub name: String,
    /// ISMP-formatted value with unit, or words.
    pub value: String,
    /// Where it came from.
    pub source: String,
    /// How far it has been checked.
    pub mark: Mark,
}

fn row<T>(name: &str, s: &Sourced<T>, value: String) -> SourcedRow {
    SourcedRow {
        name: name.to_owned(),
        value,
        source: s.source.clone(),
        mark: s.mark,
    }
}

/// Every catalogue value of a pump with its source and mark.
pub fn pump_rows(pump: &PumpModel) -> Vec<SourcedRow> {
    let mut rows = Vec::new();
    if let Some(s) = &pump.capacity_ml {
        rows.push(row("Reservoir capacity", s, s.value.ismp()));
    }
    if let Some(s) = &pump.minimum_rate_ml_per_day {
        rows.push(row("Minimum flow rate", s, s.value.ismp()));
    }
    if let Some(s) = &pump.maximum_rate_ml_per_day {
        rows.push(row("Maximum flow rate", s, s.value.ismp()));
    }
    if let Some(s) = &pump.low_reservoir_alarm_ml {
        rows.push(row("Recommended low-reservoir alarm", s, s.value.ismp()));
    }
    if let Some(s) = &pump.flow_accuracy_percent {
        rows.push(row("Flow accuracy", s, format!("\u{b1}{} %", format_number(s.value))));
    }
    for (name, s) in [
        ("Dead space", &pump.dead_space_ml),
        ("Catheter access port volume", &pump.catheter_access_port_ml),
        ("Refill-date volume", &pump.refill_volume_ml),
    ] {
        if let Some(s) = s {
            rows.push(row(name, s, s.value.ismp()));
        }
    }
    if let Some(s) = &pump.catheter_ml_per_cm {
        rows.push(row("Catheter volume per cm", s, with_unit(s.value, "mL/cm")));
    }
    for (name, s) in [
        ("Refill-date rule", &pump.refill_rule),
        ("Rate drift", &pump.rate_drift),
        ("MRI", &pump.mri),
        ("MRI conditions", &pump.mri_conditions),
        ("Emergency MRI without emptying", &pump.emergency_mri),
    ] {
        if let Some(s) = s {
            rows.push(row(name, s, s.value.clone()));
        }
    }
    for a in pump.approved_drugs.iter().flatten() {
        rows.push(SourcedRow {
            name: "Approved drug".to_owned(),
            value: a.drug.clone(),
            source: a.source.clone(),
            mark: a.mark,
        });
    }
    rows
}

/// A limit in words: "daily dose max 19.2 mcg/day (hard, US)".
pub fn limit_text(drug: &DrugEntry, limit: &Limit) -> String {
    let bound = match limit.bound {
        Bound::Max => "max",
        Bound::Min => "min",
    };
    let severity = match limit.severity {
        Severity::Hard => "hard",
        Severity::Soft => "soft",
        Severity::Info => "info",
    };
    let mut scope = Vec::new();
    if !limit.condition.is_empty() {
        scope.push(limit.condition.clone());
    }
    if !limit.regions.is_empty() {
        scope.push(limit.regions.join(", "));
    }
    let scope = if scope.is_empty() {
        String::new()
    } else {
        format!(", {}", scope.join("; "))
    };
    format!(
        "{} {} {} ({severity}{scope})",
        limit.quantity.name(),
        bound,
        with_unit(limit.value, &limit.quantity.unit(drug.family))
    )
}

fn sourced(text: String, mark: Mark, source: &str) -> String {
    format!("{text} [{}] {source}", mark.letter())
}

/// A drug's library entry in words, limits excepted (the app edits those in place).
pub fn drug_rows(drug: &DrugEntry) -> Vec<(String, String)> {
    let per_day = format!("{}/day", drug.family.symbol());
    let mut rows = vec![(
        "Unit family".to_owned(),
        format!("{} (entries in the other family are blocked)", drug.family.symbol()),
    )];
    if let Some(r) = &drug.start_dose_per_day {
        rows.push((
            "Usual starting dose".into(),
            sourced(
                format!("{}\u{2013}{}", format_number(r.low), with_unit(r.high, &per_day)),
                r.mark,
                &r.source,
            ),
        ));
    }
    if !drug.has_low_concentration_limit() {
        rows.push((
            "Low-concentration limit".into(),
            "none set \u{2014} set one in your institution's library (ISMP)".into(),
        ));
    }
    for s in &drug.stability {
        rows.push((
            format!("Stability ({})", s.condition),
            sourced(format!("{} days", format_number(s.days)), s.mark, &s.source),
        ));
    }
    let pk = &drug.pk;
    for (name, value, unit) in [
        ("CSF half-life", &pk.csf_half_life_hours, "h"),
        ("CSF volume", &pk.csf_volume_ml, "mL"),
        ("CSF volume per kg", &pk.csf_volume_ml_per_kg, "mL/kg"),
        ("CSF clearance", &pk.csf_clearance_ml_per_min, "mL/min"),
    ] {
        if let Some(v) = value {
            rows.push((name.into(), sourced(with_unit(v.value, unit), v.mark, &v.source)));
        }
    }
    rows.extend(rule_rows(drug));
    if !drug.notes.is_empty() {
        rows.push(("Notes".into(), drug.notes.clone()));
    }
    rows
}

fn titration_row(drug: &DrugEntry, rule: &TitrationRule) -> (String, String) {
    let per_day = format!("{}/day", drug.family.symbol());
    let mut parts = Vec::new();
    if let Some(v) = rule.max_step {
        parts.push(format!("rise at most {} per change", with_unit(v, &per_day)));
    }
    if let Some(v) = rule.max_percent {
        parts.push(format!("rise at most {} % per 24 h", format_number(v)));
    }
    if let Some(v) = rule.min_hours_between {
        parts.push(format!("at least {} h apart", format_number(v)));
    }
    if let Some(v) = rule.max_increases_per_week {
        parts.push(format!("at most {v} rises a week"));
    }
    let mut scope = Vec::new();
    if !rule.condition.is_empty() {
        scope.push(rule.condition.clone());
    }
    if !rule.regions.is_empty() {
        scope.push(rule.regions.join(", "));
    }
    let severity = match rule.severity {
        Severity::Hard => "hard",
        Severity::Soft => "soft",
        Severity::Info => "info",
    };
    scope.push(severity.to_owned());
    (
        format!("Titration ({})", scope.join("; ")),
        sourced(parts.join("; "), rule.mark, &rule.source),
    )
}

/// The drug's rules (titration, new pump, combinations, strengths, guidance), each with its mark.
fn rule_rows(drug: &DrugEntry) -> Vec<(String, String)> {
    let per_day = format!("{}/day", drug.family.symbol());
    let per_ml = format!("{}/mL", drug.family.symbol());
    let mut rows = Vec::new();
    if !drug.classes.is_empty() {
        rows.push(("Class".to_owned(), drug.classes.join(", ")));
    }
    rows.extend(drug.titration.iter().map(|r| titration_row(drug, r)));
    if let Some(rule) = &drug.new_pump {
        let mut parts = Vec::new();
        if let Some(v) = rule.max_start_dose {
            parts.push(format!("start at most {}", with_unit(v, &per_day)));
        }
        if let Some(v) = rule.concentration {
            parts.push(format!("undiluted {} only in a new pump", with_unit(v, &per_ml)));
        }
        if let Some(r) = rule.rinse {
            parts.push(format!(
                "rinse {} \u{d7} {} first",
                r.times,
                with_unit(r.volume_ml, "mL")
            ));
        }
        rows.push((
            "New pump or start".into(),
            sourced(parts.join("; "), rule.mark, &rule.source),
        ));
    }
    for a in &drug.avoid_with {
        rows.push((
            format!("With an {}", a.class),
            sourced(a.message.clone(), a.mark, &a.source),
        ));
    }
    if let Some(l) = &drug.labelled_pumps {
        rows.push(("Labelled pumps".into(), sourced(l.pumps.join(", "), l.mark, &l.source)));
    }
    if let Some(st) = &drug.strengths {
        let values: Vec<String> = st.values.iter().map(|v| with_unit(*v, &per_ml)).collect();
        rows.push(("Strengths".into(), sourced(values.join(", "), st.mark, &st.source)));
    }
    for g in &drug.guidance {
        rows.push(("Guidance".into(), sourced(g.text.clone(), g.mark, &g.source)));
    }
    if let Some(a) = &drug.low_reservoir_alarm_ml {
        rows.push((
            "Suggested low-reservoir alarm".into(),
            sourced(with_unit(a.value, "mL"), a.mark, &a.source),
        ));
    }
    if let Some(e) = &drug.intrathecal_morphine_equivalent {
        let range = match e.high {
            Some(h) => format!("{}\u{2013}{}", format_number(e.value), format_number(h)),
            None => format_number(e.value),
        };
        rows.push((
            "Intrathecal morphine equivalent".into(),
            sourced(
                format!("1 {} = {range} mg morphine", drug.family.symbol()),
                e.mark,
                &e.source,
            ),
        ));
    }
    rows
}

/// The region line of the library panel.
pub fn region_text(region: &str) -> String {
    format!(
        "Region: {region}. Limits and titration rules tagged with another region do not apply (ziconotide: US maximum 19.2 mcg/day, EU 21.6 mcg/day)."
    )
}

/// The hint under a drug's select: its unit family and usual starting range.
pub fn drug_hint(drug: &DrugEntry) -> String {
    let start = drug.start_dose_per_day.as_ref().map(|r| {
        format!(
            "; usual start {}\u{2013}{} ({}, {})",
            format_number(r.low),
            with_unit(r.high, &format!("{}/day", drug.family.symbol())),
            r.mark.letter(),
            r.source
        )
    });
    format!("Dosed in {}{}", drug.family.symbol(), start.unwrap_or_default())
}

/// The current programme in one line: "morphine 2 mg/day; cloNIDine 40 mcg/day".
pub fn current_programme_text(
    current: &[crate::engine::plan::model::CurrentTotal],
    library: &crate::engine::catalogue::library::DrugLibrary,
) -> String {
    current
        .iter()
        .map(|c| {
            let name = library.get(&c.drug).map_or(c.drug.clone(), |d| d.display_name.clone());
            format!("{name} {}", c.daily_maximum.ismp())
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "Filled Wed 25 Nov 2026, 09:00": the date the browser's date input holds, with the month
/// named (a date input shows the browser's locale; "11/25/2026" reads as two days in two countries).
pub fn date_echo(prefix: &str, date: &str, time: &str) -> Option<String> {
    use crate::engine::error::Field;
    use crate::engine::quantities::parse::{parse_date, parse_time};
    let date = parse_date(Field::Date, date).ok()?;
    let time = parse_time(Field::Time, time).ok()?;
    Some(format!(
        "{prefix} {}",
        crate::engine::format::format_date_time(date.to_datetime(time))
    ))
}

/// The offer to use a pump's own catheter volume per cm (Prometra), when the catalogue has one:
/// the button's words, and the value to put in the field. Medtronic catheters are trimmed and
/// their volume per cm comes from their own labelling, so none is offered for them.
pub fn catheter_offer(pump: &PumpModel) -> Option<(String, f64)> {
    let s = pump.catheter_ml_per_cm.as_ref()?;
    Some((
        format!(
            "Use the {} catheter: {} ({}, {})",
            pump.name,
            with_unit(s.value, "mL/cm"),
            s.mark.letter(),
            s.source
        ),
        s.value,
    ))
}

/// What an import carried over, in words: the version it was migrated from, and the version-1
/// acknowledgements kept as they were because their findings do not arise now.
pub fn import_note(loaded: &crate::engine::plan::migrate::Loaded) -> Option<String> {
    let mut parts = Vec::new();
    if loaded.from_version != crate::engine::plan::model::PLAN_VERSION {
        parts.push(format!(
            "Read from plan format version {} and carried over to version {}.",
            loaded.from_version,
            crate::engine::plan::model::PLAN_VERSION
        ));
    }
    if !loaded.kept.is_empty() {
        parts.push(format!(
            "{} acknowledgement(s) kept as recorded, whose findings do not arise now: {}.",
            loaded.kept.len(),
            loaded.kept.join("; ")
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}
