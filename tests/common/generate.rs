//! The one generator of plans, shared by the short run inside `cargo test` (`tests/generated.rs`)
//! and the long run of a million plans (`examples/generated_plans.rs`, `scripts/long-run.sh`).
//!
//! It covers every pump of the catalogue (and ids that are none), every programme (lead dose,
//! rate, constant flow; flex steps over a day or a week), every bolus (periodic, single,
//! patient-activated, priming, bridge), one to four drugs in one reservoir (and none, or five),
//! the CSF settings (entered one- and two-compartment models, the solution being replaced, the
//! catheter, the residual, the weight), an MRI scan, a refill visit and its log, acknowledgements,
//! confirmed sessions, the plan file's version (1, 2 or 3) and a patient record around the plan.
//!
//! Hostile values on purpose, each field on its own: zero, the smallest positive number, 1e308 and
//! the largest `f64` in the typed quantities (their constructors refuse the rest); NaN, ±infinity
//! and negatives where the plan holds a bare number (catheter, weight; a record's pain scores);
//! empty and 10,000-character strings; indices and counts past the end; dates at year 9999; and,
//! in the file text, any one value replaced by NaN, an infinity, a negative, 1e999, null, a
//! string, an empty list or object, or removed.
//!
//! A case is drawn as a [`Spec`] of plain numbers (what proptest shrinks) and built into a
//! [`Case`] against the built-in catalogue and library.
#![allow(dead_code)]

use itdose::engine::outcomes::OutcomeEntry;
use itdose::engine::record::{Implant, Patient};
use itdose::engine::{
    AckKey, Acknowledgement, AnyConcentration, AnyDoseRate, Boluses, BridgeBolusSetting, Catalogue, Change,
    CurrentTotal, Cycle, DrugLibrary, DrugLine, DrugModel, Fill, FindingKey, FlexDoseStep, FlexProgramme, Hours,
    LoggedVisit, MassFamily, Millilitres, MlPerDay, MriScan, PatientBolus, PerHour, PeriodicBolus, PkModel, Plan,
    PreviousDrug, PrimingBolusSetting, Programme, PumpChoice, Session, SingleBolus, TitrationHistory, Visit,
    VolumeChange,
};
use jiff::SignedDuration;
use jiff::civil::{DateTime, date};
use proptest::prelude::*;

/// A 10,000-character text (a paste into a field).
pub fn long_text() -> String {
    "x".repeat(10_000)
}

// -------------------------------------------------------------------------------------------------
// Numbers.
// -------------------------------------------------------------------------------------------------

/// A typed quantity's number: realistic in `lo..hi` mostly; sometimes zero, the smallest positive
/// number, 1e308 or the largest `f64` (each about 1 in 80).
pub fn amount(lo: f64, hi: f64) -> BoxedStrategy<f64> {
    prop_oneof![
        76 => lo..hi,
        1 => Just(0.0),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(1e308),
        1 => Just(f64::MAX),
    ]
    .boxed()
}

/// A bare number of the plan (no type refuses it): realistic, or any hostile value at all.
pub fn raw(lo: f64, hi: f64) -> BoxedStrategy<f64> {
    prop_oneof![
        60 => lo..hi,
        1 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-1.0),
        1 => Just(-1e308),
        1 => Just(1e308),
    ]
    .boxed()
}

fn ml(v: f64) -> Millilitres {
    Millilitres::new(v).unwrap_or(Millilitres::ZERO)
}

fn hours(v: f64) -> Hours {
    Hours::new(v).unwrap_or(Hours::ZERO)
}

fn per_day(v: f64) -> MlPerDay {
    MlPerDay::new(v).unwrap_or(MlPerDay::ZERO)
}

fn per_hour(v: f64) -> PerHour {
    PerHour::new(v).unwrap_or(PerHour::ZERO)
}

/// A concentration in `family`; a number no type holds (never drawn: amounts are finite and not
/// negative) becomes zero, which evaluation refuses at its line.
fn concentration(family: MassFamily, v: f64) -> AnyConcentration {
    AnyConcentration::new(family, v)
        .or_else(|_| AnyConcentration::new(family, 0.0))
        .unwrap_or(AnyConcentration::Mg(itdose::engine::Concentration::ZERO))
}

fn dose(family: MassFamily, v: f64) -> AnyDoseRate {
    AnyDoseRate::new(family, v)
        .or_else(|_| AnyDoseRate::new(family, 0.0))
        .unwrap_or(AnyDoseRate::Mg(itdose::engine::DoseRate::ZERO))
}

/// `start` moved by `days` (either way), or `start` itself past the calendar's ends.
pub fn shifted(start: DateTime, days: f64) -> DateTime {
    let seconds = (days * 86_400.0).round();
    if !seconds.is_finite() || seconds.abs() > 1e12 {
        return start;
    }
    start
        .checked_add(SignedDuration::from_secs(seconds as i64))
        .unwrap_or(start)
}

// -------------------------------------------------------------------------------------------------
// The drawn specification.
// -------------------------------------------------------------------------------------------------

/// The pump: which (an index into the catalogue's ids, or one that is none), the capacity
/// entered, the fixed rate (entered for a constant-flow pump and not for another, but for 3 % of
/// either), and an end of service (days after the fill).
#[derive(Debug, Clone)]
pub struct PumpDraw {
    pub which: usize,
    pub capacity: Option<f64>,
    pub fixed_rate: (f64, bool),
    pub end_of_service: Option<f64>,
}

/// The fill: as a fraction of the capacity (or a volume of its own), the alarm as a fraction of the
/// fill (or the pump's default), when, a new pump.
#[derive(Debug, Clone)]
pub struct FillDraw {
    pub fraction: f64,
    pub volume: Option<f64>,
    pub alarm_fraction: f64,
    pub alarm: Option<f64>,
    pub day: i64,
    pub minute: i64,
    pub far: Option<bool>,
    pub new_pump: bool,
}

/// One drug line: which drug (an index into the library's ids and two that are none), its
/// concentration (×40 for a mcg drug), the rate its dose is drawn from (dose = rate ×
/// concentration), its stock, its condition, the solution it replaces (a factor of the new
/// concentration) and an entered CSF model.
#[derive(Debug, Clone)]
pub struct DrugDraw {
    pub which: usize,
    pub repeat: bool,
    pub wrong_family: bool,
    pub concentration: f64,
    pub rate: f64,
    pub no_dose: bool,
    pub stock: Option<f64>,
    pub condition: Option<usize>,
    pub previous: Option<f64>,
    pub model: Option<ModelDraw>,
    pub current: Option<f64>,
}

/// An entered CSF model.
#[derive(Debug, Clone)]
pub enum ModelDraw {
    /// Half-life (h) and volume (mL).
    One(f64, f64),
    /// Central volume (mL), k10, k12, k21 (per hour).
    Two(f64, f64, f64, f64),
}

/// How the programme is set: 0 lead dose, 1 rate, 2 constant flow (and a lead index, which may be
/// past the last line, and a rate).
#[derive(Debug, Clone)]
pub struct ProgrammeDraw {
    pub mode: u8,
    pub lead: usize,
    pub rate: f64,
}

/// A flex step: day, hour, minute (or a hostile start text), the rate its dose is drawn from.
pub type StepDraw = (u8, u8, u8, Option<usize>, f64);

/// Flex steps over a week (or a day).
#[derive(Debug, Clone)]
pub struct FlexDraw {
    pub week: bool,
    pub steps: Vec<StepDraw>,
}

/// A periodic bolus: volume, duration (h), interval (h), first (days after the fill).
pub type PeriodicDraw = (f64, f64, f64, f64);
/// A single bolus: volume, duration (h), at (days after the fill).
pub type SingleDraw = (f64, f64, f64);
/// Patient boluses: volume, duration (h), lockout (h), maximum per day.
pub type PatientDraw = (f64, f64, f64, u32);

/// The boluses.
#[derive(Debug, Clone)]
pub struct BolusDraw {
    pub periodic: Vec<PeriodicDraw>,
    pub single: Vec<SingleDraw>,
    pub patient: Option<PatientDraw>,
    pub typical: Option<u32>,
    pub priming: Option<(f64, f64)>,
    pub bridge: Option<f64>,
}

/// The CSF settings beyond the drug lines, and the MRI (days after the fill, hours).
#[derive(Debug, Clone)]
pub struct CsfDraw {
    pub tubing: Option<f64>,
    pub length: Option<f64>,
    pub per_cm: Option<f64>,
    pub residual: Option<f64>,
    pub weight: Option<f64>,
    pub mri: Option<(f64, f64)>,
}

/// A refill visit: days after the fill, withdrawn, new fill, the pump's expected volume, patient
/// boluses logged, the volume confirmed after the refill.
pub type RefillDraw = (f64, f64, Option<f64>, Option<f64>, Option<u32>, Option<f64>);

/// The refill visit (days after the fill, withdrawn, new fill, pump's expected volume, patient
/// boluses logged, volume confirmed after the refill) and the visits logged before.
#[derive(Debug, Clone)]
pub struct VisitDraw {
    pub visit: Option<RefillDraw>,
    pub logged: Vec<(f64, f64, f64)>,
}

/// Acknowledgements (a rule index and a reason index), the titration history, sessions.
#[derive(Debug, Clone)]
pub struct ExtrasDraw {
    pub acknowledgements: Vec<(usize, usize, bool)>,
    pub titration: Option<(f64, Option<u32>)>,
    pub sessions: Vec<(f64, usize)>,
    pub extra_volume: Option<f64>,
}

/// What is done with the plan beyond its evaluation: the file version written, a hostile edit of
/// the file text (which value, which token), the bolus added for the monotonicity check, the CSF
/// window (days, step in hours), and the record around it.
#[derive(Debug, Clone)]
pub struct UseDraw {
    pub version: u32,
    pub mutation: Option<(usize, usize)>,
    pub extra: ExtraBolus,
    pub window: (f64, f64),
    pub record: RecordDraw,
}

/// A bolus added to a valid plan: more delivery, never a later alarm nor a lower CSF peak.
#[derive(Debug, Clone)]
pub enum ExtraBolus {
    /// A single bolus: volume, duration (h), at (days after the fill).
    Single(f64, f64, f64),
    /// A periodic bolus: volume, duration (h), interval (h), first (days after the fill).
    Periodic(f64, f64, f64, f64),
}

/// The record: id (0 valid, 1 empty, 2 with a space, 3 of 65 characters), name (0 empty, 1 a
/// name, 2 10,000 characters), implant date (0 empty, 1 valid, 2 impossible, 3 not a date), the
/// outcome log (pain now, worst, MME).
#[derive(Debug, Clone)]
pub struct RecordDraw {
    pub id: u8,
    pub name: u8,
    pub implanted: u8,
    pub outcomes: Vec<(Option<f64>, Option<f64>, Option<f64>)>,
}

/// Everything drawn for one case.
#[derive(Debug, Clone)]
pub struct Spec {
    pub pump: PumpDraw,
    pub fill: FillDraw,
    pub drugs: Vec<DrugDraw>,
    pub programme: ProgrammeDraw,
    pub flex: Option<FlexDraw>,
    pub boluses: BolusDraw,
    pub csf: CsfDraw,
    pub visit: VisitDraw,
    pub extras: ExtrasDraw,
    pub uses: UseDraw,
}

// -------------------------------------------------------------------------------------------------
// Strategies.
// -------------------------------------------------------------------------------------------------

/// Sometimes (about `p` of the time).
fn sometimes<T: std::fmt::Debug + 'static>(p: f64, s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    prop::option::weighted(p, s).boxed()
}

fn pump_draw() -> BoxedStrategy<PumpDraw> {
    (
        prop_oneof![48 => 0usize..98, 1 => 98usize..100],
        sometimes(0.97, amount(5.0, 60.0)),
        (amount(0.05, 3.0), prop::bool::weighted(0.03)),
        sometimes(0.1, -10.0f64..400.0),
    )
        .prop_map(|(which, capacity, fixed_rate, end_of_service)| PumpDraw {
            which,
            capacity,
            fixed_rate,
            end_of_service,
        })
        .boxed()
}

fn fill_draw() -> BoxedStrategy<FillDraw> {
    (
        0.2f64..1.0,
        sometimes(0.03, amount(0.0, 60.0)),
        0.02f64..0.4,
        sometimes(0.2, amount(0.5, 5.0)),
        0i64..730,
        0i64..1440,
        sometimes(0.01, any::<bool>()),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(fraction, volume, alarm_fraction, alarm, day, minute, far, new_pump)| FillDraw {
                fraction,
                volume,
                alarm_fraction,
                alarm,
                day,
                minute,
                far,
                new_pump,
            },
        )
        .boxed()
}

fn model_draw() -> BoxedStrategy<ModelDraw> {
    prop_oneof![
        (amount(0.5, 10.0), amount(20.0, 300.0)).prop_map(|(h, v)| ModelDraw::One(h, v)),
        (
            amount(20.0, 300.0),
            amount(0.05, 1.0),
            amount(0.01, 1.0),
            amount(0.01, 1.0)
        )
            .prop_map(|(v, k10, k12, k21)| ModelDraw::Two(v, k10, k12, k21)),
    ]
    .boxed()
}

fn drug_draw() -> BoxedStrategy<DrugDraw> {
    (
        (
            (
                prop_oneof![48 => 0usize..98, 1 => 98usize..100],
                prop::bool::weighted(0.02),
            ),
            prop::bool::weighted(0.02),
            amount(0.5, 50.0),
            amount(0.05, 2.0),
            prop::bool::weighted(0.02),
        ),
        (
            sometimes(0.3, 0.5f64..2.0),
            sometimes(0.04, 0usize..3),
            sometimes(0.3, amount(0.25, 4.0)),
            sometimes(0.6, model_draw()),
            sometimes(0.2, amount(0.5, 2.0)),
        ),
    )
        .prop_map(
            |(
                ((which, repeat), wrong_family, concentration, rate, no_dose),
                (stock, condition, previous, model, current),
            )| {
                DrugDraw {
                    which,
                    repeat,
                    wrong_family,
                    concentration,
                    rate,
                    no_dose,
                    stock,
                    condition,
                    previous,
                    model,
                    current,
                }
            },
        )
        .boxed()
}

fn programme_draw() -> BoxedStrategy<ProgrammeDraw> {
    (
        prop_oneof![8 => Just(0u8), 3 => Just(1u8), 1 => Just(2u8)],
        prop_oneof![30 => Just(0usize), 3 => 1usize..4, 1 => Just(usize::MAX)],
        amount(0.05, 2.0),
    )
        .prop_map(|(mode, lead, rate)| ProgrammeDraw { mode, lead, rate })
        .boxed()
}

fn flex_draw() -> BoxedStrategy<FlexDraw> {
    let step = (0u8..8, 0u8..24, 0u8..60, sometimes(0.03, 0usize..5), amount(0.02, 2.0));
    (any::<bool>(), prop::collection::vec(step, 0..7))
        .prop_map(|(week, steps)| FlexDraw { week, steps })
        .boxed()
}

fn bolus_draw() -> BoxedStrategy<BolusDraw> {
    let periodic = (amount(0.01, 0.5), amount(0.05, 2.0), amount(0.5, 24.0), -3.0f64..30.0);
    let single = (amount(0.01, 2.0), amount(0.05, 12.0), -2.0f64..60.0);
    let patient = (
        amount(0.01, 0.5),
        amount(0.05, 1.0),
        amount(0.5, 12.0),
        prop_oneof![20 => 0u32..12, 1 => Just(u32::MAX)],
    );
    (
        prop::collection::vec(periodic, 0..3),
        prop::collection::vec(single, 0..4),
        sometimes(0.3, patient),
        sometimes(0.3, prop_oneof![10 => 0u32..10, 1 => Just(u32::MAX)]),
        sometimes(0.05, (-1.0f64..10.0, amount(0.1, 12.0))),
        sometimes(0.05, -1.0f64..10.0),
    )
        .prop_map(|(periodic, single, patient, typical, priming, bridge)| BolusDraw {
            periodic,
            single,
            patient,
            typical,
            priming,
            bridge,
        })
        .boxed()
}

fn csf_draw() -> BoxedStrategy<CsfDraw> {
    (
        sometimes(0.3, amount(0.0, 0.5)),
        sometimes(0.3, raw(10.0, 90.0)),
        sometimes(0.3, raw(0.001, 0.01)),
        sometimes(0.3, amount(0.0, 2.0)),
        sometimes(0.2, raw(30.0, 150.0)),
        sometimes(0.1, (-2.0f64..60.0, amount(0.2, 4.0))),
    )
        .prop_map(|(tubing, length, per_cm, residual, weight, mri)| CsfDraw {
            tubing,
            length,
            per_cm,
            residual,
            weight,
            mri,
        })
        .boxed()
}

fn visit_draw() -> BoxedStrategy<VisitDraw> {
    let visit = (
        -5.0f64..200.0,
        amount(0.0, 40.0),
        sometimes(0.5, amount(1.0, 40.0)),
        sometimes(0.3, amount(0.0, 40.0)),
        sometimes(0.3, prop_oneof![10 => 0u32..50, 1 => Just(u32::MAX)]),
        sometimes(0.3, amount(1.0, 40.0)),
    );
    (
        sometimes(0.25, visit),
        prop::collection::vec((-400.0f64..0.0, amount(0.0, 40.0), -3.0f64..3.0), 0..3),
    )
        .prop_map(|(visit, logged)| VisitDraw { visit, logged })
        .boxed()
}

fn extras_draw() -> BoxedStrategy<ExtrasDraw> {
    (
        prop::collection::vec((0usize..8, 0usize..3, any::<bool>()), 0..3),
        sometimes(0.1, (-30.0f64..1.0, sometimes(0.5, 0u32..5))),
        prop::collection::vec((-400.0f64..0.0, 0usize..3), 0..3),
        sometimes(0.1, amount(0.0, 5.0)),
    )
        .prop_map(|(acknowledgements, titration, sessions, extra_volume)| ExtrasDraw {
            acknowledgements,
            titration,
            sessions,
            extra_volume,
        })
        .boxed()
}

fn record_draw() -> BoxedStrategy<RecordDraw> {
    let score = || sometimes(0.7, raw(0.0, 10.0));
    (
        prop_oneof![20 => Just(0u8), 1 => 1u8..4],
        prop_oneof![10 => 0u8..2, 1 => Just(2u8)],
        prop_oneof![10 => 0u8..2, 1 => 2u8..4],
        prop::collection::vec((score(), score(), sometimes(0.5, raw(0.0, 300.0))), 0..3),
    )
        .prop_map(|(id, name, implanted, outcomes)| RecordDraw {
            id,
            name,
            implanted,
            outcomes,
        })
        .boxed()
}

fn use_draw() -> BoxedStrategy<UseDraw> {
    let extra = prop_oneof![
        (0.01f64..2.0, 0.05f64..12.0, 0.0f64..20.0).prop_map(|(v, d, a)| ExtraBolus::Single(v, d, a)),
        (0.01f64..0.5, 0.05f64..2.0, 2.0f64..24.0, -1.0f64..10.0)
            .prop_map(|(v, d, i, f)| ExtraBolus::Periodic(v, d, i, f)),
    ];
    (
        1u32..=3,
        sometimes(0.3, (0usize..10_000, 0usize..(TOKENS.len() + 2))),
        extra,
        (
            0.5f64..10.0,
            prop_oneof![Just(0.25f64), Just(0.5), Just(1.0), Just(2.0)],
        ),
        record_draw(),
    )
        .prop_map(|(version, mutation, extra, window, record)| UseDraw {
            version,
            mutation,
            extra,
            window,
            record,
        })
        .boxed()
}

/// Every part of a case, drawn.
pub fn spec() -> BoxedStrategy<Spec> {
    (
        pump_draw(),
        fill_draw(),
        prop_oneof![40 => prop::collection::vec(drug_draw(), 1..=4), 1 => prop::collection::vec(drug_draw(), 0..=5)],
        programme_draw(),
        sometimes(0.25, flex_draw()),
        bolus_draw(),
        csf_draw(),
        visit_draw(),
        extras_draw(),
        use_draw(),
    )
        .prop_map(
            |(pump, fill, drugs, programme, flex, boluses, csf, visit, extras, uses)| Spec {
                pump,
                fill,
                drugs,
                programme,
                flex,
                boluses,
                csf,
                visit,
                extras,
                uses,
            },
        )
        .boxed()
}

// -------------------------------------------------------------------------------------------------
// Building a case.
// -------------------------------------------------------------------------------------------------

/// The hostile tokens a file's value is replaced with (then a 10,000-character string, then the
/// value removed).
pub const TOKENS: &[&str] = &[
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
    "-1e999",
    "-1",
    "-0",
    "0",
    "1e308",
    "-1e308",
    "1.5",
    "4294967296",
    "18446744073709551616",
    "null",
    "\"\"",
    "\"abc\"",
    "[]",
    "{}",
    "true",
];

/// A hostile flex-step start.
const BAD_STARTS: [&str; 5] = ["", "25:00", "12:60", "9", "ab:cd"];

/// A built case: the plan, and what is done with it.
#[derive(Debug, Clone)]
pub struct Case {
    /// The plan.
    pub plan: Plan,
    /// What it was built from.
    pub spec: Spec,
}

/// An id of the catalogue or library (`which` below 98), or one that is none: empty (98) or
/// unknown (99).
fn pick(ids: &[String], which: usize) -> String {
    match which {
        98 => String::new(),
        99 => "heroin".to_owned(),
        _ => ids.get(which % ids.len().max(1)).cloned().unwrap_or_default(),
    }
}

/// Each line's drug id: the drawn one, or the next one not yet in the reservoir (a drug twice
/// only when the line says so).
fn distinct(ids: &[String], drugs: &[DrugDraw]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(drugs.len());
    for d in drugs {
        let mut id = pick(ids, d.which);
        let mut next = d.which;
        while !d.repeat && d.which < 98 && out.contains(&id) && next < d.which + ids.len() {
            next += 1;
            id = pick(ids, next % 98);
        }
        out.push(id);
    }
    out
}

/// The fill date: 2026 or 2027 mostly, sometimes at the ends of the calendar.
fn filled_at(f: &FillDraw) -> DateTime {
    match f.far {
        Some(true) => date(9999, 12, 31).at(23, 59, 0, 0),
        Some(false) => date(-9999, 1, 1).at(0, 0, 0, 0),
        None => shifted(date(2026, 1, 1).at(0, 0, 0, 0), f.day as f64 + f.minute as f64 / 1440.0),
    }
}

/// The catalogue's and library's ids, for drawing.
#[derive(Debug, Clone)]
pub struct Ids {
    /// Pump ids.
    pub pumps: Vec<String>,
    /// Drug ids.
    pub drugs: Vec<String>,
}

impl Ids {
    /// The built-in ones.
    pub fn of(catalogue: &Catalogue, library: &DrugLibrary) -> Self {
        Ids {
            pumps: catalogue.pumps.iter().map(|p| p.id.clone()).collect(),
            drugs: library.drugs.iter().map(|d| d.id.clone()).collect(),
        }
    }
}

impl Spec {
    /// The case this spec describes.
    pub fn build(&self, catalogue: &Catalogue, library: &DrugLibrary) -> Case {
        let ids = Ids::of(catalogue, library);
        let fill_at = filled_at(&self.fill);
        let model_id = pick(&ids.pumps, self.pump.which);
        let model = catalogue.get(&model_id);
        let capacity = model
            .and_then(|m| m.capacity_ml.as_ref().map(|c| c.value.value()))
            .or(self.pump.capacity)
            .unwrap_or(20.0);
        let constant_flow_pump = model.is_some_and(|m| m.is_constant_flow());
        let (fixed, odd) = self.pump.fixed_rate;
        let pump = PumpChoice {
            model: model_id,
            capacity: self.pump.capacity.map(ml),
            fixed_rate: (constant_flow_pump != odd).then(|| per_day(fixed)),
            end_of_service: self.pump.end_of_service.map(|d| shifted(fill_at, d)),
        };
        let volume = self.fill.volume.unwrap_or(capacity * self.fill.fraction);
        let fill = Fill {
            volume: ml(volume),
            low_reservoir_alarm: ml(self.fill.alarm.unwrap_or(volume * self.fill.alarm_fraction)),
            filled_at: fill_at,
            new_pump: self.fill.new_pump,
        };
        let programme = match self.programme.mode {
            0 => Programme::LeadDose {
                lead: self.programme.lead,
            },
            1 => Programme::Rate {
                flow_rate: per_day(self.programme.rate),
            },
            _ => Programme::ConstantFlow,
        };
        // A constant-flow pump is given its own programme, and another pump another, but for 3 %.
        let programme = match (constant_flow_pump, &programme, self.programme.lead) {
            (true, _, lead) if lead != 3 => Programme::ConstantFlow,
            (false, Programme::ConstantFlow, lead) if lead != 3 => Programme::LeadDose { lead },
            _ => programme,
        };
        let solved = programme == Programme::ConstantFlow;
        let lines = self.lines(&ids, library, solved.then_some(fixed));
        let mut plan = Plan::new(pump, fill, lines, programme);
        self.add_drug_settings(&mut plan, &ids, library);
        plan.flex = self.flex.as_ref().map(|f| flex(f, &plan));
        plan.boluses = self.boluses(fill_at);
        plan.csf.pump_tubing = self.csf.tubing.map(ml);
        plan.csf.catheter_length_cm = self.csf.length;
        plan.csf.catheter_ml_per_cm = self.csf.per_cm;
        plan.csf.residual = self.csf.residual.map(ml);
        plan.csf.weight_kg = self.csf.weight;
        plan.csf.mri = self.csf.mri.map(|(d, h)| MriScan {
            at: shifted(fill_at, d),
            duration: hours(h),
        });
        self.add_visits(&mut plan);
        self.add_extras(&mut plan);
        Case {
            plan,
            spec: self.clone(),
        }
    }

    /// The drug lines; on a constant-flow programme (`fixed`: its rate) each line's target dose
    /// and no concentration.
    fn lines(&self, ids: &Ids, library: &DrugLibrary, fixed: Option<f64>) -> Vec<DrugLine> {
        self.drugs
            .iter()
            .zip(distinct(&ids.drugs, &self.drugs))
            .map(|(d, id)| {
                let family = library.get(&id).map_or(MassFamily::Mg, |e| e.family);
                let family = match (family, d.wrong_family) {
                    (f, false) => f,
                    (MassFamily::Mg, true) => MassFamily::Mcg,
                    (MassFamily::Mcg, true) => MassFamily::Mg,
                };
                let scale = if family == MassFamily::Mcg { 40.0 } else { 1.0 };
                let c = d.concentration * scale;
                let constant_flow = fixed.is_some();
                let rate = fixed.unwrap_or(d.rate);
                let condition = d.condition.and_then(|i| {
                    let entry = library.get(&id)?;
                    Some(entry.conditions.get(i).cloned().unwrap_or_else(|| "not one".to_owned()))
                });
                DrugLine {
                    drug: id,
                    concentration: (!constant_flow || d.no_dose).then(|| concentration(family, c)),
                    daily_dose: (!d.no_dose).then(|| dose(family, c * rate)),
                    stock: d.stock.map(|s| concentration(family, c * s)),
                    condition,
                }
            })
            .collect()
    }

    /// The solution being replaced, the entered models and the current programme of each line.
    fn add_drug_settings(&self, plan: &mut Plan, ids: &Ids, library: &DrugLibrary) {
        for (d, line) in self.drugs.iter().zip(plan.drugs.clone()) {
            let family = line
                .concentration
                .map(AnyConcentration::family)
                .or(line.daily_dose.map(AnyDoseRate::family))
                .or(library.get(&line.drug).map(|e| e.family))
                .unwrap_or(MassFamily::Mg);
            let c = line.concentration.map_or(1.0, AnyConcentration::value);
            if let Some(factor) = d.previous {
                plan.csf.previous.push(PreviousDrug {
                    drug: line.drug.clone(),
                    concentration: concentration(family, c * factor),
                });
            }
            if let Some(m) = &d.model {
                let model = match *m {
                    ModelDraw::One(h, v) => PkModel::OneCompartment {
                        half_life: hours(h),
                        volume: ml(v),
                    },
                    ModelDraw::Two(v, k10, k12, k21) => PkModel::TwoCompartment {
                        volume: ml(v),
                        k10: per_hour(k10),
                        k12: per_hour(k12),
                        k21: per_hour(k21),
                    },
                };
                plan.csf.models.push(DrugModel {
                    drug: line.drug.clone(),
                    model,
                });
            }
            if let (Some(factor), Some(daily)) = (d.current, line.daily_dose) {
                plan.current_programme.push(CurrentTotal {
                    drug: line.drug.clone(),
                    daily_maximum: dose(family, daily.value() * factor),
                });
            }
        }
        let _ = ids;
    }

    fn boluses(&self, fill_at: DateTime) -> Boluses {
        let b = &self.boluses;
        Boluses {
            periodic: b
                .periodic
                .iter()
                .map(|&(v, d, i, first)| PeriodicBolus {
                    volume: ml(v),
                    duration: hours(d),
                    interval: hours(i.max(d)),
                    first: shifted(fill_at, first),
                })
                .collect(),
            single: b
                .single
                .iter()
                .map(|&(v, d, at)| SingleBolus {
                    volume: ml(v),
                    duration: hours(d),
                    at: shifted(fill_at, at),
                })
                .collect(),
            patient: b.patient.map(|(v, d, lockout, max)| PatientBolus {
                volume: ml(v),
                duration: hours(d),
                lockout: hours(lockout.max(d)),
                max_per_day: max,
            }),
            typical_per_day: b.typical,
            priming: b.priming.map(|(at, d)| PrimingBolusSetting {
                at: shifted(fill_at, at),
                duration: hours(d),
            }),
            bridge: b.bridge.map(|at| BridgeBolusSetting {
                at: shifted(fill_at, at),
            }),
        }
    }

    fn add_visits(&self, plan: &mut Plan) {
        let fill_at = plan.fill.filled_at;
        plan.visit = self
            .visit
            .visit
            .map(|(at, withdrawn, new_fill, expected, boluses, confirmed)| Visit {
                at: shifted(fill_at, at),
                withdrawn: ml(withdrawn),
                new_fill: new_fill.map(ml),
                pump_expected: expected.map(ml),
                patient_boluses: boluses,
                confirmed_after_refill: confirmed.map(ml),
            });
        plan.visits = self
            .visit
            .logged
            .iter()
            .filter_map(|&(at, withdrawn, discrepancy)| {
                Some(LoggedVisit {
                    at: shifted(fill_at, at),
                    expected: ml((withdrawn - discrepancy).max(0.0)),
                    withdrawn: ml(withdrawn),
                    discrepancy: VolumeChange::new(discrepancy).ok()?,
                    flagged: discrepancy.abs() > 2.0,
                    new_fill: Some(ml(withdrawn.max(1.0))),
                    confirmed_after_refill: None,
                    after_refill_flagged: false,
                })
            })
            .collect();
    }

    fn add_extras(&self, plan: &mut Plan) {
        let fill_at = plan.fill.filled_at;
        let lead_drug = plan.drugs.first().map(|l| l.drug.clone());
        let version = self.uses.version;
        plan.acknowledgements = self
            .extras
            .acknowledgements
            .iter()
            .map(|&(rule, reason, legacy)| {
                acknowledgement(rule, reason, legacy && version == 1, lead_drug.as_deref(), fill_at)
            })
            .collect();
        plan.titration = self.extras.titration.map(|(days, rises)| TitrationHistory {
            last_change: Some(shifted(fill_at, days)),
            increases_past_week: rises,
        });
        plan.extra_volume = self.extras.extra_volume.map(ml);
        // Sessions came with version 3: older files have none.
        if version == 3 {
            plan.sessions = self
                .extras
                .sessions
                .iter()
                .map(|&(days, kind)| Session {
                    at: shifted(fill_at, days),
                    workflow: ["Refill visit", "", "Change the programme"]
                        .get(kind)
                        .map_or(String::new(), |w| (*w).to_owned()),
                    changes: vec![Change {
                        parameter: "morphine daily dose".into(),
                        from: "not set".into(),
                        to: if kind == 1 { long_text() } else { "2 mg/day".into() },
                    }],
                    acknowledgements: plan.acknowledgements.clone(),
                })
                .collect();
        }
    }
}

/// An acknowledgement: a structured key (of a rule the engine raises, or of none), or a
/// version-1 text key; the reason empty, short or 10,000 characters.
fn acknowledgement(rule: usize, reason: usize, legacy: bool, drug: Option<&str>, at: DateTime) -> Acknowledgement {
    const RULES: [&str; 8] = [
        "pump.alarm_below_recommended",
        "residual_unknown",
        "limit.daily_dose",
        "limit.concentration",
        "no_low_concentration_limit",
        "concentration_change",
        "",
        "not.a.rule",
    ];
    let rule_name = RULES.get(rule).copied().unwrap_or("");
    let finding = if legacy {
        AckKey::Legacy(format!("pump/low_reservoir_alarm/{rule_name}"))
    } else {
        AckKey::Key(FindingKey {
            rule: rule_name.to_owned(),
            drug: drug.filter(|_| rule == 2 || rule == 3).map(str::to_owned),
            bound: (rule == 0).then(|| "2".to_owned()),
            value: (rule == 0).then(|| "1 mL".to_owned()),
        })
    };
    Acknowledgement {
        finding,
        reason: match reason {
            0 => String::new(),
            1 => "discussed with the patient".into(),
            _ => long_text(),
        },
        at,
    }
}

/// Flex steps: each step's dose is its rate × the lead line's concentration.
fn flex(f: &FlexDraw, plan: &Plan) -> FlexProgramme {
    let lead = match plan.programme {
        Programme::LeadDose { lead } => lead,
        _ => 0,
    };
    let lead_concentration = plan.drugs.get(lead).and_then(|l| l.concentration);
    let family = lead_concentration.map_or(MassFamily::Mg, AnyConcentration::family);
    let c = lead_concentration.map_or(1.0, AnyConcentration::value);
    FlexProgramme {
        cycle: if f.week { Cycle::Week } else { Cycle::Day },
        steps: f
            .steps
            .iter()
            .map(|&(day, hour, minute, bad, rate)| FlexDoseStep {
                // A day of 7 is outside the week (refused); a 24-hour cycle has day 0 only.
                day: if f.week { day } else { u8::from(day == 7) },
                start: match bad {
                    Some(i) => BAD_STARTS.get(i).copied().unwrap_or("").to_owned(),
                    None => format!("{hour:02}:{minute:02}"),
                },
                daily_dose: dose(family, c * rate),
            })
            .collect(),
    }
}

/// The record's parts: id, patient, implant, the outcome log.
pub fn record_parts(r: &RecordDraw, at: DateTime) -> (String, Patient, Implant, Vec<OutcomeEntry>) {
    let id = match r.id {
        0 => "r-1".to_owned(),
        1 => String::new(),
        2 => "r 1".to_owned(),
        _ => "r".repeat(65),
    };
    let patient = Patient {
        name: match r.name {
            0 => String::new(),
            1 => "Ada Example".to_owned(),
            _ => long_text(),
        },
        identifier: String::new(),
    };
    let implant = Implant {
        implanted_on: match r.implanted {
            0 => String::new(),
            1 => "2020-05-01".to_owned(),
            2 => "2026-02-30".to_owned(),
            _ => "abc".to_owned(),
        },
        catheter: "tip T10".to_owned(),
    };
    let outcomes = r
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, &(pain_now, pain_worst, systemic_mme))| OutcomeEntry {
            at: shifted(at, i as f64),
            pain_now,
            pain_worst,
            systemic_mme,
            side_effects: String::new(),
        })
        .collect();
    (id, patient, implant, outcomes)
}

// -------------------------------------------------------------------------------------------------
// Files.
// -------------------------------------------------------------------------------------------------

/// The plan as a file of `version`: versions 1 and 2 had no sessions.
pub fn file_text(plan: &Plan, version: u32) -> Result<String, String> {
    let mut value = serde_json::to_value(plan).map_err(|e| e.to_string())?;
    if let Some(object) = value.as_object_mut() {
        object.insert("version".into(), serde_json::Value::from(version));
        if version < 3 {
            object.remove("sessions");
        }
    }
    serde_json::to_string_pretty(&value).map_err(|e| e.to_string())
}

const PLACEHOLDER: &str = "@@hostile@@";

/// Every scalar of a JSON tree, as a path of keys and indices.
fn leaves(value: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                leaves(v, path, out);
                path.pop();
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(i.to_string());
                leaves(v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn at_path<'a>(value: &'a mut serde_json::Value, path: &[String]) -> Option<&'a mut serde_json::Value> {
    path.iter().try_fold(value, |v, key| match v {
        serde_json::Value::Object(map) => map.get_mut(key),
        serde_json::Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

/// `text` (JSON) with one value replaced by a hostile token (`token` indexes [`TOKENS`], then a
/// 10,000-character string, then the value removed); the path of the value changed.
pub fn mutated(text: &str, which: usize, token: usize) -> Option<(String, String)> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut all = Vec::new();
    leaves(&value, &mut Vec::new(), &mut all);
    let count = all.len();
    let path = all.get(which % count.max(1))?.clone();
    let shown = path.join(".");
    if token == TOKENS.len() + 1 {
        let (last, parent) = path.split_last()?;
        match at_path(&mut value, parent)? {
            serde_json::Value::Object(map) => {
                map.remove(last);
            }
            serde_json::Value::Array(items) => {
                let i = last.parse::<usize>().ok()?;
                (i < items.len()).then(|| items.remove(i))?;
            }
            _ => return None,
        }
        return Some((serde_json::to_string_pretty(&value).ok()?, shown));
    }
    *at_path(&mut value, &path)? = serde_json::Value::String(PLACEHOLDER.into());
    let text = serde_json::to_string_pretty(&value).ok()?;
    let replacement = match TOKENS.get(token) {
        Some(t) => (*t).to_owned(),
        None => format!("\"{}\"", long_text()),
    };
    Some((text.replace(&format!("\"{PLACEHOLDER}\""), &replacement), shown))
}
