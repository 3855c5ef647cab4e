//! Findings, the way dose error reduction software reports them: hard (blocks), soft (needs an
//! explicit, recorded acknowledgement with a reason), info.

use jiff::civil::DateTime;
use serde::{Deserialize, Serialize};

use crate::engine::catalogue::library::Severity;
use crate::engine::catalogue::pump::Mark;

/// One finding about a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Hard, soft or info.
    pub severity: Severity,
    /// A stable key naming the limit **and the value that crossed it**: a changed dose is a new
    /// finding and needs a new acknowledgement.
    pub key: String,
    /// The drug line (0-based) it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drug: Option<usize>,
    /// What was found, in words, with values ISMP-formatted.
    pub message: String,
    /// Where the limit comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// How far the limit has been checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark: Option<Mark>,
    /// The acknowledgement recorded for this (soft) finding, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<Acknowledgement>,
}

/// A recorded acknowledgement of a soft finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgement {
    /// The [`Finding::key`] acknowledged.
    pub finding: String,
    /// Why the clinician proceeds.
    pub reason: String,
    /// When (wall-clock, passed in by the caller).
    #[serde(with = "crate::engine::quantities::civil_serde")]
    pub at: DateTime,
}

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// No hard finding; every soft finding acknowledged.
    Valid,
    /// Soft findings wait for an acknowledgement.
    NeedsAcknowledgement,
    /// A hard limit is crossed: not valid, cannot be exported as a proposed programme.
    Blocked,
}

impl PlanStatus {
    /// Words for the screen and the report.
    pub fn describe(self) -> &'static str {
        match self {
            PlanStatus::Valid => "Valid: no hard limit crossed; every soft limit acknowledged",
            PlanStatus::NeedsAcknowledgement => "Not yet valid: soft limits need an acknowledgement with a reason",
            PlanStatus::Blocked => "Not valid: a hard limit is crossed",
        }
    }
}

/// Attaches matching acknowledgements to soft findings and says where the plan stands.
/// Acknowledgements never clear hard findings.
pub fn settle(findings: &mut [Finding], acknowledgements: &[Acknowledgement]) -> PlanStatus {
    for finding in findings.iter_mut().filter(|f| f.severity == Severity::Soft) {
        finding.acknowledged = acknowledgements
            .iter()
            .find(|a| a.finding == finding.key && !a.reason.trim().is_empty())
            .cloned();
    }
    if findings.iter().any(|f| f.severity == Severity::Hard) {
        PlanStatus::Blocked
    } else if findings
        .iter()
        .any(|f| f.severity == Severity::Soft && f.acknowledged.is_none())
    {
        PlanStatus::NeedsAcknowledgement
    } else {
        PlanStatus::Valid
    }
}
