//! The plan form as the user typed it (text), and its conversion into a plan. It belongs to the
//! app, not to the engine: the engine takes plans.
//!
//! Keeping the raw text (not parsed numbers) is what lets the app save and restore work that is
//! not yet valid: a half-typed "0." survives a reload exactly as typed. Conversion reports every
//! field's error at once, each at its field and location (drug line, flex step, bolus, visit), and
//! never drops a non-empty field without an error.

mod import;
mod parts;
mod read;
pub mod stored;

pub use import::number_text;

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

pub use parts::{
    CsfForm, DrugCsfForm, FlexForm, FlexStepForm, PatientForm, Per, PeriodicForm, ProcedureForm, SingleForm,
    TitrationForm, VisitForm,
};

#[cfg(target_arch = "wasm32")]
pub use parts::{
    CsfFormStoreFields, DrugCsfFormStoreFields, FlexFormStoreFields, FlexStepFormStoreFields, PatientFormStoreFields,
    PeriodicFormStoreFields, ProcedureFormStoreFields, SingleFormStoreFields, TitrationFormStoreFields,
    VisitFormStoreFields,
};

use crate::engine::format::{iso_date, iso_time};
use crate::engine::{
    Acknowledgement, AnyConcentration, AnyDoseRate, Catalogue, CurrentTotal, DrugLibrary, DrugLine, Error, Field, Fill,
    Location, LoggedVisit, MassFamily, MlPerDay, PLAN_FORMAT, PLAN_VERSION, Plan, Programme, PumpChoice, Session,
};
use read::Reader;

/// The pump selected when nothing has been chosen yet.
pub const DEFAULT_PUMP_ID: &str = "synchromed-ii-40";

/// How a programmable pump's programme is set on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormMode {
    /// Set the lead drug's daily dose.
    #[default]
    LeadDose,
    /// Set the flow rate.
    Rate,
}

/// One drug line as typed.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DrugForm {
    /// Library id.
    pub drug_id: String,
    /// Concentration text.
    pub concentration: String,
    /// The unit the concentration was entered in (must match the drug's family).
    pub concentration_unit: MassFamily,
    /// Daily dose text (the lead drug's, or every drug's on a constant-flow pump).
    pub daily_dose: String,
    /// The unit the dose was entered in.
    pub dose_unit: MassFamily,
    /// Stock vial strength text (compounding).
    pub stock: String,
    /// The unit the stock strength was entered in.
    pub stock_unit: MassFamily,
    /// CSF-model inputs of this drug.
    pub csf: DrugCsfForm,
    /// The condition the drug is given for, from the library's conditions (empty: not stated).
    pub condition: String,
}

impl Default for DrugForm {
    fn default() -> Self {
        Self::for_drug("morphine", MassFamily::Mg)
    }
}

impl DrugForm {
    /// An empty line for `drug_id`, units preset to the drug's family.
    pub fn for_drug(drug_id: &str, family: MassFamily) -> Self {
        Self {
            drug_id: drug_id.to_owned(),
            concentration: String::new(),
            concentration_unit: family,
            daily_dose: String::new(),
            dose_unit: family,
            stock: String::new(),
            stock_unit: family,
            csf: DrugCsfForm::default(),
            condition: String::new(),
        }
    }
}

/// What the user typed, field by field.
#[cfg_attr(target_arch = "wasm32", derive(reactive_stores::Store))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PlanForm {
    /// Catalogue id of the pump.
    pub pump_id: String,
    /// Capacity of a custom or constant-flow pump, mL.
    pub custom_capacity: String,
    /// Fixed rate of a constant-flow pump, mL/day.
    pub fixed_rate: String,
    /// Fill volume, mL.
    pub fill_volume: String,
    /// Low-reservoir alarm, mL.
    pub low_reservoir_alarm: String,
    /// Fill date, YYYY-MM-DD.
    pub fill_date: String,
    /// Fill time, HH:MM.
    pub fill_time: String,
    /// Lead dose or rate (programmable pumps).
    pub mode: FormMode,
    /// Index of the lead drug line.
    pub lead: usize,
    /// Flow rate text (rate mode), mL/day.
    pub flow_rate: String,
    /// The drug lines.
    pub drugs: Vec<DrugForm>,
    /// Extra volume to prime the refill kit, mL (compounding).
    pub extra_volume: String,
    /// Recorded acknowledgements of soft limits.
    pub acknowledgements: Vec<Acknowledgement>,
    /// First fill of a new pump: unanswered until the user says (a drug with new-pump rules,
    /// ziconotide, needs the answer; nothing defaults silently).
    pub new_pump: Option<bool>,
    /// Device end of service date, YYYY-MM-DD (optional).
    pub end_of_service: String,
    /// Time of day of the device end of service (empty: midnight at the start of that day).
    pub end_of_service_time: String,
    /// Flex dosing.
    pub flex: FlexForm,
    /// Periodic boluses.
    pub periodic: Vec<PeriodicForm>,
    /// Single boluses.
    pub single: Vec<SingleForm>,
    /// Patient-activated boluses.
    pub patient: PatientForm,
    /// The current programme's maximum 24-hour totals (set from a report).
    pub current_programme: Vec<CurrentTotal>,
    /// When the current programme last changed.
    pub titration: TitrationForm,
    /// A programmed priming bolus.
    pub priming: ProcedureForm,
    /// A programmed bridge bolus.
    pub bridge: ProcedureForm,
    /// The refill visit being reconciled.
    pub visit: VisitForm,
    /// The visit log.
    pub visits: Vec<LoggedVisit>,
    /// CSF-model settings.
    pub csf: CsfForm,
    /// Confirmed clinic sessions.
    pub sessions: Vec<Session>,
    /// The id of the patient record this plan belongs to (none: a plan in no record). Saved with
    /// the plan, so that the plan on screen and the record it is confirmed into never part.
    pub record: Option<String>,
}

impl Default for PlanForm {
    fn default() -> Self {
        Self {
            pump_id: DEFAULT_PUMP_ID.to_owned(),
            custom_capacity: String::new(),
            fixed_rate: String::new(),
            fill_volume: String::new(),
            // The manufacturer-recommended alarm (pump catalogue, mark S); the user may change it.
            low_reservoir_alarm: "2".to_owned(),
            fill_date: String::new(),
            fill_time: String::new(),
            mode: FormMode::LeadDose,
            lead: 0,
            flow_rate: String::new(),
            drugs: vec![DrugForm::default()],
            extra_volume: String::new(),
            acknowledgements: Vec::new(),
            new_pump: None,
            end_of_service: String::new(),
            end_of_service_time: String::new(),
            flex: FlexForm::default(),
            periodic: Vec::new(),
            single: Vec::new(),
            patient: PatientForm::default(),
            current_programme: Vec::new(),
            titration: TitrationForm::default(),
            priming: ProcedureForm::default(),
            bridge: ProcedureForm::default(),
            visit: VisitForm::default(),
            visits: Vec::new(),
            csf: CsfForm::default(),
            sessions: Vec::new(),
            record: None,
        }
    }
}

impl PlanForm {
    /// A blank form filled on `now` (the caller's clock; the engine has none).
    pub fn blank_at(now: DateTime) -> Self {
        Self {
            fill_date: iso_date(now),
            fill_time: iso_time(now),
            ..Self::default()
        }
    }

    /// Whether the selected pump is constant-flow.
    pub fn is_constant_flow(&self, catalogue: &Catalogue) -> bool {
        catalogue.get(&self.pump_id).is_some_and(|p| p.is_constant_flow())
    }

    /// Converts the form into a plan.
    ///
    /// # Errors
    /// Every field that does not parse, each at its field and location; an unanswered "first fill
    /// of a new pump" when a drug in the reservoir has new-pump rules in `library`.
    pub fn to_plan(&self, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Plan, Vec<Error>> {
        let mut r = Reader::default();
        let model = catalogue.get(&self.pump_id);
        let constant_flow = model.is_some_and(|m| m.is_constant_flow());
        let new_pump = self.new_pump_answer(&mut r, library);
        let pump = self.pump(&mut r, model.is_some_and(|m| m.is_custom()), constant_flow);
        let fill = self.fill(&mut r, new_pump);
        let lines = self.drug_lines(&mut r, constant_flow);
        let programme = self.programme(&mut r, constant_flow);
        let extra = r.optional_ml(Field::ExtraVolume, None, &self.extra_volume);
        let flex = parts::flex(&mut r, &self.flex);
        let mut boluses = parts::boluses(&mut r, &self.periodic, &self.single, &self.patient);
        (boluses.priming, boluses.bridge) = parts::procedures(&mut r, &self.priming, &self.bridge);
        let titration = parts::titration(&mut r, &self.titration);
        let visit = parts::visit(&mut r, &self.visit);
        let csf_drugs: Vec<parts::DrugCsfInput<'_>> = self
            .drugs
            .iter()
            .enumerate()
            .map(|(index, d)| parts::DrugCsfInput {
                index,
                drug: &d.drug_id,
                family: d.concentration_unit,
                form: &d.csf,
            })
            .collect();
        let csf = parts::csf(&mut r, &self.csf, &csf_drugs);
        match (pump, fill, programme, extra) {
            (Some(pump), Some(fill), Some(programme), Some(extra_volume)) if r.errors.is_empty() => Ok(Plan {
                format: PLAN_FORMAT.to_owned(),
                version: PLAN_VERSION,
                pump,
                fill,
                drugs: lines,
                programme,
                acknowledgements: self.acknowledgements.clone(),
                extra_volume,
                flex,
                boluses,
                current_programme: self.current_programme.clone(),
                titration,
                visit,
                visits: self.visits.clone(),
                csf,
                sessions: self.sessions.clone(),
            }),
            _ => Err(r.errors),
        }
    }

    /// The answer to "first fill of a new pump?"; unanswered is an error when a drug in the
    /// reservoir has new-pump rules (ziconotide), and "no" otherwise.
    fn new_pump_answer(&self, r: &mut Reader, library: &DrugLibrary) -> bool {
        if let Some(answer) = self.new_pump {
            return answer;
        }
        let asks: Vec<&str> = self
            .drugs
            .iter()
            .filter_map(|d| library.get(&d.drug_id))
            .filter(|e| e.new_pump.is_some())
            .map(|e| e.display_name.as_str())
            .collect();
        if !asks.is_empty() {
            r.invalid(
                Field::NewPump,
                None,
                format!(
                    "{} has rules for a new pump: answer whether this is the first fill of a new pump",
                    asks.join(", ")
                ),
            );
        }
        false
    }

    fn pump(&self, r: &mut Reader, needs_capacity: bool, constant_flow: bool) -> Option<PumpChoice> {
        // Each part is read (and reported) before any is required.
        let capacity = needs_capacity.then(|| r.ml(Field::PumpCapacity, None, &self.custom_capacity));
        let fixed_rate = constant_flow.then(|| {
            let v = r.number(Field::FixedRate, None, &self.fixed_rate)?;
            MlPerDay::new(v).map_err(|e| r.errors.push(e.at(Field::FixedRate))).ok()
        });
        // A time typed without a date is reported at the date, never dropped.
        let eos_time = self.end_of_service_time.trim();
        let eos_date = self.end_of_service.trim();
        let end_of_service = (!eos_date.is_empty() || !eos_time.is_empty()).then(|| {
            if eos_date.is_empty() {
                r.invalid(Field::EndOfServiceTime, None, "enter the date this time belongs to");
                return None;
            }
            let date = r.date(Field::EndOfService, None, eos_date);
            let time = if eos_time.is_empty() {
                Some(jiff::civil::Time::midnight())
            } else {
                crate::engine::parse_time(Field::EndOfServiceTime, eos_time)
                    .map_err(|e| r.errors.push(e))
                    .ok()
            };
            Some(date?.to_datetime(time?))
        });
        Some(PumpChoice {
            model: self.pump_id.clone(),
            capacity: capacity.map(|c| c.ok_or(())).transpose().ok()?,
            fixed_rate: fixed_rate.map(|c| c.ok_or(())).transpose().ok()?,
            end_of_service: end_of_service.map(|c| c.ok_or(())).transpose().ok()?,
        })
    }

    fn fill(&self, r: &mut Reader, new_pump: bool) -> Option<Fill> {
        let volume = r.ml(Field::FillVolume, None, &self.fill_volume);
        let alarm = r.ml(Field::LowReservoirAlarm, None, &self.low_reservoir_alarm);
        let date = r.date(Field::FillDate, None, &self.fill_date);
        let time = crate::engine::parse_time(Field::FillTime, &self.fill_time)
            .map_err(|e| r.errors.push(e))
            .ok();
        Some(Fill {
            volume: volume?,
            low_reservoir_alarm: alarm?,
            filled_at: date?.to_datetime(time?),
            new_pump,
        })
    }

    /// Each line's drug, concentration (not on a constant-flow pump), dose where it is used, and stock.
    fn drug_lines(&self, r: &mut Reader, constant_flow: bool) -> Vec<DrugLine> {
        self.drugs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let at = Some(Location::Drug(i));
                let uses_dose =
                    constant_flow || (self.mode == FormMode::LeadDose && self.lead == i && !self.flex.enabled);
                let concentration = if constant_flow {
                    None
                } else {
                    r.number(Field::Concentration, at, &d.concentration)
                        .and_then(|v| typed_concentration(r, Field::Concentration, i, d.concentration_unit, v))
                };
                let daily_dose = if uses_dose {
                    r.number(Field::DailyDose, at, &d.daily_dose).and_then(|v| {
                        AnyDoseRate::new(d.dose_unit, v)
                            .map_err(|e| r.errors.push(e.at(Field::DailyDose).for_drug(i)))
                            .ok()
                    })
                } else {
                    None
                };
                let stock = r
                    .optional(Field::StockStrength, at, &d.stock)
                    .flatten()
                    .and_then(|v| typed_concentration(r, Field::StockStrength, i, d.stock_unit, v));
                DrugLine {
                    drug: d.drug_id.clone(),
                    concentration,
                    daily_dose,
                    stock,
                    condition: (!d.condition.trim().is_empty()).then(|| d.condition.trim().to_owned()),
                }
            })
            .collect()
    }

    fn programme(&self, r: &mut Reader, constant_flow: bool) -> Option<Programme> {
        if constant_flow {
            return Some(Programme::ConstantFlow);
        }
        match self.mode {
            FormMode::LeadDose => Some(Programme::LeadDose { lead: self.lead }),
            FormMode::Rate => {
                let v = r.number(Field::FlowRate, None, &self.flow_rate)?;
                let flow_rate = MlPerDay::new(v)
                    .map_err(|e| r.errors.push(e.at(Field::FlowRate)))
                    .ok()?;
                Some(Programme::Rate { flow_rate })
            }
        }
    }

    /// The form after a session is confirmed, `plan` being the plan confirmed (after a refill,
    /// `rolled`, the plan rolled forward). What the user typed stays as typed (text in a section
    /// that is switched off included); only what confirming changes is written: the sessions, the
    /// current programme and the titration history, and after a refill the new fill (volume, date,
    /// time, no longer a new pump), the visit cleared and logged, the single boluses left, the
    /// priming and bridge boluses and the MRI of the old fill switched off or cleared, and the
    /// solution being replaced.
    pub fn confirmed(&self, plan: &Plan, library: &DrugLibrary, rolled: bool) -> Self {
        let converted = Self::from_plan(plan, library);
        let mut f = self.clone();
        f.sessions = converted.sessions;
        f.current_programme = converted.current_programme;
        f.titration = converted.titration;
        if rolled {
            f.fill_volume = converted.fill_volume;
            f.fill_date = converted.fill_date;
            f.fill_time = converted.fill_time;
            f.new_pump = converted.new_pump;
            f.visit = VisitForm::default();
            f.visits = converted.visits;
            f.single = converted.single;
            f.priming.enabled &= plan.boluses.priming.is_some();
            f.bridge.enabled &= plan.boluses.bridge.is_some();
            if plan.csf.mri.is_none() {
                (f.csf.mri_date, f.csf.mri_time, f.csf.mri_minutes) = Default::default();
            }
            for (line, new) in f.drugs.iter_mut().zip(converted.drugs) {
                line.csf.previous = new.csf.previous;
            }
        }
        f
    }

    /// The form that shows `plan` (for import). Unit families come from the plan's values, or the
    /// library's family for the drug where the plan has no value.
    pub fn from_plan(plan: &Plan, library: &DrugLibrary) -> Self {
        import::form_of(plan, library)
    }
}

fn typed_concentration(
    r: &mut Reader,
    field: Field,
    line: usize,
    family: MassFamily,
    v: f64,
) -> Option<AnyConcentration> {
    AnyConcentration::new(family, v)
        .map_err(|e| r.errors.push(e.at(field).for_drug(line)))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::evaluate;

    fn example() -> PlanForm {
        PlanForm {
            fill_volume: "40".into(),
            fill_date: "2026-11-25".into(),
            fill_time: "09:00".into(),
            drugs: vec![DrugForm {
                concentration: "10".into(),
                daily_dose: "2".into(),
                ..DrugForm::default()
            }],
            ..PlanForm::default()
        }
    }

    #[test]
    fn the_issue_2_example_evaluates() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let library = DrugLibrary::builtin()?;
        let plan = example().to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?;
        let report = evaluate(&plan, &catalogue, &library).map_err(|e| format!("{e:?}"))?;
        // 2 mg/day ÷ 10 mg/mL = 0.2 mL/day; (40 − 2) ÷ 0.2 = 190 days
        assert!((report.flow_rate.value() - 0.2).abs() < 1e-12);
        let nominal = report.nominal().ok_or("no projection")?;
        assert!((nominal.days_to_alarm.value() - 190.0).abs() < 1e-9);
        Ok(())
    }

    #[test]
    fn every_bad_field_is_reported_at_once_at_its_line() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let mut form = PlanForm {
            fill_volume: "4o".into(),
            fill_time: "9".into(),
            ..example()
        };
        form.drugs.push(DrugForm {
            drug_id: "clonidine".into(),
            concentration: "0,5".into(),
            ..DrugForm::default()
        });
        if let Some(d) = form.drugs.first_mut() {
            d.daily_dose = String::new();
        }
        let errors = form
            .to_plan(&catalogue, &DrugLibrary::builtin()?)
            .err()
            .unwrap_or_default();
        let ids: Vec<String> = errors.iter().map(Error::element_id).collect();
        assert_eq!(
            ids,
            ["fill_volume", "fill_time", "drug-0-daily_dose", "drug-1-concentration"]
        );
        Ok(())
    }

    #[test]
    fn constant_flow_form_asks_for_rate_and_doses_not_concentrations() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let form = PlanForm {
            pump_id: "constant-flow".into(),
            ..example()
        };
        let ids: Vec<String> = form
            .to_plan(&catalogue, &DrugLibrary::builtin()?)
            .err()
            .unwrap_or_default()
            .iter()
            .map(Error::element_id)
            .collect();
        assert_eq!(ids, ["pump_capacity", "fixed_rate"]);
        Ok(())
    }

    #[test]
    fn import_shows_the_plan_and_round_trips() -> Result<(), Box<dyn std::error::Error>> {
        let catalogue = Catalogue::builtin()?;
        let library = DrugLibrary::builtin()?;
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/example-plan.json"))?;
        let plan = crate::engine::load(&text, &catalogue, &library)
            .map_err(|e| e.to_string())?
            .plan;
        let form = PlanForm::from_plan(&plan, &library);
        assert_eq!(
            form.drugs
                .get(2)
                .map(|d| (d.concentration.as_str(), d.concentration_unit)),
            Some(("100", MassFamily::Mcg))
        );
        assert_eq!(form.to_plan(&catalogue, &library).map_err(|e| format!("{e:?}"))?, plan);
        Ok(())
    }

    #[test]
    fn form_round_trips_as_json_and_old_saves_load() -> Result<(), Box<dyn std::error::Error>> {
        let form = PlanForm::blank_at(jiff::civil::date(2026, 11, 25).at(14, 7, 31, 0));
        assert_eq!(
            (form.fill_date.as_str(), form.fill_time.as_str()),
            ("2026-11-25", "14:07")
        );
        let half_typed = PlanForm {
            fill_volume: "0.".into(),
            ..form
        };
        let json = serde_json::to_string(&half_typed)?;
        assert_eq!(serde_json::from_str::<PlanForm>(&json)?, half_typed);
        assert_eq!(
            serde_json::from_str::<PlanForm>(r#"{"fill_volume":"20"}"#)?.low_reservoir_alarm,
            "2"
        );
        Ok(())
    }
}
