//! The schedule, visit, titration and CSF parts of the form, as typed (text), and their
//! conversion. Every error is located: the flex step, the bolus, the visit field.
//!
//! Units on the form: bolus and patient-bolus volumes in mL; bolus and scan durations in minutes;
//! intervals and lockouts in hours; flex-step doses in the lead drug's unit per day **or per
//! hour**, chosen explicitly (a per-hour dose is multiplied by 24).

use serde::{Deserialize, Serialize};

use super::read::Reader;
use crate::engine::{
    AnyConcentration, AnyDoseRate, Boluses, BridgeBolusSetting, CsfSettings, Cycle, DrugModel, Field, FlexDoseStep,
    FlexProgramme, Location, MassFamily, MriScan, PatientBolus, PerHour, PeriodicBolus, PkModel, PreviousDrug,
    PrimingBolusSetting, SingleBolus, TitrationHistory, Visit,
};

/// Per day or per hour, for a flex step's dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    /// Per day.
    #[default]
    Day,
    /// Per hour (× 24 for the daily dose).
    Hour,
}

/// One flex step as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FlexStepForm {
    /// Day of the week, 0 = Monday (7-day cycle).
    pub day: u8,
    /// Start time, HH:MM.
    pub start: String,
    /// Dose text.
    pub dose: String,
    /// Unit family of the dose.
    pub unit: MassFamily,
    /// Per day or per hour.
    pub per: Per,
}

/// Flex dosing as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlexForm {
    /// Whether flex dosing replaces the lead drug's single daily dose.
    pub enabled: bool,
    /// 24-hour or 7-day cycle.
    pub cycle: Cycle,
    /// The steps.
    pub steps: Vec<FlexStepForm>,
}

impl Default for FlexForm {
    fn default() -> Self {
        Self {
            enabled: false,
            cycle: Cycle::Day,
            steps: Vec::new(),
        }
    }
}

/// A periodic bolus as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PeriodicForm {
    /// Volume, mL.
    pub volume: String,
    /// Duration, minutes.
    pub duration_minutes: String,
    /// Interval, hours.
    pub interval_hours: String,
    /// First start date.
    pub first_date: String,
    /// First start time.
    pub first_time: String,
}

/// A single bolus as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SingleForm {
    /// Volume, mL.
    pub volume: String,
    /// Duration, minutes.
    pub duration_minutes: String,
    /// Start date.
    pub date: String,
    /// Start time.
    pub time: String,
}

/// Patient-activated bolus settings as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PatientForm {
    /// Whether the patient has a bolus device (myPTM / PTC).
    pub enabled: bool,
    /// Volume per activation, mL.
    pub volume: String,
    /// Delivery duration, minutes.
    pub duration_minutes: String,
    /// Lockout, hours.
    pub lockout_hours: String,
    /// Maximum activations per 24 h.
    pub max_per_day: String,
    /// Typical activations per day.
    pub typical_per_day: String,
}

/// A refill visit as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitForm {
    /// Visit date.
    pub date: String,
    /// Visit time.
    pub time: String,
    /// Volume withdrawn, mL.
    pub withdrawn: String,
    /// New fill volume (injected), mL (optional).
    pub new_fill: String,
    /// The pump's expected reservoir volume from the programmer, mL (optional).
    pub pump_expected: String,
    /// Patient boluses logged by the pump since the fill (optional).
    pub patient_boluses: String,
    /// Volume confirmed in the reservoir after the refill, mL (optional).
    pub confirmed_after_refill: String,
}

/// A programmed priming or bridge bolus as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcedureForm {
    /// Whether the bolus is programmed.
    pub enabled: bool,
    /// Start date.
    pub date: String,
    /// Start time.
    pub time: String,
    /// Duration, minutes (priming only: the bridge's follows from the old rate).
    pub duration_minutes: String,
}

/// The current programme's titration history as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TitrationForm {
    /// Date of the last dose change.
    pub last_change_date: String,
    /// Time of the last dose change.
    pub last_change_time: String,
    /// Rises in the 7 days before this change.
    pub increases_past_week: String,
}

/// CSF-model settings as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CsfForm {
    /// Pump tubing volume, mL.
    pub pump_tubing: String,
    /// Catheter length, cm.
    pub catheter_length_cm: String,
    /// Catheter volume per cm, mL/cm.
    pub catheter_ml_per_cm: String,
    /// Residual after aspiration, mL.
    pub residual: String,
    /// Patient weight, kg.
    pub weight_kg: String,
    /// MRI date.
    pub mri_date: String,
    /// MRI time.
    pub mri_time: String,
    /// MRI duration, minutes.
    pub mri_minutes: String,
}

/// Per-drug CSF-model inputs as typed (kept on the drug line).
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DrugCsfForm {
    /// Concentration in the solution being replaced (same unit as the line's concentration).
    pub previous: String,
    /// Half-life override, h.
    pub half_life_hours: String,
    /// Volume override, mL.
    pub volume_ml: String,
    /// Two-compartment k12, per h (with k21: two compartments).
    pub k12: String,
    /// Two-compartment k21, per h.
    pub k21: String,
}

fn filled(text: &str) -> bool {
    !text.trim().is_empty()
}

/// Flex dosing, when enabled: each step's start and dose (per hour × 24), at its step.
pub(super) fn flex(r: &mut Reader, form: &FlexForm) -> Option<FlexProgramme> {
    if !form.enabled {
        return None;
    }
    if form.steps.is_empty() {
        r.invalid(Field::Schedule, None, "flex dosing: add at least one step");
    }
    let mut steps = Vec::with_capacity(form.steps.len());
    for (i, s) in form.steps.iter().enumerate() {
        let at = Some(Location::FlexStep(i));
        let start = crate::engine::parse_time(Field::Start, &s.start)
            .map_err(|e| r.errors.push(e.located(Location::FlexStep(i))))
            .ok();
        // A per-hour dose is 24 times its per-day dose: an explicit choice on the form.
        let per_day = r
            .number(Field::Dose, at, &s.dose)
            .map(|d| if s.per == Per::Hour { d * 24.0 } else { d });
        let daily_dose = per_day.and_then(|d| {
            AnyDoseRate::new(s.unit, d)
                .map_err(|e| r.errors.push(e.at(Field::Dose).located(Location::FlexStep(i))))
                .ok()
        });
        if let (Some(start), Some(daily_dose)) = (start, daily_dose) {
            steps.push(FlexDoseStep {
                day: s.day,
                start: format!("{:02}:{:02}", start.hour(), start.minute()),
                daily_dose,
            });
        }
    }
    Some(FlexProgramme {
        cycle: form.cycle,
        steps,
    })
}

/// Periodic, single and patient boluses.
pub(super) fn boluses(
    r: &mut Reader,
    periodic: &[PeriodicForm],
    single: &[SingleForm],
    patient: &PatientForm,
) -> Boluses {
    let periodic = periodic
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let at = Some(Location::PeriodicBolus(i));
            let volume = r.ml(Field::Volume, at, &p.volume);
            let duration = r.minutes(Field::Duration, at, &p.duration_minutes);
            let interval = r.hours(Field::Interval, at, &p.interval_hours);
            let first = r.when(at, &p.first_date, &p.first_time);
            Some(PeriodicBolus {
                volume: volume?,
                duration: duration?,
                interval: interval?,
                first: first?,
            })
        })
        .collect();
    let single = single
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let at = Some(Location::SingleBolus(i));
            let volume = r.ml(Field::Volume, at, &b.volume);
            let duration = r.minutes(Field::Duration, at, &b.duration_minutes);
            let when = r.when(at, &b.date, &b.time);
            Some(SingleBolus {
                volume: volume?,
                duration: duration?,
                at: when?,
            })
        })
        .collect();
    let (patient, typical_per_day) = patient_bolus(r, patient);
    Boluses {
        periodic,
        single,
        patient,
        typical_per_day,
        priming: None,
        bridge: None,
    }
}

fn patient_bolus(r: &mut Reader, form: &PatientForm) -> (Option<PatientBolus>, Option<u32>) {
    if !form.enabled {
        return (None, None);
    }
    let at = Some(Location::PatientBolus);
    let volume = r.ml(Field::Volume, at, &form.volume);
    let duration = r.minutes(Field::Duration, at, &form.duration_minutes);
    let lockout = r.hours(Field::Lockout, at, &form.lockout_hours);
    let max_per_day = r.count(Field::MaxPerDay, at, &form.max_per_day);
    let typical = r.optional_count(Field::TypicalPerDay, at, &form.typical_per_day);
    let bolus = (|| {
        Some(PatientBolus {
            volume: volume?,
            duration: duration?,
            lockout: lockout?,
            max_per_day: max_per_day?,
        })
    })();
    (bolus, typical.flatten())
}

/// The programmed priming and bridge boluses.
pub(super) fn procedures(
    r: &mut Reader,
    priming: &super::ProcedureForm,
    bridge: &super::ProcedureForm,
) -> (Option<PrimingBolusSetting>, Option<BridgeBolusSetting>) {
    let priming = priming.enabled.then(|| {
        let at = Some(Location::Priming);
        let when = r.when(at, &priming.date, &priming.time);
        let duration = r.minutes(Field::Duration, at, &priming.duration_minutes);
        Some(PrimingBolusSetting {
            at: when?,
            duration: duration?,
        })
    });
    let bridge = bridge.enabled.then(|| {
        let when = r.when(Some(Location::Bridge), &bridge.date, &bridge.time);
        Some(BridgeBolusSetting { at: when? })
    });
    (priming.flatten(), bridge.flatten())
}

/// The titration history, when any part is entered. A time without a date is an error.
pub(super) fn titration(r: &mut Reader, form: &TitrationForm) -> Option<TitrationHistory> {
    let at = Some(Location::Titration);
    let (date, time, count) = (
        filled(&form.last_change_date),
        filled(&form.last_change_time),
        filled(&form.increases_past_week),
    );
    if !date && time {
        r.problem(Field::Date, at, crate::engine::Problem::Missing);
        return None;
    }
    if !date && !count {
        return None;
    }
    let last_change = if date {
        Some(r.when(at, &form.last_change_date, &form.last_change_time)?)
    } else {
        None
    };
    let increases_past_week = r.optional_count(Field::Rises, at, &form.increases_past_week)?;
    Some(TitrationHistory {
        last_change,
        increases_past_week,
    })
}

/// A visit, when any of its fields is entered: the date, time and withdrawn volume are then required.
pub(super) fn visit(r: &mut Reader, form: &VisitForm) -> Option<Visit> {
    let any = [
        &form.date,
        &form.time,
        &form.withdrawn,
        &form.new_fill,
        &form.pump_expected,
        &form.patient_boluses,
        &form.confirmed_after_refill,
    ]
    .iter()
    .any(|t| filled(t));
    if !any {
        return None;
    }
    let at = Some(Location::Visit);
    let when = r.when(at, &form.date, &form.time);
    let withdrawn = r.ml(Field::Withdrawn, at, &form.withdrawn);
    let new_fill = r.optional_ml(Field::NewFill, at, &form.new_fill);
    let pump_expected = r.optional_ml(Field::PumpExpected, at, &form.pump_expected);
    let patient_boluses = r.optional_count(Field::PatientBoluses, at, &form.patient_boluses);
    let confirmed = r.optional_ml(Field::Confirmed, at, &form.confirmed_after_refill);
    Some(Visit {
        at: when?,
        withdrawn: withdrawn?,
        new_fill: new_fill?,
        pump_expected: pump_expected?,
        patient_boluses: patient_boluses?,
        confirmed_after_refill: confirmed?,
    })
}

/// One drug line's CSF inputs, as the CSF model needs them.
pub(super) struct DrugCsfInput<'a> {
    /// Line index.
    pub index: usize,
    /// Library id.
    pub drug: &'a str,
    /// The family of the line's concentration (the solution being replaced is in the same unit).
    pub family: MassFamily,
    /// What was typed.
    pub form: &'a DrugCsfForm,
}

/// The CSF settings: catheter, residual, weight, MRI, and each drug's old solution and model.
pub(super) fn csf(r: &mut Reader, form: &CsfForm, drugs: &[DrugCsfInput<'_>]) -> CsfSettings {
    let at = Some(Location::Catheter);
    let weight = r.optional(Field::Weight, at, &form.weight_kg).flatten();
    if weight.is_some_and(|w| w <= 0.0) {
        r.problem(Field::Weight, at, crate::engine::Problem::Zero);
    }
    let mut out = CsfSettings {
        pump_tubing: r.optional_ml(Field::Tubing, at, &form.pump_tubing).flatten(),
        catheter_length_cm: r.optional(Field::Length, at, &form.catheter_length_cm).flatten(),
        catheter_ml_per_cm: r.optional(Field::PerCm, at, &form.catheter_ml_per_cm).flatten(),
        residual: r.optional_ml(Field::Residual, at, &form.residual).flatten(),
        weight_kg: weight.filter(|w| *w > 0.0),
        mri: mri(r, form),
        ..CsfSettings::default()
    };
    for d in drugs {
        drug_csf(r, d, &mut out);
    }
    out
}

fn mri(r: &mut Reader, form: &CsfForm) -> Option<MriScan> {
    if !filled(&form.mri_date) && !filled(&form.mri_time) && !filled(&form.mri_minutes) {
        return None;
    }
    let at = Some(Location::Mri);
    let when = r.when(at, &form.mri_date, &form.mri_time);
    let duration = r.minutes(Field::Duration, at, &form.mri_minutes);
    Some(MriScan {
        at: when?,
        duration: duration?,
    })
}

fn drug_csf(r: &mut Reader, d: &DrugCsfInput<'_>, out: &mut CsfSettings) {
    let at = Some(Location::Drug(d.index));
    let form = d.form;
    if let Some(Some(v)) = r.optional(Field::Previous, at, &form.previous) {
        match AnyConcentration::new(d.family, v) {
            Ok(concentration) => out.previous.push(PreviousDrug {
                drug: d.drug.to_owned(),
                concentration,
            }),
            Err(e) => r.errors.push(e.at(Field::Previous).located(Location::Drug(d.index))),
        }
    }
    let half = r.optional(Field::HalfLife, at, &form.half_life_hours).flatten();
    let volume = r.optional(Field::CsfVolume, at, &form.volume_ml).flatten();
    let k12 = r.optional(Field::K12, at, &form.k12).flatten();
    let k21 = r.optional(Field::K21, at, &form.k21).flatten();
    let typed = |t: &str| filled(t);
    // A half-typed model is an error, never a silent fall-back to the library's.
    if typed(&form.half_life_hours) != typed(&form.volume_ml)
        || (typed(&form.k12) || typed(&form.k21)) && !typed(&form.half_life_hours)
    {
        let missing = if typed(&form.half_life_hours) {
            Field::CsfVolume
        } else {
            Field::HalfLife
        };
        r.invalid(
            missing,
            at,
            "enter both the CSF half-life and the volume (or neither, for the library's values)",
        );
    }
    if typed(&form.k12) != typed(&form.k21) {
        let missing = if typed(&form.k12) { Field::K21 } else { Field::K12 };
        r.invalid(missing, at, "enter both k12 and k21 for two compartments (or neither)");
    }
    let (Some(h), Some(v)) = (half, volume) else { return };
    let mut positive = |field: Field, value: f64| {
        if value > 0.0 && value.is_finite() {
            Some(value)
        } else {
            r.problem(field, at, crate::engine::Problem::Zero);
            None
        }
    };
    let h = positive(Field::HalfLife, h);
    let v = positive(Field::CsfVolume, v);
    let rates = match (k12, k21) {
        (Some(a), Some(b)) => Some((positive(Field::K12, a), positive(Field::K21, b))),
        _ => None,
    };
    let (Some(h), Some(v)) = (h, v) else { return };
    match model(h, v, rates) {
        Some(Some(model)) => out.models.push(DrugModel {
            drug: d.drug.to_owned(),
            model,
        }),
        Some(None) => {}
        None => r.invalid(Field::HalfLife, at, "the model parameters are out of range"),
    }
}

/// The model from a half-life, a volume and, for two compartments, k12 and k21. `Some(None)`
/// when a rate was already reported; `None` when the numbers are out of range.
fn model(h: f64, v: f64, rates: Option<(Option<f64>, Option<f64>)>) -> Option<Option<PkModel>> {
    let half_life = crate::engine::Hours::new(h).ok()?;
    let volume = crate::engine::Millilitres::new(v).ok()?;
    Some(match rates {
        None => Some(PkModel::OneCompartment { half_life, volume }),
        Some((Some(a), Some(b))) => Some(PkModel::TwoCompartment {
            volume,
            k10: PerHour::new(std::f64::consts::LN_2 / h).ok()?,
            k12: PerHour::new(a).ok()?,
            k21: PerHour::new(b).ok()?,
        }),
        Some(_) => None,
    })
}
