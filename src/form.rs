//! The plan form as the user typed it (text), and its conversion into a [`Plan`].
//!
//! Keeping the raw text (not parsed numbers) is what lets the app save and restore work that is
//! not yet valid: a half-typed "0." survives a reload exactly as typed. Conversion reports every
//! field's parse error at once, each at its field and drug line.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::format::{iso_date, iso_time};
use crate::engine::{
    Acknowledgement, AnyConcentration, AnyDoseRate, Catalogue, CurrentTotal, DrugLibrary, DrugLine, Error, Field, Fill,
    LoggedVisit, MassFamily, Millilitres, MlPerDay, PLAN_FORMAT, PLAN_VERSION, Plan, Problem, Programme, PumpChoice,
    parse_date, parse_number, parse_time,
};

mod schedule;

pub use schedule::{
    CsfForm, DrugCsfForm, FlexForm, FlexStepForm, PatientForm, Per, PeriodicForm, ProcedureForm, SingleForm,
    TitrationForm, VisitForm,
};
use schedule::{parse_csf, parse_parts, parse_procedures, parse_titration, parts_from_plan};

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
        }
    }
}

/// What the user typed, field by field.
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
        }
    }
}

fn optional_number(field: Field, text: &str, errors: &mut Vec<Error>, drug: Option<usize>) -> Option<f64> {
    if text.trim().is_empty() {
        return None;
    }
    match parse_number(field, text) {
        Ok(v) => Some(v),
        Err(mut e) => {
            e.drug = drug;
            errors.push(e);
            None
        }
    }
}

/// The CSF inputs of one drug line, from a plan.
fn drug_csf_form(plan: &Plan, drug: &str) -> DrugCsfForm {
    use crate::engine::PkModel;
    let mut form = DrugCsfForm::default();
    if let Some(p) = plan.csf.previous.iter().find(|p| p.drug == drug) {
        form.previous = number_text(p.concentration.value());
    }
    match plan.csf.models.iter().find(|m| m.drug == drug).map(|m| m.model) {
        Some(PkModel::OneCompartment { half_life, volume }) => {
            form.half_life_hours = number_text(half_life.value());
            form.volume_ml = number_text(volume.value());
        }
        Some(PkModel::TwoCompartment { volume, k10, k12, k21 }) => {
            form.half_life_hours = number_text(std::f64::consts::LN_2 / k10.value());
            form.volume_ml = number_text(volume.value());
            form.k12 = number_text(k12.value());
            form.k21 = number_text(k21.value());
        }
        None => {}
    }
    form
}

fn number_text(value: f64) -> String {
    // The shortest text that reads back as exactly this number (Rust never uses an exponent
    // here), so an imported plan is not rounded to the display's four significant figures.
    format!("{}", value + 0.0)
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
    /// Every field that does not parse, each at its field and drug line; an unanswered "first fill
    /// of a new pump" when a drug in the reservoir has new-pump rules in `library`.
    pub fn to_plan(&self, catalogue: &Catalogue, library: &DrugLibrary) -> Result<Plan, Vec<Error>> {
        let mut errors = Vec::new();
        let new_pump = match self.new_pump {
            Some(answer) => answer,
            None => {
                let asks: Vec<&str> = self
                    .drugs
                    .iter()
                    .filter_map(|d| library.get(&d.drug_id))
                    .filter(|e| e.new_pump.is_some())
                    .map(|e| e.display_name.as_str())
                    .collect();
                if !asks.is_empty() {
                    errors.push(Error::invalid(
                        Field::NewPump,
                        format!(
                            "{} has rules for a new pump: answer whether this is the first fill of a new pump",
                            asks.join(", ")
                        ),
                    ));
                }
                false
            }
        };
        let model = catalogue.get(&self.pump_id);
        let constant_flow = model.is_some_and(|m| m.is_constant_flow());
        let needs_capacity = model.is_some_and(|m| m.is_custom());

        let quantity = |field: Field, text: &str, required: bool, errors: &mut Vec<Error>| -> Option<f64> {
            if required && text.trim().is_empty() {
                errors.push(Error::new(field, Problem::Missing));
                return None;
            }
            optional_number(field, text, errors, None)
        };
        let capacity = if needs_capacity {
            quantity(Field::PumpCapacity, &self.custom_capacity, true, &mut errors)
        } else {
            None
        };
        let fixed_rate = if constant_flow {
            quantity(Field::FixedRate, &self.fixed_rate, true, &mut errors)
        } else {
            None
        };
        let fill = quantity(Field::FillVolume, &self.fill_volume, true, &mut errors);
        let alarm = quantity(Field::LowReservoirAlarm, &self.low_reservoir_alarm, true, &mut errors);
        let rate = if !constant_flow && self.mode == FormMode::Rate {
            quantity(Field::FlowRate, &self.flow_rate, true, &mut errors)
        } else {
            None
        };
        let extra = quantity(Field::ExtraVolume, &self.extra_volume, false, &mut errors);
        let date = parse_date(Field::FillDate, &self.fill_date)
            .map_err(|e| errors.push(e))
            .ok();
        let time = parse_time(Field::FillTime, &self.fill_time)
            .map_err(|e| errors.push(e))
            .ok();

        let mut lines = Vec::with_capacity(self.drugs.len());
        for (i, d) in self.drugs.iter().enumerate() {
            let uses_dose = constant_flow || (self.mode == FormMode::LeadDose && self.lead == i && !self.flex.enabled);
            let mut line = DrugLine {
                drug: d.drug_id.clone(),
                concentration: None,
                daily_dose: None,
                stock: None,
            };
            if !constant_flow {
                match optional_number(Field::Concentration, &d.concentration, &mut errors, Some(i)) {
                    Some(v) => {
                        line.concentration = AnyConcentration::new(d.concentration_unit, v)
                            .map_err(|e| errors.push(e.at(Field::Concentration).for_drug(i)))
                            .ok()
                    }
                    None if d.concentration.trim().is_empty() => {
                        errors.push(Error::new(Field::Concentration, Problem::Missing).for_drug(i))
                    }
                    None => {}
                }
            }
            if uses_dose {
                match optional_number(Field::DailyDose, &d.daily_dose, &mut errors, Some(i)) {
                    Some(v) => {
                        line.daily_dose = AnyDoseRate::new(d.dose_unit, v)
                            .map_err(|e| errors.push(e.at(Field::DailyDose).for_drug(i)))
                            .ok()
                    }
                    None if d.daily_dose.trim().is_empty() => {
                        errors.push(Error::new(Field::DailyDose, Problem::Missing).for_drug(i))
                    }
                    None => {}
                }
            }
            if let Some(v) = optional_number(Field::StockStrength, &d.stock, &mut errors, Some(i)) {
                line.stock = AnyConcentration::new(d.stock_unit, v)
                    .map_err(|e| errors.push(e.at(Field::StockStrength).for_drug(i)))
                    .ok();
            }
            lines.push(line);
        }

        let to_ml = |field: Field, v: Option<f64>, errors: &mut Vec<Error>| {
            v.and_then(|v| Millilitres::new(v).map_err(|e| errors.push(e.at(field))).ok())
        };
        let capacity = to_ml(Field::PumpCapacity, capacity, &mut errors);
        let fill = to_ml(Field::FillVolume, fill, &mut errors);
        let alarm = to_ml(Field::LowReservoirAlarm, alarm, &mut errors);
        let extra = to_ml(Field::ExtraVolume, extra, &mut errors);
        let per_day = |field: Field, v: Option<f64>, errors: &mut Vec<Error>| {
            v.and_then(|v| MlPerDay::new(v).map_err(|e| errors.push(e.at(field))).ok())
        };
        let fixed_rate = per_day(Field::FixedRate, fixed_rate, &mut errors);
        let rate = per_day(Field::FlowRate, rate, &mut errors);

        let programme = if constant_flow {
            Some(Programme::ConstantFlow)
        } else {
            match self.mode {
                FormMode::LeadDose => Some(Programme::LeadDose { lead: self.lead }),
                FormMode::Rate => rate.map(|flow_rate| Programme::Rate { flow_rate }),
            }
        };
        let parts = parse_parts(
            &self.flex,
            &self.periodic,
            &self.single,
            &self.patient,
            &self.end_of_service,
            &self.visit,
            &mut errors,
        );
        let csf_drugs: Vec<_> = self
            .drugs
            .iter()
            .map(|d| (d.drug_id.clone(), d.concentration_unit, d.csf.clone()))
            .collect();
        let csf = parse_csf(&self.csf, &csf_drugs, &mut errors);
        let (priming, bridge) = parse_procedures(&self.priming, &self.bridge, &mut errors);
        let titration = parse_titration(&self.titration, &mut errors);
        let mut boluses = parts.boluses;
        boluses.priming = priming;
        boluses.bridge = bridge;
        match (fill, alarm, date, time, programme) {
            (Some(volume), Some(low_reservoir_alarm), Some(d), Some(t), Some(programme)) if errors.is_empty() => {
                Ok(Plan {
                    format: PLAN_FORMAT.to_owned(),
                    version: PLAN_VERSION,
                    pump: PumpChoice {
                        model: self.pump_id.clone(),
                        capacity,
                        fixed_rate,
                        end_of_service: parts.end_of_service,
                    },
                    fill: Fill {
                        volume,
                        low_reservoir_alarm,
                        filled_at: d.to_datetime(t),
                        new_pump,
                    },
                    drugs: lines,
                    programme,
                    acknowledgements: self.acknowledgements.clone(),
                    extra_volume: extra,
                    flex: parts.flex,
                    boluses,
                    current_programme: self.current_programme.clone(),
                    titration,
                    visit: parts.visit,
                    visits: self.visits.clone(),
                    csf,
                })
            }
            _ => Err(errors),
        }
    }

    /// The form that shows `plan` (for import). Unit families come from the plan's values, or the
    /// library's family for the drug where the plan has no value.
    pub fn from_plan(plan: &Plan, library: &DrugLibrary) -> Self {
        let text = |v: Option<f64>| v.map(number_text).unwrap_or_default();
        let (flex, periodic, single, patient, end_of_service, visits) = parts_from_plan(plan);
        let (mode, lead, flow_rate) = match &plan.programme {
            Programme::LeadDose { lead } => (FormMode::LeadDose, *lead, String::new()),
            Programme::Rate { flow_rate } => (FormMode::Rate, 0, number_text(flow_rate.value())),
            Programme::ConstantFlow => (FormMode::LeadDose, 0, String::new()),
        };
        let drugs = plan
            .drugs
            .iter()
            .map(|line| {
                let family = library.get(&line.drug).map_or(MassFamily::Mg, |d| d.family);
                DrugForm {
                    drug_id: line.drug.clone(),
                    concentration: text(line.concentration.map(AnyConcentration::value)),
                    concentration_unit: line.concentration.map_or(family, AnyConcentration::family),
                    daily_dose: text(line.daily_dose.map(AnyDoseRate::value)),
                    dose_unit: line.daily_dose.map_or(family, AnyDoseRate::family),
                    stock: text(line.stock.map(AnyConcentration::value)),
                    stock_unit: line.stock.map_or(family, AnyConcentration::family),
                    csf: drug_csf_form(plan, &line.drug),
                }
            })
            .collect();
        Self {
            pump_id: plan.pump.model.clone(),
            custom_capacity: text(plan.pump.capacity.map(Millilitres::value)),
            fixed_rate: text(plan.pump.fixed_rate.map(MlPerDay::value)),
            fill_volume: number_text(plan.fill.volume.value()),
            low_reservoir_alarm: number_text(plan.fill.low_reservoir_alarm.value()),
            fill_date: iso_date(plan.fill.filled_at),
            fill_time: iso_time(plan.fill.filled_at),
            mode,
            lead,
            flow_rate,
            drugs,
            extra_volume: text(plan.extra_volume.map(Millilitres::value)),
            acknowledgements: plan.acknowledgements.clone(),
            csf: CsfForm {
                pump_tubing: text(plan.csf.pump_tubing.map(Millilitres::value)),
                catheter_length_cm: text(plan.csf.catheter_length_cm),
                catheter_ml_per_cm: text(plan.csf.catheter_ml_per_cm),
                residual: text(plan.csf.residual.map(Millilitres::value)),
                weight_kg: text(plan.csf.weight_kg),
                mri_date: plan.csf.mri.as_ref().map(|m| iso_date(m.at)).unwrap_or_default(),
                mri_time: plan.csf.mri.as_ref().map(|m| iso_time(m.at)).unwrap_or_default(),
                mri_minutes: plan
                    .csf
                    .mri
                    .as_ref()
                    .map(|m| number_text(m.duration.value() * 60.0))
                    .unwrap_or_default(),
            },
            new_pump: Some(plan.fill.new_pump),
            end_of_service,
            flex,
            periodic,
            single,
            patient,
            current_programme: plan.current_programme.clone(),
            titration: plan
                .titration
                .as_ref()
                .map_or_else(TitrationForm::default, |t| TitrationForm {
                    last_change_date: t.last_change.map(iso_date).unwrap_or_default(),
                    last_change_time: t.last_change.map(iso_time).unwrap_or_default(),
                    increases_past_week: t.increases_past_week.map(|n| n.to_string()).unwrap_or_default(),
                }),
            priming: plan
                .boluses
                .priming
                .as_ref()
                .map_or_else(ProcedureForm::default, |p| ProcedureForm {
                    enabled: true,
                    date: iso_date(p.at),
                    time: iso_time(p.at),
                    duration_minutes: number_text(p.duration.value() * 60.0),
                }),
            bridge: plan
                .boluses
                .bridge
                .as_ref()
                .map_or_else(ProcedureForm::default, |b| ProcedureForm {
                    enabled: true,
                    date: iso_date(b.at),
                    time: iso_time(b.at),
                    duration_minutes: String::new(),
                }),
            visit: plan.visit.as_ref().map_or_else(VisitForm::default, |v| VisitForm {
                date: iso_date(v.at),
                time: iso_time(v.at),
                withdrawn: number_text(v.withdrawn.value()),
                new_fill: v.new_fill.map(|n| number_text(n.value())).unwrap_or_default(),
                pump_expected: v.pump_expected.map(|n| number_text(n.value())).unwrap_or_default(),
                patient_boluses: v.patient_boluses.map(|n| n.to_string()).unwrap_or_default(),
                confirmed_after_refill: v
                    .confirmed_after_refill
                    .map(|n| number_text(n.value()))
                    .unwrap_or_default(),
            }),
            visits,
        }
    }
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
        let plan = Plan::from_json(&text).map_err(|e| e.to_string())?;
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
