//! The schedule, device and visit parts of the plan form, as typed (text), and their conversion.
//!
//! Units on the form: bolus and patient-bolus volumes in mL; bolus durations in minutes;
//! intervals and lockouts in hours; flex-step doses in the lead drug's unit per day **or per
//! hour**, chosen explicitly (a per-hour dose is multiplied by 24, and the 24-hour total is shown
//! and compared with the current programme).

use serde::{Deserialize, Serialize};

use crate::engine::format::{iso_date, iso_time};
use crate::engine::{
    AnyDoseRate, Boluses, BridgeBolusSetting, Cycle, Error, Field, FlexDoseStep, FlexProgramme, Hours, LoggedVisit,
    MassFamily, Millilitres, PatientBolus, PeriodicBolus, Plan, PrimingBolusSetting, Problem, SingleBolus,
    TitrationHistory, Visit, parse_date, parse_number, parse_time,
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

/// The schedule, device and visit parts of a plan, parsed.
pub struct ScheduleParts {
    /// Flex dosing.
    pub flex: Option<FlexProgramme>,
    /// Boluses.
    pub boluses: Boluses,
    /// Device end of service.
    pub end_of_service: Option<jiff::civil::DateTime>,
    /// A visit to reconcile.
    pub visit: Option<Visit>,
}

fn number(errors: &mut Vec<Error>, field: Field, what: &str, text: &str) -> Option<f64> {
    match parse_number(field, text) {
        Ok(v) if v < 0.0 => {
            errors.push(Error::invalid(field, format!("{what}: cannot be negative")));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(Error::invalid(field, format!("{what}: {}", e.problem)));
            None
        }
    }
}

fn when(errors: &mut Vec<Error>, field: Field, what: &str, date: &str, time: &str) -> Option<jiff::civil::DateTime> {
    let d = parse_date(field, date)
        .map_err(|e| errors.push(Error::invalid(field, format!("{what} date: {}", e.problem))))
        .ok();
    let t = parse_time(field, time)
        .map_err(|e| errors.push(Error::invalid(field, format!("{what} time: {}", e.problem))))
        .ok();
    Some(d?.to_datetime(t?))
}

fn ml(errors: &mut Vec<Error>, what: &str, v: Option<f64>) -> Option<Millilitres> {
    v.and_then(|v| {
        Millilitres::new(v)
            .map_err(|e| errors.push(Error::invalid(Field::Schedule, format!("{what}: {e}"))))
            .ok()
    })
}

fn hours(errors: &mut Vec<Error>, what: &str, v: Option<f64>) -> Option<Hours> {
    v.and_then(|v| {
        Hours::new(v)
            .map_err(|e| errors.push(Error::invalid(Field::Schedule, format!("{what}: {e}"))))
            .ok()
    })
}

/// Parses the schedule, device and visit parts.
#[allow(clippy::too_many_arguments)]
pub fn parse_parts(
    flex: &FlexForm,
    periodic: &[PeriodicForm],
    single: &[SingleForm],
    patient: &PatientForm,
    end_of_service: &str,
    visit: &VisitForm,
    errors: &mut Vec<Error>,
) -> ScheduleParts {
    // Errors of these parts belong to the schedule section (or the visit); each message names its line.
    let f = Field::Schedule;
    let flex = flex.enabled.then(|| {
        if flex.steps.is_empty() {
            errors.push(Error::invalid(f, "flex dosing: add at least one step"));
        }
        let steps = flex
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let what = format!("flex step {}", i + 1);
                let start = parse_time(f, &s.start)
                    .map_err(|e| errors.push(Error::invalid(f, format!("{what} start: {}", e.problem))))
                    .ok();
                let dose = number(errors, f, &format!("{what} dose"), &s.dose);
                // A per-hour dose is 24 times its per-day dose: an explicit choice on the form.
                let per_day = dose.map(|d| if s.per == Per::Hour { d * 24.0 } else { d });
                let daily_dose = per_day.and_then(|d| {
                    AnyDoseRate::new(s.unit, d)
                        .map_err(|e| errors.push(Error::invalid(f, format!("{what} dose: {e}"))))
                        .ok()
                });
                Some(FlexDoseStep {
                    day: s.day,
                    start: iso_start(start?),
                    daily_dose: daily_dose?,
                })
            })
            .collect();
        FlexProgramme {
            cycle: flex.cycle,
            steps,
        }
    });
    let periodic = periodic
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let what = format!("periodic bolus {}", i + 1);
            let volume = number(errors, f, &format!("{what} volume"), &p.volume);
            let duration = number(errors, f, &format!("{what} duration"), &p.duration_minutes);
            let interval = number(errors, f, &format!("{what} interval"), &p.interval_hours);
            let first = when(errors, f, &format!("{what} first"), &p.first_date, &p.first_time);
            Some(PeriodicBolus {
                volume: ml(errors, &what, volume)?,
                duration: hours(errors, &what, duration.map(|m| m / 60.0))?,
                interval: hours(errors, &what, interval)?,
                first: first?,
            })
        })
        .collect();
    let single = single
        .iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let what = format!("single bolus {}", i + 1);
            let volume = number(errors, f, &format!("{what} volume"), &b.volume);
            let duration = number(errors, f, &format!("{what} duration"), &b.duration_minutes);
            let at = when(errors, f, &what, &b.date, &b.time);
            Some(SingleBolus {
                volume: ml(errors, &what, volume)?,
                duration: hours(errors, &what, duration.map(|m| m / 60.0))?,
                at: at?,
            })
        })
        .collect();
    let (patient_bolus, typical) = if patient.enabled {
        let volume = number(errors, f, "patient bolus volume", &patient.volume);
        let duration = number(errors, f, "patient bolus duration", &patient.duration_minutes);
        let lockout = number(errors, f, "patient bolus lockout", &patient.lockout_hours);
        let max = count(errors, "patient bolus maximum per 24 h", &patient.max_per_day);
        let typical = if patient.typical_per_day.trim().is_empty() {
            None
        } else {
            count(errors, "typical patient boluses per day", &patient.typical_per_day)
        };
        let bolus = (|| {
            Some(PatientBolus {
                volume: ml(errors, "patient bolus", volume)?,
                duration: hours(errors, "patient bolus", duration.map(|m| m / 60.0))?,
                lockout: hours(errors, "patient bolus", lockout)?,
                max_per_day: max?,
            })
        })();
        (bolus, typical)
    } else {
        (None, None)
    };
    let end = if end_of_service.trim().is_empty() {
        None
    } else {
        parse_date(Field::Pump, end_of_service)
            .map_err(|e| errors.push(Error::invalid(Field::Pump, format!("end of service: {}", e.problem))))
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    };
    let visit = parse_visit(visit, errors);
    ScheduleParts {
        flex,
        boluses: Boluses {
            periodic,
            single,
            patient: patient_bolus,
            typical_per_day: typical,
            priming: None,
            bridge: None,
        },
        end_of_service: end,
        visit,
    }
}

/// A visit, when a withdrawn volume is entered. Every other non-empty field is parsed or reported.
fn parse_visit(visit: &VisitForm, errors: &mut Vec<Error>) -> Option<Visit> {
    let others = [
        &visit.date,
        &visit.time,
        &visit.new_fill,
        &visit.pump_expected,
        &visit.patient_boluses,
        &visit.confirmed_after_refill,
    ];
    if visit.withdrawn.trim().is_empty() {
        if others.iter().any(|t| !t.trim().is_empty()) {
            errors.push(Error::invalid(
                Field::Visit,
                "withdrawn volume: enter the volume withdrawn to reconcile the visit",
            ));
        }
        return None;
    }
    let v = Field::Visit;
    let volume = |errors: &mut Vec<Error>, what: &str, text: &str| -> Option<Option<Millilitres>> {
        if text.trim().is_empty() {
            return Some(None);
        }
        let n = number(errors, v, what, text)?;
        Millilitres::new(n)
            .map_err(|e| errors.push(Error::invalid(v, format!("{what}: {e}"))))
            .ok()
            .map(Some)
    };
    let withdrawn = volume(errors, "withdrawn volume", &visit.withdrawn);
    let new_fill = volume(errors, "new fill volume", &visit.new_fill);
    let pump_expected = volume(errors, "the pump's expected volume", &visit.pump_expected);
    let confirmed = volume(
        errors,
        "volume confirmed after the refill",
        &visit.confirmed_after_refill,
    );
    let patient_boluses = if visit.patient_boluses.trim().is_empty() {
        Some(None)
    } else {
        count_at(errors, v, "patient boluses logged", &visit.patient_boluses).map(Some)
    };
    let at = when(errors, v, "visit", &visit.date, &visit.time);
    Some(Visit {
        at: at?,
        withdrawn: withdrawn??,
        new_fill: new_fill?,
        pump_expected: pump_expected?,
        patient_boluses: patient_boluses?,
        confirmed_after_refill: confirmed?,
    })
}

fn count(errors: &mut Vec<Error>, what: &str, text: &str) -> Option<u32> {
    count_at(errors, Field::Schedule, what, text)
}

fn count_at(errors: &mut Vec<Error>, field: Field, what: &str, text: &str) -> Option<u32> {
    let trimmed = text.trim();
    match trimmed.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) if trimmed.is_empty() => {
            errors.push(Error::new(
                field,
                Problem::Invalid {
                    detail: format!("{what}: enter a whole number"),
                },
            ));
            None
        }
        Err(_) => {
            errors.push(Error::invalid(
                field,
                format!("{what}: \u{201c}{trimmed}\u{201d} is not a whole number"),
            ));
            None
        }
    }
}

fn iso_start(t: jiff::civil::Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// The programmed priming and bridge boluses.
pub fn parse_procedures(
    priming: &ProcedureForm,
    bridge: &ProcedureForm,
    errors: &mut Vec<Error>,
) -> (Option<PrimingBolusSetting>, Option<BridgeBolusSetting>) {
    let f = Field::Schedule;
    let priming = priming.enabled.then(|| {
        let at = when(errors, f, "priming bolus", &priming.date, &priming.time);
        let minutes = number(errors, f, "priming bolus duration", &priming.duration_minutes);
        let duration = hours(errors, "priming bolus duration", minutes.map(|m| m / 60.0));
        if duration.is_some_and(|d| d.value() <= 0.0) {
            errors.push(Error::invalid(f, "priming bolus duration: must be greater than 0"));
        }
        Some(PrimingBolusSetting {
            at: at?,
            duration: duration.filter(|d| d.value() > 0.0)?,
        })
    });
    let bridge = bridge.enabled.then(|| {
        let at = when(errors, f, "bridge bolus", &bridge.date, &bridge.time);
        Some(BridgeBolusSetting { at: at? })
    });
    (priming.flatten(), bridge.flatten())
}

/// The titration history, when either part is entered.
pub fn parse_titration(form: &TitrationForm, errors: &mut Vec<Error>) -> Option<TitrationHistory> {
    let f = Field::Schedule;
    let has_date = !form.last_change_date.trim().is_empty();
    let has_count = !form.increases_past_week.trim().is_empty();
    if !has_date && !form.last_change_time.trim().is_empty() {
        errors.push(Error::invalid(
            f,
            "last dose change: enter its date as well as its time",
        ));
        return None;
    }
    if !has_date && !has_count {
        return None;
    }
    let last_change = if has_date {
        Some(when(
            errors,
            f,
            "last dose change",
            &form.last_change_date,
            &form.last_change_time,
        )?)
    } else {
        None
    };
    let increases_past_week = if has_count {
        Some(count(errors, "rises in the past 7 days", &form.increases_past_week)?)
    } else {
        None
    };
    Some(TitrationHistory {
        last_change,
        increases_past_week,
    })
}

/// The form parts that show `plan` (for import).
pub fn parts_from_plan(
    plan: &Plan,
) -> (
    FlexForm,
    Vec<PeriodicForm>,
    Vec<SingleForm>,
    PatientForm,
    String,
    Vec<LoggedVisit>,
) {
    // Full precision (see form.rs): an import must not round the plan's numbers.
    let text = |v: f64| format!("{}", v + 0.0);
    let flex = plan.flex.as_ref().map_or_else(FlexForm::default, |f| FlexForm {
        enabled: true,
        cycle: f.cycle,
        steps: f
            .steps
            .iter()
            .map(|s| FlexStepForm {
                day: s.day,
                start: s.start.clone(),
                dose: text(s.daily_dose.value()),
                unit: s.daily_dose.family(),
                per: Per::Day,
            })
            .collect(),
    });
    let periodic = plan
        .boluses
        .periodic
        .iter()
        .map(|p| PeriodicForm {
            volume: text(p.volume.value()),
            duration_minutes: text(p.duration.value() * 60.0),
            interval_hours: text(p.interval.value()),
            first_date: iso_date(p.first),
            first_time: iso_time(p.first),
        })
        .collect();
    let single = plan
        .boluses
        .single
        .iter()
        .map(|b| SingleForm {
            volume: text(b.volume.value()),
            duration_minutes: text(b.duration.value() * 60.0),
            date: iso_date(b.at),
            time: iso_time(b.at),
        })
        .collect();
    let patient = plan
        .boluses
        .patient
        .as_ref()
        .map_or_else(PatientForm::default, |p| PatientForm {
            enabled: true,
            volume: text(p.volume.value()),
            duration_minutes: text(p.duration.value() * 60.0),
            lockout_hours: text(p.lockout.value()),
            max_per_day: p.max_per_day.to_string(),
            typical_per_day: plan.boluses.typical_per_day.map(|n| n.to_string()).unwrap_or_default(),
        });
    let end = plan.pump.end_of_service.map(iso_date).unwrap_or_default();
    (flex, periodic, single, patient, end, plan.visits.clone())
}

/// CSF-model settings as typed.
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

fn optional(errors: &mut Vec<Error>, what: &str, text: &str) -> Option<f64> {
    if text.trim().is_empty() {
        None
    } else {
        number(errors, Field::Pk, what, text)
    }
}

/// Parses the CSF settings; `drugs` are (drug id, unit family of its concentration, its CSF inputs).
pub fn parse_csf(
    csf: &CsfForm,
    drugs: &[(String, MassFamily, DrugCsfForm)],
    errors: &mut Vec<Error>,
) -> crate::engine::CsfSettings {
    use crate::engine::PerHour;
    use crate::engine::PkModel;
    use crate::engine::{CsfSettings, DrugModel, MriScan, PreviousDrug};
    let ml = |errors: &mut Vec<Error>, what: &str, text: &str| {
        optional(errors, what, text).and_then(|v| {
            Millilitres::new(v)
                .map_err(|e| errors.push(Error::invalid(Field::Pk, format!("{what}: {e}"))))
                .ok()
        })
    };
    let mut out = CsfSettings {
        pump_tubing: ml(errors, "pump tubing volume", &csf.pump_tubing),
        catheter_length_cm: optional(errors, "catheter length", &csf.catheter_length_cm),
        catheter_ml_per_cm: optional(errors, "catheter volume per cm", &csf.catheter_ml_per_cm),
        residual: ml(errors, "residual volume", &csf.residual),
        weight_kg: optional(errors, "weight", &csf.weight_kg).and_then(|w| {
            if w > 0.0 {
                Some(w)
            } else {
                errors.push(Error::invalid(Field::Pk, "weight: must be greater than 0"));
                None
            }
        }),
        ..CsfSettings::default()
    };
    for (drug, family, form) in drugs {
        if let Some(v) = optional(errors, &format!("{drug}: concentration being replaced"), &form.previous) {
            match crate::engine::AnyConcentration::new(*family, v) {
                Ok(concentration) => out.previous.push(PreviousDrug {
                    drug: drug.clone(),
                    concentration,
                }),
                Err(e) => errors.push(Error::invalid(
                    Field::Pk,
                    format!("{drug}: concentration being replaced: {e}"),
                )),
            }
        }
        let half = optional(errors, &format!("{drug}: half-life"), &form.half_life_hours);
        let volume = optional(errors, &format!("{drug}: volume"), &form.volume_ml);
        let k12 = optional(errors, &format!("{drug}: k12"), &form.k12);
        let k21 = optional(errors, &format!("{drug}: k21"), &form.k21);
        if half.is_some() != volume.is_some() {
            errors.push(Error::invalid(
                Field::Pk,
                format!("{drug}: enter both the CSF half-life and the volume (or neither, for the library's values)"),
            ));
        }
        if k12.is_some() && k21.is_some() && half.is_none() && volume.is_none() {
            errors.push(Error::invalid(
                Field::Pk,
                format!("{drug}: two compartments need the CSF half-life and the volume as well as k12 and k21"),
            ));
        }
        if k12.is_some() != k21.is_some() {
            errors.push(Error::invalid(
                Field::Pk,
                format!("{drug}: enter both k12 and k21 for two compartments (or neither)"),
            ));
        }
        if let (Some(h), Some(v)) = (half, volume) {
            // Every parameter of a model must be positive: a zero is reported, never dropped.
            let mut positive = |what: &str, value: f64| {
                if value > 0.0 && value.is_finite() {
                    Some(value)
                } else {
                    errors.push(Error::invalid(
                        Field::Pk,
                        format!("{drug}: {what} must be greater than 0"),
                    ));
                    None
                }
            };
            let h = positive("half-life", h);
            let v = positive("volume", v);
            let k = match (k12, k21) {
                (Some(a), Some(b)) => Some((positive("k12", a), positive("k21", b))),
                _ => None,
            };
            let (Some(h), Some(v)) = (h, v) else { continue };
            let out_of_range = |errors: &mut Vec<Error>| {
                errors.push(Error::invalid(
                    Field::Pk,
                    format!("{drug}: the model parameters are out of range"),
                ));
            };
            let (Ok(half_life), Ok(volume)) = (Hours::new(h), Millilitres::new(v)) else {
                out_of_range(errors);
                continue;
            };
            let model = match k {
                Some((Some(a), Some(b))) => match (
                    PerHour::new(std::f64::consts::LN_2 / h),
                    PerHour::new(a),
                    PerHour::new(b),
                ) {
                    (Ok(k10), Ok(k12), Ok(k21)) => PkModel::TwoCompartment { volume, k10, k12, k21 },
                    _ => {
                        out_of_range(errors);
                        continue;
                    }
                },
                Some(_) => continue,
                None => PkModel::OneCompartment { half_life, volume },
            };
            out.models.push(DrugModel {
                drug: drug.clone(),
                model,
            });
        }
    }
    if csf.mri_date.trim().is_empty() {
        if !csf.mri_time.trim().is_empty() || !csf.mri_minutes.trim().is_empty() {
            errors.push(Error::invalid(Field::Pk, "MRI date: enter the date of the scan"));
        }
    } else {
        let at = when(errors, Field::Pk, "MRI", &csf.mri_date, &csf.mri_time);
        let minutes = number(errors, Field::Pk, "MRI duration", &csf.mri_minutes);
        match (at, minutes) {
            (_, Some(m)) if m <= 0.0 => errors.push(Error::invalid(Field::Pk, "MRI duration: must be greater than 0")),
            (Some(at), Some(m)) => match Hours::new(m / 60.0) {
                Ok(duration) => out.mri = Some(MriScan { at, duration }),
                Err(e) => errors.push(Error::invalid(Field::Pk, format!("MRI duration: {e}"))),
            },
            // A bad date, time or duration has been reported already.
            _ => {}
        }
    }
    out
}
