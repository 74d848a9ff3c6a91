//! Checking appointment rows (the cadre, the unit, the dates).

use super::*;

pub(super) async fn prepare_appointments(
    actor: &Actor,
    t: &Table,
    c: &impl ConnectionTrait,
) -> Result<(Option<Plan>, Problems)> {
    let today = clock::today();
    let mut problems = Problems::new();
    let mut unit_names = HashSet::new();
    for (_, cells) in &t.rows {
        if let Ok(Some(u)) = t.text(cells, "unit") {
            unit_names.insert(u);
        }
    }
    let units = units_by_name(c, actor, unit_names).await?;
    let mut plan = Vec::new();
    for (row, cells) in &t.rows {
        let row = *row;
        let mut get = |k: &str| cell_text(t, cells, row, k, &mut problems);
        let (idn, name, birth, unit_name, title, tier, level, rank, start, end, reason, end_reason, docref) = (
            get("id_number"),
            get("name"),
            get("birth_date"),
            get("unit"),
            get("title"),
            get("tier"),
            get("level"),
            get("rank"),
            get("start_date"),
            get("end_date"),
            get("reason"),
            get("end_reason"),
            get("document_ref"),
        );
        let mut inv = Invalid::new();
        let title = inv.take("title", "“职务（职级）名称”", text::required(title.as_deref().unwrap_or(""), 64));
        let tier = inv.take("tier", "“职务层次”", tier.as_deref().map(Tier::parse).transpose());
        let level = inv.take("level", "“正副职”", level.as_deref().map(PostLevel::parse).transpose());
        let rank = inv.take("rank", "“职级”", rank.as_deref().map(Rank::parse).transpose());
        let start = inv.take(
            "start_date",
            "“任职日期”",
            text::parse_date(start.as_deref().unwrap_or("")).and_then(|d| text::not_future(d, today)),
        );
        let end = inv.take(
            "end_date",
            "“免职日期”",
            text::parse_optional_date(end.as_deref()).and_then(|d| match d {
                Some(d) => text::not_future(d, today).map(Some),
                None => Ok(None),
            }),
        );
        let reason = inv.take("reason", "“任职原因”", text::required(reason.as_deref().unwrap_or(""), 64));
        let end_reason = inv.take("end_reason", "“免职原因”", text::optional(end_reason.as_deref(), 64));
        let docref = inv.take("document_ref", "“任免文号”", text::optional(docref.as_deref(), 64));
        if let (Some(s), Some(Some(e))) = (start, end)
            && e < s
        {
            inv.push("end_date", "“免职日期”", Problem::DateOrder { earlier: "任职日期".into() });
        }
        problems_from(t, row, inv, &mut problems);
        let Some(crow) =
            find_cadre(actor, t, c, row, idn.as_deref(), name.as_deref(), birth.as_deref(), &mut problems).await?
        else {
            continue;
        };
        let cadre_id = crow.id;
        let unit = match unit_name.as_deref().and_then(|u| units.get(u)) {
            Some(u) => u,
            None => {
                problems.push(t.problem(
                    row,
                    "unit",
                    format!("“任职单位”在您的管理范围内找不到单位“{}”", unit_name.as_deref().unwrap_or("")),
                ));
                continue;
            }
        };
        let (
            Some(title),
            Some(tier),
            Some(level),
            Some(rank),
            Some(start),
            Some(end),
            Some(reason),
            Some(end_reason),
            Some(docref),
        ) = (title, tier, level, rank, start, end, reason, end_reason, docref)
        else {
            continue;
        };
        plan.push(appointment::Model {
            id: Uuid::now_v7(),
            cadre_id,
            unit_id: unit.id,
            post_id: None,
            title,
            tier: tier.map(|x| x.code().into()),
            level: level.map(|x| x.code().into()),
            rank: rank.map(|x| x.code().into()),
            start_date: start,
            end_date: end,
            reason,
            end_reason: if end.is_some() { end_reason } else { None },
            document_ref: docref,
            created_at: Utc::now(),
        });
    }
    if problems.is_empty() { Ok((Some(Plan::Appointments(plan)), problems)) } else { Ok((None, problems)) }
}
