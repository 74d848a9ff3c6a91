//! The documents a case produces: the decision letter (with its copies) and
//! the refusal notice, worded as the pack says.

use super::*;

use crate::documents::cn_date;

/// The letter's closing sentence: the pack's appeal window, from service,
/// with its last day once the service is recorded.
pub(super) fn appeal_sentence(app: &App, pack: &str, m: &tolerance_case::Model, body: &str) -> Result<String> {
    let on = m.decided_on.unwrap_or(m.event_on);
    let w = required::<AppealSentence>(app, pack, "tolerance.wording.appeal", on, "申诉告知的措辞")?;
    let days = appeal_days(app, pack, on)?.to_string();
    Ok(match appeal_last_day(app, pack, m)? {
        Some(last) => w.with_last_day.fill(&[("days", &days), ("last_day", &cn_date(last)), ("body", body)]),
        None => w.before_service.fill(&[("days", &days), ("body", body)]),
    })
}

/// What the letter page needs besides the letter.
#[derive(Clone, Debug, Serialize)]
pub struct LetterHead {
    pub id: Uuid,
    pub cadre_name: String,
    /// The reader may open the case file (a copy recipient only gets the letter).
    pub case_visible: bool,
}

pub(super) fn decision_of(m: &tolerance_case::Model) -> Result<Decision> {
    let d = m.decision.as_deref().ok_or_else(|| AppError::IllegalTransition("尚未作出容错决定".into()))?;
    serde_json::from_str(d).map_err(|e| AppError::Internal(format!("tolerance decision {}: {e}", m.id)))
}

/// The decision letter (容错处理决定书) of a decided case, for the page, the
/// .docx and the PDF. Whoever reads the case reads its letter; a body the
/// letter is copied to (巡察机构, 审计部门) reads the letter alone.
pub async fn letter(app: &App, actor: &Actor, id: Uuid) -> Result<(LetterHead, crate::documents::Letter)> {
    require(actor, Permission::ToleranceLetterRead)?;
    let db = app.db().read();
    // A reader of the case reads its letter and notices; a copy recipient
    // reads a decided case's letter if its body is on the copy list.
    let seen = if actor.can(Permission::ToleranceRead) { store::case(db, actor, id).await? } else { None };
    let case_visible = seen.is_some();
    let l = match seen {
        Some(t) => loaded(app, actor, t).await?,
        None => {
            let t = store::decided_case(db, &actor.scope, id).await?.ok_or(AppError::NotFound("容错处理决定书"))?;
            loaded(app, actor, t).await?
        }
    };
    let subject = tolerance_audience(actor.role) == ToleranceAudience::Subject;
    if subject && l.m.served_on.is_none() {
        // The cadre receives the document by service, not before.
        return Err(AppError::NotFound("容错处理决定书"));
    }
    if l.m.decision.is_none() && l.m.state == CaseState::Refused.code() {
        // The refusal notice goes to the applicant alone; it is not copied.
        if !case_visible {
            return Err(AppError::NotFound("容错处理决定书"));
        }
        let notice = refusal_notice(app, &l).await?;
        audit::record_read(
            app,
            actor,
            "tolerance_case",
            id,
            Place::of_cadre(&l.cadre),
            &format!("{}的不予受理通知书", l.cadre.name),
        )
        .await?;
        return Ok((LetterHead { id, cadre_name: l.cadre.name.clone(), case_visible }, notice));
    }
    let d = decision_of(&l.m)?;
    let copies = letter_copies(app, &l.pack, d.decided_on)?;
    if !case_visible && !copies.iter().any(|c| c.roles.contains(&actor.role)) {
        return Err(AppError::NotFound("容错处理决定书"));
    }
    audit::record_read(
        app,
        actor,
        "tolerance_case",
        id,
        Place::of_cadre(&l.cadre),
        &format!("{}的容错处理决定书", l.cadre.name),
    )
    .await?;
    let w =
        required::<DecisionLetter>(app, &l.pack, "tolerance.wording.decision_letter", d.decided_on, "决定书的措辞")?;
    let matched: Vec<String> = d.matched.iter().map(|m| format!("{}（{}）", m.title, m.source)).collect();
    let copy_bodies: Vec<&str> = copies.iter().map(|c| c.body.as_str()).collect();
    let (event_on, decided_on) = (cn_date(l.m.event_on), cn_date(d.decided_on));
    let (matched, copy_line) = (matched.join("；"), copy_bodies.join("、"));
    let blanks: [(&str, &str); 10] = [
        ("cadre", &l.cadre.name),
        ("unit", &l.cadre.unit_name),
        ("event_on", &event_on),
        ("body", &d.deciding_body),
        ("decided_on", &decided_on),
        ("meeting", &d.meeting),
        ("outcome", &d.outcome_title),
        ("matched", &matched),
        ("corrections", d.corrections.as_deref().unwrap_or("")),
        ("copies", &copy_line),
    ];
    let mut paragraphs = vec![w.decision.fill(&blanks)];
    if !d.matched.is_empty() {
        paragraphs.push(w.matched.fill(&blanks));
    }
    if d.corrections.is_some() {
        paragraphs.push(w.corrections.fill(&blanks));
    }
    paragraphs.push(appeal_sentence(app, &l.pack, &l.m, &d.deciding_body)?);
    let letter = crate::documents::Letter {
        title: w.title.clone(),
        doc_no: d.document_ref.clone(),
        addressee: w.addressee.fill(&blanks),
        paragraphs,
        issuer: d.deciding_body.clone(),
        date: decided_on.clone(),
        copies: (!copy_bodies.is_empty()).then(|| w.copies.fill(&blanks)),
    };
    Ok((LetterHead { id, cadre_name: l.cadre.name.clone(), case_visible }, letter))
}

/// The notice that an application was not accepted (不予受理通知书), with
/// the reason recorded at the refusal and the appeal window.
pub(super) async fn refusal_notice(app: &App, l: &Loaded) -> Result<crate::documents::Letter> {
    let steps = store::steps_of(app.db().read(), &l.target).await?;
    let refusal = steps
        .iter()
        .rev()
        .find(|s| s.action == CaseAction::Refuse.code())
        .ok_or_else(|| AppError::Internal(format!("tolerance case {} refused without a step", l.m.id)))?;
    let applied = steps.first().map(|s| s.on_date).unwrap_or(l.m.event_on);
    let issuer = refusal.party.as_deref().unwrap_or(&refusal.actor_name);
    let w = required::<RefusalNotice>(
        app,
        &l.pack,
        "tolerance.wording.refusal_notice",
        refusal.on_date,
        "不予受理通知书的措辞",
    )?;
    let (applied, event_on) = (cn_date(applied), cn_date(l.m.event_on));
    let reason = refusal.note.as_deref().unwrap_or("").trim_end_matches('。').to_string() + "。";
    let mut blanks: Vec<(&str, &str)> = vec![
        ("cadre", &l.cadre.name),
        ("unit", &l.cadre.unit_name),
        ("applied", &applied),
        ("event_on", &event_on),
        ("reason", &reason),
    ];
    let opening = match Origin::parse(&l.m.origin) {
        Ok(Origin::UnitApplication) => w.opening_unit.fill(&blanks),
        Ok(Origin::CadreApplication) => w.opening_cadre.fill(&blanks),
        _ => w.opening_ex_officio.fill(&blanks),
    };
    blanks.push(("opening", &opening));
    Ok(crate::documents::Letter {
        title: w.title.clone(),
        doc_no: None,
        addressee: w.addressee.fill(&blanks),
        paragraphs: vec![w.refusal.fill(&blanks), appeal_sentence(app, &l.pack, &l.m, issuer)?],
        issuer: issuer.to_string(),
        date: cn_date(refusal.on_date),
        copies: None,
    })
}

/// A decided case as it appears among the letters copied to the reader.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CopyView {
    pub id: Uuid,
    pub cadre_name: String,
    pub unit_name: String,
    pub outcome: String,
    pub deciding_body: String,
    pub document_ref: Option<String>,
    pub decided_on: NaiveDate,
    /// The body of the copy list the reader stands for.
    pub copied_as: String,
}

/// The decision letters copied to the reader's body (抄送), newest first,
/// within the reader's scope.
pub async fn copies(app: &App, actor: &Actor) -> Result<Vec<CopyView>> {
    require(actor, Permission::ToleranceLetterRead)?;
    let mut out = Vec::new();
    let cases = store::decided_in_scope(app.db().read(), &actor.scope).await?;
    let ids: Vec<Uuid> = cases.iter().map(|m| m.cadre_id).collect();
    let cadres: BTreeMap<Uuid, InScope<CadreRow>> =
        registry::cadres_by_ids(app.db().read(), &actor.scope, &ids).await?.into_iter().map(|c| (c.id, c)).collect();
    for m in cases {
        let Some(cadre) = cadres.get(&m.cadre_id) else { continue };
        let pack = pack_of(app, cadre);
        let d = decision_of(&m)?;
        let Some(as_body) =
            letter_copies(app, &pack, d.decided_on)?.into_iter().find(|c| c.roles.contains(&actor.role))
        else {
            continue;
        };
        out.push(CopyView {
            id: m.id,
            cadre_name: cadre.name.clone(),
            unit_name: cadre.unit_name.clone(),
            outcome: d.outcome_title,
            deciding_body: d.deciding_body,
            document_ref: d.document_ref,
            decided_on: d.decided_on,
            copied_as: as_body.body,
        });
    }
    out.sort_by(|a, b| b.decided_on.cmp(&a.decided_on).then(b.id.cmp(&a.id)));
    Ok(out)
}
