//! The app's state: a store of the form as typed (each input reads and writes its own field), the
//! catalogue and the library in force, and the evaluation, read-only and derived: the plan, its
//! outcome and its report. The last valid result stays on screen while the input is corrected.

use std::collections::BTreeSet;
use std::sync::Arc;

use leptos::prelude::*;
use reactive_stores::Store;

use crate::engine::report::{self, Report};
use crate::engine::{Catalogue, CurrentTotal, DrugLibrary, Error, Outcome, Plan, evaluate, roll_forward};
use crate::form::{PlanForm, PlanFormStoreFields};

/// What the current input evaluates to.
#[derive(Clone, PartialEq)]
pub struct Evaluation {
    /// The plan, when the form converts.
    pub plan: Option<Plan>,
    /// The outcome and its report (shared: readers clone a pointer, not the report), or every
    /// error found.
    pub result: Result<Arc<Shown>, Vec<Error>>,
}

/// A valid evaluation as shown: the typed outcome and its report.
#[derive(Clone, PartialEq)]
pub struct Shown {
    /// The plan it came from.
    pub plan: Plan,
    /// The typed outcome (charts read its numbers).
    pub outcome: Outcome,
    /// Its words and figures.
    pub report: Report,
}

/// The plan as it was when a session began, and the workflow that began it (saved with the work).
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// The workflow's name ("Refill visit").
    pub workflow: String,
    /// The form when the session began.
    pub form: PlanForm,
}

/// App-wide state handed to components.
#[derive(Clone, Copy)]
pub struct AppState {
    /// What the user typed.
    pub form: Store<PlanForm>,
    /// The pump catalogue (compiled in).
    pub catalogue: StoredValue<Catalogue>,
    /// The drug library in force.
    pub library: RwSignal<DrugLibrary>,
    /// The current input's evaluation.
    pub evaluation: Memo<Evaluation>,
    /// The last valid result, kept on screen while the input is corrected.
    pub last_valid: Memo<Option<Arc<Shown>>>,
    /// The current input's errors.
    pub errors: Memo<Vec<Error>>,
    /// Whether what is shown is the last valid result, not the current input.
    pub stale: Signal<bool>,
    /// Inputs the user has touched: an empty input shows no message until then.
    pub touched: RwSignal<BTreeSet<String>>,
    /// The plan as it was when this session began (the current programme), captured when a
    /// workflow opens; cleared when the session is confirmed or discarded.
    pub baseline: RwSignal<Option<Baseline>>,
    /// The baseline's evaluation (none: no session, or a baseline that is not a valid plan).
    pub current: Memo<Option<Arc<Shown>>>,
    /// The current input after its refill: the plan rolled forward to the new fill, when a visit
    /// with a new fill is entered (an error while it cannot be).
    pub rolled: Memo<Option<Result<Arc<Shown>, Vec<Error>>>>,
    /// The browser is printing (between `beforeprint` and `afterprint`): charts draw their
    /// vector copies for paper only then.
    pub printing: RwSignal<bool>,
}

impl AppState {
    /// State for `form`, with the catalogue and library in force.
    pub fn new(form: PlanForm, catalogue: Catalogue, library: DrugLibrary) -> Self {
        let form = Store::new(form);
        let catalogue = StoredValue::new(catalogue);
        let library = RwSignal::new(library);
        let evaluation =
            Memo::new(move |_| form.with(|f| catalogue.with_value(|c| library.with(|l| evaluate_form(f, c, l)))));
        let last_valid = Memo::new(move |previous: Option<&Option<Arc<Shown>>>| {
            evaluation.with(|e| match &e.result {
                Ok(shown) => Some(shown.clone()),
                Err(_) => previous.cloned().flatten(),
            })
        });
        let errors = Memo::new(move |_| evaluation.with(|e| e.result.as_ref().err().cloned().unwrap_or_default()));
        let stale = Signal::derive(move || evaluation.with(|e| e.result.is_err()) && last_valid.with(Option::is_some));
        // Version-1 acknowledgement keys (saved work, an import) matched to today's findings are
        // written back as structured keys, so the form holds what the plan uses (and Withdraw
        // removes exactly that one).
        Effect::new(move |_| {
            let upgraded = evaluation.with(|e| e.plan.as_ref().map(|p| p.acknowledgements.clone()));
            if let Some(acks) = upgraded {
                let field = form.acknowledgements();
                if field.with_untracked(|current| *current != acks) {
                    field.set(acks);
                }
            }
        });
        let baseline = RwSignal::new(None::<Baseline>);
        let current = Memo::new(move |_| {
            baseline.with(|b| {
                b.as_ref().and_then(|b| {
                    let f = &b.form;
                    catalogue.with_value(|c| library.with(|l| evaluate_form(f, c, l).result.ok()))
                })
            })
        });
        let rolled = Memo::new(move |_| {
            evaluation.with(|e| {
                let shown = e.result.as_ref().ok()?;
                shown.plan.visit.as_ref()?.new_fill?;
                Some(catalogue.with_value(|c| library.with(|l| roll(&shown.plan, &shown.outcome, c, l))))
            })
        });
        // The current programme is the baseline's: captured automatically, never by a button.
        Effect::new(move |_| {
            let Some(totals) = current.with(|c| c.as_ref().map(|c| current_totals(&c.outcome))) else {
                return;
            };
            let field = form.current_programme();
            if field.with_untracked(|t| *t != totals) {
                field.set(totals);
            }
        });
        AppState {
            form,
            catalogue,
            library,
            evaluation,
            last_valid,
            errors,
            stale,
            touched: RwSignal::new(BTreeSet::new()),
            baseline,
            current,
            rolled,
            printing: RwSignal::new(false),
        }
    }

    /// What the session proposes: the input rolled forward to its new fill when a refill is
    /// entered, else the input itself.
    pub fn proposed(self) -> Result<Arc<Shown>, Vec<Error>> {
        match self.rolled.get() {
            Some(rolled) => rolled,
            None => self.evaluation.with(|e| e.result.clone()),
        }
    }

    /// Starts a session from `workflow` when none is open: the plan on screen becomes the current
    /// programme.
    pub fn begin_session(self, workflow: &str) {
        if self.baseline.with_untracked(Option::is_none) {
            self.baseline.set(Some(Baseline {
                workflow: workflow.to_owned(),
                form: self.form.get_untracked(),
            }));
        }
    }

    /// One section of the last valid report as a memo: a figure list redraws only when its own
    /// figures change.
    pub fn section(self, read: fn(&Report) -> Vec<crate::engine::Figure>) -> Signal<Vec<crate::engine::Figure>> {
        let last_valid = self.last_valid;
        Signal::from(Memo::new(move |_| {
            last_valid.with(|r| r.as_ref().map(|r| read(&r.report)).unwrap_or_default())
        }))
    }

    /// Marks an input as touched.
    pub fn touch(&self, id: &str) {
        if !self.touched.with_untracked(|t| t.contains(id)) {
            self.touched.update(|t| {
                t.insert(id.to_owned());
            });
        }
    }

    /// The current errors whose element id is one of `ids`, as messages.
    pub fn messages_for(&self, ids: &[String]) -> Vec<String> {
        self.errors.with(|list| {
            list.iter()
                .filter(|e| ids.contains(&e.element_id()))
                .map(ToString::to_string)
                .collect()
        })
    }
}

/// Each drug's maximum 24-hour total under `outcome`.
pub fn current_totals(outcome: &Outcome) -> Vec<CurrentTotal> {
    outcome
        .drugs
        .iter()
        .map(|d| CurrentTotal {
            drug: d.id.clone(),
            daily_maximum: d.daily_maximum,
        })
        .collect()
}

fn roll(
    plan: &Plan,
    outcome: &Outcome,
    catalogue: &Catalogue,
    library: &DrugLibrary,
) -> Result<Arc<Shown>, Vec<Error>> {
    let next = roll_forward(plan, outcome).map_err(|e| vec![e])?;
    let outcome = evaluate(&next, catalogue, library)?;
    Ok(Arc::new(Shown {
        report: report::build(&outcome),
        plan: next,
        outcome,
    }))
}

fn evaluate_form(form: &PlanForm, catalogue: &Catalogue, library: &DrugLibrary) -> Evaluation {
    match form.to_plan(catalogue, library) {
        Ok(mut plan) => {
            // Work saved before plan format 2 may hold version-1 acknowledgement keys.
            crate::engine::upgrade_acknowledgements(&mut plan, catalogue, library);
            let result = evaluate(&plan, catalogue, library).map(|outcome| {
                Arc::new(Shown {
                    report: report::build(&outcome),
                    plan: plan.clone(),
                    outcome,
                })
            });
            Evaluation {
                plan: Some(plan),
                result,
            }
        }
        Err(errors) => Evaluation {
            plan: None,
            result: Err(errors),
        },
    }
}
