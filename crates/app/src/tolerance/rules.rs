//! What the pack says about a case: the criteria and suggestions, the
//! deadlines of each step (shorter on the fast track), the appeal window and
//! the copy list — each read typed, each missing rule an error of its own.

use super::*;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EntryRef {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub source: String,
    pub confidence: String,
}

/// The pack's lists a handler works with, in force on the day of the mistake.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Criteria {
    pub pack: String,
    pub on: NaiveDate,
    pub facts: Vec<EntryRef>,
    pub factors: Vec<EntryRef>,
    pub situations: Vec<EntryRef>,
    pub situations_incomplete: bool,
    pub grounds: Vec<EntryRef>,
    pub exclusions: Vec<EntryRef>,
    pub exclusions_incomplete: bool,
    pub outcomes: Vec<EntryRef>,
}

pub(super) fn entries(app: &App, pack: &str, catalogue: &str, on: NaiveDate) -> (Vec<EntryRef>, bool) {
    let r = app.policy().resolved(pack);
    match r.catalogue(catalogue, on) {
        None => (Vec::new(), false),
        Some(v) => (
            v.items
                .iter()
                .map(|h| EntryRef {
                    id: h.entry.id.clone(),
                    title: h.entry.title.clone(),
                    description: h.entry.description.clone(),
                    source: h.citation_zh(),
                    confidence: h.entry.confidence.label_zh().to_string(),
                })
                .collect(),
            v.incomplete,
        ),
    }
}

/// The mitigation grounds (从轻、减轻) of a pack on a date.
pub fn mitigations(app: &App, pack: &str, on: NaiveDate) -> Vec<EntryRef> {
    entries(app, pack, "tolerance.mitigation", on).0
}

/// Who receives a copy of the decision letter (容错处理决定书), from the pack
/// in force on the decision date; none when the pack names no copy list.
pub(super) fn letter_copies(app: &App, pack: &str, on: NaiveDate) -> Result<Vec<CopyRecipient>> {
    Ok(rule::<LetterCopies>(app, pack, "tolerance.letter_copies", on)?.map(|c| c.copies).unwrap_or_default())
}

/// A rule's typed value in force on `on`, or `None` when the pack has no such
/// rule that day; each caller says what that means.
pub(super) fn rule<T: PackValue>(app: &App, pack: &str, id: &str, on: NaiveDate) -> Result<Option<T>> {
    Ok(app.policy().resolved(pack).value::<T>(id, on).map_err(AppError::Config)?.map(|v| v.value))
}

/// A rule the procedure cannot go on without.
pub(super) fn required<T: PackValue>(app: &App, pack: &str, id: &str, on: NaiveDate, what: &str) -> Result<T> {
    rule(app, pack, id, on)?.ok_or_else(|| AppError::Conflict(format!("规则包 {pack} 在 {on} 没有{what}")))
}

pub fn criteria(app: &App, pack: &str, on: NaiveDate) -> Criteria {
    let (situations, si) = entries(app, pack, "tolerance.situation", on);
    let (exclusions, ei) = entries(app, pack, "tolerance.exclusion", on);
    Criteria {
        pack: pack.to_string(),
        on,
        facts: entries(app, pack, "tolerance.fact", on).0,
        factors: entries(app, pack, "tolerance.factor", on).0,
        situations,
        situations_incomplete: si,
        grounds: entries(app, pack, "tolerance.ground", on).0,
        exclusions,
        exclusions_incomplete: ei,
        outcomes: entries(app, pack, "tolerance.outcome", on).0,
    }
}

/// Every entry of the suggestion groups with its condition.
pub(super) fn candidates(app: &App, pack: &str, on: NaiveDate) -> Result<Vec<Candidate>> {
    let r = app.policy().resolved(pack);
    let mut out = Vec::new();
    for g in Group::ALL {
        let Some(view) = r.catalogue(g.catalogue(), on) else { continue };
        for h in &view.items {
            // An entry without a condition is never suggested: a person names it.
            let condition: Condition =
                r.value::<Condition>(&h.entry.id, on).map_err(AppError::Config)?.map(|v| v.value).unwrap_or_default();
            out.push(Candidate {
                group: *g,
                id: h.entry.id.clone(),
                title: h.entry.title.clone(),
                source: h.citation_zh(),
                condition,
            });
        }
    }
    Ok(out)
}

/// The suggestions for answers under a pack on a date.
pub fn suggest_for(app: &App, pack: &str, on: NaiveDate, answers: &BTreeMap<String, Answer>) -> Result<Suggestions> {
    Ok(suggest::suggest(&candidates(app, pack, on)?, answers))
}

/// The deadline of the step a case waits for, in working days from the pack;
/// a fast-tracked case uses the pack's shorter ones where it has them.
pub(super) fn due_for(
    app: &App,
    pack: &str,
    state: CaseState,
    from: NaiveDate,
    fast: bool,
) -> Result<Option<NaiveDate>> {
    let step = match state {
        CaseState::Started => Step::Acceptance,
        CaseState::Investigating | CaseState::JointReview => Step::Investigation,
        CaseState::Deciding | CaseState::CorrectionReported => Step::Decision,
        CaseState::Correcting => Step::Rectification,
        CaseState::Appealed => Step::AppealDecision,
        CaseState::Closed | CaseState::Refused | CaseState::Withdrawn => return Ok(None),
    };
    deadline(app, pack, step, from, fast)
}

/// `from` plus the working days of one key of `tolerance.deadlines`, or of
/// `tolerance.fast_track`'s deadlines for a fast-tracked case.
pub(super) fn deadline(app: &App, pack: &str, step: Step, from: NaiveDate, fast: bool) -> Result<Option<NaiveDate>> {
    let fast_days = match fast {
        true => {
            rule::<FastTrack>(app, pack, "tolerance.fast_track", from)?.and_then(|f| f.deadlines.get(&step).copied())
        }
        false => None,
    };
    let days = match fast_days {
        Some(d) => d,
        None => required::<Deadlines>(app, pack, "tolerance.deadlines", from, "容错纠错办理期限")?.days(step),
    };
    Ok(app.policy().resolved(pack).calendar().add_working_days(from, days).map(|a| a.value))
}

/// Whether a case begun this way is fast-tracked (优先受理、快速办理、及时反馈)
/// under the pack in force on the day it begins.
pub(super) fn fast_track(app: &App, pack: &str, origin: Origin, on: NaiveDate) -> Result<bool> {
    Ok(rule::<FastTrack>(app, pack, "tolerance.fast_track", on)?.is_some_and(|f| f.origins.contains(&origin)))
}

/// The last day to appeal, counted from service of the decision letter or
/// refusal notice as the pack says. None while it is not yet served: the
/// window has not begun. (Cases from before service was recorded count from
/// the day of the decision.)
pub(super) fn appeal_last_day(app: &App, pack: &str, m: &tolerance_case::Model) -> Result<Option<NaiveDate>> {
    let since = match (m.served_on, m.service_due) {
        (Some(s), _) => s,
        (None, Some(_)) => return Ok(None),
        (None, None) => m.decided_on.unwrap_or(m.event_on),
    };
    // No window in the pack is no window at all: an error, never "expired today".
    let days = appeal_days(app, pack, since)?;
    Ok(app.policy().resolved(pack).calendar().add_working_days(since, days).map(|a| a.value))
}

/// The appeal window in working days (`tolerance.deadlines.appeal`) in force on a date.
pub(super) fn appeal_days(app: &App, pack: &str, on: NaiveDate) -> Result<u32> {
    Ok(required::<Deadlines>(app, pack, "tolerance.deadlines", on, "容错纠错办理期限（含申诉期限）")?.appeal)
}
