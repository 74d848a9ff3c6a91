//! Evidence attached to a case; parties see what they uploaded themselves.

use super::*;

/// The evidence a reader sees: all of it for those who deliberate, what they
/// uploaded themselves for a party to the case.
pub(super) async fn visible_attachments(app: &App, actor: &Actor, l: &Loaded) -> Result<Vec<AttachmentView>> {
    let full = deliberating(actor);
    Ok(store::attachments_of(app.db().read(), &l.target)
        .await?
        .iter()
        .filter(|a| full || a.uploaded_by == actor.user_id.0)
        .map(attachment_view)
        .collect())
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: i32,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// The evidence file types accepted, by extension.
pub(super) const EVIDENCE_TYPES: &[(&str, &str)] = &[
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("txt", "text/plain; charset=utf-8"),
];

pub(super) fn attachment_view(m: &dandang_store::entity::tolerance_attachment::Model) -> AttachmentView {
    AttachmentView {
        id: m.id,
        file_name: m.file_name.clone(),
        content_type: m.content_type.clone(),
        size: m.size,
        sha256: m.sha256.clone(),
        uploaded_by: m.uploaded_by_name.clone(),
        uploaded_at: clock::local(m.uploaded_at),
    }
}

/// Evidence attached by the applicant or the handling body, while the case is
/// not settled; the file's hash is kept and the upload audited.
pub async fn attach(app: &App, actor: &Actor, id: Uuid, file_name: &str, bytes: Vec<u8>) -> Result<AttachmentView> {
    use sha2::{Digest, Sha256};
    let l = load(app, actor, id).await?;
    let may = actor.can(Permission::ToleranceHandle)
        || (actor.can(Permission::ToleranceApply) && actor.scope.cadre_id.is_none_or(|c| c.0 == l.m.cadre_id));
    if !may {
        return Err(AppError::Forbidden);
    }
    if parse_state(&l.m.state)?.is_settled() {
        return Err(AppError::IllegalTransition("案件已办结，不能再添加证据材料".into()));
    }
    let name: String = file_name.trim().chars().take(200).collect();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let Some((_, ctype)) = EVIDENCE_TYPES.iter().find(|(e, _)| *e == ext) else {
        return Err(AppError::invalid(
            "file",
            "证据材料",
            Problem::Unknown { allowed: EVIDENCE_TYPES.iter().map(|(e, _)| format!(".{e}")).collect() },
        ));
    };
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "证据材料", Problem::Required));
    }
    let m = dandang_store::entity::tolerance_attachment::Model {
        id: Uuid::now_v7(),
        case_id: id,
        file_name: name,
        content_type: ctype.to_string(),
        size: bytes.len() as i32,
        sha256: hex::encode(Sha256::digest(&bytes)),
        content: bytes,
        uploaded_by: actor.user_id.0,
        uploaded_by_name: actor.display_name.clone(),
        uploaded_at: Utc::now(),
    };
    let v = attachment_view(&m);
    let tx = app.db().write().await?;
    store::insert_attachment(&tx, m).await?;
    audit::record(
        app,
        &tx,
        actor,
        Event::new("tolerance_case.attach", "tolerance_case", id, Place::of_cadre(&l.cadre)).after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn attachments(app: &App, actor: &Actor, id: Uuid) -> Result<Vec<AttachmentView>> {
    let l = load(app, actor, id).await?;
    visible_attachments(app, actor, &l).await
}

/// One attachment's content (audited as a read of the case).
pub async fn attachment(app: &App, actor: &Actor, id: Uuid, attachment_id: Uuid) -> Result<(AttachmentView, Vec<u8>)> {
    let l = load(app, actor, id).await?;
    let m = store::attachment(app.db().read(), &l.target, attachment_id)
        .await?
        .filter(|a| deliberating(actor) || a.uploaded_by == actor.user_id.0)
        .ok_or(AppError::NotFound("证据材料"))?;
    audit::record_read(
        app,
        actor,
        "tolerance_case",
        id,
        Place::of_cadre(&l.cadre),
        &format!("{}的证据材料 {}", l.cadre.name, m.file_name),
    )
    .await?;
    Ok((attachment_view(&m), m.content))
}
